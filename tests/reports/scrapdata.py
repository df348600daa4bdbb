"""The headline scraps of real executed pages (tests/fixtures/reports/headline_scraps.json:
read with scrapbook from the notebooks a run of 101, 580, 825, 657 and 175 executed), for
tests that need a complete record and change only some of its fields."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "reports" / "headline_scraps.json"
PAGES: dict[str, dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["pages"]


def real_scrap(page: str, scrap: str, **changes: Any) -> Any:
    """A copy of ``scrap`` as page ``page`` glued it, with ``changes`` to its fields."""
    data = copy.deepcopy(PAGES[page][scrap])
    if changes:
        data.update(changes)
    return data
