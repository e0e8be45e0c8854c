"""Shopper simulator: a seeded catalog and shoppers with hidden tastes driving the real store."""
