"""The recommender benchmark's command: trains and scores every model on a public sequence file
(models.recommender.benchmark), prints both protocols side by side and the comparison with the
published figures, then the JSON, and writes `<data dir>/reports/recsys_<file>.json`.

Run: `python -m benchmarks.recsys ../shared/data/amazon/Beauty.txt [--max-minutes 15]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from benchmarks.reports import write_report
from models.errors import TrainingDataError
from models.recommender.benchmark import (
    comparison_lines,
    log_to_mlflow,
    protocol_table,
    run_benchmark,
)
from models.recommender.bsarec import BSARecConfig
from models.recommender.sasrec import SASRecConfig
from storeloop.settings import Settings

NETWORKS = {"bsarec": BSARecConfig, "sasrec": SASRecConfig}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recsys", description=__doc__)
    parser.add_argument("path", type=Path, help="user_id item_id item_id ... per line")
    parser.add_argument("--network", choices=sorted(NETWORKS), default="bsarec")
    parser.add_argument("--epochs", type=int, default=None, help="most epochs")
    parser.add_argument("--max-minutes", type=float, default=None)
    parser.add_argument("--patience", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--max-users", type=int, default=None, help="first N users (quick run)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--networks", type=int, default=1, help="networks averaged, each seeded")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--tracking-uri", default=None, help="default: settings.tracking_uri")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    asked = {
        "max_epochs": args.epochs, "max_minutes": args.max_minutes, "patience": args.patience,
        "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
    }  # fmt: skip
    config = replace(NETWORKS[args.network](), **{k: v for k, v in asked.items() if v is not None})
    path = args.path
    try:
        if args.max_users is not None:
            path = _first_users(args.path, args.max_users)
        result = run_benchmark(
            path,
            config,
            threads=args.threads,
            baselines=not args.no_baselines,
            networks=args.networks,
        )
    except TrainingDataError as error:
        print(json.dumps({"error": {"code": error.code, "message": str(error)}}), file=sys.stderr)
        return 2
    settings = Settings()
    result["command"] = " ".join(["python -m benchmarks.recsys", *(argv or sys.argv[1:])])
    result["mlflow_run_id"] = log_to_mlflow(result, args.tracking_uri or settings.tracking_uri)
    # The readable tables go to stderr; stdout is the JSON, then where the report was written.
    for line in _readable(result):
        print(line, file=sys.stderr)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out is not None:
        args.json_out.write_text(text + "\n")
    write_report(f"recsys_{result['dataset']['name']}", result, settings)
    return 0


def _readable(result: dict) -> list[str]:
    dataset, timings, network = result["dataset"], result["timings"], result["network"]
    return [
        f"{dataset['name']}: {dataset['users']} users, {dataset['items']} items; "
        f"trained in {timings['training_total_s']} s on {result['machine']['torch_threads']} "
        f"threads ({network['kind']}, {network['training_precision']} products), "
        f"load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after",
        *protocol_table(result["models"]),
        "comparison with the published figures (the same protocol):",
        *comparison_lines(result["models"], dataset["sha256"]),
        f"headline: {result['headline']}",
        f"command: {result['command']}",
    ]


def _first_users(path: Path, count: int) -> Path:
    """A slice of the file for quick runs, written to a temp dir (the hash is the slice's)."""
    if not path.is_file():
        return path
    lines = path.read_text().splitlines(keepends=True)[:count]
    out = Path(tempfile.mkdtemp(prefix="recsys-slice-")) / f"{path.stem}-{count}.txt"
    out.write_text("".join(lines))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
