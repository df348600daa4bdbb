"""The README and docs/trust.md say what the reports do (issue 22 leftovers): the
simulated analyses as a marked method demonstration (not a red banner per section), the
committee page among the outputs, and the page check and the simulated-data marking in
the trust table, with tests that exist."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.reports.committee import SUFFIX

REPO = Path(__file__).resolve().parents[1]


def test_the_readme_describes_the_method_demonstration_and_the_committee_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "red banner" not in readme, "the sections carry no red banner any more"
    assert "method demonstration on" in readme and 'data-source="simulated"' in readme
    outputs = readme[readme.index("## What `make report` produces") :].split("\n## ")[0]
    assert f"`reports/<code>-<slug>{SUFFIX}.html`" in outputs
    assert "one A4 sheet" in outputs


def _trust_row(text: str, needle: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith("|") and needle in line]
    assert rows, f"no row of docs/trust.md names {needle}"
    return rows[0]


def test_the_trust_table_names_the_page_check_and_the_simulated_marking_with_real_tests():
    trust = (REPO / "docs" / "trust.md").read_text(encoding="utf-8")
    for needle in ("analysis.reports.pagecheck.check_reader_text", 'data-source="simulated"'):
        row = _trust_row(trust, needle)
        tests = row.rsplit("|", 2)[-2]
        named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`", tests)
        assert named, row
        current = None
        for file, function, more in named:
            current = REPO / file if file else current
            assert current is not None and current.is_file(), file
            name = function or more
            if name:
                assert f"def {name}(" in current.read_text(encoding="utf-8"), (current, name)
