"""The payments context: charges and refunds of orders through a payment provider."""
