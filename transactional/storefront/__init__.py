"""Storefront behaviour: searches shown and results clicked, the labels for learning to rank."""
