"""The ``partnership-eval`` command line.

Each subcommand is a thin wrapper around a library function. Errors print as one line on
stderr with a non-zero exit (codes in :data:`EXIT_CODES`); ``--debug``, before or after
the subcommand, shows the traceback instead.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from partnership_eval import __version__
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.reportset import BY

if TYPE_CHECKING:  # the runner imports papermill and nbconvert: load it only when used
    from partnership_eval.reporting.runner import RunResult

DEFAULT_DATA = Path("data/processed")
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_OS = 3
EXIT_FAILED_REPORTS = 100
MAX_FAILED = 25
EXIT_INTERRUPTED = 130
EXIT_CODES = f"""exit codes:
  0        success
  {EXIT_INTERNAL}        unexpected internal error (rerun with --debug for the traceback)
  {EXIT_INPUT}        input or usage error: bad option, parameter, file or data
  {EXIT_OS}        operating-system error: a file or folder could not be read or written
  {EXIT_FAILED_REPORTS + 1}-{EXIT_FAILED_REPORTS + MAX_FAILED}  report/batch: {EXIT_FAILED_REPORTS} + the number of failed reports ({EXIT_FAILED_REPORTS + MAX_FAILED}: {MAX_FAILED} or more)
  {EXIT_INTERRUPTED}      interrupted (Ctrl-C or SIGTERM); a report run marks the reports it did not
           finish as interrupted in its index and manifest: rerun the same command to finish"""


class UsageError(PartnershipEvalError):
    """Options that do not go together (exit code 2, as other input errors)."""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from partnership_eval.data.synthetic import write_demo_data

    manifest = write_demo_data(args.out, scale=args.scale, seed=args.seed, progress=_progress)
    print(f"synthetic England ({args.scale}, seed {args.seed}) written to {manifest.parent}")
    return 0


def _add_demo_data(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo-data",
        parents=[common],
        help="build synthetic England (demonstration data with planted effects)",
        description="Write the canonical tables of a synthetic England plus truth.parquet.",
    )
    p.add_argument(
        "--scale",
        choices=("small", "full"),
        default="full",
        help="small: a few LAs for tests; full: ~16,700 primaries (default)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_DATA, help=f"output directory (default {DEFAULT_DATA})"
    )
    p.set_defaults(func=_cmd_demo_data)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from partnership_eval.data.ingest import ingest, write_ingest

    result = ingest(args.raw_dir, progress=_progress)
    manifest = write_ingest(result, args.out)
    print(result.summary())
    print(f"canonical tables and exclusions.csv written to {manifest.parent}")
    return 0


def _add_ingest(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "ingest",
        parents=[common],
        help="load downloaded DfE/GIAS/Ofsted files into the canonical tables",
        description="Recognise every file under RAW_DIR by its header, load it, and write "
        "the canonical tables, exclusions.csv and KS2 reference totals.",
    )
    p.add_argument("raw_dir", type=Path, metavar="RAW_DIR", help="folder of downloaded files")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_DATA, help=f"output directory (default {DEFAULT_DATA})"
    )
    p.set_defaults(func=_cmd_ingest)


def _cmd_download(args: argparse.Namespace) -> int:
    from partnership_eval.data.download import download, load_sources

    sources = load_sources(args.sources) if args.sources else None
    manifest = download(args.dest, sources=sources, only=args.only, progress=_progress)
    print(f"downloaded files and checksums recorded in {manifest}")
    return 0


def _add_download(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "download",
        parents=[common],
        help="fetch the public DfE/GIAS/Ofsted files into data/raw (uses the network)",
        description="Download the official files into DEST with progress, recording each "
        "file's address, size and SHA-256 in download_manifest.json.",
    )
    p.add_argument(
        "--dest", type=Path, default=Path("data/raw"), help="destination folder (default data/raw)"
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="download only this source (repeatable); see --sources",
    )
    p.add_argument(
        "--sources",
        type=Path,
        metavar="JSON",
        help="JSON list of {name, url, path} to use instead of the built-in list",
    )
    p.set_defaults(func=_cmd_download)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``report`` and ``batch``: data, output, run name, editions,
    parameters, where the reports run and whether unchanged ones run again."""
    p.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"data directory (default {DEFAULT_DATA})"
    )
    p.add_argument(
        "--out", type=Path, default=Path("reports"), help="output root (default reports)"
    )
    p.add_argument(
        "--run",
        metavar="NAME",
        help="run folder name (default: date and time); a folder is used by one run at a "
        "time, and a run into an existing folder keeps its reports whose inputs are unchanged",
    )
    p.add_argument(
        "--with-code", action="store_true", help="also write the student edition showing code"
    )
    p.add_argument(
        "--notebooks-dir",
        type=Path,
        metavar="DIR",
        help="where notebooks are found by name (default: the nearest notebooks/ folder "
        "in the working directory or a parent)",
    )
    p.add_argument(
        "-p",
        dest="param",
        action="append",
        metavar="[NOTEBOOK:]NAME=VALUE",
        help="notebook parameter, checked against its parameters cell (repeatable); NAME "
        "goes to every notebook declaring it, NOTEBOOK:NAME to that notebook only",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="local worker processes, each with its own warm kernel (default: one per CPU)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the reports on the dask.distributed scheduler at ADDRESS "
        "(e.g. tcp://host:8786) instead of local processes",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run every report, even those unchanged since an earlier run into --run",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _run_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of ``run_batch`` given by the shared run options."""
    return {
        "data_dir": args.data,
        "out_dir": args.out,
        "run": args.run,
        "with_code": args.with_code,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "force": args.force,
        "progress": _progress,
        "progress_bar": sys.stderr.isatty(),
    }


def _run_summary(result: RunResult) -> int:
    print(f"{len(result.records)} report(s), {result.failed} failed: {result.index}")
    return EXIT_FAILED_REPORTS + min(result.failed, MAX_FAILED) if result.failed else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from partnership_eval.reporting.parameters import parse_assignments
    from partnership_eval.reporting.runner import run_reports

    result = run_reports(
        args.notebook or (),
        args.la or (),
        parameters=parse_assignments(args.param or []),
        text_parameters=True,
        notebooks_dir=args.notebooks_dir,
        **_run_options(args),
    )
    return _run_summary(result)


def _add_report(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report",
        help="run report notebooks into self-contained HTML reports",
        description="Execute each notebook for each area with papermill and render it as "
        "HTML into OUT/RUN/<notebook>/<area>.{ipynb,html}, with results.json per report, "
        "index.html and manifest.json. A failing report is recorded and the run goes on; "
        f"the exit code is {EXIT_FAILED_REPORTS} + the number of failed reports.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    p.add_argument(
        "--notebook",
        action="append",
        metavar="NAME",
        help="notebook name in notebooks/ or path to an .ipynb (repeatable; default all)",
    )
    p.add_argument(
        "--la",
        action="append",
        metavar="NAME",
        help="area: LA name, LA code or region (repeatable; default each notebook's own)",
    )
    _add_run_options(p)
    p.set_defaults(func=_cmd_report)


def _cmd_batch(args: argparse.Namespace) -> int:
    from partnership_eval.reporting.parameters import parse_assignments
    from partnership_eval.reporting.reportset import ReportSet, read_report_set
    from partnership_eval.reporting.runner import batch_requests, run_batch

    if (args.report_set is None) == (args.by is None):
        raise UsageError("give a REPORT_SET file or --by la|region|school (one of the two)")
    if args.by is None and (args.notebook or args.where):
        raise UsageError("--notebook and --where go with --by; a report set names its own")
    if args.by is not None:
        report_set = ReportSet(
            batch_requests(
                args.notebook or (),
                args.by,
                where=args.where,
                parameters=parse_assignments(args.param or []),
                notebooks_dir=args.notebooks_dir,
            )
        )
    else:
        if args.param:
            raise UsageError("-p goes with --by; a report set gives [report.parameters]")
        report_set = read_report_set(args.report_set)
    options = _run_options(args)
    options["workers"] = args.workers or report_set.workers
    options["scheduler"] = args.scheduler or report_set.scheduler
    result = run_batch(
        report_set.requests,
        text_parameters=args.by is not None,
        notebooks_dir=args.notebooks_dir,
        **options,
    )
    return _run_summary(result)


def _add_batch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "batch",
        help="run many reports into one run: a TOML report set, or every LA/region/school",
        description="Run every [[report]] of a TOML report set (notebook, areas or by, "
        "parameters), or with --by every LA, region or school in the data for each "
        "--notebook, into one run folder with one index and manifest. Everything is "
        "checked before anything runs; reports run in parallel on warm kernels (local "
        "processes, or a dask cluster with --scheduler); a failing report is recorded and "
        "the run goes on; a rerun into the same --run keeps unchanged reports; "
        f"the exit code is {EXIT_FAILED_REPORTS} + the number of failed reports.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    p.add_argument("report_set", type=Path, nargs="?", metavar="REPORT_SET", help="TOML report set")
    p.add_argument(
        "--by",
        choices=BY,
        help="one report per LA, region or school in the data, for each --notebook",
    )
    p.add_argument(
        "--notebook",
        action="append",
        metavar="NAME",
        help="with --by: notebook name or path (repeatable; default all)",
    )
    p.add_argument(
        "--where",
        metavar="EXPR",
        help="with --by: only units with schools matching this pandas query over the "
        "schools table, e.g. \"region == 'North West'\" or 'rural and pupils < 150'",
    )
    _add_run_options(p)
    p.set_defaults(func=_cmd_batch)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="partnership-eval",
        description="Evaluate school-to-school partnerships in England.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    # --debug after the subcommand too; SUPPRESS keeps a --debug given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_demo_data, _add_ingest, _add_download, _add_report, _add_batch):
        add(sub, common)
    return parser


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends a command as Ctrl-C does, so a run can mark itself interrupted."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``partnership-eval`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt as exc:
        print(f"partnership-eval: interrupted{_interrupted(exc)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        code, message = _describe_error(exc)
        print(f"partnership-eval: error: {' '.join(message.split())}", file=sys.stderr)
        return code
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _interrupted(exc: KeyboardInterrupt) -> str:
    """What an interrupted run left: where, how many reports not finished, how to finish."""
    from partnership_eval.reporting.runner import RunInterrupted

    if not isinstance(exc, RunInterrupted):
        return ""
    return (
        f": {exc.unfinished} report(s) not finished, marked interrupted in "
        f"{exc.run_dir / 'manifest.json'}; run the same command again to finish them"
    )


def _describe_error(exc: Exception) -> tuple[int, str]:
    """Exit code and one-line message for an error that ends a command."""
    if isinstance(exc, PartnershipEvalError):
        return EXIT_INPUT, str(exc)
    hint = " (rerun with --debug for the traceback)"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return EXIT_OS, f"{exc.strerror or exc}{where}{hint}"
    return EXIT_INTERNAL, f"unexpected {type(exc).__name__}: {exc}{hint}"


if __name__ == "__main__":
    raise SystemExit(main())
