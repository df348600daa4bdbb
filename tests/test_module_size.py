"""No module of the package is longer than 700 lines (issue 23: small modules with one
job each; docs/conventions.md)."""

from __future__ import annotations

from pathlib import Path

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent
MAX_LINES = 700

#: module (path inside the package) -> why it may be longer for now. Add an entry only
#: with its reason and tell the lead; remove it when the module is split.
KNOWN_EXCEPTIONS: dict[str, str] = {}


def _lines() -> dict[str, int]:
    return {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_no_module_is_longer_than_700_lines():
    long = {
        name: count
        for name, count in _lines().items()
        if count > MAX_LINES and name not in KNOWN_EXCEPTIONS
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them by job): {long}"


def test_known_exceptions_are_still_long():
    """An exception that is no longer long must leave the list (else it hides a new one)."""
    lines = _lines()
    short = [name for name in KNOWN_EXCEPTIONS if lines.get(name, 0) <= MAX_LINES]
    assert short == [], f"no longer over {MAX_LINES} lines: remove from KNOWN_EXCEPTIONS: {short}"
