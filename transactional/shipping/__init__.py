"""Shipping: shipments after payment, carrier tracking by webhook, returns with refunds."""
