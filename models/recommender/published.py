"""Published full-ranking figures on the exact sequence files of ../shared/data/amazon (known by
their SHA-256), each with the protocol its evaluation code used: both zero the score of every item
in the user's history before ranking, our `seen_removed`."""

from __future__ import annotations

from dataclasses import dataclass

from models.recommender.protocol import SEEN_REMOVED

BEAUTY_SHA256 = "226cce9c3105299ca0db9615d7d3fb32b3175e90da43100ae352599f0f0107b8"
TOYS_SHA256 = "176c680c688d497598c4a89a03b402c0fe78d795e5db335c2e78dd5f2d778a3f"


@dataclass(frozen=True)
class Published:
    """One published line: who, where the figures are printed, under which protocol."""

    model: str
    source: str
    protocol: str
    figures: dict[str, float]


def _figures(*values: float) -> dict[str, float]:
    keys = ("hr_at_5", "ndcg_at_5", "hr_at_10", "ndcg_at_10", "hr_at_20", "ndcg_at_20")
    return dict(zip(keys, values, strict=True))


ICLREC = "ICLRec (Chen et al., WWW 2022), salesforce/ICLRec README"
BSAREC = "BSARec (Shin et al., AAAI 2024), yehjin-shin/BSARec src/output/BSARec_Beauty_best.log"
PUBLISHED: dict[str, list[Published]] = {
    BEAUTY_SHA256: [
        Published("ICLRec", ICLREC, SEEN_REMOVED,
                  _figures(0.0500, 0.0326, 0.0744, 0.0403, 0.1058, 0.0483)),
        Published("BSARec", BSAREC, SEEN_REMOVED,
                  _figures(0.0736, 0.0523, 0.1008, 0.0611, 0.1373, 0.0703)),
    ],
    TOYS_SHA256: [
        Published("ICLRec", ICLREC, SEEN_REMOVED,
                  _figures(0.0598, 0.0404, 0.0834, 0.0480, 0.1138, 0.0557)),
    ],
}  # fmt: skip


def published_for(sha256: str) -> list[Published]:
    """The lines published on this very file; none for any other (a slice has its own hash)."""
    return PUBLISHED.get(sha256, [])


def best_published(sha256: str) -> Published | None:
    """The published line with the highest NDCG@10 on this file, the bar to reach."""
    lines = published_for(sha256)
    return max(lines, key=lambda line: line.figures["ndcg_at_10"]) if lines else None
