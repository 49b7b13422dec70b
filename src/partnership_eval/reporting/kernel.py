"""Warm kernels: one Jupyter kernel kept running across the reports of one worker.

Starting a kernel (≈1.4 s) and importing the library (≈2 s) cost more than many reports'
own work. A :class:`WarmKernel` is started once per worker and reused: before each report
its namespace is reset (``InteractiveShell.reset(new_session=True)``, which also restarts
the execution count at 1, so executed notebooks are byte-identical to those from a fresh
kernel), open figures are closed, and the working directory and environment variables of
the report are set. Imported modules stay loaded. After a report fails, or after
:data:`RECYCLE_AFTER` reports, the kernel is replaced by a fresh one, so a failure never
leaks state into the next report.

Kernels talk over IPC sockets in a private temporary folder (unique connection file and
socket paths per kernel), not TCP ports: the port race of papermill #511 (two kernels
started at once picking the same free port) cannot happen. A kernel that fails to start
is retried with jittered exponential backoff (:func:`start_with_retries`).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

KERNEL = "partnership-eval"
ENGINE = "partnership-eval-warm"
RECYCLE_AFTER = 50
"""Reports one kernel runs before it is replaced (bounds any slow growth in memory)."""
START_TIMEOUT = 60
START_ATTEMPTS = 4
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
"""The kernel's own log (a warning about local connections, a note on shutdown) is noise
among the progress lines; errors reach the notebook anyway."""


class KernelStartError(RuntimeError):
    """A kernel could not be started or stopped answering (an infrastructure failure)."""


def backoff(attempt: int, base: float = 0.5, cap: float = 8.0) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, …): full-jitter exponential backoff."""
    return random.uniform(0, min(cap, base * 2**attempt))


_RESET = """
get_ipython().reset(new_session=True)
import os as __os, sys as __sys
if "matplotlib.pyplot" in __sys.modules:
    __sys.modules["matplotlib.pyplot"].close("all")
__os.chdir({cwd!r})
for __k, __v in {env!r}.items():
    if __v is None:
        __os.environ.pop(__k, None)
    else:
        __os.environ[__k] = __v
del __os, __sys
"""


class WarmKernel:
    """A running kernel reused across reports (see the module docstring)."""

    def __init__(self, kernel_name: str = KERNEL) -> None:
        self.kernel_name = kernel_name
        self.thread = threading.get_ident()
        self.reports = 0
        self._folder = Path(tempfile.mkdtemp(prefix="pe-kernel-"))
        self.km = AsyncKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            connection_file=str(self._folder / "kernel.json"),
        )
        self._env_keys: set[str] = set()
        try:
            run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS)
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        except Exception as exc:
            self.shutdown()
            raise KernelStartError(f"kernel {kernel_name!r} did not start: {exc}") from exc

    @property
    def usable(self) -> bool:
        """Alive, in the thread that started it, and not yet due for replacement."""
        return (
            self.thread == threading.get_ident()
            and self.reports < RECYCLE_AFTER
            and run_sync(self.km.is_alive)()
        )

    def prepare(self, cwd: Path, env: Mapping[str, str]) -> None:
        """Reset the namespace and set the report's working directory and environment
        (variables set for an earlier report and not for this one are removed)."""
        values: dict[str, str | None] = dict.fromkeys(self._env_keys - set(env))
        values.update(env)
        self._env_keys = set(env)
        code = _RESET.format(cwd=str(cwd), env=values)
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=deadline - time.monotonic())
            except Exception as exc:
                raise KernelStartError(f"kernel did not answer the reset: {exc}") from exc
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelStartError(
                f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}"
            )
        self.reports += 1

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection files (killed when called from
        another thread than the one it runs in: its event loop is not ours)."""
        if self.thread != threading.get_ident():
            self.kill()
            return
        try:
            if getattr(self, "kc", None) is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as exc:  # the kernel may already be gone
            print(f"partnership-eval: kernel shutdown: {exc}", file=sys.stderr)
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def kill(self) -> None:
        """Kill the kernel process at once (when the worker itself is being stopped)."""
        process = getattr(self.km.provisioner, "process", None)
        if process is not None:
            process.kill()
        shutil.rmtree(self._folder, ignore_errors=True)


def start_with_retries(kernel_name: str = KERNEL, attempts: int = START_ATTEMPTS) -> WarmKernel:
    """A started :class:`WarmKernel`, retrying failed starts with jittered backoff."""
    attempt = 1
    while True:
        try:
            return WarmKernel(kernel_name)
        except KernelStartError:
            if attempt >= attempts:
                raise
            time.sleep(backoff(attempt))
            attempt += 1


class WarmEngine(NBClientEngine):
    """papermill engine that runs a notebook on an already running :class:`WarmKernel`."""

    @classmethod
    def execute_managed_notebook(  # type: ignore[override]
        cls,
        nb_man,
        kernel_name,
        *,
        warm: WarmKernel,
        execution_timeout=None,
        **kwargs,
    ):
        client = PapermillNotebookClient(
            nb_man,
            km=warm.km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=START_TIMEOUT,
        )
        client.kc = warm.kc  # reuse the running client: the kernel is neither started nor stopped
        return client.execute()


papermill_engines.register(ENGINE, WarmEngine)
