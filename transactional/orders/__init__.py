"""Orders: placement from the cart, payment, and the order lifecycle."""
