"""The API gateway: one FastAPI app over every context, plus the proxy to serving."""
