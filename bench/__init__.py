"""Benchmarks: speed and memory targets are measured here, never by timed assertions in tests.

`make bench` (or `python -m bench [name ...]`) runs them and prints one table
each, with every number measured against a baseline measured in the same run.
"""
