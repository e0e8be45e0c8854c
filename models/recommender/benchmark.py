"""Benchmark on a public sequence file: ours (SASRec with full cross-entropy, mixed with item-kNN
by a weight chosen on validation; `sasrec_network_only` is the network alone) against most
popular, item-kNN and ALS under the leave-one-out, full-ranking protocol; prints JSON and logs an
MLflow run.

Run: `python -m models.recommender.benchmark ../shared/data/amazon/Beauty.txt [--epochs 200]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from models.errors import TrainingDataError
from models.recommender.baselines import ALS, ItemKNN, MostPopular
from models.recommender.blend import Blend, choose_weight
from models.recommender.fit import fit_sasrec
from models.recommender.protocol import Scorer, evaluate
from models.recommender.sasrec import SASRecConfig
from models.recommender.sequence_file import leave_one_out, read_sequence_file
from storeloop.settings import Settings

log = logging.getLogger(__name__)
BLEND_RESERVE_MINUTES = 1.5  # choosing the weight took 51-59 s on Amazon Toys and Beauty
EXPERIMENT = "recommender-benchmark"
PROTOCOL = (
    "leave-one-out: last item test, second-to-last validation, rest training; full ranking over "
    "every item id 1..max; seen items stay in the ranking (headline), 'filtered' removes them "
    "but the target; ties broken by lower item id first; popularity, item-kNN and ALS fitted on "
    "everything but each user's last item"
)


def run_benchmark(path: Path, config: SASRecConfig, *, threads: int = 2, baselines: bool = True,
                  filtered: bool = True) -> dict[str, Any]:  # fmt: skip
    """Reads, trains, evaluates; the returned dict is what the command prints."""
    torch.set_num_threads(threads)
    data = read_sequence_file(path)
    split = leave_one_out(data.sequences)
    n_items = data.n_items
    # The 15 minutes cover choosing the kNN weight too: the network gets what is left.
    reserve = BLEND_RESERVE_MINUTES if config.max_minutes > 2 * BLEND_RESERVE_MINUTES else 0.0
    budget = replace(config, max_minutes=config.max_minutes - reserve)
    net, report = fit_sasrec(split.train, split.validation, n_items, budget)
    network: Scorer = lambda h: net.score(h).numpy()  # noqa: E731
    started = time.monotonic()
    # Neighbours from the training part for the choice; from all but the test item for the test.
    weight, by_weight = choose_weight(network, ItemKNN(split.train, n_items), split.validation)
    seen = [items[:-1] if len(items) >= 2 else items for items in data.sequences]
    ours = Blend(network, ItemKNN(seen, n_items), weight)
    chosen_s = time.monotonic() - started
    scorers: dict[str, Scorer] = {"sasrec": ours, "sasrec_network_only": network}
    timings = {
        "sasrec_train_s": round(report.seconds, 1),
        "knn_weight_choice_s": round(chosen_s, 1),
        "training_total_s": round(report.seconds + chosen_s, 1),
    }
    if baselines:
        for name, build in (
            ("most_popular", lambda: MostPopular(seen, n_items)),
            ("item_knn", lambda: ItemKNN(seen, n_items)),
            ("als", lambda: ALS(seen, n_items, config.seed, threads)),
        ):
            started = time.monotonic()
            scorers[name] = build()
            timings[f"{name}_fit_s"] = round(time.monotonic() - started, 1)
    results: dict[str, Any] = {}
    for name, scorer in scorers.items():
        results[name] = {"test": evaluate(scorer, split.test)}
        if filtered:
            results[name]["test_filtered"] = evaluate(scorer, split.test, filtered=True)
    results["sasrec"]["validation"] = report.best_validation
    return {
        "dataset": {
            "name": data.name, "path": str(path), "sha256": data.sha256, "users": len(data.users),
            "items": n_items, "interactions": data.interactions,
            "test_cases": len(split.test.targets),
            "validation_cases": len(split.validation.targets),
        },
        "protocol": PROTOCOL,
        "headline": headline(results),
        "models": results,
        "sasrec": {
            "config": config.as_params(), "epochs_run": report.epochs,
            "best_epoch": report.best_epoch, "stopped_by": report.stopped_by,
            "knn_weight": weight,
            "validation_by_knn_weight": {str(w): m for w, m in by_weight.items()},
        },
        "timings": timings,
        "machine": machine(threads),
    }  # fmt: skip


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The row `make bench-all` shows (benchmarks.reports.headline's keys): ours against item-kNN
    on the test split with seen items kept in the ranking, as published."""
    ours = results["sasrec"]["test"]["ndcg_at_10"]
    knn = results.get("item_knn", {}).get("test", {}).get("ndcg_at_10")
    return {
        "metric": "NDCG@10, test (seen items kept in the ranking, as published), ours",
        "figure": round(ours, 4),
        "reference": None if knn is None else round(knn, 4),
        "reference_name": "item-kNN, same run",
        "unit": "",
        "ratio": round(ours / knn, 3) if knn else None,
        "goal": None,
        "met": None,
    }


def machine(threads: int) -> dict[str, Any]:
    import os
    import platform

    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "torch_threads": threads}


def log_to_mlflow(result: dict[str, Any], tracking_uri: str) -> str:
    """One run per benchmark: params, every metric, the dataset's hash; returns the run id."""
    import mlflow

    from models.tracking import use_experiment

    settings = Settings(mlflow_tracking_uri=tracking_uri)
    use_experiment(settings, EXPERIMENT)
    dataset = result["dataset"]
    with mlflow.start_run(run_name=f"benchmark-{dataset['name']}") as run:
        mlflow.set_tags({"dataset.sha256": dataset["sha256"], "protocol": PROTOCOL})
        mlflow.log_params({f"sasrec.{k}": v for k, v in result["sasrec"]["config"].items()})
        mlflow.log_params({f"dataset.{k}": v for k, v in dataset.items() if k != "path"})
        chosen = ("best_epoch", "knn_weight")
        mlflow.log_params({f"sasrec.{k}": result["sasrec"][k] for k in chosen})
        for model, splits in result["models"].items():
            for split, metrics in splits.items():
                mlflow.log_metrics({f"{model}.{split}.{k}": v for k, v in metrics.items()})
        mlflow.log_dict(result, "benchmark.json")
    return str(run.info.run_id)


def main(argv: list[str] | None = None) -> int:
    defaults = SASRecConfig()
    parser = argparse.ArgumentParser(
        prog="python -m models.recommender.benchmark", description=__doc__
    )
    parser.add_argument("path", type=Path, help="user_id item_id item_id ... per line")
    parser.add_argument("--epochs", type=int, default=defaults.max_epochs, help="most epochs")
    parser.add_argument("--max-minutes", type=float, default=defaults.max_minutes)
    parser.add_argument("--patience", type=int, default=defaults.patience)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--max-users", type=int, default=None, help="first N users (quick run)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--tracking-uri", default=None, help="default: settings.tracking_uri")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    config = replace(
        defaults,
        max_epochs=args.epochs,
        max_minutes=args.max_minutes,
        patience=args.patience,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
    )
    path = args.path
    try:
        if args.max_users is not None:
            path = _first_users(args.path, args.max_users)
        result = run_benchmark(path, config, threads=args.threads, baselines=not args.no_baselines)
    except TrainingDataError as error:
        print(json.dumps({"error": {"code": error.code, "message": str(error)}}), file=sys.stderr)
        return 2
    result["mlflow_run_id"] = log_to_mlflow(result, args.tracking_uri or Settings().tracking_uri)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out is not None:
        args.json_out.write_text(text + "\n")
    return 0


def _first_users(path: Path, count: int) -> Path:
    """A slice of the file for quick runs, written beside the temp dir (the hash is the slice's)."""
    import tempfile

    if not path.is_file():
        return path
    lines = path.read_text().splitlines(keepends=True)[:count]
    out = Path(tempfile.mkdtemp(prefix="recsys-slice-")) / f"{path.stem}-{count}.txt"
    out.write_text("".join(lines))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
