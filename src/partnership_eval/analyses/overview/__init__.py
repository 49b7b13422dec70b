"""``00_overview``: an area's schools, partnership coverage over time and KS2 trends."""

from partnership_eval.analyses.overview.map import area_map, current_partnerships
from partnership_eval.analyses.overview.report import AreaOverview, OverviewSpec, area_overview
from partnership_eval.analyses.overview.summaries import (
    ANY_KIND,
    GROUPS,
    KINDS,
    coverage_table,
    ks2_trend_table,
    ks2_trends,
    open_schools,
    partnership_coverage,
    schools_by_size_and_setting,
    size_table,
    years_shown,
)

__all__ = [
    "ANY_KIND",
    "GROUPS",
    "KINDS",
    "AreaOverview",
    "OverviewSpec",
    "area_map",
    "area_overview",
    "coverage_table",
    "current_partnerships",
    "ks2_trend_table",
    "ks2_trends",
    "open_schools",
    "partnership_coverage",
    "schools_by_size_and_setting",
    "size_table",
    "years_shown",
]
