"""Council Social Ops: a UK council's social media strategy as auditable batch work."""

__version__ = "0.1.0"
