"""The event contract: the envelope, every event type and its payload schema.

Imports nothing of ours; the store, the consumers, the Spark jobs and serving import it.
"""
