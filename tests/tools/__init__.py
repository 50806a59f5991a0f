"""Tests of the developer tools: the process runner, free ports, the stack settings."""
