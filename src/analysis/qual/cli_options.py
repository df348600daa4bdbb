"""Options and checks the qualitative commands share: the personal-data switches, and
never writing an output over one of the command's own inputs."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.privacy import PrivacyPolicy
from analysis.publish import output_policy


def add_privacy_options(parser: argparse.ArgumentParser, *, stop: bool = True) -> None:
    """``--privacy``, ``--allow-personal-data`` and ``--names`` for a command whose output
    holds interview text."""
    if stop:
        parser.add_argument(
            "--privacy",
            choices=("pseudonymise", "stop"),
            default="pseudonymise",
            help="what to do with personal data found (default pseudonymise)",
        )
    parser.add_argument(
        "--allow-personal-data",
        action="store_true",
        help="write personal data unchanged (explicit permission; say so where you publish)",
    )
    parser.add_argument(
        "--names",
        type=Path,
        default=None,
        help="names to mask, one per line (default data/raw/interviews/privacy_names.txt)",
    )


def policy_of(args: argparse.Namespace) -> PrivacyPolicy:
    """The policy the options ask for (``allow`` only with ``--allow-personal-data``)."""
    mode = "allow" if args.allow_personal_data else getattr(args, "privacy", "pseudonymise")
    return output_policy(mode, args.names)


def refuse_overwriting_input(output: Path | None, inputs: Iterable[Path | None]) -> None:
    """An output path that is one of the inputs would destroy it: refuse before reading."""
    if output is None:
        return
    target = Path(output).expanduser().resolve()
    for item in inputs:
        if item is not None and Path(item).expanduser().resolve() == target:
            raise AnalysisError(
                f"--output {output} is one of this command's inputs; writing it would "
                "overwrite the input. Choose another output file."
            )
