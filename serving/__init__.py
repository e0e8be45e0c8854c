"""Online serving: search, ranking and recommendations over the search index and the champions."""
