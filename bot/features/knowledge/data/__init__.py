"""The knowledge base data files (TOML), shipped as package data."""
