"""One report as a job a worker runs: execute, render, return a status — never raise.

A :class:`Job` carries everything a worker needs (plain, picklable values), so the same
job runs in this process, in a local process pool or on a dask.distributed worker. Each
worker thread keeps one warm kernel (:mod:`.kernel`) across its jobs. :func:`run_job`
returns a :class:`JobOutcome` whose ``status`` is ``ok``, ``failed`` (the notebook's own
error: recorded, never retried) or ``infrastructure`` (the kernel would not start or
stopped answering: the caller may retry on a fresh kernel).
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from partnership_eval.reporting.execute import execute_notebook
from partnership_eval.reporting.kernel import KernelStartError, WarmKernel, start_with_retries
from partnership_eval.reporting.render import render_html
from partnership_eval.reporting.results import RESULTS_ENV, read_results

OK, FAILED, INFRASTRUCTURE = "ok", "failed", "infrastructure"


@dataclass(frozen=True)
class Job:
    """One notebook × area report to run into ``run_dir``."""

    number: int
    title: str
    source: Path
    run_dir: Path
    outputs: dict[str, Path]
    parameters: dict[str, object]
    shown_parameters: dict[str, object]
    env: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    cell_timeout: int | None = None


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: status, error, timings (wall time in all and in the notebook's
    cells, and the worker's own CPU time: the overhead a report costs beside its cells)."""

    number: int
    status: str
    error: str | None
    seconds: float
    compute_seconds: float
    outputs: dict[str, Path]
    results: dict | None
    worker: str
    overhead_cpu_seconds: float = 0.0


_kernels = threading.local()
_all_kernels: list[WarmKernel] = []


def _kernel() -> WarmKernel:
    """This thread's warm kernel, started (or replaced) when needed."""
    kernel = getattr(_kernels, "kernel", None)
    if kernel is not None and not kernel.usable:
        _retire(kernel)
        kernel = None
    if kernel is None:
        kernel = start_with_retries()
        _kernels.kernel = kernel
        _all_kernels.append(kernel)
    return kernel


def _retire(kernel: WarmKernel) -> None:
    _kernels.kernel = None
    if kernel in _all_kernels:
        _all_kernels.remove(kernel)
    kernel.shutdown()


def release_kernels() -> None:
    """Stop every warm kernel this process started (at the end of a run; at exit)."""
    for kernel in list(_all_kernels):
        kernel.shutdown()
    _all_kernels.clear()
    _kernels.kernel = None


def kill_kernels() -> None:
    """Kill every kernel this process started, at once (when the process is stopped)."""
    for kernel in _all_kernels:
        kernel.kill()


atexit.register(release_kernels)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(job: Job) -> JobOutcome:
    """Execute and render one report (see the module docstring); never raises for a
    report's failure."""
    start, cpu = time.perf_counter(), time.process_time()
    results_path = (job.run_dir / job.outputs["results"]).resolve()
    results_path.unlink(missing_ok=True)
    try:
        kernel = _kernel()
        execution = execute_notebook(
            job.source,
            job.run_dir / job.outputs["ipynb"],
            job.parameters,
            kernel=kernel,
            env={**job.env, RESULTS_ENV: str(results_path)},
            cell_timeout=job.cell_timeout,
        )
    except KernelStartError as exc:
        kernel = getattr(_kernels, "kernel", None)
        if kernel is not None:
            _retire(kernel)
        return JobOutcome(
            job.number, INFRASTRUCTURE, str(exc), time.perf_counter() - start, 0.0, {}, None,
            _worker(),
        )  # fmt: skip
    try:
        outputs, results = _render(job, execution, results_path)
    except Exception as exc:  # isolate this report: the run goes on
        error = execution.error or f"rendering failed: {type(exc).__name__}: {exc}"
        return JobOutcome(
            job.number, FAILED, error, time.perf_counter() - start, execution.seconds,
            {"ipynb": job.outputs["ipynb"]}, None, _worker(),
        )  # fmt: skip
    return JobOutcome(
        job.number,
        FAILED if execution.error else OK,
        execution.error,
        time.perf_counter() - start,
        execution.seconds,
        outputs,
        results,
        _worker(),
        time.process_time() - cpu,
    )


def _render(job: Job, execution, results_path: Path) -> tuple[dict[str, Path], dict | None]:
    outputs = dict(job.outputs)
    results = read_results(results_path)
    if results is None:
        del outputs["results"]
    synthetic = job.synthetic or bool((results or {}).get("synthetic"))
    for kind, with_code in (("html", False), ("code_html", True)):
        if kind in outputs:
            page = render_html(
                execution.notebook,
                title=job.title,
                parameters=job.shown_parameters,
                synthetic=synthetic,
                error=execution.error,
                with_code=with_code,
            )
            (job.run_dir / outputs[kind]).write_text(page, encoding="utf-8")
    return outputs, results
