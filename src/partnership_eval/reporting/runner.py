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

All requested parameters of every report are checked before anything runs. A reused
run folder is cleared of the files the runner writes (for the notebooks of this run,
plus index and manifest), so it holds exactly what its index lists. Then each report
runs in turn; a failing report is recorded (partial notebook, HTML showing the error,
``failed`` in index and manifest) and the run goes on. Only notebooks that declare
``data_dir`` are given the data, and only their pages carry the synthetic-data banner
on the strength of it.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from partnership_eval.data.geography import ENGLAND, area_name, resolve_las
from partnership_eval.data.store import data_hashes, sha256_file, table_metadata
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.data_location import DATA_ENV
from partnership_eval.reporting.execute import check_kernel, execute_notebook
from partnership_eval.reporting.index import render_index
from partnership_eval.reporting.manifest import build_manifest, write_manifest
from partnership_eval.reporting.parameters import (
    ParameterError,
    notebook_parameters,
    validate_parameters,
)
from partnership_eval.reporting.records import DATA_PARAMETER, ReportRecord
from partnership_eval.reporting.render import render_html
from partnership_eval.reporting.results import RESULTS_ENV, read_results

NOTEBOOKS_DIR = Path("notebooks")
DEFAULT_OUT = Path("reports")
SCHOOL_PARAMETER = "urn"
"""A notebook declaring this parameter (and no area) reports on one school, named by it."""
RUN_FILES = ("*.ipynb", "*.html", "*.results.json")
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


@dataclass(frozen=True)
class ReportRequest:
    """One entry of a report set: a notebook, the areas to run it for, its parameters."""

    notebook: str | Path
    areas: tuple[str, ...] = ()
    parameters: Mapping[str, object] = field(default_factory=dict)


def read_report_set(path: str | Path) -> list[ReportRequest]:
    """Report requests from a TOML report set (``[[report]]`` tables).

    Each ``[[report]]`` has ``notebook`` (name or path), optional ``areas`` (LA names,
    codes or regions) and optional ``parameters`` (a table of notebook parameters).
    """
    path = Path(path)
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PartnershipEvalError(f"{path}: report set not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PartnershipEvalError(f"{path}: not valid TOML ({exc})") from None
    entries = spec.get("report")
    if not isinstance(entries, list) or not entries:
        raise PartnershipEvalError(
            f'{path}: no [[report]] entries; each needs notebook = "NAME" '
            "and may have areas = [...] and [report.parameters]"
        )
    requests = []
    for number, entry in enumerate(entries, start=1):
        unknown = sorted(set(entry) - {"notebook", "areas", "parameters"})
        if "notebook" not in entry or unknown:
            problem = f"unknown key(s) {unknown}" if unknown else "no notebook"
            raise PartnershipEvalError(
                f"{path}: report {number}: {problem}; allowed keys are notebook, areas, parameters"
            )
        areas = entry.get("areas", [])
        if isinstance(areas, str | int):
            areas = [areas]
        requests.append(
            ReportRequest(
                entry["notebook"], tuple(str(a) for a in areas), dict(entry.get("parameters", {}))
            )
        )
    return requests


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
    naming the area otherwise, before anything runs."""
    if str(area).strip().lower() != ENGLAND.lower():
        resolve_las([str(area)])
    return area_name(str(area))


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
                    notebook_sha256=sha256_file(path),
                )
            )
    return records


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


def _clear_run_files(run_dir: Path, sources: Mapping[str, Path]) -> None:
    """Remove what an earlier run wrote into the folders this run writes (never a
    source notebook), and its index and manifest, so the run folder matches the new index."""
    keep = {path.resolve() for path in sources.values()}
    for name in ("index.html", "manifest.json"):
        (run_dir / name).unlink(missing_ok=True)
    for notebook in sources:
        for pattern in RUN_FILES:
            for stale in (run_dir / notebook).glob(pattern):
                if stale.is_file() and stale.resolve() not in keep:
                    stale.unlink()


def _run_one(
    record: ReportRecord,
    source: Path,
    run_dir: Path,
    *,
    data_dir: Path | None,
    synthetic: bool,
    with_code: bool,
    cell_timeout: int | None,
) -> None:
    folder = Path(record.notebook)
    outputs = {
        "html": folder / f"{record.slug}.html",
        "ipynb": folder / f"{record.slug}.ipynb",
        "results": folder / f"{record.slug}.results.json",
    }
    if with_code:
        outputs["code_html"] = folder / f"{record.slug}.code.html"
    results_path = (run_dir / outputs["results"]).resolve()  # the kernel runs elsewhere
    results_path.unlink(missing_ok=True)
    env = {RESULTS_ENV: str(results_path)}
    if data_dir is not None and record.uses_data:
        env[DATA_ENV] = str(data_dir)
    execution = execute_notebook(
        source, run_dir / outputs["ipynb"], record.parameters, env=env, cell_timeout=cell_timeout
    )
    record.error, record.seconds = execution.error, execution.seconds
    record.results = read_results(results_path)
    if record.results is None:
        del outputs["results"]
    shown_synthetic = (synthetic and record.uses_data) or bool(
        (record.results or {}).get("synthetic")
    )
    for kind, code in (("html", False), ("code_html", True)):
        if kind in outputs:
            page = render_html(
                execution.notebook,
                title=record.title,
                parameters=record.shown_parameters,
                synthetic=shown_synthetic,
                error=record.error,
                with_code=code,
            )
            (run_dir / outputs[kind]).write_text(page, encoding="utf-8")
    record.outputs = outputs


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_reports(
    notebooks: Sequence[str | Path] = (),
    areas: Sequence[str] = (),
    *,
    data_dir: str | Path | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    run: str | None = None,
    parameters: Mapping[str, object] | None = None,
    text_parameters: bool = False,
    with_code: bool = False,
    notebooks_dir: str | Path | None = None,
    cell_timeout: int | None = None,
    progress: Callable[[str], None] | None = None,
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
    data_dir
        Canonical tables, passed to notebooks that declare ``data_dir`` (others get
        nothing from it: no data, no banner, no data hashes).
    out_dir, run
        Reports go to ``out_dir/run`` (run defaults to the current date and time).
    parameters
        Further parameter values, applied to every notebook.
    text_parameters
        ``parameters`` are command-line text, converted to each declared type.
    with_code
        Also render the student edition (code shown).
    notebooks_dir
        Where notebooks are looked up by name (default :func:`find_notebooks_dir`).
    cell_timeout
        Seconds one cell may run before its report fails (no limit when None).
    progress
        Called with one line per report started and finished.

    Returns
    -------
    RunResult
        Run directory and a record per report; ``.failed`` counts failed reports.

    Raises
    ------
    PartnershipEvalError
        Before anything runs: unknown notebook, area or parameter, wrongly typed
        parameter, missing data or unregistered kernel.
    """
    notebooks_dir = Path(notebooks_dir or find_notebooks_dir())
    paths = [find_notebook(n, notebooks_dir) for n in notebooks] or available_notebooks(
        notebooks_dir
    )
    if not paths:
        raise PartnershipEvalError(
            f"no notebooks found in {notebooks_dir}; give --notebooks-dir or run from the project"
        )
    requests = [ReportRequest(path, tuple(areas), dict(parameters or {})) for path in paths]
    return run_batch(
        requests,
        data_dir=data_dir,
        out_dir=out_dir,
        run=run,
        text_parameters=text_parameters,
        with_code=with_code,
        notebooks_dir=notebooks_dir,
        cell_timeout=cell_timeout,
        progress=progress,
    )


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
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Execute and render a set of reports (each its own notebook, areas and parameters).

    Arguments after ``requests`` are as for :func:`run_reports`. Every report of every
    request is planned and checked before anything runs; two requests producing the
    same notebook × area report is an error.
    """
    say = progress or (lambda message: None)
    data = Path(data_dir).resolve() if data_dir is not None else None
    records: list[ReportRecord] = []
    sources: dict[str, Path] = {}
    for request in requests:
        path = find_notebook(request.notebook, notebooks_dir)
        sources[path.stem] = path
        records += _plan(
            [path], list(request.areas), dict(request.parameters), data, text_parameters
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
    run = run or datetime.now().strftime("%Y-%m-%d_%H%M%S")
    run_dir = Path(out_dir) / run
    folders = {r.notebook for r in records}
    for folder in folders:
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    _clear_run_files(run_dir, {name: sources[name] for name in folders})
    commits = {folder: _git_commit(folder) for folder in {p.parent for p in sources.values()}}
    for record in records:
        record.git_commit = commits[sources[record.notebook].parent]
    uses_data = data if any(r.uses_data for r in records) else None
    synthetic = is_synthetic(uses_data)
    hashes = data_hashes(uses_data) if uses_data is not None else {}
    started = _now()
    start = time.perf_counter()
    for i, record in enumerate(records, start=1):
        tag = f"[{i}/{len(records)}] {record.title}"
        say(f"{tag}: running")
        _run_one(
            record,
            sources[record.notebook],
            run_dir,
            data_dir=data,
            synthetic=synthetic,
            with_code=with_code,
            cell_timeout=cell_timeout,
        )
        outcome = f"FAILED: {record.error}" if record.failed else "ok"
        say(f"{tag}: {outcome} ({record.seconds:.1f} s)")
        done = records[:i]
        (run_dir / "index.html").write_text(render_index(run, done), encoding="utf-8")
        manifest = build_manifest(
            run=run,
            records=done,
            data_dir=uses_data,
            data_hashes=hashes,
            started=started,
            finished=_now(),
        )
        write_manifest(run_dir / "manifest.json", manifest)
    result = RunResult(run_dir=run_dir, records=records)
    say(f"{len(records)} report(s) in {time.perf_counter() - start:.1f} s, {result.failed} failed")
    return result
