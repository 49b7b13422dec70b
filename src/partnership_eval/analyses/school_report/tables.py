"""The school report's published tables, in words, each through disclosure control."""

from __future__ import annotations

import pandas as pd

from partnership_eval.analyses.school_report.report import SchoolReport
from partnership_eval.analyses.school_report.wording import cohort_caution, year_words
from partnership_eval.disclosure import suppress

PCT = "% meeting the expected standard"


def results_table(report: SchoolReport) -> pd.DataFrame:
    """Year by group: % meeting the standard, the likely range, pupils, and notes."""
    rows = report.results
    notes = [
        m or (cohort_caution(n) or "") if g == "this school" else ""
        for g, m, n in zip(rows["group"], rows["missing"], rows["pupils"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "school year": [year_words(y) for y in rows["year"]],
            "group": rows["group"].to_numpy(),
            PCT: rows["pct"].to_numpy(),
            "likely range from": rows["ci_low"].to_numpy(),
            "likely range to": rows["ci_high"].to_numpy(),
            "pupils": rows["pupils"].to_numpy(),
            "schools": rows["schools"].astype("Int64").to_numpy(),
            "note": notes,
        }
    )
    return suppress(
        table,
        counts=["pupils"],
        rates={PCT: "pupils", "likely range from": "pupils", "likely range to": "pupils"},
        decimals=0,
    )


def disadvantaged_table(report: SchoolReport) -> pd.DataFrame:
    """Disadvantaged and other pupils: % meeting the standard per year, and why missing."""
    rows = report.disadvantaged
    table = pd.DataFrame(
        {
            "school year": [year_words(y) for y in rows["year"]],
            "pupils in the group": rows["group"].to_numpy(),
            PCT: rows["value"].to_numpy(),
            "pupils": rows["pupils"].to_numpy(),
            "note": rows["missing"].to_numpy(),
        }
    )
    return suppress(table, counts=["pupils"], rates={PCT: "pupils"}, decimals=0)


def measure_table(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    """One measure of the school per year (attendance, phonics), and why missing."""
    table = pd.DataFrame(
        {
            "school year": [year_words(y) for y in rows["year"]],
            what: rows["value"].to_numpy(),
            "note": rows["missing"].to_numpy(),
        }
    )
    return suppress(table)  # a whole-school rate published by DfE, not a small-group count


def inspections_table(report: SchoolReport) -> pd.DataFrame:
    """Every inspection: date and judgement (no pupil numbers)."""
    table = report.inspections[["date", "judgement"]].rename(
        columns={"date": "date of inspection", "judgement": "Ofsted's judgement"}
    )
    return suppress(table)


def partnerships_table(report: SchoolReport) -> pd.DataFrame:
    """Every partnership: name, what it is, since when, and whether still a member."""
    return suppress(report.partnerships[["partnership", "what it is", "member since", "left"]])


def similar_table(report: SchoolReport) -> pd.DataFrame:
    """The similar schools: name, council area and their context measures."""
    if report.similar is None:
        return suppress(pd.DataFrame(columns=["school", "council area"]))
    group = report.similar.group
    table = pd.DataFrame({"school": group["name"], "council area": group["la_name"]})
    if "log_pupils" in group:
        table["pupils"] = group["pupils"].astype("Int64")
    if "fsm_pct" in group:
        table["% free school meals"] = group["fsm_pct"].round(0)
    if "rural" in group:
        table["setting"] = group["rural"].map({1.0: "rural", 0.0: "urban"})
    if "prior_rwm" in group:
        table["past results (%)"] = group["prior_rwm"].round(0)
    return suppress(table)  # school-level context, not resting on a small group of pupils


def measure_tables(report: SchoolReport) -> dict[str, pd.DataFrame | None]:
    """The disadvantaged, phonics and attendance tables (None where not in the data)."""
    return {
        "disadvantaged": disadvantaged_table(report) if len(report.disadvantaged) else None,
        "phonics": None
        if report.phonics is None
        else measure_table(report.phonics, "% passing the phonics check"),
        "attendance": measure_table(report.attendance, "attendance (%)")
        if len(report.attendance)
        else None,
    }
