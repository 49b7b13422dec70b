"""Assemble synthetic England: schools, results, partnerships, inspections and truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.absence import add_persistent_absence
from partnership_eval.data.synthetic.attainment import (
    baseline_probability,
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
from partnership_eval.data.synthetic.schools import build_schools, canonical_schools
from partnership_eval.data.synthetic.spec import check_seed, scale_spec, stream
from partnership_eval.data.synthetic.truth import plant_effects, truth_table


@dataclass
class SyntheticWorld:
    """Everything the generator knows, including what the published tables hide.

    ``p_base`` and ``p_expected`` are schools × years expected probabilities of meeting
    the RWM standard without and with planted effects; ``realised`` holds each
    programme's realised effect (pp) in the same layout; rows follow ``schools``.
    """

    schools: pd.DataFrame
    cohorts: np.ndarray
    p_base: np.ndarray
    p_expected: np.ndarray
    realised: dict[str, np.ndarray]
    programmes: list[Programme]
    tables: dict[str, pd.DataFrame]


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


def simulate(scale: str = "small", seed: int = 0) -> SyntheticWorld:
    """Build synthetic England at ``scale`` ("small" or "full") from ``seed``, keeping its latent state."""
    spec = scale_spec(scale)
    seed = check_seed(seed)
    las = local_authorities(spec, stream(seed, "local_authorities"))
    schools = build_schools(las, stream(seed, "schools"))
    cohorts = cohort_sizes(schools, stream(seed, "cohorts"))
    p_base = baseline_probability(schools, cohorts, stream(seed, "attainment"))

    clusters = build_clusters(schools, spec.cluster_las, stream(seed, "clusters"))
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
    chains = build_chains(schools, ~taken, p_base, spec, stream(seed, "chains"))
    programmes = [clusters, chains, network, federations, umbrella]

    schools = _as_academies(schools, chains)
    p_expected, realised = plant_effects(p_base, programmes)
    urns = schools["urn"].to_numpy()
    outcomes = draw_outcomes(schools, p_expected, cohorts, stream(seed, "outcomes"))
    outcomes = add_persistent_absence(outcomes, schools, stream(seed, "absence"))
    tables = {
        "schools": canonical_schools(schools),
        "outcomes": add_phonics(outcomes, schools, stream(seed, "phonics")),
        "memberships": _memberships(programmes, urns),
        "partnerships": _partnerships(programmes),
        "inspections": build_inspections(schools, p_expected, stream(seed, "inspections")),
        "truth": truth_table(programmes, realised, la),
    }
    return SyntheticWorld(schools, cohorts, p_base, p_expected, realised, programmes, tables)
