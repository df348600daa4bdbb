"""STAR's y30r21 (expected against actual public support) from a user's API answer in
data/raw/star: prepared into a table and shown beside the scorecard (issue 25 §2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.benchmark.star import rolling_year_text, star_comparison, star_note
from analysis.data.store import prepare
from analysis.errors import AnalysisError

Y30R21 = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "jobindsats_api_y30r21.json"


def _with_answer(paths) -> Path:
    (paths.raw / "star").mkdir(exist_ok=True)
    target = paths.raw / "star" / "y30r21.json"
    shutil.copy(Y30R21, target)
    return target


def test_without_an_answer_there_is_nothing_to_show(isolated_paths):
    assert prepare(isolated_paths).ok
    assert star_comparison(101, "da", isolated_paths) is None
    assert not isolated_paths.processed_file("star_expected").exists()


def test_the_municipalitys_rows_as_the_file_gives_them(isolated_paths):
    _with_answer(isolated_paths)
    report = prepare(isolated_paths)
    assert report.ok
    assert {r.name: r.status for r in report.tables}["star_expected"] == "written"
    star = star_comparison(101, "da", isolated_paths)
    assert star is not None
    assert [p.name for p in star.inputs] == ["y30r21.json"]
    total = star.rows.set_index("benefit_group").loc["total"]
    # the fixture's København row in its latest rolling year (2021QMAT02, not 2020QMAT04):
    # expected 14.9 %, actual 15.3 %, STAR's rank 68
    assert (total["expected_share"], total["actual_share"]) == (14.9, 15.3)
    assert total["actual_minus_expected_share"] == pytest.approx(0.4)
    first = star.table.iloc[0].tolist()
    assert first == ["Ydelsesgrupper i alt", "14,9 %", "15,3 %", "+0,4", "68"]
    assert star.rows["benefit_group"].iloc[0] == "total"
    note = star_note(star, "København", "da")
    assert "4 kvartaler til og med 2. kvt. 2021" in note and "y30r21" in note
    assert star_comparison(580, "da", isolated_paths) is None  # not in the answer


def test_an_answer_changed_after_prepare_names_the_command(isolated_paths):
    target = _with_answer(isolated_paths)
    assert prepare(isolated_paths).ok
    target.write_text(target.read_text(encoding="utf-8").replace("15.3", "15.4"), "utf-8")
    with pytest.raises(AnalysisError, match="analysis prepare"):
        star_comparison(101, "da", isolated_paths)


def test_a_file_that_is_not_y30r21_fails_prepare_with_its_name(isolated_paths):
    (isolated_paths.raw / "star").mkdir()
    (isolated_paths.raw / "star" / "other.json").write_text("[]", encoding="utf-8")
    report = prepare(isolated_paths)
    failed = {r.name: r for r in report.tables}["star_expected"]
    assert failed.status == "failed" and "other.json" in failed.error


def test_rolling_years_in_words():
    assert rolling_year_text("2021QMAT02", "da") == "4 kvartaler til og med 2. kvt. 2021"
    assert rolling_year_text("2021QMAT02", "en") == "4 quarters up to Q2 2021"
