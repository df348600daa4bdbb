"""``python -m analysis export-qdpx``: the corpus, codebook and codings as REFI-QDA files.

Writes a ``.qdpx`` project (sources, codes, codings, cases with attributes) and, with
``--qdc``, the codebook as ``.qdc``; both validate against the REFI-QDA schemas. Texts and
memos first pass the personal-data gate: ``--privacy pseudonymise`` (default) replaces
CPR numbers, e-mail addresses, phone numbers and listed names, ``--privacy stop`` refuses
to export, ``--allow-personal-data`` exports them unchanged (say so where you publish).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.paths import get_paths
from analysis.qual.pipeline import load_inputs
from analysis.qual.privacy_gate import make_policy, pass_gate
from analysis.qual.refi import write_qdc, write_qdpx


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
    parser.add_argument(
        "--privacy",
        choices=("pseudonymise", "stop"),
        default="pseudonymise",
        help="what to do with personal data found (default pseudonymise)",
    )
    parser.add_argument(
        "--allow-personal-data",
        action="store_true",
        help="export personal data unchanged (explicit permission)",
    )
    parser.add_argument(
        "--names",
        type=Path,
        default=None,
        help="names to mask, one per line (default data/raw/interviews/privacy_names.txt)",
    )
    parser.add_argument("--name", default="caseload-analysis", help="project name in the .qdpx")


def main(args: argparse.Namespace) -> int:
    inputs = load_inputs(args.corpus, args.codebook, args.codings)
    mode = "allow" if args.allow_personal_data else args.privacy
    gate = pass_gate(inputs.corpus, inputs.codings, make_policy(mode, args.names))
    output = args.output or get_paths().processed / "qual" / "corpus.qdpx"
    write_qdpx(output, gate.corpus, inputs.codebook, gate.codings, args.name)
    print(
        f"wrote {output}: {len(gate.corpus.sources)} sources, {len(inputs.codebook.codes)} codes, "
        f"{len(gate.codings)} codings"
    )
    if gate.mode == "allow":
        print("personal data check skipped: --allow-personal-data was given")
    elif gate.changed_sources or gate.changed_memos:
        print(
            f"pseudonymised personal data in {len(gate.changed_sources)} source(s) "
            f"and {gate.changed_memos} memo(s)"
        )
    if args.qdc:
        write_qdc(args.qdc, inputs.codebook)
        print(f"wrote {args.qdc}")
    return 0
