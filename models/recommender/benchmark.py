"""Benchmark on a public sequence file: ours (a next-item network with full cross-entropy, BSARec
by default, mixed with two item-kNN scorers by shares chosen on validation, then trained two more
epochs on the validation items; `network_only` is the network alone, and
`network_before_last_epochs` as early stopping left it) against most popular, both item-kNNs and
ALS, leave-one-out with full ranking, every model under both protocols (seen items removed, as
published, and kept), and a comparison with the published figures known for the file. The
command is `python -m benchmarks.recsys`.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.recommender.baselines import ALS, ItemKNN, MostPopular, StoreItemKNN
from models.recommender.blend import CHOSEN_UNDER, Blend, choose_shares
from models.recommender.fit import LAST_EPOCHS, fit_sasrec, train_on
from models.recommender.protocol import PROTOCOLS, SEEN_KEPT, SEEN_REMOVED, Scorer, evaluate
from models.recommender.published import best_published, published_for
from models.recommender.sasrec import SASRecConfig
from models.recommender.sequence_file import leave_one_out, read_sequence_file

# Choosing the shares took 75-110 s on Beauty on a quiet machine, the epochs on the validation
# items about a minute; more on a shared one.
BLEND_RESERVE_MINUTES = 4.0
PROTOCOL = (
    "leave-one-out: last item test, second-to-last validation, rest training; full ranking over "
    "every item id 1..max, ties broken by lower item id; 'seen_removed' (the published protocol: "
    "ICLRec's and BSARec's code zeroes every history item's score) ranks no item of the user's "
    "history, 'seen_kept' ranks them all; popularity, item-kNN and ALS fitted on everything but "
    "each user's last item; the mixture's shares chosen on validation with seen items removed, "
    "then the network trains two more epochs on every item but the test ones (BSARec's and "
    "ICLRec's training never sees the validation items)"
)
NEIGHBOURS = ("item_knn", "item_knn_store")
EXPERIMENT = "recommender-benchmark"


def neighbour_scorers(sequences: list[list[int]], n_items: int) -> list[Scorer]:
    """The mixture's neighbour parts, in the order of NEIGHBOURS."""
    return [ItemKNN(sequences, n_items), StoreItemKNN(sequences, n_items)]


def run_benchmark(
    path: Path,
    config: SASRecConfig,
    *,
    threads: int = 2,
    baselines: bool = True,
    networks: int = 1,
) -> dict[str, Any]:
    """Reads, trains, evaluates; the returned dict is what the command prints."""
    torch.set_num_threads(threads)
    data = read_sequence_file(path)
    split = leave_one_out(data.sequences)
    n_items = data.n_items
    load_before = os.getloadavg()
    # The 15 minutes cover choosing the shares too: the network gets what is left.
    reserve = BLEND_RESERVE_MINUTES if config.max_minutes > 2 * BLEND_RESERVE_MINUTES else 0.0
    budget = replace(config, max_minutes=(config.max_minutes - reserve) / networks)
    fitted = [
        fit_sasrec(split.train, split.validation, n_items, replace(budget, seed=config.seed + k))
        for k in range(networks)
    ]
    nets, reports = [net for net, _ in fitted], [report for _, report in fitted]
    report = reports[0]

    def network(histories: list[list[int]]) -> np.ndarray:
        """The networks' mean log-probability (their distributions' geometric mean)."""
        return np.mean([net.score(histories).numpy() for net in nets], axis=0)

    started = time.monotonic()
    # Neighbours from the training part for the choice; from all but the test item for the test.
    shares, by_shares = choose_shares(
        network, neighbour_scorers(split.train, n_items), split.validation
    )
    chosen_s = time.monotonic() - started
    # The network as early stopping left it, scored before it learns the validation items.
    before = {protocol: evaluate(network, split.test, protocol) for protocol in PROTOCOLS}
    started = time.monotonic()
    seen = [items[:-1] if len(items) >= 2 else items for items in data.sequences]
    for net in nets:
        train_on(net, seen, config, LAST_EPOCHS)
    last_s = time.monotonic() - started
    ours = Blend(network, neighbour_scorers(seen, n_items), shares)
    scorers: dict[str, Scorer] = {"ours": ours, "network_only": network}
    train_s = sum(r.seconds for r in reports)
    timings = {
        "network_train_s": round(train_s, 1),
        "share_choice_s": round(chosen_s, 1),
        "last_epochs_s": round(last_s, 1),
        "training_total_s": round(train_s + chosen_s + last_s, 1),
    }
    if baselines:
        for name, build in (
            ("most_popular", lambda: MostPopular(seen, n_items)),
            ("item_knn", lambda: ItemKNN(seen, n_items)),
            ("item_knn_store", lambda: StoreItemKNN(seen, n_items)),
            ("als", lambda: ALS(seen, n_items, config.seed, threads)),
        ):
            started = time.monotonic()
            scorers[name] = build()
            timings[f"{name}_fit_s"] = round(time.monotonic() - started, 1)
    results: dict[str, Any] = {
        name: {protocol: evaluate(scorer, split.test, protocol) for protocol in PROTOCOLS}
        for name, scorer in scorers.items()
    }
    results["network_before_last_epochs"] = before
    results["ours"]["validation"] = report.best_validation
    result = {
        "dataset": {
            "name": data.name, "path": str(path), "sha256": data.sha256, "users": len(data.users),
            "items": n_items, "interactions": data.interactions,
            "test_cases": len(split.test.targets),
            "validation_cases": len(split.validation.targets),
        },
        "protocol": PROTOCOL,
        "models": results,
        "network": {
            "kind": type(nets[0]).__name__, "config": config.as_params(), "networks": networks,
            "epochs_run": [r.epochs for r in reports],
            "best_epoch": [r.best_epoch for r in reports],
            "stopped_by": [r.stopped_by for r in reports],
            "training_precision": report.precision,
            "shares": dict(zip(("network", *NEIGHBOURS), shares, strict=True)),
            "shares_chosen_under": CHOSEN_UNDER,
            "validation_by_shares": {",".join(map(str, s)): m for s, m in by_shares.items()},
        },
        "timings": timings,
        "machine": machine(threads),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    result["published"] = [
        {"model": line.model, "source": line.source, "protocol": line.protocol,
         "figures": line.figures}
        for line in published_for(data.sha256)
    ]  # fmt: skip
    result["headline"] = headline(results, data.sha256)
    result["comparison"] = comparison_lines(results, data.sha256)
    return result


def headline(results: dict[str, Any], sha256: str) -> dict[str, Any]:
    """The row `make bench-all` shows (benchmarks.reports.headline's keys): ours against the best
    other model of the same run, with seen items removed as published; the goal is the best
    published line on this file, HR@10 and NDCG@10 both."""
    ours = results["ours"][SEEN_REMOVED]
    others = {name: m[SEEN_REMOVED]["ndcg_at_10"] for name, m in results.items() if name != "ours"}
    best = max(others, key=lambda name: others[name]) if others else None
    reference = None if best is None else others[best]
    bar = best_published(sha256)
    goal = met = None
    if bar is not None:
        goal = (
            f"{bar.model}: HR@10 >= {bar.figures['hr_at_10']}, "
            f"NDCG@10 >= {bar.figures['ndcg_at_10']}"
        )
        met = all(ours[k] >= bar.figures[k] for k in ("hr_at_10", "ndcg_at_10"))
    return {
        "metric": "NDCG@10, test, seen items removed (the published protocol), ours",
        "figure": round(ours["ndcg_at_10"], 4),
        "reference": None if reference is None else round(reference, 4),
        "reference_name": f"{best}, same run",
        "unit": "",
        "ratio": round(ours["ndcg_at_10"] / reference, 3) if reference else None,
        "goal": goal,
        "met": met,
    }


def comparison_lines(results: dict[str, Any], sha256: str) -> list[str]:
    """One line per model: its HR@10 and NDCG@10 with seen items removed, and its ratio to each
    published figure on this file (all published under that protocol)."""
    published = [line for line in published_for(sha256) if line.protocol == SEEN_REMOVED]
    lines = []
    for name, metrics in results.items():
        ours = metrics[SEEN_REMOVED]
        parts = [
            f"{name:<20} protocol {SEEN_REMOVED}",
            f"HR@10 {ours['hr_at_10']:.4f}  NDCG@10 {ours['ndcg_at_10']:.4f}",
        ]
        for line in published:
            hr, ndcg = line.figures["hr_at_10"], line.figures["ndcg_at_10"]
            parts.append(
                f"vs {line.model} {hr:.4f} / {ndcg:.4f}: "
                f"{ours['hr_at_10'] / hr:.2f}x / {ours['ndcg_at_10'] / ndcg:.2f}x"
            )
        if not published:
            parts.append("no published figures for this file")
        lines.append(" | ".join(parts))
    return lines


def protocol_table(results: dict[str, Any]) -> list[str]:
    """Every model under both protocols, HR and NDCG at 5, 10 and 20."""
    keys = [f"{m}_at_{k}" for k in (5, 10, 20) for m in ("hr", "ndcg")]
    header = f"{'model':<20} {'protocol':<13} " + " ".join(f"{k:>10}" for k in keys)
    lines = [header]
    for name, metrics in results.items():
        for protocol in (SEEN_REMOVED, SEEN_KEPT):
            values = " ".join(f"{metrics[protocol][k]:>10.4f}" for k in keys)
            lines.append(f"{name:<20} {protocol:<13} {values}")
    return lines


def machine(threads: int) -> dict[str, Any]:
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
    from storeloop.settings import Settings

    use_experiment(Settings(mlflow_tracking_uri=tracking_uri), EXPERIMENT)
    dataset = result["dataset"]
    with mlflow.start_run(run_name=f"benchmark-{dataset['name']}") as run:
        mlflow.set_tags({"dataset.sha256": dataset["sha256"], "protocol": PROTOCOL})
        network = result["network"]
        mlflow.log_params({f"network.{k}": v for k, v in network["config"].items()})
        mlflow.log_params({f"dataset.{k}": v for k, v in dataset.items() if k != "path"})
        mlflow.log_params(
            {"network.kind": network["kind"], "network.best_epoch": network["best_epoch"]}
        )
        mlflow.log_params({f"network.share.{k}": v for k, v in network["shares"].items()})
        for model, splits in result["models"].items():
            for split, metrics in splits.items():
                mlflow.log_metrics({f"{model}.{split}.{k}": v for k, v in metrics.items()})
        mlflow.log_dict(result, "benchmark.json")
    return str(run.info.run_id)
