"""Per-dataset computations done once and shared: cached beside the data, keyed by content.

A batch runs the same expensive step (the school × year panel of all England, say) in
every report. :func:`cached` keys a computation by its name, its arguments and a digest of
the *content* of the tables it reads (not their paths: tables filtered or edited in
memory get their own entry), and keeps the result

- in this process (a warm kernel running many reports builds it once), and
- in ``<data_dir>/.cache/<name>-<digest>.pkl`` beside the canonical tables, so every
  worker of a batch, and the next batch on the same data, reads it instead of building
  it. A lock file makes concurrent workers build it once: the others wait and read.

Every caller gets its own copy of a cached DataFrame, so a report that modifies what it
got cannot change what the next report sees. A data folder that cannot be written is
no error: the result is then kept in memory only. The cache files are pickles written by
this package into the data folder, keyed also by the source of the computation (a new
version of the package never reads an old entry); delete ``.cache`` at any time.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import pandas as pd

from partnership_eval.data.store import DataTables

CACHE_DIR = ".cache"
TABLES = ("schools", "outcomes", "memberships", "partnerships", "inspections")
T = TypeVar("T")

MEMORY_ITEMS = 4
"""Results kept in memory per process (the most recently used)."""

_memory: OrderedDict[str, object] = OrderedDict()


def content_digest(data: DataTables) -> str:
    """SHA-256 of the contents of the canonical tables in ``data`` (values and index)."""
    digest = hashlib.sha256()
    for name in TABLES:
        table = getattr(data, name)
        digest.update(name.encode())
        digest.update(",".join(map(str, table.columns)).encode())
        digest.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _code_digest(build: Callable[[], object]) -> str:
    """Digest of the source file of ``build``: a changed computation never reads an old entry."""
    path = Path(build.__code__.co_filename)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def _key_digest(
    name: str, data: DataTables, key: Mapping[str, object], build: Callable[[], object]
) -> str:
    text = json.dumps({"name": name, "key": key}, sort_keys=True, default=repr)
    code = _code_digest(build)
    return hashlib.sha256(f"{text}|{code}|{content_digest(data)}".encode()).hexdigest()[:32]


def _copy(value: T) -> T:
    return value.copy(deep=True) if isinstance(value, pd.DataFrame) else copy.deepcopy(value)


def cached(name: str, data: DataTables, key: Mapping[str, object], build: Callable[[], T]) -> T:
    """``build()``, or the result of an earlier call with the same ``name``, ``key`` and
    table contents (see the module docstring); a copy either way."""
    digest = f"{name}-{_key_digest(name, data, key, build)}"
    if digest not in _memory:
        _memory[digest] = _from_disk_or_build(digest, data, build)
        while len(_memory) > MEMORY_ITEMS:
            _memory.popitem(last=False)
    _memory.move_to_end(digest)
    return _copy(_memory[digest])  # type: ignore[return-value]


def _from_disk_or_build(digest: str, data: DataTables, build: Callable[[], T]) -> T:
    folder = Path(data.source) / CACHE_DIR if data.source else None
    try:
        if folder is None or not Path(data.source).is_dir():
            raise PermissionError
        folder.mkdir(exist_ok=True)
        lock = os.open(folder / f"{digest}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return build()  # nowhere to share it: this process keeps it in memory
    path = folder / f"{digest}.pkl"
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait here, then read
        if path.exists():
            try:
                return pickle.loads(path.read_bytes())
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                path.unlink(missing_ok=True)  # damaged or from another version: rebuild
        value = build()
        partial = path.with_suffix(".partial")
        try:
            partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(partial, path)
        except OSError:  # a full disk: the result is still good, only not shared
            partial.unlink(missing_ok=True)
        return value
    finally:
        os.close(lock)
