"""Notifications use cases: one a module; ports in `ports.py`."""
