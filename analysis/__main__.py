"""Command line: ``python -m analysis summary EXPORT.csv --definition DEF.json``.

Runs the same summary as the staff pages from a CSV export, without the web application.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.definition import DECLARED
from analysis.export import read_export
from analysis.summary import summary_dict, top_choices
from analysis.suppression import DEFAULT_MIN_N


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser(
        "summary", help="top choices per group, with intervals and suppression"
    )
    summary.add_argument("export", type=Path, help="CSV export of the responses")
    summary.add_argument(
        "--definition", type=Path, required=True, help="survey definition (JSON)"
    )
    summary.add_argument(
        "--state",
        action="append",
        dest="groups",
        metavar="CODE",
        help="only this group (repeat for several; ALL for everyone)",
    )
    summary.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, dest="min_n")
    summary.add_argument("--question", default=DECLARED,
                         help="select question to rank (default: the survey's report_rank setting)")
    summary.add_argument("--by", default=DECLARED,
                         help="column to group by (default: the survey's report_group setting)")
    summary.add_argument("--format", choices=("json", "csv"), default="json")
    summary.add_argument("--output", type=Path, help="write here instead of standard output")
    return parser


def _summary(args: argparse.Namespace) -> str:
    definition = json.loads(args.definition.read_text(encoding="utf-8"))
    frame = read_export(args.export, definition)
    if args.format == "json":
        result = summary_dict(frame, definition, args.question, args.by, args.min_n, args.groups)
        return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    table = top_choices(frame, definition, args.question, args.by, args.min_n)
    if args.groups:
        table = table[table["group"].isin(args.groups)]
    return table.to_csv(index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.min_n < 1:
        print("error: --min-n must be at least 1", file=sys.stderr)
        return 2
    try:
        text = _summary(args)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
