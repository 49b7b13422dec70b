"""Mutation score of the modules that hold the reports' rules and the estimators.

Runs mutmut 3 (``pip install -e '.[bench]'``) on one module at a time, in a scratch
copy of the repository (the working tree is never mutated), each with a targeted fast
test subset, and prints killed / total per module. A mutant "survives" when no test of
the subset fails on it. Not part of CI: a run takes minutes per module on 2 cores.

    python benchmarks/mutation_score.py                 # every module
    python benchmarks/mutation_score.py disclosure      # one (names below)
    python benchmarks/mutation_score.py --survivors     # also list surviving mutants

With ../shared present next to the repository, the scratch copy sees it too (mutmut runs
the tests from a ``mutants/`` copy one level down, so ../shared is linked beside both) and
must find it (``PARTNERSHIP_EVAL_REQUIRE_SHARED=1``), so the R reference tests take part as
they do in CI instead of skipping.

Slow modules: ``--sample N`` tests N random mutants; after adding tests, ``--rerun LOG``
tests only the survivors printed by an earlier ``--survivors`` run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@dataclass(frozen=True)
class Target:
    """A module, the functions of it to mutate (all when empty) and the tests to run."""

    path: str
    functions: tuple[str, ...]
    tests: tuple[str, ...]

    @property
    def module(self) -> str:
        return self.path.removeprefix("src/").removesuffix(".py").replace("/", ".")

    def mutant_globs(self) -> list[str]:
        if not self.functions:
            return [f"{self.module}.*"]
        return [f"{self.module}.x_{name}__mutmut_*" for name in self.functions]


TARGETS = {
    "disclosure": Target(
        "src/partnership_eval/disclosure.py",
        (),
        (
            "tests/test_disclosure.py",
            "tests/test_disclosure_published.py",
            "tests/test_rules_at_boundaries.py",
        ),
    ),
    "outcomes": Target(
        "src/partnership_eval/analyses/cluster_impact/outcomes.py",
        (),
        (
            "tests/test_rules_at_boundaries.py",
            "tests/analyses/test_cluster_outcomes.py",
            *(
                f"tests/analyses/test_cluster_impact.py::test_{name}"
                for name in (
                    "effect_sentence_reads_as_points_with_interval",
                    "effect_sentence_uses_a_minus_sign_for_falls",
                    "interval_including_zero_is_read_as_consistent_with_no_effect",
                    "floor_standard_needs_low_attainment_and_a_weak_progress_score",
                )
            ),
        ),
    ),
    "panel_timing": Target(
        "src/partnership_eval/panel.py",
        ("academic_year", "exposure_year", "first_treated"),
        ("tests/test_rules_at_boundaries.py", "tests/test_panel.py", "tests/test_panel_timing.py"),
    ),
    "growth_pace": Target(
        "src/partnership_eval/analyses/chain_growth/growth.py",
        ("_poisson_lower", "classify_pace"),
        ("tests/test_rules_at_boundaries.py", "tests/analyses/test_chain_growth.py"),
    ),
    "did_aggregate": Target(
        "src/partnership_eval/impact/did_aggregate.py",
        (),
        (
            "tests/impact/test_did_aggregate_by_hand.py",
            "tests/impact/test_did_aggregate_se.py",
            "tests/impact/test_did_reference.py",
            "tests/impact/test_did_hard_cases.py",
            "tests/impact/test_did_results.py",
        ),
    ),
    "did_inference": Target(
        "src/partnership_eval/impact/did_inference.py",
        (),
        (
            "tests/impact/test_did_aggregate_se.py",
            "tests/impact/test_did_inference_level.py",
            "tests/impact/test_did_inference_by_hand.py",
            "tests/impact/test_did_reference.py",
            "tests/impact/test_did_results.py",
        ),
    ),
    "inspections": Target(
        "src/partnership_eval/analyses/inspections/transitions.py",
        (
            "inspection_pairs",
            "_wilson",
            "_effective_n",
            "_cluster_variance",
            "transition_counts",
            "_strata",
            "pair_weights",
            "_movement_estimates",
            "movement_shares",
            "movement_difference",
            "rise_by_prior_grade",
        ),
        (
            "tests/analyses/test_inspections.py",
            "tests/analyses/test_inspections_by_hand.py",
            "tests/test_rules_at_boundaries.py",
        ),
    ),
}

_RESULT = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")


def _scratch_copy(target: Target, tests: list[str]) -> Path:
    """A copy of src/, tests/ and pyproject.toml with mutmut configured for ``target``."""
    scratch = Path(tempfile.mkdtemp(prefix="mutation_"))
    repo = scratch / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "src", repo / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", repo / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    if SHARED.is_dir():  # ../shared of the copy and of mutmut's mutants/ inside it
        (scratch / "shared").symlink_to(SHARED)
        (repo / "shared").symlink_to(SHARED)
    pyproject = (ROOT / "pyproject.toml").read_text()
    config = (
        "\n[tool.mutmut]\n"
        f'source_paths = ["src"]\n'
        f"only_mutate = [{target.path!r}]\n"
        f"pytest_add_cli_args_test_selection = {tests!r}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q"]\n'
        "use_git_change_detection = false\n"
    )
    (repo / "pyproject.toml").write_text(pyproject + config)
    return repo


def _results(repo: Path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {m["name"]: m["status"].strip() for m in map(_RESULT.match, out.splitlines()) if m}


def _run(
    repo: Path, env: dict[str, str], children: int, names: list[str], seconds: float | None
) -> None:
    subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *names],
        cwd=repo,
        env=env,
        capture_output=True,
        check=False,
        timeout=seconds,
    )


def _sampled(
    repo: Path, env: dict[str, str], target: Target, size: int, children: int
) -> list[str]:
    """``size`` of the target's mutants drawn at random (seed 0, so before and after a
    change of the tests draw the same ones while the module is unchanged)."""
    # a filter matching nothing makes mutmut generate the mutants and its test
    # coverage, then stop: that gives the names to draw from
    _run(repo, env, children, [f"{target.module}.x___none__mutmut_0"], None)
    names = sorted(k for k in _results(repo, env) if _wanted(k, target))
    return sorted(random.Random(0).sample(names, min(size, len(names))))


def _wanted(mutant: str, target: Target) -> bool:
    return target.functions == () or _function(mutant) in target.functions


@dataclass(frozen=True)
class Earlier:
    """What an earlier ``--survivors`` run of a module printed."""

    killed: int
    total: int
    survivors: tuple[str, ...]


_HEADLINE = re.compile(r"^(?P<name>\S+)\s+(?P<killed>\d+) /\s+(?P<total>\d+) killed")
_SURVIVOR = re.compile(r"^    \S.*\s(?P<mutant>\S+__mutmut_\d+)$")


def earlier_runs(log: Path) -> dict[str, Earlier]:
    """Per module, the score and surviving mutants in the output of a ``--survivors`` run."""
    runs: dict[str, Earlier] = {}
    current = None
    for line in log.read_text().splitlines():
        if m := _HEADLINE.match(line):
            current = m["name"]
            runs[current] = Earlier(int(m["killed"]), int(m["total"]), ())
        elif current is not None and (m := _SURVIVOR.match(line)):
            runs[current] = replace(
                runs[current], survivors=(*runs[current].survivors, m["mutant"])
            )
    return runs


def score(
    name: str,
    target: Target,
    *,
    show_survivors: bool,
    max_seconds: float | None,
    children: int,
    sample: int | None = None,
    earlier: Earlier | None = None,
) -> tuple[int, int]:
    """Run mutmut on ``target`` (on ``sample`` random mutants of it, or only on the
    survivors of an ``earlier`` run, when given); print and return (killed, total)."""
    if earlier is not None and not earlier.survivors:
        print(f"{name:14s} {earlier.killed:4d} / {earlier.total:4d} killed  (no survivors)")
        return earlier.killed, earlier.total
    tests = [t for t in target.tests if (ROOT / t.split("::")[0]).exists()]
    repo = _scratch_copy(target, tests)
    # mutmut puts mutants/src first on sys.path itself; a PYTHONPATH breaks its stats run.
    drop = ("PYTHONPATH", "PARTNERSHIP_EVAL_REQUIRE_SHARED")
    env = {k: v for k, v in os.environ.items() if k not in drop} | {"PYTHONHASHSEED": "0"}
    if SHARED.is_dir():  # a reference test that cannot find ../shared fails, never skips
        env["PARTNERSHIP_EVAL_REQUIRE_SHARED"] = "1"
    start = time.perf_counter()
    if earlier is not None:
        names = list(earlier.survivors)
    elif sample:
        names = _sampled(repo, env, target, sample, children)
        if not names:  # no filter would make mutmut test every mutant of the repository
            print(f"{name}: mutmut generated no mutants (do its clean tests pass?)")
            shutil.rmtree(repo.parent, ignore_errors=True)
            return 0, 0
    else:
        names = target.mutant_globs()
    try:
        _run(repo, env, children, names, max_seconds)
    except subprocess.TimeoutExpired:
        print(f"{name}: stopped after {max_seconds:.0f} s; mutants not reached are not counted")
    status = _results(repo, env)
    wanted = [k for k in status if _wanted(k, target) and (earlier is None or k in names)]
    killed = sum(status[k] in ("killed", "timeout") for k in wanted)
    total = sum(status[k] not in ("not checked", "skipped") for k in wanted)
    seconds = time.perf_counter() - start
    if earlier is not None:  # the earlier run's kills stand: tests were only added
        note = f", re-ran the {total} survivors of {earlier.killed} / {earlier.total}"
        killed, total = earlier.killed + killed, earlier.total
    else:
        note = f", a random {total} of the module's mutants" if sample else ""
    share = killed / total if total else float("nan")
    print(f"{name:14s} {killed:4d} / {total:4d} killed  {share:6.1%}  ({seconds:.0f} s{note})")
    if show_survivors:
        for k in wanted:
            if status[k] not in ("killed", "timeout", "not checked", "skipped"):
                print(f"    {status[k]:12s} {k}")
                diff = subprocess.run(
                    [sys.executable, "-m", "mutmut", "show", k],
                    cwd=repo,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                print("\n".join("      " + line for line in diff.splitlines()[2:]))
    shutil.rmtree(repo.parent, ignore_errors=True)
    return killed, total


def _function(mutant: str) -> str:
    return mutant.rsplit(".", 1)[-1].removeprefix("x_").split("__mutmut_")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of {', '.join(TARGETS)}")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="time cap per module (none by default)"
    )
    parser.add_argument(
        "--sample", type=int, default=None, help="test this many random mutants per module"
    )
    parser.add_argument(
        "--rerun",
        type=Path,
        help="output of an earlier --survivors run: test only its survivors (after adding "
        "tests, with the module unchanged) and add its kills",
    )
    parser.add_argument(
        "--max-children",
        type=int,
        default=1,
        help="mutmut worker processes (the machine is shared)",
    )
    args = parser.parse_args()
    unknown = set(args.modules) - set(TARGETS)
    if unknown:
        parser.error(f"unknown module(s) {sorted(unknown)}; choose from {list(TARGETS)}")
    earlier = earlier_runs(args.rerun) if args.rerun else {}
    if args.rerun and set(args.modules) - set(earlier):
        parser.error(f"{args.rerun} holds no run of {sorted(set(args.modules) - set(earlier))}")
    for name in args.modules or (earlier or TARGETS):
        score(
            name,
            TARGETS[name],
            show_survivors=args.survivors,
            max_seconds=args.max_seconds,
            children=args.max_children,
            sample=args.sample,
            earlier=earlier[name] if args.rerun else None,
        )


if __name__ == "__main__":
    main()
