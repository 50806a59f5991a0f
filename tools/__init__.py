"""Developer tooling: the local process runner, the stack, supergraph composition."""
