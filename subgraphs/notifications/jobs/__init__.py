"""The arq side of the worker: the delivery job and the worker run as a resource."""
