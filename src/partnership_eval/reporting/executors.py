"""Where report jobs run: this process, a local process pool, or a dask.distributed cluster.

All three run :func:`~partnership_eval.reporting.jobs.run_job`, which returns a status and
never raises for a report's own failure, and hand each outcome to ``on_outcome`` as it
arrives. Infrastructure failures — a kernel that would not start, a worker process that
died or was lost — are retried with jittered exponential backoff up to
:data:`MAX_ATTEMPTS` times; a notebook's own error never is.

- ``workers=1``: in this process, on one warm kernel kept for later runs of the process.
- ``workers=N``: a pool of up to N processes (spawned, so no state is inherited), each
  with its own warm kernel, and at least :data:`JOBS_PER_WORKER` jobs each (starting a
  worker costs about as much as a report: fewer jobs run in this process). The processes
  ignore Ctrl-C (the run stops them) and kill their kernel when terminated.
- ``scheduler=ADDRESS``: the jobs go to an existing dask.distributed scheduler; each worker
  thread keeps a warm kernel, and the kernels are stopped when the run ends. Workers must
  see the same files (notebooks, data, the output folder) at the same paths.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from partnership_eval.errors import InputError
from partnership_eval.reporting.jobs import (
    FAILED,
    INFRASTRUCTURE,
    Job,
    JobOutcome,
    kill_kernels,
    release_kernels,
    run_job,
)
from partnership_eval.reporting.kernel import backoff

MAX_ATTEMPTS = 3
JOBS_PER_WORKER = 2
OnOutcome = Callable[[JobOutcome], None]


def default_workers() -> int:
    """Processes for a local batch: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Attempts:
    """Counts infrastructure failures per job and decides: retry, or give up as failed."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def retry(self, job: Job, reason: str, on_outcome: OnOutcome) -> bool:
        """True (after a jittered pause) when ``job`` should be tried again; else report it
        as failed with ``reason``."""
        attempt = self.counts[job.number] = self.counts.get(job.number, 0) + 1
        if attempt < MAX_ATTEMPTS:
            time.sleep(backoff(attempt))
            return True
        on_outcome(
            JobOutcome(
                job.number, FAILED, f"{reason} (after {attempt} attempts)", 0.0, 0.0, {}, None, ""
            )
        )
        return False


def run_jobs(
    jobs: Sequence[Job],
    on_outcome: OnOutcome,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Run ``jobs`` (see the module docstring), calling ``on_outcome`` once per job."""
    if not jobs:  # every report kept from an earlier run: no cluster to connect to
        return
    local = min(workers or default_workers(), len(jobs) // JOBS_PER_WORKER)
    if scheduler:
        _run_on_dask(jobs, on_outcome, scheduler)
    elif local <= 1:
        _run_here(jobs, on_outcome)
    else:
        _run_in_pool(jobs, on_outcome, local)


def _settle(job: Job, outcome: JobOutcome, attempts: _Attempts, on_outcome: OnOutcome) -> bool:
    """Hand a finished outcome on; True when the job must be submitted again."""
    if outcome.status == INFRASTRUCTURE:
        return attempts.retry(job, outcome.error or "kernel failure", on_outcome)
    on_outcome(outcome)
    return False


def _run_here(jobs: Sequence[Job], on_outcome: OnOutcome) -> None:
    attempts = _Attempts()
    for job in jobs:
        while _settle(job, run_job(job), attempts, on_outcome):
            pass


def _worker_init() -> None:
    """In each pool process: leave Ctrl-C to the run, and die with the kernel on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum: int, frame: object) -> None:
        kill_kernels()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    # terminate, not wait: a report may run for minutes and the run is over
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _run_in_pool(jobs: Sequence[Job], on_outcome: OnOutcome, workers: int) -> None:
    attempts = _Attempts()
    pool = _new_pool(workers)
    pending: dict[Future, Job] = {pool.submit(run_job, job): job for job in jobs}
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[Job] = []
            for future in done:
                job = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    lost.append(job)
                    continue
                if _settle(job, outcome, attempts, on_outcome):
                    pending[pool.submit(run_job, job)] = job
            if lost:  # a worker died: the pool is unusable, every unfinished job moves on
                _stop_pool(pool)
                again = list(pending.values()) + [
                    job for job in lost if attempts.retry(job, "worker process lost", on_outcome)
                ]
                pool = _new_pool(workers)
                pending = {pool.submit(run_job, job): job for job in again}
    finally:
        _stop_pool(pool)


def _connect(scheduler: str):
    from distributed import Client

    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"--scheduler {scheduler!r}: cannot reach a dask scheduler ({exc})",
            fix="start one (dask scheduler, dask-jobqueue, the Dask Kubernetes operator) "
            "and give its address, e.g. tcp://host:8786",
        ) from None


def _run_on_dask(jobs: Sequence[Job], on_outcome: OnOutcome, scheduler: str) -> None:
    from distributed import as_completed

    client = _connect(scheduler)
    attempts = _Attempts()
    tries: dict[int, int] = {}

    def submit(job: Job):
        tries[job.number] = tries.get(job.number, 0) + 1
        key = f"report-{job.number}-{os.getpid()}-{tries[job.number]}-{time.time_ns()}"
        return client.submit(run_job, job, key=key, pure=False)

    by_key = {}
    for job in jobs:
        future = submit(job)
        by_key[future.key] = (job, future)
    queue = as_completed([future for _, future in by_key.values()])
    try:
        for future in queue:
            job, _ = by_key.pop(future.key)
            try:
                outcome = future.result()
            except Exception as exc:  # the worker died or was lost (KilledWorker, CommClosed…)
                retry = attempts.retry(job, f"dask worker lost: {type(exc).__name__}", on_outcome)
            else:
                retry = _settle(job, outcome, attempts, on_outcome)
            if retry:
                again = submit(job)
                by_key[again.key] = (job, again)
                queue.add(again)
    except BaseException:
        client.cancel([future for _, future in by_key.values()])
        _quietly(client.run, kill_kernels)
        raise
    finally:
        _quietly(client.run, release_kernels)
        client.close()


def _quietly(call: Callable, *args: object) -> None:
    try:
        call(*args)
    except Exception as exc:  # the cluster may be going away: the run has ended anyway
        print(f"partnership-eval: dask cleanup: {type(exc).__name__}: {exc}", file=sys.stderr)
