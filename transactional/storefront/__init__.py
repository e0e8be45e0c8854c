"""Storefront behaviour: searches and recommendation lists shown and their items clicked, the
labels for learning to rank and the outcomes of the models."""
