"""Small synthetic England shared by the clinic tests (built once per session)."""

from __future__ import annotations

import pytest

from partnership_eval.data.store import DataTables
from partnership_eval.data.synthetic import simulate


@pytest.fixture(scope="session")
def small_world():
    """The small synthetic world (seed 0), latent quality included."""
    return simulate("small", 0)


@pytest.fixture(scope="session")
def small_tables(small_world) -> DataTables:
    """Its canonical tables as read from a data directory."""
    t = small_world.tables
    return DataTables(
        t["schools"],
        t["outcomes"],
        t["memberships"],
        t["partnerships"],
        t["inspections"],
        truth=t["truth"],
        synthetic=True,
        source="small synthetic England",
    )
