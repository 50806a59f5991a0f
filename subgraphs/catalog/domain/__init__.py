"""Catalog domain: plain data and rules, no framework or driver."""
