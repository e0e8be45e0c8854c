"""Next-item recommender: a small SASRec-style self-attention model with a popularity fallback."""
