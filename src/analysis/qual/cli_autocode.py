"""``python -m analysis autocode INPUT.csv --output OUTPUT.csv``: propose codes for texts.

Reads a CSV/XLSX with columns ``id`` and ``text`` and writes one row per proposed code:
``id, code, confidence, method`` (``--evidence`` adds what proposed each code and, for
similarity, the ``margin`` to the next code). By default (``rules+similarity``) the
codebook's transparent rules are used, and a text no rule matches gets the closest code
by similarity (:mod:`analysis.qual.assisted`); a sub-code's parent is proposed with it
("implied by"). ``--method classifier`` (or ``both``) trains the classifier on the human
codings of a corpus (default: the demo corpus and its codings). Proposals are
suggestions for a human coder, never codings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.fileio import check_writable
from analysis.privacy import PrivacyPolicy, find_personal_data
from analysis.publish import publish_csv
from analysis.qual.assisted import DEFAULT_METHOD, METHODS, Training, propose_texts
from analysis.qual.autocode import PROPOSAL_COLUMNS
from analysis.qual.cli_options import add_privacy_options, policy_of, refuse_overwriting_input
from analysis.qual.codebook import load_codebook
from analysis.qual.spreadsheet import read_table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="CSV or XLSX with columns id,text")
    parser.add_argument("--output", type=Path, required=True, help="CSV of proposals to write")
    parser.add_argument(
        "--codebook", type=Path, default=None, help="codebook YAML (default data/raw/codebook.yaml)"
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default=DEFAULT_METHOD,
        help="rules+similarity (default: rules, and the closest code for texts no rule "
        "matches), rules, a classifier trained on human codings (weak), or both "
        "(rules and classifier)",
    )
    parser.add_argument(
        "--embedding",
        choices=("tfidf", "e5", "auto"),
        default="tfidf",
        help="similarity by TF-IDF character n-grams (default), the multilingual e5 "
        "model (optional extra 'embeddings'), or auto (e5 where installed)",
    )
    parser.add_argument(
        "--training-corpus",
        type=Path,
        default=None,
        help="corpus with human codings for the classifier and the similarity's examples "
        "(default: demo corpus)",
    )
    parser.add_argument(
        "--training-codings",
        type=Path,
        nargs="*",
        default=None,
        help="codings CSV(s) for the classifier",
    )
    parser.add_argument(
        "--evidence", action="store_true", help="add a column saying which pattern matched"
    )
    add_privacy_options(parser)


def read_texts(path: Path) -> pd.DataFrame:
    """The ``id``/``text`` table; ids must be present and unique."""
    table = read_table(path)
    missing = [c for c in ("id", "text") if c not in table.columns]
    if missing:
        raise InputError.single(
            path, "missing columns", expected="id, text", found=", ".join(table.columns)
        )
    problems = []
    for index, value in table["id"].items():
        if not str(value).strip():
            problems.append(InputProblem(str(path), "empty id", row=int(index) + 2, column="id"))
    duplicated = table["id"].duplicated(keep="first") & table["id"].astype(bool)
    for index in table.index[duplicated]:
        problems.append(
            InputProblem(
                str(path),
                "duplicate id",
                row=int(index) + 2,
                column="id",
                found=table.at[index, "id"],
            )
        )
    if problems:
        raise InputError(problems, summary=f"{len(problems)} problem(s) in {path}")
    return table[["id", "text"]].astype(str)


_KINDS = {"cpr": "a CPR number", "email": "an e-mail address", "phone": "a phone number"}


def refuse_personal_ids(texts: pd.DataFrame, path: Path, policy: PrivacyPolicy) -> None:
    """Ids are keys, not text: the gate on the way out would mask one that holds personal
    data (every CPR number becomes the same ``[CPR]``), and the proposals could no
    longer be joined back to the texts. So such ids are refused, naming the rows and
    what was found, never the value; ``--allow-personal-data`` keeps them as they are."""
    if policy.mode == "allow":
        return
    problems = ProblemCollector(path, group=True)
    for row, value in enumerate(texts["id"], start=2):
        found = find_personal_data(value, policy.names)
        if found:
            problems.add(
                "the id holds personal data; the proposals file would show it masked, and a "
                "masked id cannot be joined back to its text. Give each text an id without "
                "personal data (e.g. a running number, keeping your own key from it to the "
                "person), or add --allow-personal-data if the proposals stay where the ids "
                "may be seen",
                row=row,
                column="id",
                found=_KINDS.get(found[0].kind, "a listed name"),
            )
    problems.raise_if_any()


def main(args: argparse.Namespace) -> int:
    refuse_overwriting_input(args.output, [args.input, args.codebook])
    check_writable(args.output)
    policy = policy_of(args)
    texts = read_texts(args.input)
    refuse_personal_ids(texts, args.input, policy)
    codebook = load_codebook(args.codebook)
    explicit = args.training_corpus is not None or args.training_codings is not None
    training = Training(
        args.training_corpus, args.training_codings, args.codebook is None or explicit
    )
    result = propose_texts(
        texts, codebook, method=args.method, embedding=args.embedding, training=training
    )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    proposals = result.proposals
    columns = ["id", "code", "confidence", "method"]
    if args.evidence:
        columns = [*PROPOSAL_COLUMNS, "margin"]
        proposals = proposals.reindex(columns=columns)
    publish_csv(args.output, proposals[columns], policy)
    print(
        f"{len(proposals)} proposal(s) for {proposals['id'].nunique()} of {len(texts)} "
        f"text(s) -> {args.output} (method {args.method}"
        + (f", similarity by {result.embedder})" if result.embedder else ")")
    )
    return 0
