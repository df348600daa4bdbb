"""How good the assisted coding is, measured honestly on the demo corpus (issue 24).

Cross-validated micro-F1 (segment x code, sub-codes rolled up to their parents on both
sides) with whole sources held out, per method, for interview text and documents apart,
each with a 95 % bootstrap interval (interview text: sources resampled; documents: only
two sources, so passages resampled); then the learning curve: F1 against the number of
coded segments, random against uncertainty sampling. See analysis.qual.evaluation for
the definitions. Prints the figures; asserts nothing (docs/qual.md quotes them).

    .venv/bin/python benchmarks/autocode_eval.py [--embedders tfidf,e5] [--boot 2000]
        [--seeds 5] [--step 8] [--no-curve]

Takes a few minutes of one core (the learning curve most of it).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from analysis.qual import evaluation
from analysis.qual.pipeline import load_inputs
from analysis.qual.similarity import e5_available


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", default="tfidf,e5", help="similarity embedders to compare")
    parser.add_argument("--boot", type=int, default=2000, help="bootstrap draws")
    parser.add_argument("--seeds", type=int, default=5, help="random orders in the curve")
    parser.add_argument("--step", type=int, default=8, help="segments coded per step")
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 500)

    started = time.perf_counter()
    data = evaluation.eval_data(load_inputs())
    documents = int(data.is_document.sum())
    print(
        f"demo corpus: {len(data.ids)} coded segments in {len(set(data.sources))} sources "
        f"({len(data.ids) - documents} of interview text, {documents} document passages); "
        f"{len(set(data.rules['id']))} segments matched by a rule; reference: both coders "
        "pooled, every code with its parents"
    )
    embedders = [e for e in args.embedders.split(",") if e]
    if "e5" in embedders and not e5_available():
        print("e5: not installed (optional extra 'embeddings'), left out")
        embedders.remove("e5")
    tables = []
    for n, embedder in enumerate(embedders):
        methods = (
            evaluation.METHODS if n == 0 else [m for m in evaluation.METHODS if "similarity" in m]
        )
        tables.append(evaluation.method_table(data, methods, embedder=embedder, n_boot=args.boot))
    table = pd.concat(tables, ignore_index=True)
    print("\ncross-validated micro-F1, 5 folds of whole sources, 95 % bootstrap interval")
    for part, rows in table.groupby("part", sort=False):
        shown = rows.drop(columns=["part"]).copy()
        shown["F1 [95 %]"] = [
            f"{f:.2f} [{lo:.2f}, {hi:.2f}]"
            for f, lo, hi in zip(shown["f1"], shown["f1_low"], shown["f1_high"], strict=True)
        ]
        shown = shown[
            ["method", "embedder", "n_segments", "n_sources", "precision", "recall", "F1 [95 %]"]
        ]
        print(f"\n{part} (bootstrap resamples {rows['resampled'].iloc[0]})")
        print(shown.to_string(index=False, float_format="{:.2f}".format))
    if not args.no_curve:
        curve = evaluation.learning_curve(
            data, step=args.step, seeds=tuple(range(1, args.seeds + 1)), embedder=embedders[0]
        )
        wide = curve.pivot_table(index="n_coded", columns=["method", "sampling"], values="f1")
        print(
            f"\nlearning curve ({embedders[0]}): held-out micro-F1 against segments coded per "
            f"fold; random = mean of {args.seeds} orders"
        )
        print(wide.to_string(float_format="{:.3f}".format))
        spread = curve[curve["sampling"] == "random"].groupby("method")[["f1_min", "f1_max"]]
        print("\nrandom orders' range over the curve (min of f1_min, max of f1_max):")
        print(
            spread.agg({"f1_min": "min", "f1_max": "max"}).to_string(float_format="{:.3f}".format)
        )
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
