"""``python -m analysis autocode INPUT.csv --output OUTPUT.csv``: propose codes for texts.

Reads a CSV/XLSX with columns ``id`` and ``text`` and writes one row per proposed code:
``id, code, confidence, method`` (``--evidence`` adds the matched patterns). By default the
codebook's transparent rules are used; ``--method classifier`` (or ``both``) also trains the
classifier on the human codings of a corpus (default: the demo corpus and its codings).
Proposals are suggestions for a human coder, never codings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.fileio import check_writable
from analysis.privacy import PrivacyPolicy, find_personal_data
from analysis.publish import publish_csv
from analysis.qual.autocode import PROPOSAL_COLUMNS, empty_proposals, propose_rules
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
        choices=("rules", "classifier", "both"),
        default="rules",
        help="rules (default), a classifier trained on human codings, or both",
    )
    parser.add_argument(
        "--training-corpus",
        type=Path,
        default=None,
        help="corpus with human codings for the classifier (default: demo corpus)",
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


def classifier_proposals(texts: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """Train on the human codings of the training corpus, then predict for ``texts``."""
    from analysis.qual.classifier import label_matrix, lemma_documents, train
    from analysis.qual.nlp import tokens
    from analysis.qual.pipeline import coded_segments, corpus_tokens, load_inputs

    inputs = load_inputs(args.training_corpus, args.codebook, args.training_codings)
    if inputs.codings.empty:
        raise InputError.single(
            args.training_corpus or "training corpus", "no human codings to train on"
        )
    coded = coded_segments(inputs, level="all")
    sources = set(inputs.codings["source"])
    segments = inputs.corpus.segments[inputs.corpus.segments["source_id"].isin(sources)]
    ids = list(segments["segment_id"])
    model = train(
        lemma_documents(corpus_tokens(inputs), ids), label_matrix(coded, ids, inputs.codebook.ids)
    )
    pairs = list(zip(texts["id"], texts["text"], strict=True))
    documents = lemma_documents(tokens(pairs), list(texts["id"]))
    return model.predict(documents, list(texts["id"]))


def main(args: argparse.Namespace) -> int:
    refuse_overwriting_input(args.output, [args.input, args.codebook])
    check_writable(args.output)
    policy = policy_of(args)
    texts = read_texts(args.input)
    refuse_personal_ids(texts, args.input, policy)
    codebook = load_codebook(args.codebook)
    frames = []
    if args.method in {"rules", "both"}:
        frames.append(propose_rules(texts, codebook))
    if args.method in {"classifier", "both"}:
        frames.append(classifier_proposals(texts, args))
    proposals = pd.concat(frames, ignore_index=True) if frames else empty_proposals()
    order = {i: n for n, i in enumerate(texts["id"])}
    proposals = proposals.sort_values(
        ["id", "method", "code"], key=lambda s: s.map(order) if s.name == "id" else s, kind="stable"
    )
    columns = list(PROPOSAL_COLUMNS) if args.evidence else ["id", "code", "confidence", "method"]
    publish_csv(args.output, proposals[columns], policy)
    print(
        f"{len(proposals)} proposal(s) for {proposals['id'].nunique()} of {len(texts)} "
        f"text(s) -> {args.output}"
    )
    return 0
