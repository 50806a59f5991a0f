"""The catalog context: products, their prices and stock, the stock side of the order saga."""
