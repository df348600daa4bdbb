"""``python -m analysis import-qdpx FILE.qdpx``: read a REFI-QDA project (or a .qdc codebook).

``--summary`` prints JSON with the counts of sources, codes and codings, the coders, the
file's ``origin`` and the notes (the repairs made: CRLF text, byte or UTF-16 positions,
missing colours; and what was left out: non-text sources and their codings, sets, notes),
with the same keys for a .qdc. ``--output DIR`` writes the import in the project's own
formats: ``sources.csv`` + ``sources/*.txt`` (a corpus folder), ``codebook.yaml`` and
``codings_imported.csv`` (only ``codebook.yaml`` when there are no sources), and
replaces an earlier import there as a whole; it refuses to write over files no import
wrote or that were changed since (``--overwrite`` to do it anyway; see
:mod:`analysis.qual.import_output`). Unsafe
archives (paths with ``..``, absolute paths, oversized members) and XML with DTDs or
entities are refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.fileio import check_writable
from analysis.paths import get_paths
from analysis.qual.codebook import write_codebook
from analysis.qual.codings import with_hashes, write_codings
from analysis.qual.corpus import write_source_folder
from analysis.qual.import_output import check_folder, place_import
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
        "--overwrite",
        action="store_true",
        help="write into a folder although files there were not written by an import or "
        "were changed since (e.g. a hand-edited codebook.yaml, data/raw's own files): those "
        "at the import's paths are replaced (default: refuse, naming them)",
    )
    parser.add_argument(
        "--positions",
        choices=("auto", "chars", "utf8", "utf16"),
        default="auto",
        help="how the file counts positions (default: detect)",
    )


def main(args: argparse.Namespace) -> int:
    if args.output:  # before reading: a folder that cannot take the import fails at once
        check_folder(args.output, overwrite=args.overwrite, raw=get_paths().raw)
        check_writable(args.output, folder=True, beside=True)
    if args.file.suffix.lower() == ".qdc":
        result = read_qdc(args.file)
    else:
        result = import_qdpx(args.file, positions=args.positions)
    codes_only = result.corpus.sources.empty
    placed = None
    if args.output:

        def write(folder: Path) -> None:
            if not codes_only:
                write_source_folder(result.corpus, folder)
                write_codings(
                    with_hashes(result.codings, result.corpus), folder / "codings_imported.csv"
                )
            write_codebook(result.codebook, folder / "codebook.yaml")

        placed = place_import(
            args.output, write, args.file, overwrite=args.overwrite, raw=get_paths().raw
        )
    if args.summary or not args.output:
        print(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    else:
        counts = result.summary()
        print(
            f"imported {args.file} into {args.output}: {counts['sources']} sources, "
            f"{counts['codes']} codes, {counts['codings']} codings"
        )
        if placed is not None and placed.how == "replaced":
            print(f"replaced the earlier import in {args.output} as a whole")
        if placed is not None and placed.removed:
            print(
                f"removed {len(placed.removed)} file(s) of the earlier import that this one "
                f"does not have: {', '.join(placed.removed)}"
            )
        if codes_only and args.file.suffix.lower() != ".qdc":
            print("note: the project has no sources: wrote only the codebook")
        # what was repaired or left out must be said, not only in --summary
        for note in result.notes:
            print(f"note: {note}")
    return 0
