"""Run many notebook × area reports into one run directory.

Layout of a run (``<out>/<run>/``)::

    index.html                      every report, its status and headline numbers
    manifest.json                   parameters, data hashes, versions, timings, status
    <notebook>/<area>.ipynb         executed notebook (partial when a cell failed)
    <notebook>/<area>.html          policy edition (code hidden)
    <notebook>/<area>.code.html     student edition (code shown; with ``with_code``)
    <notebook>/<area>.results.json  headline numbers written by the notebook

A notebook whose unit is a school (it declares ``urn`` and no ``area``) names its
files ``urn-<URN>.*`` instead (see :func:`report_slug`).

All requested parameters of every report (areas and partnership kinds included) are
checked, and the data tables opened, before any kernel starts. The run folder is locked
for the run (:mod:`.lock`); reports an earlier run into it left with unchanged inputs are
kept (:mod:`.incremental`), the other files the runner writes there are cleared, so it
holds exactly what its index lists. Then the reports run — in this process, a local pool
or on a dask cluster (:mod:`.executors`) — and index and manifest are rewritten as each
one finishes. A failing report is recorded (partial notebook, HTML showing the error,
``failed`` in index and manifest) and the run goes on; a run stopped by Ctrl-C or SIGTERM
marks the reports it did not finish ``interrupted``. Only notebooks that declare
``data_dir`` are given the data, and only their pages carry the synthetic-data banner
on the strength of it.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from partnership_eval.data.geography import ENGLAND, area_name, la_table, resolve_las
from partnership_eval.data.schema import PARTNERSHIP_KINDS
from partnership_eval.data.store import data_hashes, sha256_file, table_metadata
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.data_check import check_data_dir
from partnership_eval.reporting.data_location import DATA_ENV
from partnership_eval.reporting.execute import check_kernel
from partnership_eval.reporting.executors import run_jobs
from partnership_eval.reporting.incremental import earlier_reports, input_key, reuse
from partnership_eval.reporting.index import render_index
from partnership_eval.reporting.jobs import Job, JobOutcome
from partnership_eval.reporting.lock import run_lock
from partnership_eval.reporting.manifest import build_manifest, write_atomic, write_manifest
from partnership_eval.reporting.parameters import (
    ParameterError,
    assign_parameters,
    notebook_parameters,
    validate_parameters,
)
from partnership_eval.reporting.progress import Progress
from partnership_eval.reporting.records import DATA_PARAMETER, ReportRecord
from partnership_eval.reporting.reportset import ReportRequest
from partnership_eval.reporting.units import batch_units

NOTEBOOKS_DIR = Path("notebooks")
DEFAULT_OUT = Path("reports")
SCHOOL_PARAMETER = "urn"
"""A notebook declaring this parameter (and no area) reports on one school, named by it."""
RUN_FILES = ("*.ipynb", "*.html", "*.results.json")
AREA_PARAMETERS = ("area", "more_las")
KIND_PARAMETERS = ("kind", "kinds")
"""Files the runner writes into ``<run>/<notebook>/`` (cleared when a run folder is reused)."""


@dataclass
class RunResult:
    """Where a run was written and how each report ended."""

    run_dir: Path
    records: list[ReportRecord]

    @property
    def failed(self) -> int:
        """Number of reports that stopped at an error."""
        return sum(r.failed for r in self.records)

    @property
    def index(self) -> Path:
        """The run's ``index.html``."""
        return self.run_dir / "index.html"

    @property
    def manifest(self) -> Path:
        """The run's ``manifest.json``."""
        return self.run_dir / "manifest.json"


def slugify(text: str) -> str:
    """File-name form of an area: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def report_slug(area: str | None, parameters: Mapping[str, object]) -> str:
    """File name of a report: its area's slug; for a notebook whose unit is a school
    (a ``urn`` parameter, no area), ``urn-<URN>``; else ``report``."""
    if area:
        return slugify(area)
    urn = parameters.get(SCHOOL_PARAMETER)
    return f"urn-{urn}" if urn else "report"


def find_notebooks_dir(start: str | Path | None = None) -> Path:
    """The nearest ``notebooks/`` folder holding notebooks, in ``start`` (default the
    working directory) or one of its parents; ``notebooks`` itself when there is none."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / NOTEBOOKS_DIR
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return NOTEBOOKS_DIR


def available_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """Report notebooks in ``notebooks_dir`` (default :func:`find_notebooks_dir`), in name order."""
    return sorted(Path(notebooks_dir or find_notebooks_dir()).glob("*.ipynb"))


def find_notebook(name: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """A notebook by name (``00_overview``) or path; error listing the available ones.

    Names are looked up in ``notebooks_dir`` (default :func:`find_notebooks_dir`).
    """
    path = Path(name)
    if path.suffix == ".ipynb" and path.exists():
        return path
    notebooks_dir = Path(notebooks_dir or find_notebooks_dir())
    candidate = notebooks_dir / f"{path.stem}.ipynb"
    if candidate.exists():
        return candidate
    names = ", ".join(p.stem for p in available_notebooks(notebooks_dir))
    raise PartnershipEvalError(
        f"no notebook {str(name)!r} in {notebooks_dir}; "
        + (f"available: {names}" if names else "give the folder with --notebooks-dir DIR")
    )


def is_synthetic(data_dir: Path | None) -> bool:
    """Whether the tables in ``data_dir`` are marked as synthetic."""
    if data_dir is None or not (data_dir / "schools.parquet").exists():
        return False
    return bool(table_metadata(data_dir / "schools.parquet").get("synthetic"))


def _literal(source: str) -> object:
    """A parameter's default as a value (its source text when not a literal)."""
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source


def _check_area(area: object) -> str:
    """The name of a known area (``England``, an LA name or code, a region); an error
    naming the area, with the nearest known names, otherwise (before anything runs)."""
    if str(area).strip().lower() != ENGLAND.lower():
        try:
            resolve_las([str(area)])
        except PartnershipEvalError as exc:
            las = la_table()
            known = [*las["la_name"], *las["region"].unique()]
            close = difflib.get_close_matches(str(area).strip().title(), known, n=3, cutoff=0.7)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise PartnershipEvalError(f"{exc}{hint}") from None
    return area_name(str(area))


def _check_values(notebook: str, checked: Mapping[str, object]) -> None:
    """Areas and partnership kinds among ``checked`` parameters are known ones."""
    for name in AREA_PARAMETERS:
        values = checked.get(name)
        for value in [values] if isinstance(values, str | int) else values or []:
            _check_area(value)
    for name in KIND_PARAMETERS:
        values = checked.get(name)
        for value in [values] if isinstance(values, str) else values or []:
            if value not in PARTNERSHIP_KINDS:
                close = difflib.get_close_matches(str(value), PARTNERSHIP_KINDS, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ParameterError(
                    f"notebook {notebook!r}: parameter {name!r}: unknown partnership kind "
                    f"{value!r}; {hint}choose from {', '.join(PARTNERSHIP_KINDS)}"
                )


def _plan(
    notebooks: Sequence[Path],
    areas: Sequence[str],
    parameters: Mapping[str, object],
    data_dir: Path | None,
    text_parameters: bool,
) -> list[ReportRecord]:
    """One record per report, with every parameter and area checked."""
    if areas and "area" in parameters:
        raise ParameterError("give areas with --la (areas=...), not as the parameter 'area'")
    names = [_check_area(area) for area in areas]  # an unknown area fails here
    records = []
    for path in notebooks:
        declared = notebook_parameters(path)
        defaults = {name: _literal(p.default) for name, p in declared.items()}
        uses_data = DATA_PARAMETER in declared
        requested = dict(parameters)
        if data_dir is not None and uses_data:
            if not (data_dir / "schools.parquet").exists():
                raise PartnershipEvalError(
                    f"{data_dir}: no canonical tables; build them with `make data` or "
                    "`partnership-eval demo-data --out DIR`"
                )
            # Relative to the notebook (the kernel's working directory), so reports
            # rendered from different clones of the project are byte-identical.
            requested[DATA_PARAMETER] = os.path.relpath(data_dir, path.parent.resolve())
        checked = validate_parameters(path, requested, from_text=text_parameters)
        _check_values(path.stem, checked)
        if "area" in checked:
            checked["area"] = _check_area(checked["area"])
        if areas and "area" not in declared:
            raise ParameterError(
                f"notebook {path.stem!r} has no parameter 'area', so --la cannot apply; "
                f"valid parameters: {', '.join(declared) or 'none'}"
            )
        runs: list[tuple[str | None, dict[str, object]]]
        if names:
            runs = [(name, {**checked, "area": name}) for name in names]
        elif "area" in declared:
            runs = [(area_name(str(checked.get("area", defaults["area"]))), checked)]
        else:
            runs = [(None, checked)]
        for area, params in runs:
            validate_parameters(path, params)
            records.append(
                ReportRecord(
                    path.stem,
                    area,
                    report_slug(area, params),
                    params,
                    defaults=defaults,
                    uses_data=uses_data,
                    notebook_sha256=_notebook_sha256(path),
                )
            )
    return records


def _notebook_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_of(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _sha256_of(path: Path, mtime_ns: int, size: int) -> str:
    return sha256_file(path)


def _git_commit(folder: Path) -> str | None:
    """The commit checked out in the git work tree holding ``folder`` (None outside git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def _clear_run_files(run_dir: Path, sources: Mapping[str, Path], keep: set[Path]) -> None:
    """Remove what an earlier run wrote into the folders this run writes (never a
    source notebook, never the files of a report kept from that run), and its index, so
    the run folder matches the new index."""
    keep = keep | {path.resolve() for path in sources.values()}
    (run_dir / "index.html").unlink(missing_ok=True)
    for notebook in sources:
        for pattern in RUN_FILES:
            for stale in (run_dir / notebook).glob(pattern):
                if stale.is_file() and stale.resolve() not in keep:
                    stale.unlink()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C or SIGTERM); its index and manifest say so."""

    def __init__(self, run_dir: Path, unfinished: int) -> None:
        super().__init__(f"{unfinished} report(s) not finished in {run_dir}")
        self.run_dir = run_dir
        self.unfinished = unfinished


def run_reports(
    notebooks: Sequence[str | Path] = (),
    areas: Sequence[str] = (),
    *,
    parameters: Mapping[str, object] | None = None,
    notebooks_dir: str | Path | None = None,
    **options: Any,
) -> RunResult:
    """Execute and render every notebook × area report into ``out_dir/run``.

    Parameters
    ----------
    notebooks
        Notebook names (``"00_overview"``) or paths; default every notebook in
        ``notebooks_dir``.
    areas
        LA names or codes, or regions: one report per notebook and area, titled with
        the area's name. Default: each notebook's own default area.
    parameters
        Further parameter values: ``NAME`` for every notebook declaring it,
        ``NOTEBOOK:NAME`` for one (see :func:`.parameters.assign_parameters`).
    notebooks_dir
        Where notebooks are looked up by name (default :func:`find_notebooks_dir`).
    **options
        As for :func:`run_batch`: ``data_dir``, ``out_dir``, ``run``,
        ``text_parameters``, ``with_code``, ``cell_timeout``, ``workers``, ``scheduler``,
        ``force``, ``progress``, ``progress_bar``.

    Returns
    -------
    RunResult
        Run directory and a record per report; ``.failed`` counts failed reports.

    Raises
    ------
    PartnershipEvalError
        Before anything runs: unknown notebook, area or parameter, wrongly typed
        parameter, missing or damaged data, unregistered kernel, run folder in use.
    RunInterrupted
        When stopped by Ctrl-C or SIGTERM, after marking the run interrupted.
    """
    notebooks_dir = Path(notebooks_dir or find_notebooks_dir())
    paths = [find_notebook(n, notebooks_dir) for n in notebooks] or available_notebooks(
        notebooks_dir
    )
    if not paths:
        raise PartnershipEvalError(
            f"no notebooks found in {notebooks_dir}; give --notebooks-dir or run from the project"
        )
    assigned = assign_parameters(paths, dict(parameters or {}))
    requests = [ReportRequest(path, tuple(areas), assigned[path]) for path in paths]
    return run_batch(requests, notebooks_dir=notebooks_dir, **options)


def batch_requests(
    notebooks: Sequence[str | Path],
    by: str,
    *,
    where: str | None = None,
    parameters: Mapping[str, object] | None = None,
    notebooks_dir: str | Path | None = None,
) -> list[ReportRequest]:
    """Requests for ``notebooks`` (default all) run for every LA, region or school
    (``by``) in the data, narrowed by ``where``; ``parameters`` as for :func:`run_reports`."""
    folder = Path(notebooks_dir or find_notebooks_dir())
    paths = [find_notebook(n, folder) for n in notebooks] or available_notebooks(folder)
    assigned = assign_parameters(paths, dict(parameters or {}))
    return [ReportRequest(path, (), assigned[path], by=by, where=where) for path in paths]


def _expand(request: ReportRequest, path: Path, data: Path | None) -> list[ReportRequest]:
    """A ``by`` request as one request per unit in the data (others unchanged)."""
    if request.by is None:
        return [request]
    if data is None or not (data / "schools.parquet").exists():
        raise PartnershipEvalError(
            f"{path.stem}: by = {request.by!r} needs the data (--data DIR with canonical tables)"
        )
    units = batch_units(request.by, data, request.where)
    if request.by != "school":
        return [ReportRequest(path, tuple(units), request.parameters)]
    if SCHOOL_PARAMETER not in notebook_parameters(path):
        raise ParameterError(
            f"notebook {path.stem!r} has no parameter {SCHOOL_PARAMETER!r}, so it cannot run "
            "by school; use by la or region, or a notebook about one school"
        )
    return [ReportRequest(path, (), {**request.parameters, SCHOOL_PARAMETER: urn}) for urn in units]


def run_batch(
    requests: Sequence[ReportRequest],
    *,
    data_dir: str | Path | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    run: str | None = None,
    text_parameters: bool = False,
    with_code: bool = False,
    notebooks_dir: str | Path | None = None,
    cell_timeout: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_bar: bool = False,
) -> RunResult:
    """Execute and render a set of reports (each its own notebook, areas and parameters).

    Every report of every request is planned and checked before anything runs; two
    requests producing the same notebook × area report is an error.

    Parameters
    ----------
    requests
        What to run (see :class:`~.reportset.ReportRequest`; ``by`` requests become one
        report per LA, region or school in ``data_dir``).
    data_dir
        Canonical tables, passed to notebooks that declare ``data_dir`` (others get
        nothing from it: no data, no banner, no data hashes).
    out_dir, run
        Reports go to ``out_dir/run`` (run defaults to the current date and time). The
        run folder is locked while the run writes into it.
    text_parameters
        Request parameters are command-line text, converted to each declared type.
    with_code
        Also render the student edition (code shown).
    notebooks_dir
        Where notebooks are looked up by name (default :func:`find_notebooks_dir`).
    cell_timeout
        Seconds one cell may run before its report fails (no limit when None).
    workers, scheduler
        Run on ``workers`` local processes (default: one per CPU) or on the
        dask.distributed scheduler at ``scheduler`` (see :mod:`.executors`).
    force
        Run every report, even those an earlier run into the same folder left with
        unchanged inputs (see :mod:`.incremental`).
    progress
        Called with one line per report finished (and per failure).
    progress_bar
        Show a progress bar with ETA on stderr instead of the per-report lines.
    """
    data = Path(data_dir).resolve() if data_dir is not None else None
    records: list[ReportRecord] = []
    sources: dict[str, Path] = {}
    for request in requests:
        path = find_notebook(request.notebook, notebooks_dir)
        sources[path.stem] = path
        for single in _expand(request, path, data):
            records += _plan(
                [path], list(single.areas), dict(single.parameters), data, text_parameters
            )
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.notebook, record.slug)
        if key in seen:
            raise PartnershipEvalError(
                f"report {record.title!r} is requested twice; give each notebook and area once"
            )
        seen.add(key)
    check_kernel()
    uses_data = data if any(r.uses_data for r in records) else None
    if uses_data is not None:
        check_data_dir(uses_data)
    run = run or datetime.now().strftime("%Y-%m-%d_%H%M%S")
    run_dir = Path(out_dir) / run
    with run_lock(run_dir):
        return _run_locked(
            records,
            sources,
            run_dir,
            run=run,
            data=data,
            uses_data=uses_data,
            with_code=with_code,
            cell_timeout=cell_timeout,
            workers=workers,
            scheduler=scheduler,
            force=force,
            progress=Progress(len(records), progress, bar=progress_bar),
        )


def _job(
    number: int,
    record: ReportRecord,
    source: Path,
    run_dir: Path,
    *,
    data: Path | None,
    synthetic: bool,
    with_code: bool,
    cell_timeout: int | None,
) -> Job:
    folder = Path(record.notebook)
    outputs = {
        "html": folder / f"{record.slug}.html",
        "ipynb": folder / f"{record.slug}.ipynb",
        "results": folder / f"{record.slug}.results.json",
    }
    if with_code:
        outputs["code_html"] = folder / f"{record.slug}.code.html"
    env = {DATA_ENV: str(data)} if data is not None and record.uses_data else {}
    return Job(
        number=number,
        title=record.title,
        source=source.resolve(),
        run_dir=run_dir.resolve(),
        outputs=outputs,
        parameters=record.parameters,
        shown_parameters=record.shown_parameters,
        env=env,
        synthetic=synthetic and record.uses_data,
        cell_timeout=cell_timeout,
    )


def _run_locked(
    records: list[ReportRecord],
    sources: Mapping[str, Path],
    run_dir: Path,
    *,
    run: str,
    data: Path | None,
    uses_data: Path | None,
    with_code: bool,
    cell_timeout: int | None,
    workers: int | None,
    scheduler: str | None,
    force: bool,
    progress: Progress,
) -> RunResult:
    folders = {r.notebook for r in records}
    for folder in folders:
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    commits = {folder: _git_commit(folder) for folder in {p.parent for p in sources.values()}}
    synthetic = is_synthetic(uses_data)
    hashes = data_hashes(uses_data) if uses_data is not None else {}
    earlier = {} if force else earlier_reports(run_dir / "manifest.json")
    for record in records:
        record.git_commit = commits[sources[record.notebook].parent]
        record.inputs = input_key(record, hashes, with_code)
        if reuse(record, earlier, run_dir):
            progress.reused()
    kept = {(run_dir / p).resolve() for r in records if r.reused for p in r.outputs.values()}
    _clear_run_files(run_dir, {name: sources[name] for name in folders}, kept)
    started = _now()

    def write(state: str) -> None:
        write_atomic(run_dir / "index.html", render_index(run, records, state))
        manifest = build_manifest(
            run=run,
            records=[r for r in records if r.finished or state != "running"],
            data_dir=uses_data,
            data_hashes=hashes,
            started=started,
            finished=_now(),
            state=state,
        )
        write_manifest(run_dir / "manifest.json", manifest)

    todo = [n for n, r in enumerate(records) if not r.finished]

    def finished(outcome: JobOutcome) -> None:
        record = records[outcome.number]
        record.error = outcome.error
        record.seconds, record.compute_seconds = outcome.seconds, outcome.compute_seconds
        record.overhead_cpu_seconds = outcome.overhead_cpu_seconds
        record.outputs, record.results = outcome.outputs, outcome.results
        record.finished, record.worker = True, outcome.worker or None
        progress.done(record)
        write("running")

    jobs = [
        _job(
            n,
            records[n],
            sources[records[n].notebook],
            run_dir,
            data=data,
            synthetic=synthetic,
            with_code=with_code,
            cell_timeout=cell_timeout,
        )
        for n in todo
    ]
    write("running")
    try:
        run_jobs(jobs, finished, workers=workers, scheduler=scheduler)
    except KeyboardInterrupt:
        unfinished = [r for r in records if not r.finished]
        for record in unfinished:
            record.interrupted = True
        write("interrupted")
        progress.close()
        raise RunInterrupted(run_dir, len(unfinished)) from None
    write("complete")
    progress.close()
    result = RunResult(run_dir=run_dir, records=records)
    progress.summary(result.failed)
    return result
