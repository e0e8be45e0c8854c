"""Spark jobs that rebuild the lake's silver and gold layers from the bronze event log."""
