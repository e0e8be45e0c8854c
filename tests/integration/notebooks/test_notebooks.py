"""Runs every notebook in notebooks/ headless (nbclient, the venv's kernel) on a synthetic lake."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from storeloop.settings import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def venv_kernel(kernel_dir: Path) -> KernelManager:
    """A `python3` kernel pinned to this interpreter: the shipped kernelspec says plain
    `python`, which could resolve to another interpreter on PATH."""
    spec = kernel_dir / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "store venv", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    specs = KernelSpecManager(kernel_dirs=[str(kernel_dir)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


def test_there_is_a_notebook_to_start_from():
    assert REPO_ROOT / "notebooks" / "ranker_walkthrough.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_headless_and_plots(path, tmp_path, monkeypatch):
    notebook = nbformat.read(path, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells), "save notebooks without outputs"
    # An empty data dir: the notebook must fall back to its synthetic lake, never touch ./var.
    monkeypatch.setenv("STORE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    kernel = venv_kernel(tmp_path / "kernels")
    client = NotebookClient(
        notebook, km=kernel, timeout=300, resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()  # raises CellExecutionError, naming the cell, when any cell fails
    finally:
        # A kernel handed in is the caller's to end: left running, it kept its gigabyte for
        # the rest of the test run.
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs), "no plot produced"
