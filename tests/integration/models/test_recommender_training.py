"""Recommender training on a synthetic lake: beats popularity, gates, serves with a fallback."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient

from models.recommender.predict import load_champion_recommender
from models.recommender.train import MODEL_NAME, train_recommender
from models.registry import champion_version

pytestmark = pytest.mark.slow


def test_recommender_beats_popularity_and_a_worse_one_is_rejected(lake_settings):
    first = train_recommender(lake_settings)
    assert first["promoted"]
    assert first["hr_at_10"] > first["popularity_hr_at_10"]
    assert first["ndcg_at_10"] > first["popularity_ndcg_at_10"]

    worse = train_recommender(lake_settings, epochs=0)
    client = MlflowClient(lake_settings.tracking_uri)
    assert not worse["promoted"]
    assert champion_version(client, MODEL_NAME) == first["version"]
    reason = client.get_model_version(MODEL_NAME, worse["version"]).tags["promotion.reason"]
    assert "does not beat champion" in reason


def test_champion_recommends_known_customers_and_falls_back_for_strangers(lake_settings):
    recommender = load_champion_recommender(lake_settings)
    assert recommender is not None and recommender.version
    known = recommender.recommend("c-000001", k=5)
    assert len(known) == 5 and len({p for p, _ in known}) == 5
    scores = [score for _, score in known]
    assert scores == sorted(scores, reverse=True)

    skipped = {p for p, _ in known[:2]}
    assert not skipped & {p for p, _ in recommender.recommend("c-000001", k=5, exclude=skipped)}

    stranger = recommender.recommend("c-unknown", k=3)
    assert stranger == recommender.popular(3)
    assert len(stranger) == 3
