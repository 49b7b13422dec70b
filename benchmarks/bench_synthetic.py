"""Benchmark: full-scale synthetic England must build and write in < 60 s and < 2 GiB.

Each repetition runs ``write_demo_data(scale="full")`` in a fresh subprocess and reports
its wall time; peak memory is the largest resident set of any child process
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``). Usage::

    python benchmarks/bench_synthetic.py [--repeat N] [--scale full|small] [--seed S]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time

LIMIT_SECONDS = 60.0
LIMIT_BYTES = 2 * 1024**3

CHILD = """
import sys
from partnership_eval.data.synthetic import write_demo_data
write_demo_data(sys.argv[1], scale=sys.argv[2], seed=int(sys.argv[3]))
"""


def run_once(scale: str, seed: int) -> float:
    """Wall seconds of one generation in a subprocess."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, out, scale, str(seed)], check=True)
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", default="full", choices=("small", "full"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    walls = [run_once(args.scale, args.seed) for _ in range(args.repeat)]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    for i, wall in enumerate(walls, 1):
        print(f"run {i}: {wall:.2f} s")
    worst = max(walls)
    ok = worst < LIMIT_SECONDS and peak < LIMIT_BYTES
    print(
        f"synthetic England ({args.scale}, seed {args.seed}): worst wall {worst:.2f} s "
        f"(limit {LIMIT_SECONDS:.0f} s), peak RSS {peak / 1024**2:.0f} MiB "
        f"(limit {LIMIT_BYTES / 1024**3:.0f} GiB): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
