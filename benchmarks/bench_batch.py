"""Batch benchmark: every LA × {00_overview, 01_cluster_impact with kind=mat}.

Runs the national batch (or ``--las N`` LAs of it, spread over the LA codes) on full
synthetic England and prints: wall time, reports per minute, the per-report median split
into overhead (everything but the notebook's cells: kernel reuse/reset, papermill,
rendering, writing) and compute (the cells), CPU utilisation and CPU-seconds per report,
peak memory of the whole process tree (runner, workers, kernels), and the wall time of
a re-run with nothing changed. ``--local-cluster N`` runs the same batch on a dask
LocalCluster of N single-threaded workers instead of the local pool.

On a subset, the full-run wall time is extrapolated from the measured rate, and again
from CPU-seconds per report at the measured utilisation (the second figure depends less
on other users of a shared machine); both are labelled as extrapolations.

    python benchmarks/bench_batch.py --data /tmp/full --las 20 --workers 2
    python benchmarks/bench_batch.py --data /tmp/full --las 20 --local-cluster 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

from partnership_eval.data.geography import la_table
from partnership_eval.data.store import read_table
from partnership_eval.reporting import kernel
from partnership_eval.reporting.runner import batch_requests, run_batch

NOTEBOOKS = ("00_overview", "01_cluster_impact")
PARAMETERS = {"01_cluster_impact:kind": "mat"}
ROOT = Path(__file__).resolve().parents[1]
ALONE = 0.9
"""Share of the cores a batch with the machine to itself keeps busy (assumed, for the
extrapolation from CPU-seconds)."""


class TreeSampler(threading.Thread):
    """Samples CPU time and resident memory of this process and all its descendants."""

    def __init__(self, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.cpu: dict[int, float] = {}
        self.peak_rss = 0
        self.running = True

    def run(self) -> None:
        me = psutil.Process()
        while self.running:
            rss = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    times = proc.cpu_times()
                    rss += proc.memory_info().rss
                except psutil.Error:
                    continue
                self.cpu[proc.pid] = times.user + times.system
            self.peak_rss = max(self.peak_rss, rss)
            time.sleep(self.every)

    def stop(self) -> float:
        """Stop sampling; CPU-seconds used by the tree since it started."""
        self.running = False
        self.join()
        return sum(self.cpu.values())


def _las(data: Path, count: int | None) -> list[int]:
    """LA codes in the data; ``count`` of them spread evenly over the code order (so over
    regions, London's small-school-poor boroughs no more than their share)."""
    codes = sorted(set(read_table("schools", data)["la_code"]) & set(la_table()["la_code"]))
    if not count or count >= len(codes):
        return codes
    step = len(codes) / count
    return [codes[int(i * step)] for i in range(count)]


def _timed_run(data: Path, out: Path, run: str, codes: list[int], **options) -> dict:
    requests = batch_requests(
        NOTEBOOKS,
        "la",
        where=f"la_code in {codes}",
        parameters=PARAMETERS,
        notebooks_dir=ROOT / "notebooks",
    )
    sampler = TreeSampler()
    cpu_before = sum(psutil.Process().cpu_times()[:2])
    sampler.start()
    start = time.perf_counter()
    result = run_batch(
        requests, data_dir=data, out_dir=out, run=run, text_parameters=True, **options
    )
    wall = time.perf_counter() - start
    cpu = sampler.stop() - cpu_before
    return {"result": result, "wall": wall, "cpu": cpu, "peak": sampler.peak_rss}


def _report(label: str, timing: dict, again: dict, total_las: int, codes: list[int]) -> None:
    records = timing["result"].records
    ran = [r for r in records if not r.reused]
    n = len(records)
    wall, cpu = timing["wall"], timing["cpu"]
    cores = len(os.sched_getaffinity(0))
    overhead = statistics.median(r.seconds - r.compute_seconds for r in ran)
    compute = statistics.median(r.compute_seconds for r in ran)
    failed = [r for r in records if r.failed]
    print(f"\n== {label}: {len(codes)} LA(s) × {len(NOTEBOOKS)} notebooks = {n} reports")
    print(f"wall time                  {wall:8.1f} s")
    print(f"reports per minute         {60 * n / wall:8.1f}")
    print(f"per-report median          {statistics.median(r.seconds for r in ran):8.2f} s")
    print(f"  overhead (median)        {overhead:8.2f} s")
    print(f"  compute  (median)        {compute:8.2f} s")
    print(
        f"  overhead CPU (median)    {statistics.median(r.overhead_cpu_seconds for r in ran):8.2f} s"
        " (runner-side CPU: reset, papermill, rendering, writing)"
    )
    print(f"CPU utilisation            {100 * cpu / (wall * cores):8.1f} % of {cores} cores")
    print(f"CPU-seconds per report     {cpu / n:8.2f}")
    print(f"peak memory (whole tree)   {timing['peak'] / 2**30:8.2f} GiB")
    print(
        f"re-run, nothing changed    {again['wall']:8.1f} s  ({sum(r.reused for r in again['result'].records)} of {n} kept)"
    )
    print(f"failed reports             {len(failed):8d}")
    for reason in sorted({r.error for r in failed})[:5]:
        print(f"  {sum(r.error == reason for r in failed)} × {reason[:150]}")
    if len(codes) < total_las:
        scale = total_las / len(codes)
        print(f"EXTRAPOLATED to all {total_las} LAs ({total_las * len(NOTEBOOKS)} reports):")
        print(f"  from the measured rate   {wall * scale / 60:8.1f} min")
        print(
            f"  from CPU-s per report    {cpu * scale / (cores * ALONE) / 60:8.1f} min"
            f" (if the batch had the {cores} cores to itself at {100 * ALONE:.0f}% use: an assumption)"
        )
        print(
            f"  re-run, nothing changed  {again['wall'] * scale:8.1f} s (upper bound: planning is ~linear)"
        )
    print(f"load average now           {os.getloadavg()[0]:8.1f} (machine shared while measuring)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="full synthetic England")
    parser.add_argument("--las", type=int, help="only N LAs, spread over all (default: all)")
    parser.add_argument("--workers", type=int, help="local worker processes (default: CPUs)")
    parser.add_argument("--local-cluster", type=int, metavar="N", help="dask LocalCluster workers")
    parser.add_argument("--out", type=Path, help="output root (default: a temporary folder)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="for comparison: one process, a fresh kernel for every report (no reuse)",
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    total = len(_las(args.data, None))
    codes = _las(args.data, args.las)
    print(f"data {args.data}; output {out}; load average at start {os.getloadavg()[0]:.1f}")
    if args.local_cluster:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=args.local_cluster, threads_per_worker=1, processes=True,
            dashboard_address=None,
        ) as cluster:  # fmt: skip
            options = {"scheduler": cluster.scheduler_address}
            first = _timed_run(args.data, out, "cluster", codes, **options)
            again = _timed_run(args.data, out, "cluster", codes, **options)
        label = f"dask LocalCluster, {args.local_cluster} workers × 1 thread"
    elif args.cold:
        kernel.RECYCLE_AFTER = 1  # every report on a fresh kernel, as before warm kernels
        first = _timed_run(args.data, out, "cold", codes, workers=1)
        again = _timed_run(args.data, out, "cold", codes, workers=1)
        label = "one process, a fresh kernel per report"
    else:
        first = _timed_run(args.data, out, "local", codes, workers=args.workers)
        again = _timed_run(args.data, out, "local", codes, workers=args.workers)
        label = f"local pool, {args.workers or len(os.sched_getaffinity(0))} workers"
    _report(label, first, again, total, codes)


if __name__ == "__main__":
    main()
