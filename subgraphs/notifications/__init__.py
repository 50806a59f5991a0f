"""The notifications context: messages to users (email, SMS) driven by other contexts' events."""
