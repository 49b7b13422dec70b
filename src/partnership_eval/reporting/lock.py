"""One run at a time per run folder: an advisory lock file held for the whole run.

The lock is ``<run>/.lock``, held with ``flock`` so that it is released by the operating
system when the process ends, however it ends (a killed run never leaves a folder locked).
The file names the process holding it, so a refused second run can say who has it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from partnership_eval.errors import PartnershipEvalError

LOCK_NAME = ".lock"


class RunLockedError(PartnershipEvalError):
    """Another run is writing into the same run folder."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"process {info['pid']} on {info['host']} since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "another process"


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold ``run_dir/.lock`` while the body runs; :class:`RunLockedError` when another
    run holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"{run_dir}: run folder in use by {_holder(path)}; wait for that run to "
                "finish, or give another --run NAME"
            ) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)
