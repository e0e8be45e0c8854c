"""The benchmark command end to end on a small synthetic shop: JSON shape, both protocols for every
model, baselines in the same run, an MLflow run with the dataset's hash, the report file, and
clear errors for bad files."""

from __future__ import annotations

import json
import random

import pytest
from mlflow import MlflowClient

from benchmarks.recsys import main
from models.recommender.blend import share_grid
from models.recommender.protocol import PROTOCOLS

pytestmark = pytest.mark.slow
ITEMS = 60


def printed_json(out: str) -> dict:
    """The JSON document the command prints, before the line naming its report file."""
    document, end = json.JSONDecoder().raw_decode(out)
    assert out[end:].strip().startswith("figures in ")
    return document


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_DATA_DIR", str(tmp_path / "var"))


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory):
    # Shoppers walk the catalogue in order (item i is followed by i + 1) with a little noise:
    # the next item is learnable, and random guessing hits 10 / 60 of the time.
    rng = random.Random(3)
    lines = []
    for user in range(1, 401):
        start, length = rng.randrange(ITEMS), rng.randrange(5, 12)
        items = [(start + step) % ITEMS + 1 for step in range(length)]
        if rng.random() < 0.2:
            items[rng.randrange(length - 2)] = rng.randrange(1, ITEMS + 1)
        lines.append(" ".join(map(str, [user, *items])))
    path = tmp_path_factory.mktemp("shop") / "walks.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_benchmark_prints_every_metric_for_the_model_and_baselines(shop_file, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    out = tmp_path / "result.json"
    # One thread: beside make test's loops, two threads' handoffs on many small steps took the
    # default network's training from seconds to ten minutes.
    argv = [str(shop_file), "--epochs", "3", "--batch-size", "64", "--lr", "0.005",
            "--networks", "2", "--threads", "1", "--tracking-uri", uri,
            "--json-out", str(out)]  # fmt: skip
    assert main(argv) == 0
    printed = printed_json(capsys.readouterr().out)
    assert printed == json.loads(out.read_text())
    assert printed["dataset"]["users"] == 400 and printed["dataset"]["items"] == ITEMS
    assert set(printed["models"]) == {
        "ours", "network_only", "network_before_last_epochs",
        "most_popular", "item_knn", "item_knn_store", "als",
    }  # fmt: skip
    shares = tuple(printed["network"]["shares"].values())
    by_shares = printed["network"]["validation_by_shares"]
    assert shares in share_grid(3) and printed["network"]["shares_chosen_under"] == "seen_removed"
    assert by_shares[",".join(map(str, shares))]["ndcg_at_10"] == max(
        metrics["ndcg_at_10"] for metrics in by_shares.values()
    )
    keys = {f"{m}_at_{k}" for m in ("hr", "ndcg") for k in (5, 10, 20)}
    for model in printed["models"].values():
        assert all(set(model[protocol]) == keys for protocol in PROTOCOLS)
        assert all(0.0 <= value <= 1.0 for value in model["seen_kept"].values())
    random_hr = 10 / ITEMS
    assert printed["models"]["ours"]["seen_removed"]["hr_at_10"] > 2 * random_hr
    assert printed["models"]["item_knn"]["seen_removed"]["hr_at_10"] > 2 * random_hr
    assert printed["machine"]["cpus"] >= 1 and printed["network"]["networks"] == 2
    assert len(printed["network"]["best_epoch"]) == 2 and min(printed["network"]["best_epoch"]) >= 1
    assert printed["network"]["training_precision"] in ("bf16", "fp32")
    assert printed["network"]["kind"] == "BSARec"  # the default network
    assert printed["published"] == [] and printed["headline"]["goal"] is None
    assert len(printed["comparison"]) == len(printed["models"])
    written = json.loads((tmp_path / "var" / "reports" / "recsys_walks.json").read_text())
    assert written["load_average"] and written["headline"] == printed["headline"]

    run = MlflowClient(uri).get_run(printed["mlflow_run_id"])
    assert run.data.tags["dataset.sha256"] == printed["dataset"]["sha256"]
    assert run.data.params["network.max_len"] == "50"
    assert (
        run.data.metrics["ours.seen_removed.ndcg_at_10"]
        == printed["models"]["ours"]["seen_removed"]["ndcg_at_10"]
    )


def test_same_seed_same_figures(shop_file, tmp_path, capsys):
    argv = [str(shop_file), "--epochs", "1", "--batch-size", "64", "--threads", "1",
            "--no-baselines", "--max-users", "150",
            "--tracking-uri", f"sqlite:///{tmp_path / 'm.db'}"]  # fmt: skip
    figures = []
    for _ in range(2):
        assert main(argv) == 0
        figures.append(printed_json(capsys.readouterr().out)["models"]["ours"])
    assert figures[0] == figures[1]


@pytest.mark.parametrize(
    ("text", "code"), [("", "empty_file"), ("1 4 5\n2 x 7\n", "malformed_line")]
)
def test_bad_files_exit_2_with_a_json_error(tmp_path, capsys, text, code):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    assert main([str(path), "--tracking-uri", f"sqlite:///{tmp_path / 'm.db'}"]) == 2
    error = json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]
    assert error["code"] == code and error["message"]
    assert not (tmp_path / "m.db").exists()  # nothing logged for a file that was never read
