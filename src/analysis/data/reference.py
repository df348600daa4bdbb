"""The municipality reference table and name/code matching.

Every other loader matches municipalities through this module, so that "København",
"Københavns Kommune", "koebenhavn", "Copenhagen" and 101 all mean the same thing, and so
that areas that are not a municipality ("Hele landet", "All Denmark", "Abroad") are told
apart from misspelt municipalities.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.data.parsing import is_non_municipal_area
from analysis.errors import InputError, InputProblem
from analysis.paths import get_paths

REGION_COUNTS = {
    "Hovedstaden": 29,
    "Sjælland": 17,
    "Syddanmark": 22,
    "Midtjylland": 19,
    "Nordjylland": 11,
}
COLUMNS = ["code", "name", "slug", "region"]
#: What a slug may hold: it becomes part of file and folder names (``101-koebenhavn.html``).
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"

#: English names Statistics Denmark writes (``lang=en``) where they differ from the Danish
#: name; StatBank's English output keeps every other municipality's Danish name
#: ("Høje-Taastrup", "Læsø") and the regions' ("Region Hovedstaden").
ENGLISH_NAMES = {101: "Copenhagen"}

#: Area names in downloads that are not one of the 98 municipalities and that
#: :func:`analysis.data.parsing.is_non_municipal_area` does not know by its patterns
#: (whole country, region, landsdel/province, RAR, job centre, uoplyst/unknown): living or
#: working abroad, a municipality not stated, and the regions' official English names.
#: DST writes "Udlandet"/"Abroad", "Uden for Danmark"/"Outside Denmark", "Uoplyst
#: kommune"/"Not stated municipality" and "Outside regions" in area variables.
NON_MUNICIPAL_NAMES = (
    "Udlandet",
    "Abroad",
    "Uden for Danmark",
    "Udenfor Danmark",
    "Outside Denmark",
    "Not stated municipality",
    "Not stated",
    "Outside regions",
    "Udenfor kommunal inddeling",
    "Denmark",
    "Capital Region of Denmark",
    "Region Zealand",
    "Region of Southern Denmark",
    "Central Denmark Region",
    "North Denmark Region",
)

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(name: str) -> str:
    """ASCII slug of a Danish name: 'Høje-Taastrup' -> 'hoeje-taastrup'."""
    text = name.strip().translate(_TRANSLIT).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text


def unique_name(base: str, taken: set[str], sep: str = "-") -> str:
    """``base``, or ``base-2``, ``base-3`` ... the first not in ``taken``; it is added to
    ``taken`` (ids made from names: sources, codes, headings)."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{sep}{n}", n + 1
    taken.add(name)
    return name


_NON_MUNICIPAL_SLUGS = frozenset(slugify(name) for name in NON_MUNICIPAL_NAMES)


def area_name_candidates(name: str) -> list[str]:
    """Slugs to try for an area name as written in downloads.

    Handles ' Kommune' / ' Regionskommune' suffixes and the genitive 's' they carry
    ('Københavns Kommune', 'Bornholms Regionskommune'), and the English ' Municipality' /
    ' Regional Municipality' ('Copenhagen Municipality')."""
    text = re.sub(r"\s+", " ", str(name).strip())
    base = re.sub(r"\s+(regions)?kommune$", "", text, flags=re.IGNORECASE)
    candidates = [slugify(base)]
    if base != text and base.lower().endswith("s"):
        candidates.append(slugify(base[:-1]))
    english = re.sub(r"\s+(regional\s+)?municipality$", "", text, flags=re.IGNORECASE)
    if english != text and english:
        candidates.append(slugify(english))
    return candidates


def is_known_non_municipal_area(name: object) -> bool:
    """True for an area name that is known not to be a municipality, in Danish or English:
    the patterns of :func:`analysis.data.parsing.is_non_municipal_area` ('Hele landet',
    'All Denmark', 'Region ...', 'Landsdel ...', 'Province ...', 'Uoplyst', 'Unknown ...')
    and :data:`NON_MUNICIPAL_NAMES` ('Abroad', 'Outside Denmark', 'Not stated
    municipality', 'Capital Region of Denmark', ...)."""
    return is_non_municipal_area(name) or slugify(str(name)) in _NON_MUNICIPAL_SLUGS


@cache
def _load(path: str, stamp: tuple[int, int] | None = None) -> pd.DataFrame:
    """The validated table; ``stamp`` (mtime, size) makes a changed file a new cache key."""
    file = Path(path)
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(file, "reference file not found") from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(file, f"cannot read the file: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError.single(file, f"cannot read as UTF-8 CSV: {exc}") from None
    if not isinstance(df.index, pd.RangeIndex):
        raise InputError.single(
            file, "the data rows have more fields than the header", expected=",".join(COLUMNS)
        )
    problems: list[InputProblem] = []
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError.single(
            file, "missing columns", expected=", ".join(COLUMNS), found=", ".join(df.columns)
        )
    bad_code = ~df["code"].str.fullmatch(r"[0-9]{1,4}")
    for idx, value in df.loc[bad_code, "code"].items():
        problems.append(
            InputProblem(
                str(file),
                "not a municipality code",
                row=idx + 2,
                column="code",
                expected="a whole number of at most 4 digits",
                found=value,
            )
        )
    if problems:
        raise InputError(problems)
    df["code"] = df["code"].astype("int64")
    for col in ("code", "name", "slug"):
        dup = df[df[col].duplicated(keep=False)]
        for idx, value in dup[col].items():
            problems.append(
                InputProblem(
                    str(file),
                    f"duplicate {col}",
                    row=idx + 2,
                    column=col,
                    expected="unique values",
                    found=str(value),
                )
            )
    # the slug names the report page (<code>-<slug>.html) and its notebook folder: a
    # "../" in it would write outside the output folder
    bad_slug = ~df["slug"].str.fullmatch(SLUG_PATTERN)
    for idx, value in df.loc[bad_slug, "slug"].items():
        problems.append(
            InputProblem(
                str(file),
                "not a slug",
                row=idx + 2,
                column="slug",
                expected="lower-case letters a-z, digits and single hyphens, such as "
                "'hoeje-taastrup' (it names the report page)",
                found=str(value),
            )
        )
    bad_region = df[~df["region"].isin(REGION_COUNTS)]
    for idx, value in bad_region["region"].items():
        problems.append(
            InputProblem(
                str(file),
                "unknown region",
                row=idx + 2,
                column="region",
                expected=", ".join(REGION_COUNTS),
                found=str(value),
            )
        )
    if problems:
        raise InputError(problems)
    counts = df["region"].value_counts().to_dict()
    if len(df) != 98 or counts != REGION_COUNTS:
        raise InputError.single(
            file,
            "the reference table must list the 98 municipalities in their five regions",
            expected=str(REGION_COUNTS),
            found=f"{len(df)} rows, {counts}",
        )
    return df[COLUMNS].sort_values("code").reset_index(drop=True)


def load_municipalities(path: Path | str | None = None) -> pd.DataFrame:
    """The validated table of 98 municipalities (code, name, slug, region), sorted by code."""
    file = (Path(path) if path is not None else get_paths().municipalities_csv).resolve()
    try:
        stat = file.stat()
        stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None  # _load reports the missing file
    return _load(str(file), stamp).copy()


def municipality_lookup(path: Path | str | None = None) -> dict[str, int]:
    """Map every accepted spelling (code as text, name, slug, English name) to the code."""
    table = load_municipalities(path)
    lookup: dict[str, int] = {}
    for row in table.itertuples(index=False):
        for key in (str(row.code), row.slug, slugify(row.name)):
            lookup[key] = int(row.code)
        if int(row.code) in ENGLISH_NAMES:
            lookup.setdefault(slugify(ENGLISH_NAMES[int(row.code)]), int(row.code))
    return lookup


def resolve_municipality(value: object, path: Path | str | None = None) -> int | None:
    """The code of a municipality given as code, name, slug or 'Navn Kommune'; None if
    unknown."""
    lookup = municipality_lookup(path)
    if isinstance(value, int | float) and not pd.isna(value) and float(value).is_integer():
        code = int(value)
        return code if str(code) in lookup else None
    text = str(value).strip()
    if text.isdecimal():  # not isdigit: int("²") fails
        return lookup.get(str(int(text)))
    for candidate in area_name_candidates(text):
        if candidate in lookup:
            return lookup[candidate]
    return None


def municipality_name(code: int, path: Path | str | None = None) -> str:
    table = load_municipalities(path)
    match = table.loc[table["code"] == int(code), "name"]
    if match.empty:
        raise InputError.single(
            path or get_paths().municipalities_csv,
            "unknown municipality code",
            expected="one of the 98 codes in the reference table",
            found=code,
        )
    return str(match.iloc[0])
