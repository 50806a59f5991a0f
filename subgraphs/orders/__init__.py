"""The orders context: the price list, orders and their lifecycle."""
