"""Channel adapters: email over SMTP, SMS through a provider (local default: recorded)."""
