"""``python -m analysis run``: the notebooks for each municipality, as HTML reports."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import LANGUAGES, get_paths


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--municipality",
        "-m",
        action="append",
        type=int,
        metavar="CODE",
        help="municipality code (repeatable), e.g. -m 101 -m 580",
    )
    who.add_argument("--all", action="store_true", help="all 98 municipalities")
    parser.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NOTEBOOK",
        help="notebooks to run (names, stems or paths; default: all in notebooks/)",
    )
    parser.add_argument(
        "--language", choices=LANGUAGES, default=LANGUAGES[0], help="report language (default: da)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="parallel worker processes (default: number of cores)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="output folder, used as given (default: reports/, or reports/<language>/ for "
        "English; a run of only some notebooks: reports/partial/<notebooks>/)",
    )
    parser.add_argument(
        "--allow-nonempty-output",
        action="store_true",
        help="write into a non-empty folder that no earlier run made (its files are never "
        "deleted or overwritten)",
    )
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="rerun only the municipalities that failed last time",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rerun even reports whose inputs and code are unchanged",
    )
    parser.add_argument(
        "--allow-personal-data",
        action="store_true",
        help="let personal data through the privacy gate (printed in the footer)",
    )
    parser.add_argument(
        "--allow-modified-notebooks",
        action="store_true",
        help="run notebooks that differ from their committed version (git), e.g. edited in "
        "JupyterLab; every page names them in its footer (default: refuse)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on a Dask distributed cluster instead of local processes",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=600.0,
        help="seconds a notebook cell may run (default 600)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    from analysis.data.reference import load_municipalities
    from analysis.reports import committed
    from analysis.reports.batch import (
        RunOptions,
        default_notebooks,
        output_dir,
        partial_selection,
        resolve_notebooks,
        run_reports,
        summary,
    )

    paths = get_paths()
    if args.workers < 0:
        raise AnalysisError("--workers must be 0 (= number of cores) or more")
    codes = (
        tuple(int(c) for c in load_municipalities(paths.municipalities_csv)["code"])
        if args.all
        else tuple(dict.fromkeys(args.municipality))
    )
    options = RunOptions(
        municipalities=codes,
        notebooks=resolve_notebooks(args.notebooks, paths) if args.notebooks else (),
        language=args.language,
        workers=args.workers or os.cpu_count() or 1,
        output=args.output,
        retry_failed=args.retry_failed,
        force=args.force,
        allow_personal_data=args.allow_personal_data,
        scheduler=args.scheduler,
        timeout=args.timeout,
        progress=not args.no_progress,
        allow_nonempty_output=args.allow_nonempty_output,
        allow_modified_notebooks=args.allow_modified_notebooks,
    )
    checks = committed.check_notebooks(options.notebooks or default_notebooks(paths))
    if args.allow_modified_notebooks or all(c.status != committed.CHANGED for c in checks):
        for note in committed.notes(checks, paths.root):
            print(note, flush=True)
    partial = partial_selection(options, paths)
    if partial:
        where = output_dir(options, paths)
        note = "" if args.output else " (pages with all notebooks are left as they are)"
        print(f"Partial run (only {', '.join(partial)}): writing to {where}{note}.", flush=True)
    try:
        result = run_reports(options, paths)
    except OSError as exc:
        if not exc.filename:
            raise
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise AnalysisError(f"cannot write or read {exc.filename}: {reason}") from None
    print(summary(result))
    return 0 if result.ok else 1
