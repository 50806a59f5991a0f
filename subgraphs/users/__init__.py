"""The users context: accounts, credentials and the keys that sign access tokens."""
