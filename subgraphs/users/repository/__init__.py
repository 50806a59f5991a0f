"""Users adapters for MongoDB."""
