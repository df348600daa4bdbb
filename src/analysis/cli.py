"""Command-line dispatcher: ``python -m analysis <command> [options]``.

Each command lives in its own module ``analysis.<area>.cli_<command>`` that exposes two
functions:
``configure(parser: argparse.ArgumentParser) -> None`` and ``main(args) -> int``.
Modules are imported only when their command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from analysis.errors import AnalysisError

#: command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "prepare": (
        "analysis.data.cli_prepare",
        "validate raw inputs and write Parquet to data/processed",
    ),
    "simulate": ("analysis.data.cli_simulate", "write the simulated demo caseload panel"),
    "autocode": ("analysis.qual.cli_autocode", "propose codes for text segments (id,text CSV)"),
    "review": (
        "analysis.qual.cli_review",
        "review proposed codes: apply the sheet's decisions, precision, the next batch",
    ),
    "import-qdpx": ("analysis.qual.cli_import_qdpx", "import a REFI-QDA project (.qdpx)"),
    "export-qdpx": ("analysis.qual.cli_export_qdpx", "export the corpus as REFI-QDA .qdpx/.qdc"),
    "reliability": ("analysis.qual.cli_reliability", "intercoder reliability from codings CSV"),
    "regress": (
        "analysis.quant.cli_regress",
        "run the caseload regressions and write the tidy table",
    ),
    "scorecard": ("analysis.benchmark.cli_scorecard", "KLK-style benchmark scorecard"),
    "run": ("analysis.reports.cli_run", "run the notebooks per municipality and export HTML"),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items())
    return (
        "usage: python -m analysis <command> [options]\n\n"
        f"commands:\n{rows}\n\n"
        "Run 'python -m analysis <command> --help' for a command's options."
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if args[0] in {"--version", "version"}:
        from analysis import __version__

        print(__version__)
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, help_text = COMMANDS[command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            print(
                f"command {command!r} is not available yet ({module_name} missing)", file=sys.stderr
            )
            return 2
        raise
    parser = argparse.ArgumentParser(prog=f"python -m analysis {command}", description=help_text)
    module.configure(parser)
    parsed = parser.parse_args(rest)
    try:
        return int(module.main(parsed) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if not exc.filename:
            raise
        # a file that could not be written or read mid-way (a full disk, a folder made
        # read-only): one line naming it, not a traceback
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        print(f"error: cannot write or read {exc.filename}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
