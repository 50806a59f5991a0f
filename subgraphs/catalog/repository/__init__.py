"""The catalog's MongoDB adapters."""
