"""``python -m analysis reliability CODINGS.csv [...]``: intercoder reliability report.

Needs codings by at least two coders (in one file or several). Unit of analysis:
segment x code presence/absence over the sources every coder coded. Prints percent
agreement, Cohen's kappa (two coders) and Krippendorff's alpha (nominal) per code and
pooled; ``--output`` and ``--disagreements`` write them as CSV. The disagreement list
quotes the texts, so texts and memos pass the personal-data gate first (as for
``export-qdpx``: pseudonymised unless ``--allow-personal-data``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.fileio import check_writable
from analysis.publish import publish_csv
from analysis.qual.cli_options import add_privacy_options, policy_of, refuse_overwriting_input
from analysis.qual.codebook import load_codebook
from analysis.qual.codings import load_codings
from analysis.qual.corpus import load_corpus
from analysis.qual.privacy_gate import pass_gate
from analysis.qual.reliability import UNIT_OF_ANALYSIS, reliability_report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "codings",
        type=Path,
        nargs="+",
        help="codings CSV file(s): source,start,end,code,coder,memo",
    )
    parser.add_argument(
        "--corpus", type=Path, default=None, help="corpus (default data/raw/interviews/quotes.csv)"
    )
    parser.add_argument(
        "--codebook", type=Path, default=None, help="codebook YAML (default data/raw/codebook.yaml)"
    )
    parser.add_argument(
        "--level",
        choices=("top", "all"),
        default="top",
        help="top-level codes (default) or every code",
    )
    parser.add_argument("--coders", nargs="+", default=None, help="compare only these coders")
    parser.add_argument(
        "--output", type=Path, default=None, help="write the reliability table as CSV"
    )
    parser.add_argument(
        "--disagreements", type=Path, default=None, help="write the disagreement list as CSV"
    )
    add_privacy_options(parser)


def main(args: argparse.Namespace) -> int:
    inputs = [*args.codings, args.corpus, args.codebook]
    for output in (args.output, args.disagreements):
        refuse_overwriting_input(output, inputs)
    for option, output in (("--output", args.output), ("--disagreements", args.disagreements)):
        if output is not None:
            check_writable(output, option=option)
    policy = policy_of(args)
    raw = load_corpus(args.corpus)
    codebook = load_codebook(args.codebook)
    gate = pass_gate(raw, load_codings(args.codings, raw, codebook), policy)
    corpus, codings = gate.corpus, gate.codings
    table, disagreements, left_out = reliability_report(
        codings, corpus, codebook, level=args.level, coders=args.coders
    )
    shown = table.drop(columns=["unit"]).round(3)
    print(f"unit of analysis: {UNIT_OF_ANALYSIS}")
    if left_out:
        print(f"left out (not coded by every coder): {', '.join(left_out)}")
    print(shown.to_string(index=False))
    print(f"{len(disagreements)} disagreement(s) to resolve")
    if args.output:
        publish_csv(args.output, table, policy)
    if args.disagreements:
        publish_csv(args.disagreements, disagreements, policy)
    return 0
