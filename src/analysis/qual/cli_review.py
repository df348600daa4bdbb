"""``python -m analysis review --coder NAME``: one round of the review loop.

Applies the decisions written in ``review_<coder>.xlsx`` (or ``.csv``): accepted
proposals become human codings in ``codings_<coder>.csv``, every decision goes to
``review_log_<coder>.csv``. Then prints the precision per method and per pattern from
all decisions so far (flagging patterns below 0.4), the running acceptance rate and the
words in accepted segments that no pattern caught, and writes the next batch of
proposals to the sheet, most uncertain first. The file contract is in
:mod:`analysis.qual.review` and docs/qual.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.qual.cli_options import add_privacy_options, policy_of
from analysis.qual.review import BATCH, FLAG_BELOW, MIN_DECISIONS, ReviewFiles, review_round


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--coder", required=True, help="your coder name (letters, digits, _.-@)")
    parser.add_argument(
        "--batch", type=int, default=BATCH, help=f"segments in the next sheet (default {BATCH})"
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="folder of the sheet, the log and codings_<coder>.csv (default: the corpus's)",
    )
    parser.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="the sheet's format"
    )
    parser.add_argument("--corpus", type=Path, default=None, help="corpus (default: the demo)")
    parser.add_argument("--codebook", type=Path, default=None, help="codebook YAML")
    parser.add_argument(
        "--codings", type=Path, nargs="*", default=None, help="codings CSV(s) already made"
    )
    parser.add_argument(
        "--embedding",
        choices=("tfidf", "e5", "auto"),
        default="tfidf",
        help="similarity for the segments no rule matches (see autocode --help)",
    )
    add_privacy_options(parser)


def default_folder(corpus: Path | None) -> Path:
    """The corpus's folder, where every ``codings_*.csv`` is read."""
    from analysis.paths import get_paths

    if corpus is None:
        return get_paths().interviews
    return corpus if corpus.is_dir() else corpus.parent


def main(args: argparse.Namespace) -> int:
    from analysis.qual.similarity import choose_embedder

    if args.batch < 1:
        raise AnalysisError("--batch must be at least 1")
    files = ReviewFiles(args.folder or default_folder(args.corpus), args.coder, args.format)
    choice = choose_embedder(args.embedding)
    if choice.note:
        print(f"note: {choice.note}")
    result = review_round(
        files,
        corpus_path=args.corpus,
        codebook_path=args.codebook,
        codings_path=args.codings,
        batch=args.batch,
        embedder=choice.embedder,
        policy=policy_of(args),
    )
    applied, summary = result.applied, result.summary
    print(
        f"applied: {applied.accepted} accepted ({applied.codings_added} new coding(s) in "
        f"{files.codings.name}), {applied.rejected} rejected"
        + (f", {applied.already} already in the log" if applied.already else "")
    )
    if summary.n_decided:
        print(
            f"acceptance rate so far (live precision estimate): {summary.acceptance_rate:.2f} "
            f"({summary.n_accepted} of {summary.n_decided} decisions)"
        )
        print("\nprecision per method:")
        print(summary.methods.to_string(index=False, float_format="{:.2f}".format))
        if len(summary.patterns):
            print("\nprecision per pattern (lowest first):")
            print(summary.patterns.head(15).to_string(index=False, float_format="{:.2f}".format))
        flagged = summary.flagged
        print(
            f"\npatterns below {FLAG_BELOW} precision (at least {MIN_DECISIONS} decisions): "
            + (", ".join(f"{r.code}: {r.pattern!r}" for r in flagged.itertuples()) or "none")
        )
        if len(summary.terms):
            print("\nwords in accepted segments no pattern caught (for the codebook owner):")
            print(summary.terms.to_string(index=False))
    print(
        f"\nnext: {len(result.batch)} proposal(s) for "
        f"{result.batch['segment_id'].nunique() if len(result.batch) else 0} segment(s) in "
        f"{result.sheet} ({result.remaining} segment(s) with proposals to review in all); "
        "write accept or reject in the column 'decision', save, and run this command again"
    )
    return 0
