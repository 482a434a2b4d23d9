"""queuewatch: a community bot for AI-training gig workers."""

__version__ = "0.1.0"
