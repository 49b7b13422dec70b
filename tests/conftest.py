"""Shared fixtures: paths to ../shared data (skipped cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL_DATA = SHARED / "data" / "real"
DID_REFERENCE = SHARED / "data" / "reference" / "did"


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """../shared/data/real, or skip saying why."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real DfE/GIAS/Ofsted extracts not found at {REAL_DATA}")
    return REAL_DATA


@pytest.fixture(scope="session")
def did_reference_dir() -> Path:
    """../shared/data/reference/did, or skip saying why."""
    if not DID_REFERENCE.is_dir():
        pytest.skip(f"R `did` reference results not found at {DID_REFERENCE}")
    return DID_REFERENCE


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small-scale synthetic England (seed 0) written to a temporary data directory."""
    from partnership_eval.data.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("small_england")
    write_demo_data(out, scale="small", seed=0, progress=lambda message: None)
    return out
