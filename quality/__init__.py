"""Great Expectations gates on the lake: bronze partitions, silver and gold tables."""
