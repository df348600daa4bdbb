"""``python -m analysis export-qdpx``: the corpus, codebook and codings as REFI-QDA files.

Writes a ``.qdpx`` project (sources with their attributes, codes with every codebook field,
codings, one case per source) and, with ``--qdc``, the codebook as ``.qdc``; both validate
against the REFI-QDA schemas. ``--date`` sets the export date written on the project, the
codings and the sources without a ``date`` attribute (default 1980-01-01, the date of the
archive's timestamps, so that the same input gives the same bytes). Texts and
memos first pass the personal-data gate: ``--privacy pseudonymise`` (default) replaces
CPR numbers, e-mail addresses, phone numbers and listed names, ``--privacy stop`` refuses
to export, ``--allow-personal-data`` exports them unchanged (say so where you publish).
"""

from __future__ import annotations

import argparse
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from analysis.fileio import check_writable
from analysis.paths import get_paths
from analysis.qual.cli_options import add_privacy_options, policy_of, refuse_overwriting_input
from analysis.qual.pipeline import load_inputs
from analysis.qual.privacy_gate import pass_gate
from analysis.qual.refi import EXPORT_DATE, write_qdc, write_qdpx


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", type=Path, default=None, help="corpus (default data/raw/interviews/quotes.csv)"
    )
    parser.add_argument(
        "--codebook", type=Path, default=None, help="codebook YAML (default data/raw/codebook.yaml)"
    )
    parser.add_argument(
        "--codings",
        type=Path,
        nargs="*",
        default=None,
        help="codings CSV(s) (default codings_*.csv next to the corpus)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the .qdpx to write (default data/processed/qual/corpus.qdpx)",
    )
    parser.add_argument("--qdc", type=Path, default=None, help="also write the codebook as .qdc")
    add_privacy_options(parser)
    parser.add_argument(
        "--name",
        type=_name,
        default="caseload-analysis",
        help="project name in the .qdpx (one line of text)",
    )
    parser.add_argument(
        "--date",
        type=_date,
        default=None,
        help="export date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS in UTC (default 1980-01-01)",
    )


def _date(text: str) -> datetime:
    """argparse type: an export date, not before the archive's own timestamps."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
        ) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} is past the year 9999") from None
    if value < EXPORT_DATE:
        raise argparse.ArgumentTypeError(
            f"{text!r} is before {EXPORT_DATE:%Y-%m-%d}, the earliest export date (the date "
            "the archive's files carry, and the default): give the date of the export"
        )
    return value


def _name(text: str) -> str:
    """argparse type: a project name, one line of text that XML can hold."""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in {"Cc", "Cs"} or char in "\ufffe\uffff":
            raise argparse.ArgumentTypeError(
                f"{text!r} holds the control character U+{ord(char):04X} at position "
                f"{position}: a project name is one line of text (XML cannot hold it)"
            )
    if not text.strip():
        raise argparse.ArgumentTypeError("the project name is empty")
    return text


def main(args: argparse.Namespace) -> int:
    for output in (args.output, args.qdc):
        refuse_overwriting_input(output, [args.corpus, args.codebook, *(args.codings or [])])
    output = args.output or get_paths().processed / "qual" / "corpus.qdpx"
    check_writable(output)
    if args.qdc:
        check_writable(args.qdc, option="--qdc")
    inputs = load_inputs(args.corpus, args.codebook, args.codings)
    policy = policy_of(args)
    gate = pass_gate(inputs.corpus, inputs.codings, policy)
    written = write_qdpx(
        output,
        gate.corpus,
        inputs.codebook,
        gate.codings,
        args.name,
        policy=policy,
        exported=args.date,
    )
    print(
        f"wrote {output}: {len(gate.corpus.sources)} sources, {len(inputs.codebook.codes)} codes, "
        f"{len(gate.codings)} codings"
    )
    if policy.mode == "allow":
        print("personal data check skipped: --allow-personal-data was given")
    elif gate.changed or written.changed:
        print(
            f"pseudonymised personal data in {len(gate.changed_sources)} source text(s), "
            f"{gate.changed_attributes} source attribute(s) and {gate.changed_memos} memo(s)"
            + (f"; {written.changed} more text(s) in the archive" if written.changed else "")
        )
    if args.qdc:
        qdc = write_qdc(args.qdc, inputs.codebook, policy=policy)
        print(f"wrote {args.qdc}")
        if qdc.changed and policy.mode != "allow":
            print(f"pseudonymised personal data in {qdc.changed} codebook text(s)")
    return 0
