"""Assemble synthetic England: schools, results, partnerships, inspections and truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.absence import add_persistent_absence
from partnership_eval.data.synthetic.attainment import (
    baseline_probability,
    cohort_shocks,
    cohort_sizes,
    draw_outcomes,
)
from partnership_eval.data.synthetic.chains import build_chains
from partnership_eval.data.synthetic.clusters import build_clusters
from partnership_eval.data.synthetic.geography import local_authorities
from partnership_eval.data.synthetic.inspections import build_inspections
from partnership_eval.data.synthetic.networks import build_groups, build_network
from partnership_eval.data.synthetic.phonics import add_phonics
from partnership_eval.data.synthetic.programme import Programme
from partnership_eval.data.synthetic.reviews import build_reviews
from partnership_eval.data.synthetic.schools import build_schools, canonical_schools
from partnership_eval.data.synthetic.shocks import (
    BadYearSelection,
    Takeovers,
    add_partnership_shocks,
    la_year_shocks,
)
from partnership_eval.data.synthetic.spec import Shocks, check_seed, scale_spec, stream
from partnership_eval.data.synthetic.truth import plant_effects, truth_table


@dataclass
class SyntheticWorld:
    """Everything the generator knows, including what the published tables hide.

    ``p_base`` and ``p_expected`` are schools × years expected probabilities of meeting
    the RWM standard without and with planted effects (both with the LA-year shocks,
    ``p_expected`` also with the partnership shocks); ``realised`` holds each programme's
    realised effect (pp) in the same layout, ``shocks`` the ``transitory`` draws (school
    cohort effect plus LA-year shock), the ``la_year`` shocks and the realised
    ``partnership`` shocks (pp); rows follow ``schools``.
    """

    schools: pd.DataFrame
    cohorts: np.ndarray
    p_base: np.ndarray
    p_expected: np.ndarray
    realised: dict[str, np.ndarray]
    programmes: list[Programme]
    tables: dict[str, pd.DataFrame]
    shocks: dict[str, np.ndarray]


def _as_academies(schools: pd.DataFrame, chains: Programme) -> pd.DataFrame:
    """Chain members become academies (same URN: real conversions issue a new one)."""
    route = pd.Series(
        chains.memberships["route"].to_numpy(), index=chains.memberships["pos"].to_numpy()
    )
    sponsored = route[route == "sponsored"].index.to_numpy()
    members = route.index.to_numpy()
    is_academy = schools["is_academy"].to_numpy().copy()
    is_academy[members] = True
    school_type = schools["school_type"].to_numpy().copy()
    school_type[members] = "Academy converter"
    school_type[sponsored] = "Academy sponsor led"
    return schools.assign(is_academy=is_academy, school_type=school_type)


def _memberships(programmes: list[Programme], urns: np.ndarray) -> pd.DataFrame:
    frame = pd.concat([p.memberships for p in programmes], ignore_index=True)
    frame.insert(0, "urn", urns[frame["pos"].to_numpy()])
    frame = frame.drop(columns="pos").sort_values(["urn", "partnership_id"], kind="stable")
    return frame.reset_index(drop=True)


def _partnerships(programmes: list[Programme]) -> pd.DataFrame:
    frame = pd.concat([p.partnerships for p in programmes], ignore_index=True)
    frame = frame.reindex(
        columns=["partnership_id", "name", "kind", "founded", "la_code", "parent_id"]
    )
    frame["la_code"] = pd.array(frame["la_code"], dtype="Int64")
    frame["parent_id"] = frame["parent_id"].astype(object).where(frame["parent_id"].notna(), None)
    return frame.sort_values("partnership_id", kind="stable").reset_index(drop=True)


def simulate(scale: str = "small", seed: int = 0, shocks: Shocks | None = None) -> SyntheticWorld:
    """Build synthetic England at ``scale`` ("small" or "full") from ``seed``, keeping its latent state.

    ``shocks`` overrides the scale's :class:`~partnership_eval.data.synthetic.spec.Shocks`
    (all on by default; ``Shocks.off()`` for none).
    """
    spec = scale_spec(scale)
    seed = check_seed(seed)
    shocks = spec.shocks if shocks is None else shocks
    las = local_authorities(spec, stream(seed, "local_authorities"))
    schools = build_schools(las, stream(seed, "schools"))
    cohorts = cohort_sizes(schools, stream(seed, "cohorts"))
    la_year, la_truth = la_year_shocks(schools, shocks.la_year_sd, stream(seed, "la_year_shocks"))
    transitory = cohort_shocks(len(schools), stream(seed, "attainment")) + la_year
    p_base = baseline_probability(schools, cohorts, transitory)

    bad_year = (
        BadYearSelection(transitory, shocks.bad_year_share, stream(seed, "bad_year_selection"))
        if shocks.bad_year_share
        else None
    )
    clusters = build_clusters(schools, spec.cluster_las, stream(seed, "clusters"), bad_year)
    network = build_network(schools, spec.network_la, stream(seed, "network"))
    la = schools["la_code"].to_numpy()
    outside = ~np.isin(la, (*spec.cluster_las, spec.network_la))
    federations = build_groups(
        schools,
        outside & (schools["pupils"].to_numpy() < 250),
        "federation",
        spec.n_federations,
        stream(seed, "federations"),
    )
    umbrella = build_groups(
        schools,
        outside & (federations.first_treated == 0),
        "umbrella_trust",
        spec.n_umbrella_trusts,
        stream(seed, "umbrella_trusts"),
    )
    taken = (
        clusters.first_treated
        + network.first_treated
        + federations.first_treated
        + umbrella.first_treated
    ) > 0
    takeovers = (
        Takeovers(transitory, shocks.takeover_share, stream(seed, "trust_takeovers"))
        if shocks.takeover_share
        else None
    )
    chains = build_chains(schools, ~taken, p_base, spec, stream(seed, "chains"), takeovers)
    programmes = [clusters, chains, network, federations, umbrella]

    schools = _as_academies(schools, chains)
    p_expected, realised = plant_effects(p_base, programmes)
    p_expected, shared, partnership_truth = add_partnership_shocks(
        p_expected, programmes, shocks.partnership_sd, stream(seed, "partnership_shocks")
    )
    latent = {"transitory": transitory, "la_year": la_year, "partnership": shared}
    urns = schools["urn"].to_numpy()
    outcomes = draw_outcomes(schools, p_expected, cohorts, stream(seed, "outcomes"))
    outcomes = add_persistent_absence(outcomes, schools, stream(seed, "absence"))
    tables = {
        "schools": canonical_schools(schools),
        "outcomes": add_phonics(outcomes, schools, stream(seed, "phonics")),
        "memberships": _memberships(programmes, urns),
        "partnerships": _partnerships(programmes),
        "inspections": build_inspections(schools, p_expected, stream(seed, "inspections")),
        "truth": truth_table(programmes, realised, la, [la_truth, partnership_truth]),
    }
    reviews = build_reviews(
        schools, p_expected, tables["memberships"], tables["partnerships"], stream(seed, "reviews")
    )
    tables["reviews"] = reviews.reviews
    tables["truth"] = pd.concat([tables["truth"], reviews.truth], ignore_index=True)
    return SyntheticWorld(
        schools, cohorts, p_base, p_expected, realised, programmes, tables, latent
    )
