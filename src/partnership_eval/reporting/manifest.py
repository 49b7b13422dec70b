"""``manifest.json`` of a report run: what ran, on which data, with which software, how long.

The manifest is where time lives (start, finish, seconds per report); the report pages
and the index carry none, so that they are byte-identical across identical runs.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from partnership_eval.reporting.records import ReportRecord
from partnership_eval.reporting.results import to_json_value

PACKAGES = (
    "partnership-eval",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pyarrow",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "nbformat",
    "nbclient",
    "ipykernel",
)


def package_versions() -> dict[str, str]:
    """Installed versions of Python and the packages reports depend on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(
    *,
    run: str,
    records: Sequence[ReportRecord],
    data_dir: Path | None,
    data_hashes: Mapping[str, str],
    started: str,
    finished: str,
    state: str = "complete",
) -> dict:
    """The manifest of one run: its state (``running``, ``complete`` or ``interrupted``),
    data hashes, versions, and per report every parameter it ran with (declared defaults
    and requested values), the notebook's SHA-256 and git commit, the digest of its
    inputs, status, outputs and timing — total and in the notebook's cells — and whether
    it was kept from an earlier run (``data_hashes`` from
    :func:`~partnership_eval.data.store.data_hashes`; ``data_dir`` None when no report
    read data)."""
    return {
        "run": run,
        "state": state,
        "started": started,
        "finished": finished,
        "data_dir": str(data_dir) if data_dir is not None else None,
        "data_hashes": dict(data_hashes),
        "packages": package_versions(),
        "reports": [
            {
                "notebook": r.notebook,
                "area": r.area,
                "slug": r.slug,
                "parameters": to_json_value(r.all_parameters),
                "notebook_sha256": r.notebook_sha256,
                "git_commit": r.git_commit,
                "status": r.status,
                "error": r.error,
                "seconds": round(r.seconds, 2),
                "compute_seconds": round(r.compute_seconds, 2),
                "overhead_cpu_seconds": round(r.overhead_cpu_seconds, 2),
                "inputs": r.inputs,
                "reused": r.reused,
                "worker": r.worker,
                "outputs": {kind: path.as_posix() for kind, path in r.outputs.items()},
            }
            for r in records
        ],
        "failed": sum(r.failed for r in records),
        "interrupted": sum(r.interrupted for r in records),
    }


def write_manifest(path: str | Path, manifest: dict) -> Path:
    """Write a run manifest as indented JSON (atomically: a run stopped while writing
    leaves the previous manifest, never half of one)."""
    return write_atomic(Path(path), json.dumps(manifest, indent=2) + "\n")


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file renamed over it."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path
