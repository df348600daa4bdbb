"""``python -m analysis prepare``: validate raw inputs, write Parquet to data/processed."""

from __future__ import annotations

import argparse

from analysis.data.store import prepare


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="rebuild every table even if inputs are unchanged"
    )


def main(args: argparse.Namespace) -> int:
    report = prepare(force=args.force)
    print(report.summary())
    if not report.ok:
        removed = [t.name for t in report.tables if t.note]
        extra = (
            f" (except {', '.join(removed)}: removed, its raw files are gone)" if removed else ""
        )
        print(
            "\nSome inputs are invalid; their previous processed tables were left "
            f"untouched{extra}."
        )
        return 1
    return 0
