"""Parts of benchmarks/scale.py: the generated database and the soak of a running bot."""
