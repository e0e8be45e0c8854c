"""Recommendations: the champion recommender, filtered by the index read model."""
