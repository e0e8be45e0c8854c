"""Versions are saved so that loading them runs no code: pt2 archives (checked pickle-free by MLflow
on load), LightGBM text, JSON extras; a version pickled by older code is refused, and serving then
behaves as if there were no champion."""

from __future__ import annotations

from dataclasses import replace

import mlflow
import numpy as np
import pytest
import torch

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.mlflow_io import MODEL_NAME as RANKER
from models.ranker.mlflow_io import log_candidate
from models.ranker.model import IndexOrderNet, RankerNet, content_rows, quantile_knots
from models.ranker.predict import NetScorer, load_champion_ranker
from models.ranker.predict import load_version as load_ranker
from models.recommender.mlflow_io import MODEL_NAME as RECOMMENDER
from models.recommender.mlflow_io import log_recommender
from models.recommender.model import ProductScorer, StoreRecommender, TitledSASRec, WeightsFolded
from models.recommender.predict import load_champion_recommender
from models.recommender.predict import load_version as load_recommender
from models.recommender.sasrec import SASRecConfig
from models.recommender.scorers import ContentScorer, CoOccurrenceScorer, item_counts
from models.recommender.train import rescore_champion
from models.saving import UnsafeModelError, download
from models.tracking import mlflow_client, use_experiment
from serving.champions import RANKER as RANKER_SLOT
from serving.champions import RECOMMENDER as RECOMMENDER_SLOT
from serving.champions import ChampionSlot
from storeloop.settings import Settings

pytestmark = pytest.mark.slow
PRODUCTS = [f"p-{i}" for i in range(1, 31)]
TRAIN = [[1, 2, 3, 4], [2, 3, 5], [10, 11, 12], [11, 12, 13, 14], [20, 21], [21, 22, 23]]


@pytest.fixture
def settings(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    mlflow_client(settings)
    use_experiment(settings, "saving")
    return settings


def store_recommender() -> StoreRecommender:
    rng = np.random.default_rng(0)
    titles = rng.normal(size=(31, 384)).astype(np.float32)
    titles[0] = 0.0
    titles[1:] /= np.linalg.norm(titles[1:], axis=1, keepdims=True)
    config = replace(SASRecConfig(), hidden=16, max_len=50)
    torch.manual_seed(0)
    network = TitledSASRec(30, config, [0] + [1 + i // 10 for i in range(30)], titles)
    counts = item_counts(TRAIN, 30)
    content = ContentScorer(titles, counts, 0.1, 0.5)
    return StoreRecommender(network, CoOccurrenceScorer.fit(TRAIN, 30), content, (0.5, 0.3, 0.2))


def test_a_recommender_round_trips_without_pickle(settings):
    scorer = ProductScorer(store_recommender().eval(), PRODUCTS, "sasrec")
    with mlflow.start_run():
        version = log_recommender(
            scorer, popular=[("p-3", 0.5)], neighbours={"p-1": [("p-2", 1.5)]},
            categories={"p-1": "Kitchen"}, example=[["p-1", "p-2"], ["p-10"]], name="model",
            register=True,
        )  # fmt: skip
    local = download(f"models:/{RECOMMENDER}/{version}")
    files = {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    assert "data/model.pt2" in files
    assert not [f for f in files if f.endswith((".pth", ".pkl", ".pickle", ".cloudpickle"))]
    assert {"extra_files/vocabulary.json", "extra_files/neighbours.json"} <= files
    model = (local / "MLmodel").read_text()
    assert "signature:" in model and "saved_input_example_info" in model

    loaded = load_recommender(settings, version)  # MLflow checks the archive, pickle refused
    assert (loaded.version, loaded.kind) == (version, "sasrec")
    assert isinstance(loaded.scorer.module, WeightsFolded)  # its item table was built at load
    histories = [["p-1", "p-2", "p-3"], ["p-11"], ["p-21", "p-22", "p-1", "p-2", "p-3", "p-4"]]
    assert np.allclose(loaded.scorer.scores(histories), scorer.scores(histories), atol=1e-5)
    long = [[f"p-{1 + i % 30}" for i in range(80)]]  # longer than MAX_LEN: the last 50 count
    assert np.allclose(loaded.scorer.scores(long), scorer.scores(long), atol=1e-5)
    assert loaded.similar("p-1", 3) == [("p-2", 1.5)]
    assert loaded.popular(1) == [("p-3", 0.5)]


def test_rankers_round_trip_without_pickle_the_net_and_index_order(settings):
    rng = np.random.default_rng(1)
    features = rng.uniform(0.5, 5.0, size=(3, 6, len(FEATURES))).astype(np.float32)
    lists = SearchLists(features, np.zeros((3, 6)), np.ones((3, 6)), np.ones((3, 6), bool))
    torch.manual_seed(0)
    net = RankerNet(quantile_knots(content_rows(features, lists.mask))).eval()

    with mlflow.start_run():
        neural = log_candidate("neural", net, lists, True, FEATURES)
        index = log_candidate("index", IndexOrderNet(), lists, True, FEATURES)
    rows = [dict(zip(FEATURES, row, strict=True)) for row in features[0].tolist()]
    loaded = load_ranker(settings, neural)
    assert loaded.kind == "neural" and loaded.scorer._weights is not None  # numpy fast path
    expected = NetScorer(net).lists(features[:1], lists.mask[:1])[0]
    assert loaded.score(rows) == pytest.approx(expected.tolist(), rel=1e-5)
    one = NetScorer(net).lists(features[:1, :1], lists.mask[:1, :1])[0]  # a list of one row
    assert loaded.score(rows[:1]) == pytest.approx(one.tolist(), rel=1e-5)
    order = load_ranker(settings, index)
    assert order.kind == "index"
    scores = order.score(rows)
    assert (
        np.argsort(-np.array(scores), kind="stable").tolist()
        == np.argsort(-features[0, :, FEATURES.index("index_score")], kind="stable").tolist()
    )


def test_a_champion_pickled_by_older_code_is_not_loaded(settings, caplog):
    with mlflow.start_run():
        info = mlflow.pytorch.log_model(
            torch.nn.Linear(2, 2), name="old", registered_model_name=RECOMMENDER,
            serialization_format="pickle",
        )  # fmt: skip
        ranker = mlflow.pytorch.log_model(
            torch.nn.Linear(2, 1), name="old_ranker", registered_model_name=RANKER,
            serialization_format="pickle",
        )  # fmt: skip
    client = mlflow_client(settings)
    version = str(info.registered_model_version)
    client.set_registered_model_alias(RECOMMENDER, "champion", version)
    client.set_registered_model_alias(RANKER, "champion", str(ranker.registered_model_version))

    with pytest.raises(UnsafeModelError):
        load_recommender(settings, version)
    assert load_champion_recommender(settings) is None
    assert load_champion_ranker(settings) is None
    assert "not loaded" in caplog.text
    assert rescore_champion(client, [("c-1", ["p-1"], "p-2")]) is None  # the gate's view too
    for spec in (RECOMMENDER_SLOT, RANKER_SLOT):
        slot = ChampionSlot(settings, spec)
        assert not slot.refresh() and slot.model is None and slot.version is None
        assert not slot.refresh()  # remembered: not retried until the alias moves
