"""Feast definitions for the store: entities, gold file sources, feature views and services."""
