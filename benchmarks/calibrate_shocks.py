"""Calibration: how big are LA-year and trust-year shocks in real KS2 results?

Reads the national KS2 files (2016-2018, every school in England) in ../shared/data/real
(see its README), maps schools to LAs with Ofsted's 2018 school details, and measures
the between-LA SD of pupil-weighted year-to-year RWM changes net of the national change,
its part from independent school changes (pupil sampling, a school's own cohort effects)
and the excess, the shock part (:mod:`partnership_eval.data.synthetic.calibration`). The
same for academy trusts (May 2018 links, members since before 2015/16), net of their
LAs. Then it measures full-scale synthetic England the same way with its shocks on and
off, and prints the values chosen in :mod:`partnership_eval.data.synthetic.spec`.
Skips the real part, saying so, when the files are absent. Usage::

    python benchmarks/calibrate_shocks.py [--real DIR] [--seed S] [--no-synthetic]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.ks2 import load_ks2
from partnership_eval.data.loaders.ofsted import load_school_details
from partnership_eval.data.loaders.trusts import load_group_links
from partnership_eval.data.synthetic import simulate
from partnership_eval.data.synthetic.calibration import (
    between_group_variance,
    group_changes,
    net_of_group,
    school_changes,
)
from partnership_eval.data.synthetic.spec import LA_YEAR_SD, PARTNERSHIP_SD, Shocks

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
KS2_FILES = "ks2/national_reduced/england_ks2final_*_reduced.csv"
DETAILS = "ofsted/school_details_2018.csv"
LINKS = "trusts/grouplinks_edubaseallacademiesandfree20180501.csv"
MEMBER_SINCE = pd.Timestamp("2015-09-01")
"""Trust members joined by the start of 2015/16 were in their trust for all of 2016-2018."""


def pooled_sd(table: pd.DataFrame) -> float:
    """Shock SD implied by the mean excess variance over years."""
    return float(np.sqrt(max(table["excess_var"].mean(), 0.0) / 2.0))


def show(title: str, table: pd.DataFrame) -> None:
    print(f"\n{title}")
    print(table.round(3).to_string(index=False))
    print(
        f"  pooled: mean excess variance {table['excess_var'].mean():.3f} pp^2 -> "
        f"shock SD {pooled_sd(table):.2f} pp"
    )


def drift_check(changes: pd.DataFrame, la: pd.Series) -> None:
    """Consecutive LA changes: iid shocks make them negatively correlated, LA drift positively."""
    per = group_changes(changes, la)
    per = per[per["schools"] >= 10]
    per = per.assign(net=per["change"] - per.groupby("year")["change"].transform("mean"))
    wide = per.pivot(index="group", columns="year", values="net").dropna()
    noise = per.pivot(index="group", columns="year", values="noise_var").dropna()
    if wide.shape[1] < 2:
        return
    a, b = wide.columns[:2]
    cov = float(np.cov(wide[a], wide[b])[0, 1])
    total = float((wide[a].var() + wide[b].var()) / 2)
    # var = drift + 2 sd^2 + noise; cov = drift - sd^2 - noise / 2 (a school's cohort in the
    # middle year enters both changes, with opposite signs).
    excess = total - float(noise.mean().mean())
    sd2 = (excess - (cov + float(noise.mean().mean()) / 2)) / 3
    drift = excess - 2 * sd2
    print(
        f"  persistence: corr of consecutive LA changes {wide[a].corr(wide[b]):+.2f}; "
        f"if LAs also drift, fresh shock SD {np.sqrt(max(sd2, 0)):.2f} pp and "
        f"LA drift SD {np.sqrt(max(drift, 0)):.2f} pp a year"
    )


def real_part(root: Path) -> None:
    files = sorted(root.glob(KS2_FILES))
    if not files or not (root / DETAILS).exists():
        print(f"real KS2 files or school details not found under {root}; skipping the real part")
        return
    outcomes = pd.concat([load_ks2(read_known(f)[1]).outcomes for f in files], ignore_index=True)
    details = load_school_details(read_known(root / DETAILS)[1])
    mainstream = details[details["school_type"].ne("Special School")]
    la = mainstream.drop_duplicates("urn").set_index("urn")["la_code"]
    changes = school_changes(outcomes)
    print(
        f"real: {len(files)} national KS2 files, {outcomes['urn'].nunique():,} schools, "
        f"{len(changes):,} school changes with 6+ pupils both years, "
        f"{changes['urn'].isin(la.index).mean():.1%} mapped to a mainstream school's LA"
    )
    lat = between_group_variance(changes, la)
    show("real, between LAs (pupil-weighted change net of the national change)", lat)
    drift_check(changes, la)
    if not (root / LINKS).exists():
        print(f"trust links not found at {root / LINKS}; skipping trusts")
        return
    links = load_group_links(read_known(root / LINKS)[1])
    links = links[(links["kind"] == "mat") & (links["joined"] <= MEMBER_SINCE)]
    trust = links.drop_duplicates("urn").set_index("urn")["uid"]
    net = net_of_group(changes, la)
    for m in (3, 5):
        show(
            f"real, between trusts with {m}+ primaries, net of their LAs' changes",
            between_group_variance(net, trust, min_schools=m),
        )


def synthetic_part(seed: int) -> None:
    for label, shocks in (("on", Shocks()), ("off", Shocks.off())):
        world = simulate("full", seed, shocks=shocks)
        t = world.tables
        changes = school_changes(t["outcomes"])
        la = t["schools"].set_index("urn")["la_code"]
        lat = between_group_variance(changes, la)
        show(f"synthetic full scale, seed {seed}, shocks {label}: between LAs", lat)
        drift_check(changes[changes["year"].between(2017, 2018)], la)
        m = t["memberships"].merge(t["partnerships"][["partnership_id", "kind"]])
        m = m[m["kind"] == "mat"]
        first = m["joined"].dt.year + (m["joined"].dt.month >= 9)
        since = pd.Series(first.to_numpy(), index=m["urn"].to_numpy())
        net = net_of_group(changes, la)
        net = net[net["year"] - 1 >= net["urn"].map(since).fillna(9999)]
        trust = m.set_index("urn")["partnership_id"]
        show(
            f"synthetic, shocks {label}: between trusts with 3+ schools, net of their LAs "
            "(holds the planted intake dip too)",
            between_group_variance(net, trust, min_schools=3),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args()
    real_part(args.real)
    if not args.no_synthetic:
        synthetic_part(args.seed)
    print(
        f"\nchosen (partnership_eval.data.synthetic.spec): LA_YEAR_SD = {LA_YEAR_SD:g} pp, "
        f"PARTNERSHIP_SD = {PARTNERSHIP_SD:g} pp"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
