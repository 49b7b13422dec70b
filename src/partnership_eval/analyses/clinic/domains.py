"""Ratings of the four public-data domains: performance, leadership, behaviour, attendance.

Each domain function takes canonical tables and the checked rules and returns one row
per school and period (an academic year, named by the year it ends) with the figures it
used and ``rating`` (0 green, 1 amber, 2 red, NaN where the data hold nothing to rate);
its ``*_reasons`` twin puts every amber or red rating of the rows asked for into words.
National comparators and the spread between schools come from every school in the data,
whatever area is reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnership_eval.analyses.clinic.rules import Rules
from partnership_eval.analyses.clinic.shrink import shrink
from partnership_eval.result import level_label

GREEN, AMBER, RED = 0, 1, 2
SUBJECTS = {"read_prog": "reading", "writ_prog": "writing", "mat_prog": "maths"}
GRADE_WORDS = {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"}
KEY = ["urn", "period"]


def _num(values: pd.Series, digits: int = 0, sign: bool = False) -> pd.Series:
    fmt = ("{:+." if sign else "{:.") + f"{digits}f}}"
    text = values.astype(float).map(fmt.format)
    return text.where(values.notna(), "").astype(object)


def _join(parts: Sequence[pd.Series], index: pd.Index) -> pd.Series:
    """The non-missing sentences of each row joined by '; ' (None when there are none)."""
    out = np.full(len(index), None, dtype=object)
    for part in parts:
        text = part.reindex(index).astype(object).to_numpy()
        has, had = pd.notna(text), pd.notna(out)
        out[has & had] = out[has & had] + "; " + text[has & had]
        out[has & ~had] = text[has & ~had]
    return pd.Series(out, index=index, dtype=object)


def national_series(
    outcomes: pd.DataFrame, measure: str, pupils: str, published: dict[int, float]
) -> pd.Series:
    """National % by year: the published figure where given, else the pupil-weighted mean."""
    ok = outcomes[measure].notna() & (outcomes[pupils].fillna(0) > 0)
    rows = outcomes.loc[ok]
    n = rows[pupils].astype(float)
    mean = (rows[measure] * n).groupby(rows["year"]).sum() / n.groupby(rows["year"]).sum()
    given = pd.Series(published, dtype=float)
    return given.reindex(mean.index).fillna(mean)


def windows(years: Sequence[int], periods: Sequence[int], size: int) -> pd.DataFrame:
    """For each period, the last ``size`` of ``years`` at or before it: (period, year)."""
    years = np.sort(np.asarray(list(years), dtype=int))
    rows = [(p, y) for p in periods for y in years[years <= p][-size:]]
    return pd.DataFrame(rows, columns=["period", "year"], dtype="int64")


def _pooled_gap(
    outcomes: pd.DataFrame,
    measure: str,
    pupils: str,
    national: pd.Series,
    periods: Sequence[int],
    rules: Rules,
    alpha: float,
) -> pd.DataFrame:
    """A % pooled over each period's window, its national comparator and shrunk gap."""
    ok = outcomes[measure].notna() & (outcomes[pupils].fillna(0) > 0)
    rows = outcomes.loc[ok, ["urn", "year", measure, pupils]]
    rows = rows.merge(windows(rows["year"].unique(), periods, rules["performance"]["years"]))
    n = rows[pupils].astype(float)
    rows = rows.assign(
        n=n, met=rows[measure] / 100 * n, nat=rows["year"].map(national) * n, first=rows["year"]
    )
    pooled = rows.groupby(KEY).agg(
        n=("n", "sum"),
        met=("met", "sum"),
        nat=("nat", "sum"),
        first=("first", "min"),
        last=("year", "max"),
    )
    pooled["observed"] = 100 * pooled["met"] / pooled["n"]
    pooled["national"] = pooled["nat"] / pooled["n"]
    pooled["gap_observed"] = pooled["observed"] - pooled["national"]
    pooled = pooled.reset_index()
    sigma2 = pooled["national"] * (100 - pooled["national"])
    est = shrink(
        pooled,
        gap="gap_observed",
        n="n",
        sigma2=sigma2,
        group="period",
        prior_pupils=rules["performance"]["prior_pupils"],
        alpha=alpha,
    )
    pooled = pd.concat([pooled, est.rename(columns={"estimate": "gap"})], axis=1)
    return pooled.set_index(KEY).drop(columns=["met", "nat"])


def _trend(
    outcomes: pd.DataFrame, national: pd.Series, periods: Sequence[int], rules: Rules
) -> pd.Series:
    """Fall in the shrunk single-year RWM gap from the first to the last year pooled."""
    ok = outcomes["ks2_rwm_exp"].notna() & (outcomes["cohort_n"].fillna(0) > 0)
    rows = outcomes.loc[ok, ["urn", "year", "ks2_rwm_exp", "cohort_n"]].copy()
    rows["gap"] = rows["ks2_rwm_exp"] - rows["year"].map(national)
    nat = rows["year"].map(national)
    rows["shrunk"] = shrink(
        rows,
        gap="gap",
        n="cohort_n",
        sigma2=nat * (100 - nat),
        group="year",
        prior_pupils=rules["performance"]["prior_pupils"],
    )["estimate"]
    rows = rows.merge(windows(rows["year"].unique(), periods, rules["performance"]["years"]))
    rows = rows.sort_values([*KEY, "year"])
    ends = rows.groupby(KEY)["shrunk"].agg(["first", "last", "size"])
    return (ends["first"] - ends["last"]).where(ends["size"] >= 2)


def _progress(
    outcomes: pd.DataFrame, periods: Sequence[int], rules: Rules, alpha: float
) -> pd.DataFrame:
    """Pupil-weighted progress per subject over each window, shrunk toward 0 (national)."""
    perf = rules["performance"]
    out = []
    for subject in SUBJECTS:
        ok = outcomes[subject].notna() & (outcomes["cohort_n"].fillna(0) > 0)
        rows = outcomes.loc[ok, ["urn", "year", subject, "cohort_n"]]
        if rows.empty:
            continue
        result_years = outcomes.loc[outcomes["ks2_rwm_exp"].notna(), "year"].unique()
        rows = rows.merge(windows(result_years, periods, perf["years"]))
        n = rows["cohort_n"].astype(float)
        pooled = (
            rows.assign(n=n, total=rows[subject] * n).groupby(KEY)[["n", "total"]].sum()
        ).reset_index()
        pooled["mean"] = pooled["total"] / pooled["n"]
        est = shrink(
            pooled,
            gap="mean",
            n="n",
            sigma2=perf["pupil_sd_progress"] ** 2,
            group="period",
            prior_pupils=perf["prior_pupils"],
            alpha=alpha,
        )
        out.append(pooled[KEY].assign(**{subject: est["estimate"]}).set_index(KEY))
    if not out:
        return pd.DataFrame(
            columns=list(SUBJECTS), index=pd.MultiIndex.from_arrays([[], []], names=KEY)
        )
    return pd.concat(out, axis=1).reindex(columns=list(SUBJECTS))


def _coasting(outcomes: pd.DataFrame, periods: Sequence[int], rules: Rules) -> pd.DataFrame:
    """DfE's coasting test over the last ``coasting.years`` years with KS2 results.

    A year counts when fewer than ``coasting.rwm_exp`` % met the expected standard and,
    in at least one subject, the published progress score was below the coasting level
    with the upper end of its 95% confidence interval below zero (the Coasting Schools
    (England) Regulations 2017, regulation 4; interval from the pupil-level SD). The
    school is coasting when every one of those years counts, so a window holding a year
    without progress scores (2024: no KS1 baseline in 2020) cannot make it coasting.
    Returns ``coasting`` and, per subject, whether it was below in every year.
    """
    perf = rules["performance"]
    coast = perf["coasting"]
    rows = outcomes.loc[outcomes["ks2_rwm_exp"].notna()]
    rows = rows[["urn", "year", "ks2_rwm_exp", "cohort_n", *SUBJECTS]]
    half_width = 1.96 * perf["pupil_sd_progress"] / np.sqrt(rows["cohort_n"].astype(float))
    below = pd.DataFrame({s: (rows[s] < coast[s]) & (rows[s] + half_width < 0) for s in SUBJECTS})
    year_counts = below.any(axis=1) & (rows["ks2_rwm_exp"] < coast["rwm_exp"])
    rows = rows[["urn", "year"]].assign(counts=year_counts, **below)
    rows = rows.merge(windows(rows["year"].unique(), periods, coast["years"]))
    grouped = rows.groupby(KEY)
    every = grouped[["counts", *SUBJECTS]].all()
    every["counts"] &= grouped.size() == coast["years"]
    return every.rename(columns={"counts": "coasting"})


def _span(first: pd.Series, last: pd.Series) -> pd.Series:
    return (
        first.astype("Int64")
        .astype(str)
        .where(
            first == last,
            first.astype("Int64").astype(str) + "-" + last.astype("Int64").astype(str),
        )
    )


def performance(
    outcomes: pd.DataFrame, rules: Rules, periods: Sequence[int], alpha: float = 0.05
) -> pd.DataFrame:
    """KS2 attainment, progress (floor and coasting), trend and phonics, per school and period."""
    perf = rules["performance"]
    national = national_series(outcomes, "ks2_rwm_exp", "cohort_n", rules.national("ks2_rwm_exp"))
    rwm = _pooled_gap(outcomes, "ks2_rwm_exp", "cohort_n", national, periods, rules, alpha)
    frame = rwm.add_prefix("rwm_")
    frame = frame.join(_progress(outcomes, periods, rules, alpha), how="outer")
    frame["trend_fall"] = _trend(outcomes, national, periods, rules)
    if "phonics_pass" in outcomes and outcomes["phonics_pass"].notna().any():
        ph_nat = national_series(
            outcomes, "phonics_pass", "phonics_n", rules.national("phonics_pass")
        )
        phonics = _pooled_gap(outcomes, "phonics_pass", "phonics_n", ph_nat, periods, rules, alpha)
        frame = frame.join(phonics.add_prefix("phonics_"), how="outer")
    else:
        frame = frame.assign(
            phonics_gap=np.nan, phonics_n=np.nan, phonics_first=np.nan, phonics_last=np.nan
        )

    shrunk_rwm = frame["rwm_national"] + frame["rwm_gap"]
    below = pd.concat([frame[s] < perf["floor"][s] for s in SUBJECTS], axis=1, keys=list(SUBJECTS))
    coasted = _coasting(outcomes, periods, rules).reindex(frame.index)
    coasting = coasted[list(SUBJECTS)].fillna(False).astype(bool)
    floor = (shrunk_rwm < perf["floor"]["rwm_exp"]) & below.any(axis=1)
    att_red = frame["rwm_gap"] <= perf["attainment"]["red"]
    att_amber = frame["rwm_gap"] <= perf["attainment"]["amber"]
    coast = coasted["coasting"].fillna(False).astype(bool) & ~floor
    falling = (frame["trend_fall"] >= perf["trend"]["amber_fall"]) & (frame["rwm_gap"] < 0)
    phonics_amber = frame["phonics_gap"] <= perf["phonics"]["amber"]

    rated = frame["rwm_gap"].notna() | frame["phonics_gap"].notna()
    rating = pd.Series(
        np.where(
            floor | att_red,
            RED,
            np.where(att_amber | coast | falling | phonics_amber, AMBER, GREEN),
        ),
        index=frame.index,
        dtype=float,
    )
    frame["rating"] = rating.where(rated)

    frame = frame.assign(
        shrunk_rwm=shrunk_rwm,
        floor=floor,
        attainment_flag=att_amber,
        coasting=coast,
        falling=falling,
        phonics_flag=phonics_amber,
    )
    return pd.concat([frame, below.add_prefix("floor_"), coasting.add_prefix("coast_")], axis=1)


def performance_reasons(frame: pd.DataFrame, alpha: float = 0.05) -> pd.Series:
    """Words for each amber or red performance rating of ``frame`` (None elsewhere),
    with the ``1 - alpha`` interval of the shrunk attainment gap."""
    flagged = frame["rating"] > GREEN
    f = frame.loc[flagged]
    if f.empty:
        return pd.Series(None, index=frame.index, dtype=object)
    below = f[[f"floor_{s}" for s in SUBJECTS]].set_axis(list(SUBJECTS), axis=1)
    coasting = f[[f"coast_{s}" for s in SUBJECTS]].set_axis(list(SUBJECTS), axis=1)
    inner = (
        _span(f["rwm_first"], f["rwm_last"])
        + ", "
        + _num(f["rwm_n"])
        + " pupils, shrunk toward national"
    )
    basis = " (" + inner + ")"
    sentences = [
        (
            "below the DfE floor standard: " + _num(f["shrunk_rwm"]) + "% met the "
            "expected standard in reading, writing and maths, and progress was below the "
            "floor in " + _subjects(below, f) + basis
        ).where(f["floor"]),
        (
            "reading, writing and maths "
            + _num(-f["rwm_gap"])
            + " points below national ("
            + level_label(alpha)
            + " interval "
            + _num(-f["rwm_ci_high"])
            + " to "
            + _num(-f["rwm_ci_low"])
            + " below; "
            + inner
            + ")"
        ).where(f["attainment_flag"]),
        (
            "coasting (DfE definition): attainment and progress below the coasting levels "
            "every year from "
            + _num(f["rwm_first"])
            + " to "
            + _num(f["rwm_last"])
            + " in "
            + _subjects(coasting, f)
        ).where(f["coasting"]),
        (
            "results falling against national by "
            + _num(f["trend_fall"])
            + " points from "
            + _num(f["rwm_first"])
            + " to "
            + _num(f["rwm_last"])
        ).where(f["falling"]),
        (
            "Year 1 phonics pass rate "
            + _num(-f["phonics_gap"])
            + " points below national ("
            + _span(f["phonics_first"], f["phonics_last"])
            + ", "
            + _num(f["phonics_n"])
            + " pupils, shrunk toward national)"
        ).where(f["phonics_flag"]),
    ]
    return _join(sentences, f.index).reindex(frame.index)


def _subjects(mask: pd.DataFrame, values: pd.DataFrame) -> pd.Series:
    """'writing -7.4, maths -6.1' for the subjects ``mask`` marks."""
    parts = [
        (word + " " + _num(values[s], 1, sign=True)).where(mask[s]) for s, word in SUBJECTS.items()
    ]
    return _join(parts, mask.index).fillna("").str.replace("; ", ", ")


def _periods_frame(urns: pd.Series, periods: Sequence[int]) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product([urns.unique(), list(periods)], names=KEY)
    frame = grid.to_frame(index=False)
    frame["end"] = pd.to_datetime(frame["period"].astype(str) + "-08-31").astype("datetime64[ns]")
    return frame


def below_good_runs(inspections: pd.DataFrame) -> pd.DataFrame:
    """Graded inspections in date order with ``run``: how many running were below good."""
    graded = inspections.loc[inspections["grade"].notna()].sort_values(["urn", "date"])
    below = graded["grade"] >= 3
    resets = (~below).groupby(graded["urn"]).cumsum()
    run = below.astype(int).groupby([graded["urn"], resets]).cumsum()
    return graded.assign(grade=graded["grade"].astype(int), run=run.to_numpy())


def leadership(
    inspections: pd.DataFrame, schools: pd.DataFrame, rules: Rules, periods: Sequence[int]
) -> pd.DataFrame:
    """Latest graded inspection by the end of each period, its age and below-good run."""
    lead = rules["leadership"]
    grid = _periods_frame(schools["urn"], periods).sort_values("end")
    graded = below_good_runs(inspections)[["urn", "date", "grade", "run"]].sort_values("date")
    graded["date"] = graded["date"].astype("datetime64[ns]")
    graded["urn"] = graded["urn"].astype("int64")
    frame = (
        pd.merge_asof(grid, graded, left_on="end", right_on="date", by="urn", direction="backward")
        .set_index(KEY)
        .sort_index()
    )
    frame["age_years"] = (frame["end"] - frame["date"]).dt.days / 365.25
    stale = frame["grade"].le(2) & (frame["age_years"] > lead["stale_after_years"])
    stale_rating = {"green": GREEN, "amber": AMBER, "red": RED}[lead["stale_rating"]]
    stuck = frame["grade"].eq(3) & (frame["run"] >= 2)
    rating = np.select(
        [frame["grade"].eq(4) | stuck, frame["grade"].eq(3), stale],
        [RED, AMBER, stale_rating],
        GREEN,
    )
    frame["rating"] = pd.Series(rating, index=frame.index, dtype=float).where(
        frame["grade"].notna()
    )
    frame["stuck"], frame["stale"] = stuck, stale
    return frame.drop(columns=["end"])


def leadership_reasons(frame: pd.DataFrame) -> pd.Series:
    """Words for each amber or red leadership rating of ``frame`` (None elsewhere)."""
    f = frame.loc[frame["rating"] > GREEN]
    if f.empty:
        return pd.Series(None, index=frame.index, dtype=object)
    when = f["date"].dt.strftime("%-d %B %Y")
    text = np.select(
        [f["grade"].eq(4), f["stuck"], f["grade"].eq(3)],
        [
            "judged inadequate at its latest inspection (" + when + ")",
            "graded below good at its last "
            + _num(f["run"])
            + " inspections running (latest "
            + f["grade"].map(GRADE_WORDS).fillna("")
            + ", "
            + when
            + ")",
            "requires improvement at its latest inspection (" + when + ")",
        ],
        "last graded "
        + f["grade"].map(GRADE_WORDS).fillna("")
        + " "
        + _num(f["age_years"])
        + " years ago ("
        + when
        + ")",
    )
    return pd.Series(text, index=f.index, dtype=object).reindex(frame.index)


def _previous(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` in each school's previous period (False where there is none)."""
    ordered = frame.sort_index()
    return (
        ordered.groupby(level="urn")[column]
        .shift(1)
        .reindex(frame.index)
        .fillna(False)
        .astype(bool)
    )


def behaviour(
    outcomes: pd.DataFrame, schools: pd.DataFrame, rules: Rules, periods: Sequence[int]
) -> pd.DataFrame:
    """Suspensions per 100 pupils against national; red when high two periods running."""
    beh = rules["behaviour"]
    pupils = schools.set_index("urn")["pupils"]
    rows = outcomes.loc[outcomes["year"].isin(periods), ["urn", "year", "exclusions"]].copy()
    rows["pupils"] = rows["urn"].map(pupils).astype(float)
    rows = rows.loc[rows["exclusions"].notna() & (rows["pupils"] > 0)]
    rows["suspensions"] = rows["exclusions"] * rows["pupils"] / 100
    totals = rows.groupby("year")[["suspensions", "pupils"]].sum()
    rows["national"] = rows["year"].map(100 * totals["suspensions"] / totals["pupils"])
    frame = rows.rename(columns={"year": "period", "exclusions": "suspension_rate"}).set_index(KEY)
    frame["ratio"] = frame["suspension_rate"] / frame["national"]
    frame["high"] = (frame["ratio"] >= beh["amber_ratio"]) & (
        frame["suspensions"].round() >= beh["min_suspensions"]
    )
    sustained = frame["high"] & _previous(frame, "high")
    frame["rating"] = np.where(sustained, RED, np.where(frame["high"], AMBER, GREEN)).astype(float)
    return frame


def behaviour_reasons(frame: pd.DataFrame) -> pd.Series:
    """Words for each amber or red behaviour rating of ``frame`` (None elsewhere)."""
    f = frame.loc[frame["rating"] > GREEN]
    if f.empty:
        return pd.Series(None, index=frame.index, dtype=object)
    text = (
        _num(f["suspension_rate"], 1)
        + " suspensions per 100 pupils, "
        + _num(f["ratio"], 1)
        + " times the national rate ("
        + _num(f["national"], 1)
        + ")"
        + np.where(f["rating"] == RED, ", and high in the period before too", "")
    )
    return text.reindex(frame.index)


def attendance(
    outcomes: pd.DataFrame,
    schools: pd.DataFrame,
    rules: Rules,
    periods: Sequence[int],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Persistent absence (else overall absence) against national, shrunk for small rolls."""
    att = rules["attendance"]
    pupils = schools.set_index("urn")["pupils"]
    rows = outcomes[["urn", "year"]].copy()
    pa = outcomes.get("persistent_absence", pd.Series(np.nan, index=outcomes.index))
    rows["measure"] = np.where(pa.notna(), "persistent", "overall")
    rows["rate"] = pa.fillna(100 - outcomes["attendance"])
    rows = rows.loc[rows["year"].isin(periods)]
    rows["pupils"] = rows["urn"].map(pupils).astype(float)
    rows = rows.loc[rows["rate"].notna() & (rows["pupils"] > 0)]
    weighted = (rows["rate"] * rows["pupils"]).groupby([rows["year"], rows["measure"]]).sum()
    national = weighted / rows.groupby(["year", "measure"])["pupils"].sum()
    rows["national"] = national.reindex(
        pd.MultiIndex.from_frame(rows[["year", "measure"]])
    ).to_numpy()
    rows["gap_observed"] = rows["rate"] - rows["national"]
    persistent = rows["measure"] == "persistent"
    sigma2 = np.where(
        persistent, rows["national"] * (100 - rows["national"]), rows["national"] ** 2
    )
    rows["group"] = rows["year"].astype(str) + rows["measure"]
    est = shrink(
        rows,
        gap="gap_observed",
        n="pupils",
        sigma2=pd.Series(sigma2, index=rows.index),
        group="group",
        alpha=alpha,
    )
    rows["shrunk"] = rows["national"] + est["estimate"]
    cut = rows.groupby("group")["shrunk"].transform(
        lambda s: s.quantile(1 - att["amber_top_share"])
    )
    red = rows["shrunk"] >= att["red_ratio"] * rows["national"]
    amber = (rows["shrunk"] >= cut) & (rows["shrunk"] > rows["national"])
    rows["rating"] = np.where(red, RED, np.where(amber, AMBER, GREEN)).astype(float)
    return rows.rename(columns={"year": "period"}).set_index(KEY).drop(columns="group")


def attendance_reasons(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    """Words for each amber or red attendance rating of ``frame`` (None elsewhere)."""
    att = rules["attendance"]
    f = frame.loc[frame["rating"] > GREEN]
    if f.empty:
        return pd.Series(None, index=frame.index, dtype=object)
    what = np.where(
        f["measure"] == "persistent",
        "% of pupils persistently absent (missing 10% or more of sessions)",
        "% of sessions missed",
    )
    where = np.where(
        f["rating"] == RED,
        f", at least {att['red_ratio']:g} times",
        f", among the highest {att['amber_top_share']:.0%} of schools and above",
    )
    text = (
        _num(f["shrunk"], 1)
        + what
        + where
        + " the national rate ("
        + _num(f["national"], 1)
        + "%; shrunk for the size of the roll)"
    )
    return text.reindex(frame.index)
