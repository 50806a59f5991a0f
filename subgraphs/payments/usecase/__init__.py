"""Payments use cases, one a module, and the ports they need."""
