"""Notifications adapters on Redis: the stores (key layout in `keys.py`), all built by
`redis_ports`."""
