"""Cross-cutting wiring for the whole platform: settings and the `make up` entry point."""
