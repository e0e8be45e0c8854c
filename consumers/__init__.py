"""Event-log consumers: each reads the outbox from its checkpoint, writes idempotently."""
