"""The arq side: the queue adapter (`DeliveryQueue` port), the delivery job, and the arq
worker run as a resource of the worker process."""
