"""``python -m analysis regress``: run the caseload regressions, write the tidy table."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.fileio import check_writable
from analysis.publish import output_policy, publish_csv


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis regress``."""
    parser.add_argument(
        "--panel",
        type=Path,
        default=None,
        help="caseload panel in the contract's schema (CSV, .xlsx or .parquet); default: "
        "the processed panel from 'python -m analysis prepare'",
    )
    parser.add_argument(
        "--outcomes",
        nargs="+",
        default=None,
        metavar="COLUMN",
        help="outcome columns to model (default: every standard outcome in the panel)",
    )
    parser.add_argument(
        "--output", type=Path, required=True, help="CSV file for the tidy estimates table"
    )
    parser.add_argument(
        "--skipped",
        type=Path,
        default=None,
        help="CSV file for the models that were not estimated (default: <output>_skipped.csv)",
    )


def main(args: argparse.Namespace) -> int:
    """Fit every model (cached like the notebook) and write estimates and skipped models."""
    from analysis.quant.compute import load_results

    output = Path(args.output)
    skipped_path = args.skipped or output.with_name(f"{output.stem}_skipped.csv")
    check_writable(output)  # before the models (minutes of work on a cold cache)
    check_writable(skipped_path, option="--skipped")
    results = load_results(args.panel, args.outcomes)
    policy = output_policy()
    publish_csv(output, results.estimates, policy)
    publish_csv(skipped_path, results.skipped, policy)
    label = " (SIMULATED data)" if results.simulated else ""
    print(f"wrote {output}: {len(results.estimates)} estimates{label}")
    print(f"wrote {skipped_path}: {len(results.skipped)} models not estimated")
    for message in results.skipped["message"]:
        print(f"  skipped: {message}")
    return 0
