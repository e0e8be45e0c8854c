"""Inventory: on-hand stock per product; never oversells."""
