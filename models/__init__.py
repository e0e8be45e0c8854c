"""PyTorch ranker and recommender trained from Feast training sets, tracked and gated in MLflow."""
