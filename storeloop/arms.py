"""The A/B split: each shopper belongs to one arm for good, by a salted hash of their id, so
that every replica, and every later round, puts them in the same arm without asking anyone.

The control arm is served what the store showed before it had models (index order for search,
popular products and title neighbours for recommendations); the models arm is served the
champions, and the search interleaving. Anonymous visitors are in no arm.
"""

from __future__ import annotations

import hashlib

CONTROL = "control"
MODELS = "models"


def arm_of(customer_id: str | None, control_share: float, salt: str) -> str | None:
    if not customer_id or control_share <= 0.0:
        return None
    digest = hashlib.sha256(f"{salt}:{customer_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return CONTROL if draw < control_share else MODELS
