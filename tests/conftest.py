"""Shared fixtures: paths to ../shared data (skipped cleanly when absent).

With ``PARTNERSHIP_EVAL_REQUIRE_SHARED=1`` (``.ci/run`` sets it) a missing ../shared
fails the tests that need it instead of skipping them, so reference checks cannot
silently drop out of CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL_DATA = SHARED / "data" / "real"
DID_REFERENCE = SHARED / "data" / "reference" / "did"
REQUIRE_SHARED = "PARTNERSHIP_EVAL_REQUIRE_SHARED"


def _missing(what: str, path: Path) -> None:
    """Skip (or, when ../shared is required, fail) because ``path`` is absent."""
    message = f"{what} not found at {path}"
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{message}, and {REQUIRE_SHARED}=1 requires it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """../shared/data/real, or skip saying why."""
    if not REAL_DATA.is_dir():
        _missing("real DfE/GIAS/Ofsted extracts", REAL_DATA)
    return REAL_DATA


@pytest.fixture(scope="session")
def did_reference_dir() -> Path:
    """../shared/data/reference/did, or skip saying why."""
    if not DID_REFERENCE.is_dir():
        _missing("R `did` reference results", DID_REFERENCE)
    return DID_REFERENCE


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small-scale synthetic England (seed 0) written to a temporary data directory."""
    from partnership_eval.data.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("small_england")
    write_demo_data(out, scale="small", seed=0, progress=lambda message: None)
    return out
