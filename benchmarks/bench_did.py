"""Speed and memory of staggered_did against the Python ports `csdid` and `differences`.

A simulated panel of 16,700 units × 15 years with four staggered cohorts (treatment
selected on a covariate that shifts trends) is estimated with the doubly robust
estimator, never-treated controls and a 999-draw multiplier bootstrap, without and with
one covariate. Every run happens in its own subprocess, which reports the seconds spent
estimating (data already loaded) and its peak resident memory, so runs do not share
allocations. Peers that are not installed are skipped with the command to install
them; they can live in another environment (``--peer-python``), e.g.::

    python -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install -r benchmarks/requirements-bench.txt -e .
    .venv/bin/python benchmarks/bench_did.py --peer-python /tmp/benchvenv/bin/python

Target: at least 5× faster than the fastest peer, within 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

N_UNITS = 16_700
PERIODS = tuple(range(2006, 2021))
COHORTS = (2010, 2012, 2014, 2016)
N_BOOT = 999
TOOLS = ("partnership_eval", "csdid", "differences")
MODULE = {"partnership_eval": "partnership_eval", "csdid": "csdid", "differences": "differences"}
INSTALL = "pip install -r benchmarks/requirements-bench.txt"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fit(tool: str, data_path: Path, covariate: bool) -> float:
    """Estimate with ``tool`` and return the seconds spent (data already in memory)."""
    import pandas as pd

    data = pd.read_parquet(data_path)
    if tool == "partnership_eval":
        from partnership_eval.impact.staggered import staggered_did

        start = time.perf_counter()
        staggered_did(data, "y", "unit", "time", "cohort", covariates=["x"] if covariate else None,
                      method="dr", n_boot=N_BOOT, seed=0)  # fmt: skip
        return time.perf_counter() - start
    if tool == "csdid":
        from csdid.att_gt import ATTgt

        start = time.perf_counter()
        model = ATTgt(yname="y", tname="time", idname="unit", gname="cohort", data=data,
                      control_group=["nevertreated"], xformla="y ~ x" if covariate else None,
                      biters=N_BOOT, cband=True)  # fmt: skip
        model.fit(est_method="dr", bstrap=True)
        return time.perf_counter() - start
    from differences import ATTgt

    frame = data.assign(cohort=data["cohort"].where(data["cohort"] > 0)).set_index(["unit", "time"])
    start = time.perf_counter()
    ATTgt(data=frame, cohort_column="cohort").fit(
        formula="y ~ x" if covariate else "y", est_method="dr", control_group="never_treated",
        boot_iterations=N_BOOT, random_state=0, progress_bar=False,
    )  # fmt: skip
    return time.perf_counter() - start


def _worker(tool: str, data_path: Path, covariate: bool) -> None:
    warnings.filterwarnings("ignore")
    seconds = _fit(tool, data_path, covariate)
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib()}))


def _available(python: str, tool: str) -> bool:
    probe = (
        f"import importlib.util, sys; sys.exit(importlib.util.find_spec({MODULE[tool]!r}) is None)"
    )
    return subprocess.run([python, "-c", probe], check=False).returncode == 0


def _run(python: str, tool: str, data_path: Path, covariate: bool) -> dict[str, float]:
    cmd = [python, __file__, "--worker", tool, "--data", str(data_path)]
    if covariate:
        cmd.append("--covariate")
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{tool} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _write_panel(path: Path) -> None:
    from partnership_eval.impact.simulate import simulate_staggered_panel

    sim = simulate_staggered_panel(n_units=N_UNITS, periods=PERIODS, cohorts=COHORTS,
                                   selection=0.5, covariate_trend=0.2, seed=0)  # fmt: skip
    sim.data.to_parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default=sys.executable,
                        help="interpreter with csdid/differences installed")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; best is kept")
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--covariate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.data, args.covariate)
        return

    print(f"panel: {N_UNITS:,} units × {len(PERIODS)} years, cohorts {COHORTS}, "
          f"dr, never-treated controls, {N_BOOT} bootstrap draws")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / "panel.parquet"
        _write_panel(data_path)
        pythons = {"partnership_eval": sys.executable, "csdid": args.peer_python,
                   "differences": args.peer_python}  # fmt: skip
        results: dict[tuple[str, bool], dict[str, float]] = {}
        for tool in TOOLS:
            if not _available(pythons[tool], tool):
                print(f"{tool}: not installed in {pythons[tool]} — skipped ({INSTALL})")
                continue
            for covariate in (False, True):
                runs = [_run(pythons[tool], tool, data_path, covariate) for _ in range(args.repeat)]
                results[tool, covariate] = min(runs, key=lambda r: r["seconds"])

    print(f"\n{'tool':<18}{'covariate':<11}{'seconds':>9}{'peak MiB':>10}{'speed-up':>10}")
    for covariate in (False, True):
        ours = results.get(("partnership_eval", covariate))
        for tool in TOOLS:
            r = results.get((tool, covariate))
            if r is None:
                continue
            ratio = f"{r['seconds'] / ours['seconds']:.1f}×" if ours and tool != TOOLS[0] else ""
            print(f"{tool:<18}{'x' if covariate else 'none':<11}{r['seconds']:>9.2f}"
                  f"{r['peak_mib']:>10.0f}{ratio:>10}")  # fmt: skip
        peers = [results[t, covariate]["seconds"] for t in TOOLS[1:] if (t, covariate) in results]
        if ours and peers:
            print(f"  fastest peer / partnership_eval = {min(peers) / ours['seconds']:.1f}× "
                  f"(target ≥ 5×); our peak memory {ours['peak_mib']:.0f} MiB (target ≤ 1024)")  # fmt: skip


if __name__ == "__main__":
    main()
