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
        print("\nSome inputs are invalid; their previous processed tables were left untouched.")
        return 1
    return 0
