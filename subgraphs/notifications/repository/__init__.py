"""Notifications adapters: the Redis store (key layout in `keys.py`) and the arq queue."""
