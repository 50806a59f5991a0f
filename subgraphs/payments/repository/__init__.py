"""Payments adapters for MongoDB."""
