"""Users adapters for credentials: argon2id password hashing and token signing keys."""
