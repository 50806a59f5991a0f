"""Orders adapters for MongoDB."""
