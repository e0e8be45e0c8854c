"""Learning-to-rank for search: features shared with serving, a small PyTorch scorer, training."""
