"""The ``partnership-eval`` command line.

Each subcommand is a thin wrapper around a library function. Errors the user can act on
(:class:`~partnership_eval.errors.PartnershipEvalError`) print as one line on stderr with
a non-zero exit; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from partnership_eval import __version__
from partnership_eval.errors import PartnershipEvalError

DEFAULT_DATA = Path("data/processed")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from partnership_eval.data.synthetic import write_demo_data

    manifest = write_demo_data(args.out, scale=args.scale, seed=args.seed, progress=_progress)
    print(f"synthetic England ({args.scale}, seed {args.seed}) written to {manifest.parent}")
    return 0


def _add_demo_data(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo-data",
        help="build synthetic England (demonstration data with planted effects)",
        description="Write the canonical tables of a synthetic England plus truth.parquet.",
    )
    p.add_argument("--scale", choices=("small", "full"), default="full",
                   help="small: a few LAs for tests; full: ~16,700 primaries (default)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=Path, default=DEFAULT_DATA,
                   help=f"output directory (default {DEFAULT_DATA})")
    p.set_defaults(func=_cmd_demo_data)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="partnership-eval",
        description="Evaluate school-to-school partnerships in England.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo_data(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``partnership-eval`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PartnershipEvalError as exc:
        if args.debug:
            raise
        print(f"partnership-eval: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("partnership-eval: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
