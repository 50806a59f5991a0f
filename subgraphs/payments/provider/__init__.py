"""Payment provider adapters (the `PaymentProvider` port); the sandbox is the default."""
