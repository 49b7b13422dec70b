"""The maps of 00 (schools by partnership) and 01 (treated and comparison schools)."""

from __future__ import annotations

from partnership_eval.analyses.cluster_impact import impact_design
from partnership_eval.analyses.cluster_impact.map import design_map
from partnership_eval.analyses.overview import area_map, current_partnerships


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.figure.legends[0].get_texts()]


def test_overview_map_colours_open_schools_by_their_partnership_kind(small_tables):
    ax = area_map(small_tables, "Cumbria")
    labels = _legend(ax)
    assert labels[-1].startswith("no partnership") and any(t.startswith("cluster") for t in labels)
    open_schools = small_tables.schools.query("la_name == 'Cumbria' and close_date.isna()")
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in labels) == len(open_schools)
    assert ax.figure._repr_png_().startswith(b"\x89PNG")


def test_current_partnership_is_one_per_school_with_its_size(small_tables):
    current = current_partnerships(small_tables)
    assert current["urn"].is_unique and (current["n_schools"] >= 1).all()


def test_impact_map_shows_the_design_and_every_comparison_school_in_england(small_tables):
    design = impact_design(small_tables, ["Cumbria"])
    ax = design_map(design, small_tables.schools)
    treated = (design.schools["group"] == "treated").sum()
    assert f"treated ({treated})" in _legend(ax)
    england = ax.figure.axes[1]
    n_comparison = (design.schools["group"] == "comparison").sum()
    assert f"of {n_comparison} located" in england.get_title()
