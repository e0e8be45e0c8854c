"""The transactional core: catalog, carts, orders, inventory, payments.

It knows nothing of the data platform: it only appends events to the outbox.
"""
