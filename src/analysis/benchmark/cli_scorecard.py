"""``python -m analysis scorecard``: KLK-style benchmark scorecards on the command line.

Two uses:

- ``--input data/raw/benchmark/klk_aabenraa_2012.csv``: recompute the arrows and colours of a
  published KLK scorecard from its figures and the indicator catalogue, and say for each
  row whether the recomputed arrow matches the printed one (and why not, if not); the
  report's text statements and savings amounts are checked too.
- ``--municipality 580 [--cluster soenderjysk]``: today's scorecard from the real
  Jobindsats snapshot, with the savings potential.

``--format table`` (default, for people), ``csv`` or ``json`` (for programs).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis.benchmark.klk import (
    GLYPH_NOTE,
    check_savings,
    load_klk_savings,
    load_klk_table,
    reproduce,
    summary,
)
from analysis.benchmark.scorecard import Tolerance
from analysis.data.reference import resolve_municipality
from analysis.errors import AnalysisError
from analysis.paths import LANGUAGES
from analysis.publish import echo_csv, output_policy

FORMATS = ("table", "csv", "json")


def configure(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input",
        type=Path,
        help="a KLK scorecard transcription (CSV, columns as klk_aabenraa_2012.csv)",
    )
    source.add_argument("--municipality", help="code or name of a municipality: today's scorecard")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--savings",
        type=Path,
        help="savings statements to check with --input (default: <input>_savings.csv if it exists)",
    )
    parser.add_argument("--cluster", default="similar", help="comparison group (default similar)")
    parser.add_argument(
        "--weighted", action="store_true", help="weight the cluster mean by labour force"
    )
    parser.add_argument("--language", choices=LANGUAGES, default="da", help="label language")
    parser.add_argument("--snapshot", type=Path, help="Jobindsats snapshot JSON (default: data)")
    parser.add_argument("--clusters", type=Path, help="clusters.yaml (default: reference)")
    parser.add_argument("--costs", type=Path, help="costs.yaml (default: data/raw/benchmark)")
    parser.add_argument(
        "--tolerance-steps",
        type=float,
        default=1.0,
        help="differences up to this many units of the last published decimal count as the "
        "same (default 1)",
    )
    parser.add_argument(
        "--tolerance-relative",
        type=float,
        default=0.0,
        help="also count level differences up to this share of the cluster mean as the same "
        "(default 0)",
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _savings_file(args: argparse.Namespace) -> Path | None:
    if args.savings is not None:
        return args.savings
    candidate = args.input.with_name(f"{args.input.stem}_savings.csv")
    return candidate if candidate.is_file() else None


def _klk(args: argparse.Namespace, tolerance: Tolerance) -> int:
    reproduced = reproduce(load_klk_table(args.input), tolerance)
    counts = summary(reproduced)
    savings_file = _savings_file(args)
    checks = check_savings(load_klk_savings(savings_file)) if savings_file else pd.DataFrame()
    if args.format == "csv":
        echo_csv(reproduced, output_policy())
        return 0
    if args.format == "json":
        document = {
            "input": str(args.input),
            "tolerance": vars(tolerance),
            "summary": counts,
            "rows": _records(reproduced),
            "savings_checks": _records(checks) if not checks.empty else [],
            "notes": [GLYPH_NOTE],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    shown = reproduced.assign(
        values=lambda f: [
            f"{a:g} | {b:g} | {c:g}"
            for a, b, c in zip(f["aabenraa"], f["ams_klynge"], f["soenderjysk_klynge"], strict=True)
        ]
    )
    columns = [
        "table",
        "indicator",
        "row_type",
        "values",
        "published_arrow",
        "recomputed_arrow",
        "arrow_matches",
        "status_ams",
        "status_soenderjysk",
        "text_agrees",
    ]
    print(f"KLK scorecard: {args.input}")
    print("values: Aabenraa | AMS-klynge | Sønderjysk klynge\n")
    print(shown[columns].to_string(index=False))
    print(
        f"\n{counts['rows']} rows ({counts['level_rows']} level, {counts['development_rows']} "
        f"development); printed arrows recomputed: {counts['arrows_matched']} of "
        f"{counts['rows_with_arrows']} match, {counts['arrows_mismatched']} do not."
    )
    print(
        f"text statements checked: {counts['text_statements']}; rows where text and rule "
        f"disagree: {counts['text_rows_disagreeing']}"
    )
    for row in reproduced[reproduced["reason"].ne("")].itertuples(index=False):
        print(f"- table {row.table}, {row.indicator} ({row.row_type}): {row.reason}")
    if not checks.empty:
        print("\nsavings statements:")
        for row in checks.itertuples(index=False):
            print(f"- {row.area} / {row.cluster} [{row.consistent}]: {row.finding}")
    print(f"\nnote: {GLYPH_NOTE}")
    return 0


def _municipality(args: argparse.Namespace, tolerance: Tolerance) -> int:
    from analysis.benchmark.scorecard import scorecard
    from analysis.benchmark.summaries import display_table, savings_table, summary_sentences
    from analysis.benchmark.view import BenchmarkInputs, benchmark_view

    code = resolve_municipality(args.municipality)
    if code is None:
        raise AnalysisError(f"unknown municipality {args.municipality!r}")
    inputs = BenchmarkInputs(snapshot=args.snapshot, clusters=args.clusters, costs=args.costs)
    view = benchmark_view(code, args.cluster, weighted=args.weighted, inputs=inputs)
    card = view.scorecard
    if tolerance != Tolerance():
        card = scorecard(
            view.levels,
            code,
            view.group.members,
            cluster=args.cluster,
            weighted=args.weighted,
            tolerance=tolerance,
        )
    if args.format == "csv":
        echo_csv(card, output_policy())
        return 0
    if args.format == "json":
        document = {
            "municipality": code,
            "name": view.name,
            "cluster": args.cluster,
            "cluster_label": view.group.label(args.language),
            "members": list(view.group.members),
            "weighted": args.weighted,
            "scorecard": _records(card),
            "savings": _records(view.savings),
            "headline": view.headline(args.language),
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    label = view.group.label(args.language)
    print(f"{view.name} ({code}) vs {label}: {', '.join(view.group.member_names)}\n")
    print(display_table(card, args.language).to_string(index=False))
    print()
    for text in summary_sentences(card, view.name, label, args.language)["text"]:
        print(f"- {text}")
    print()
    print(savings_table(view.savings, view.costs, args.language).to_string(index=False))
    return 0


def main(args: argparse.Namespace) -> int:
    tolerance = Tolerance(
        level_steps=args.tolerance_steps,
        level_relative=args.tolerance_relative,
        development_steps=args.tolerance_steps,
    )
    if args.input is not None:
        return _klk(args, tolerance)
    return _municipality(args, tolerance)
