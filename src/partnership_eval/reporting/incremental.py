"""Incremental runs: a report whose inputs are unchanged is kept, not run again.

A report's inputs are the notebook's SHA-256, every parameter it runs with, the SHA-256
of the data tables (for notebooks that read data), the package (its version and a digest
of its source files, so an edit to the library counts as a change) and the editions
asked for. Their digest is stored per report in ``manifest.json``; a later run into the
same run folder keeps a report whose digest matches and whose files are all still there —
also one that failed with the notebook's own error, which the same inputs would only
repeat (one that could not run at all, a kernel or worker lost, has no files and runs
again). The manifest is rewritten after every report, so a run
stopped half-way (Ctrl-C, SIGTERM, even SIGKILL) continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path

from partnership_eval import __version__
from partnership_eval.reporting.records import ReportRecord
from partnership_eval.reporting.results import to_json_value

PACKAGE_FILES = ("*.py", "*.csv", "*.json", "*.j2", "*.css")


@cache
def package_fingerprint() -> str:
    """The package version and a digest of its source files."""
    root = Path(str(files("partnership_eval")))
    digest = hashlib.sha256(__version__.encode())
    for pattern in PACKAGE_FILES:
        for path in sorted(root.rglob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def input_key(record: ReportRecord, data_hashes: Mapping[str, str], with_code: bool) -> str:
    """Digest of everything ``record``'s report depends on (see the module docstring)."""
    inputs = {
        "notebook": record.notebook_sha256,
        "parameters": to_json_value(record.all_parameters),
        "data": dict(data_hashes) if record.uses_data else {},
        "package": package_fingerprint(),
        "with_code": with_code,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def earlier_reports(manifest: Path) -> dict[tuple[str, str], dict]:
    """Reports of an earlier run's manifest by (notebook, slug); empty when there is none
    or it cannot be read (then everything runs)."""
    try:
        reports = json.loads(manifest.read_text())["reports"]
        return {(r["notebook"], r["slug"]): r for r in reports}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def reuse(record: ReportRecord, earlier: Mapping[tuple[str, str], dict], run_dir: Path) -> bool:
    """Take ``record``'s outcome from an earlier run when its inputs are unchanged, it
    finished (``ok`` or ``failed``) and its files are all present; True when it was taken."""
    entry = earlier.get((record.notebook, record.slug))
    if (
        not entry
        or entry.get("status") not in ("ok", "failed")
        or entry.get("inputs") != record.inputs
    ):
        return False
    outputs = {kind: Path(path) for kind, path in entry.get("outputs", {}).items()}
    if not outputs or not all((run_dir / path).is_file() for path in outputs.values()):
        return False
    results = outputs.get("results")
    record.outputs = outputs
    record.results = json.loads((run_dir / results).read_text()) if results else None
    record.error = entry.get("error")
    record.seconds = float(entry.get("seconds", 0.0))
    record.compute_seconds = float(entry.get("compute_seconds", 0.0))
    record.overhead_cpu_seconds = float(entry.get("overhead_cpu_seconds", 0.0))
    record.finished = record.reused = True
    return True
