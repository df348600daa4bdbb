"""Exact reproduction of KLK's 2012 scorecard for Jobcenter Aabenraa (seed 002)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.benchmark.klk import (
    KLK_COLUMNS,
    check_savings,
    load_klk_savings,
    load_klk_table,
    reproduce,
    summary,
)
from analysis.benchmark.scorecard import Tolerance
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
KLK_CSV = REPO / "data" / "raw" / "benchmark" / "klk_aabenraa_2012.csv"
SAVINGS_CSV = REPO / "data" / "raw" / "benchmark" / "klk_aabenraa_2012_savings.csv"
SEED_LINES = REPO / "tests" / "fixtures" / "benchmark" / "seed002_table_lines.tsv"
ARROWS = {"▲", "▼", "▶"}


def seed_rows() -> dict[int, dict[str, str]]:
    """The table rows as printed in the seed, parsed independently of the CSV."""
    rows = {}
    for text in SEED_LINES.read_text(encoding="utf-8").splitlines():
        number, _, line = text.partition("\t")
        cells = line.split("\t")
        if len(cells) == 6:  # Table 8 prints "49,4% ⊙" in one cell
            value, glyph = cells[5].rsplit(" ", 1)
            cells = [*cells[:5], value, glyph]
        label, period, own, ams, glyph_ams, sdr, glyph_sdr = (c.strip() for c in cells)
        rows[int(number)] = {
            "label_da": label,
            "period": period,
            "values": [own, ams, sdr],
            "glyphs": [glyph_ams, glyph_sdr],
        }
    return rows


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_klk_table(KLK_CSV)


@pytest.fixture(scope="module")
def reproduced(table) -> pd.DataFrame:
    return reproduce(table)


def test_every_table_row_is_transcribed_exactly(table):
    printed = seed_rows()
    raw = pd.read_csv(KLK_CSV, dtype=str, keep_default_na=False)
    assert len(raw) == len(printed) == 75
    assert sorted(raw["table"].astype(int).unique()) == list(range(1, 10))
    for line in raw.itertuples(index=False):
        seed = printed[int(line.source_line)]
        assert line.label_da == seed["label_da"], line.source_line
        assert line.period == seed["period"], line.source_line
        as_printed = [v.rstrip("%").replace(",", ".") for v in seed["values"]]
        assert [line.aabenraa, line.ams_klynge, line.soenderjysk_klynge] == as_printed
        glyphs = [
            line.published_arrow or line.published_level_symbol,
            line.published_arrow_soenderjysk or line.published_level_symbol_soenderjysk,
        ]
        assert glyphs == seed["glyphs"], line.source_line
        if line.row_type == "level":
            assert not set(seed["glyphs"]) & ARROWS


def test_every_published_arrow_is_reproduced(reproduced):
    development = reproduced[reproduced["row_type"].eq("development")]
    assert len(development) == 37
    for row in development.itertuples(index=False):
        assert row.recomputed_arrow == row.published_arrow, (row.indicator, row.reason)
        assert row.arrow_matches == "yes"
    counts = summary(reproduced)
    assert counts == {
        "rows": 75,
        "level_rows": 38,
        "development_rows": 37,
        "rows_with_arrows": 35,
        "arrows_matched": 35,
        "arrows_mismatched": 0,
        "text_statements": 66,
        "text_rows_disagreeing": 1,
    }
    # the two "Andet" rows: no judgement, no arrow printed, none recomputed
    others = development[development["indicator"].str.endswith("status_other")]
    assert (others["recomputed_arrow"] == "").all() and (others["published_arrow"] == "").all()


def test_unchanged_and_flipped_arrows(reproduced):
    by = reproduced.set_index(["indicator", "row_type"])
    assert by.loc[("kh_u30_duration_weeks", "development"), "recomputed_arrow"] == "▶"
    assert by.loc[("kh_status_ledighedsydelse", "development"), "recomputed_arrow"] == "▶"
    # a fall in full-time recipients is good: ▲ (lower is better)
    assert by.loc[("sdp_fulltime_share", "development"), "recomputed_arrow"] == "▲"
    # a fall in flex-job retention is bad: ▼ (higher is better)
    assert by.loc[("fleks_retention_26w", "development"), "recomputed_arrow"] == "▼"


def test_text_statements_are_checked_against_the_rule(reproduced):
    claims = reproduced[reproduced["text_agrees"].ne("")]
    assert len(claims) == 33
    disagreeing = claims[claims["text_agrees"].eq("no")]
    assert list(disagreeing["indicator"]) == ["ftp_awards_share"]
    reason = disagreeing.iloc[0]["reason"]
    assert "line 199" in reason and "same" in reason and "Sønderjysk" in reason
    # the statements that define the tolerance agree with it
    by = reproduced.set_index(["indicator", "row_type"])
    assert by.loc[("sdp_fulltime_share", "level"), "status_soenderjysk"] == "same"  # 3.4/3.3
    assert by.loc[("kh_u30_fulltime_share", "level"), "status_ams"] == "same"  # 1.7/1.6
    assert by.loc[("kh_o30_fulltime_share", "level"), "status_ams"] == "better"  # 2.5/2.7


def test_a_wider_tolerance_changes_the_text_check(table):
    # "within 5 % of the cluster mean is the same" contradicts more of KLK's own text
    wide = reproduce(table, Tolerance(level_relative=0.05))
    disagreeing = wide[wide["text_agrees"].eq("no")]
    assert list(disagreeing["indicator"]) == [
        "ftp_awards_share",
        "ledyd_over_26w",  # 54.3 vs 55.9: "lidt færre" -> same at 5 % (band 2.795)
        "fleks_retention_26w",  # 84.3 vs 84.6 and 86.1: "lidt dårligere" -> same
    ]
    assert "tolerance 2.795" in disagreeing.iloc[1]["reason"]


def test_a_wrong_arrow_is_reported_with_its_reason(table):
    changed = table.copy()
    index = changed.index[changed["indicator"].eq("kh_o30_fulltime_share")][1]
    changed.loc[index, "published_arrow"] = "▲"
    result = reproduce(changed)
    bad = result.loc[index]
    assert bad["arrow_matches"] == "no"
    assert "different arrows for the two clusters" in bad["reason"]
    assert "rise (3.4%), lower is better: bad" in bad["reason"]
    assert summary(result)["arrows_mismatched"] == 1


def test_savings_inconsistency_is_found():
    checks = check_savings(load_klk_savings(SAVINGS_CSV))
    repeated = checks[checks["check"].eq("repeated")].set_index(["area", "cluster"])
    kh = repeated.loc[("kontanthjaelp", "soenderjysk_klynge")]
    assert kh["consistent"] == "no"
    assert "små 3" in kh["finding"] and "2.5" in kh["finding"]
    assert "71" in kh["lines"] and "465" in kh["lines"]
    assert repeated.loc[("fleksjob_ledighedsydelse", "ams_klynge"), "consistent"] == "yes"
    sums = checks[checks["check"].eq("sum")].set_index("cluster")
    assert "81 mio" in sums.loc["ams_klynge", "finding"]
    assert "22.5-23 mio" in sums.loc["soenderjysk_klynge", "finding"]


def write_variant(tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(KLK_CSV, dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / "klk.csv"
    frame.to_csv(path, index=False)
    return path


def test_validation_names_line_and_entry(tmp_path):
    def edit(frame):
        frame.loc[0, "indicator"] = "no_such_indicator"
        frame.loc[1, "published_arrow"] = "↑"
        frame.loc[2, "aabenraa"] = "5,6"
        frame.loc[3, "unit"] = "points"  # the catalogue says percent

    with pytest.raises(InputError) as caught:
        load_klk_table(write_variant(tmp_path, edit))
    problems = {(p.row, p.column): p for p in caught.value.problems}
    assert problems[(2, "indicator")].found == "no_such_indicator"
    assert problems[(3, "published_arrow")].found == "↑"
    assert problems[(4, "aabenraa")].found == "5,6"
    assert problems[(5, "unit")].expected == "percent"
    assert "klk.csv" in str(caught.value)


def test_missing_columns(tmp_path):
    path = tmp_path / "short.csv"
    shutil.copy(KLK_CSV, path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="row_type")
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match="missing columns"):
        load_klk_table(path)
    assert "row_type" in KLK_COLUMNS
