"""Point-in-time training sets: gold examples joined with the Feast feature services."""

from __future__ import annotations

import pandas as pd

from features.gold import FeatureDataError, read_gold
from features.repo.definitions import RANKER_SERVICE, RECOMMENDER_SERVICE
from features.store import apply
from storeloop.settings import Settings

__all__ = [
    "RANKER_SERVICE",
    "RECOMMENDER_SERVICE",
    "interaction_training_set",
    "ranking_training_set",
]


def _joined(settings: Settings, table: str, service: str, keys: list[str]) -> pd.DataFrame:
    entities = read_gold(settings, table)
    missing = [column for column in keys if column not in entities.columns]
    if missing:
        raise FeatureDataError("gold_table_corrupt", f"gold {table} lacks columns {missing}")
    store = apply(settings)
    frame = entities
    # One point-in-time join per view, on that view's own key: feast 0.67's file store
    # deduplicates entity rows on the join keys of the views joined so far, so joining a
    # two-entity service at once silently drops e.g. two clicks of one customer in one search.
    for projection in store.get_feature_service(service).feature_view_projections:
        view = store.get_feature_view(projection.name)
        on = [*view.join_keys, "event_timestamp"]
        requests = frame[on].drop_duplicates()
        refs = [f"{projection.name}:{field.name}" for field in projection.features]
        values = store.get_historical_features(entity_df=requests, features=refs).to_df()
        values["event_timestamp"] = pd.to_datetime(values["event_timestamp"], utc=True)
        frame = frame.merge(values, on=on, how="left", validate="many_to_one")
    frame = frame.sort_values(keys).reset_index(drop=True)
    # The window travels with the frame so the run can tag what data it learned from.
    frame.attrs["feature_service"] = service
    frame.attrs["window_start"] = entities["event_timestamp"].min().isoformat()
    frame.attrs["window_end"] = entities["event_timestamp"].max().isoformat()
    return frame


def ranking_training_set(settings: Settings) -> pd.DataFrame:
    """gold ranking_examples (one row per impression, graded label) with the ranker service's
    features as of each search's time (the shopper's recent products among them)."""
    keys = ["event_timestamp", "search_id", "position", "customer_id", "product_id"]
    return _joined(settings, "ranking_examples", RANKER_SERVICE, keys)


def interaction_training_set(settings: Settings) -> pd.DataFrame:
    """gold interactions (click, cart, purchase) with the recommender service's features (the
    shopper's activity state) as of each event."""
    keys = ["event_timestamp", "customer_id", "product_id"]
    return _joined(settings, "interactions", RECOMMENDER_SERVICE, keys)
