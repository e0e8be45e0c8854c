"""The transactional core: catalog, carts, orders, inventory, payments. Knows nothing of the data platform."""
