"""Feast feature store over the gold lake tables: definitions, apply/materialize, training sets."""
