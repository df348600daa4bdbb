"""``python -m analysis import-qdpx FILE.qdpx``: read a REFI-QDA project (or a .qdc codebook).

``--summary`` prints JSON with the counts of sources, codes and codings, the coders, the
file's ``origin`` and the notes (the repairs made: CRLF text, byte or UTF-16 positions,
missing colours; and what was left out: non-text sources and their codings, sets, notes),
with the same keys for a .qdc. ``--output DIR`` writes the import in the project's own
formats: ``sources.csv`` + ``sources/*.txt`` (a corpus folder), ``codebook.yaml`` and
``codings_imported.csv`` (only ``codebook.yaml`` when there are no sources). Unsafe
archives (paths with ``..``, absolute paths, oversized members) and XML with DTDs or
entities are refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.qual.codebook import write_codebook
from analysis.qual.codings import with_hashes, write_codings
from analysis.qual.corpus import write_source_folder
from analysis.qual.refi import import_qdpx, read_qdc


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help=".qdpx project or .qdc codebook")
    parser.add_argument("--summary", action="store_true", help="print counts as JSON")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="folder to write the imported corpus, codebook and codings",
    )
    parser.add_argument(
        "--positions",
        choices=("auto", "chars", "utf8", "utf16"),
        default="auto",
        help="how the file counts positions (default: detect)",
    )


def main(args: argparse.Namespace) -> int:
    if args.file.suffix.lower() == ".qdc":
        result = read_qdc(args.file)
    else:
        result = import_qdpx(args.file, positions=args.positions)
    codes_only = result.corpus.sources.empty
    if args.output:
        if not codes_only:
            write_source_folder(result.corpus, args.output)
            write_codings(
                with_hashes(result.codings, result.corpus), args.output / "codings_imported.csv"
            )
        write_codebook(result.codebook, args.output / "codebook.yaml")
    if args.summary or not args.output:
        print(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    else:
        counts = result.summary()
        print(
            f"imported {args.file} into {args.output}: {counts['sources']} sources, "
            f"{counts['codes']} codes, {counts['codings']} codings"
        )
        if codes_only and args.file.suffix.lower() != ".qdc":
            print("note: the project has no sources: wrote only the codebook")
        # what was repaired or left out must be said, not only in --summary
        for note in result.notes:
            print(f"note: {note}")
    return 0
