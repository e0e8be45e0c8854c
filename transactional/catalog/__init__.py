"""Catalog: products listed by sellers; the source of truth for titles, brands and prices."""
