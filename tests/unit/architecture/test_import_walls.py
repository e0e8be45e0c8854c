"""Who may import whom (ARCHITECTURE.md, "Who may import whom"): imports only run downwards.

Every import statement counts, also those inside functions: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from storeloop.settings import REPO_ROOT

GROUND = {"contracts", "storeloop"}
# package -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "contracts": set(),
    "storeloop": set(),
    "transactional": GROUND,
    "features": GROUND,
    "warehouse": GROUND,
    "consumers": GROUND | {"features"},
    "quality": GROUND | {"features"},
    "spark_jobs": GROUND | {"features", "quality"},  # silver gates bronze before reading it
    # The simulator's hidden truth is the yardstick of evaluations (never a training input).
    "simulation": GROUND,
    "models": GROUND | {"features", "simulation"},
    "serving": GROUND | {"consumers", "features", "models", "simulation"},
    "dags": GROUND | {"spark_jobs", "quality", "features", "models", "warehouse"},
    # The web client talks to the gateway's API like any client: no context's code.
    "storefront": GROUND,
}
OURS = set(ALLOWED) | {"launch", "benchmarks", "tests"}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif _is_import_module_call(node):
            # importlib.import_module("transactional...") is an import too
            found.add(str(node.args[0].value).split(".")[0])
    return found & OURS


def _is_import_module_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def _violations(package: str) -> list[str]:
    allowed = ALLOWED[package] | {package}
    return [
        f"{path.relative_to(REPO_ROOT)} imports {other}"
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        for other in sorted(_imported_packages(path) - allowed)
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_run_downwards(package):
    assert _violations(package) == []


def test_nothing_imports_the_launchers():
    """`launch/` is the roof: the launchers import every part, no part imports them."""
    offenders = [
        f"{path.relative_to(REPO_ROOT)}"
        for package in ALLOWED
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        if "launch" in _imported_packages(path)
    ]
    assert offenders == []


def test_the_simulator_reaches_the_store_only_through_its_service_layer():
    """The simulator is a client: it must not import the store's modules at all (it is handed
    a bootstrapped store), so a change inside the store cannot break it silently."""
    assert "transactional" not in set().union(
        *(_imported_packages(p) for p in (REPO_ROOT / "simulation").rglob("*.py"))
    )
