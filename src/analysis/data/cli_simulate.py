"""``python -m analysis simulate``: write the simulated demo caseload panel and its truth,
and the simulated experience surveys that go with it."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from analysis.data.simulate import SimulationConfig, survey_files, write_simulation
from analysis.data.surveys import survey_folder
from analysis.fileio import check_writable
from analysis.paths import DEFAULT_SEED, get_paths


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis simulate``."""
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="CSV to write (default data/raw/caseloads/simulated_caseloads.csv); the truth "
        "YAML is written beside it as <name>_truth.yaml",
    )
    parser.add_argument(
        "--trial-start", default=SimulationConfig.trial_start, help="start month of the trial"
    )
    parser.add_argument(
        "--surveys",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="folder holding the survey items.yaml to write the simulated citizen and staff "
        "surveys into (default data/raw/surveys, unless --output is given)",
    )
    parser.add_argument("--no-surveys", action="store_true", help="write the caseload panel only")


def main(args: argparse.Namespace) -> int:
    """Write the simulated panel, its truth file and the simulated surveys; print where
    they went."""
    config = replace(SimulationConfig(), seed=args.seed, trial_start=args.trial_start)
    folder = args.surveys
    if folder is None and args.output is None and not args.no_surveys:
        folder = survey_folder(get_paths())
    if args.no_surveys:
        folder = None
    # before the simulation (a minute of work): every place it writes can take a file
    check_writable(args.output or get_paths().simulated_caseloads)
    if folder is not None:
        check_writable(folder, option="--surveys", folder=True)
    csv_path, truth_path = write_simulation(config=config, output=args.output, survey_folder=folder)
    print(f"wrote {csv_path} (SIMULATED data)")
    print(f"wrote {truth_path} (true parameters)")
    for path in survey_files(folder) if folder is not None else []:
        kind = "true parameters" if path.name.endswith("_truth.yaml") else "SIMULATED data"
        print(f"wrote {path} ({kind})")
    return 0
