"""``python -m analysis simulate``: write the simulated demo caseload panel and its truth."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from analysis.data.simulate import SimulationConfig, write_simulation
from analysis.paths import DEFAULT_SEED


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


def main(args: argparse.Namespace) -> int:
    """Write the simulated panel and its truth file; print where they went."""
    config = replace(SimulationConfig(), seed=args.seed, trial_start=args.trial_start)
    csv_path, truth_path = write_simulation(config=config, output=args.output)
    print(f"wrote {csv_path} (SIMULATED data)")
    print(f"wrote {truth_path} (true parameters)")
    return 0
