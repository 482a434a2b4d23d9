"""Platform-neutral core: the model, the dispatcher and the domain services."""
