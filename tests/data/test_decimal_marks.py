"""Decimal marks are judged on whole columns, and a column that reads both ways is refused
(issue 11, item 7): ``212.200`` is 212.2 with a decimal point and 212200 with a thousands
dot, and no sample of the first rows may decide it. Plausibility limits catch what slips
through."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data import caseloads, parsing
from analysis.data.caseloads import CASELOAD_OUTCOMES, STANDARD_OUTCOMES, read_caseload_panel
from analysis.data.jobindsats import load_snapshot, read_jobindsats_export
from analysis.data.parsing import guess_decimal
from analysis.data.statbank import read_statbank_csv
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
SIMULATED = REPO / "data" / "raw" / "caseloads" / "simulated_caseloads.csv"


def three_decimals(tmp_path: Path, rows: int | None = None, name: str = "panel.csv") -> Path:
    """The hostile tester's file: the simulated panel as a semicolon CSV in which every
    decimal number has exactly three digits after the point (212.200, 9.599)."""
    frame = pd.read_csv(SIMULATED, dtype=str, keep_default_na=False)
    frame = frame[["municipality_code", "unit", "period", "caseload", "preparatory_plans"]]
    if rows is not None:
        frame = frame.head(rows)
    for column in ("caseload", "preparatory_plans"):
        frame[column] = frame[column].map(lambda v: f"{float(v):.3f}")
    path = tmp_path / name
    frame.to_csv(path, sep=";", index=False)
    return path


def format_file_for(panel: Path) -> Path:
    """Where the README tells users to state the decimal mark of a panel."""
    return panel.with_name(f"{panel.stem}_format.yaml")


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value


# --- the shared helper ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "mark"),
    [
        (["3,9", "16.981"], ","),
        (["4.3", "16981"], "."),
        (["0.125"], "."),  # a leading 0 is never a thousands group
        (["0,125"], ","),
        (["1,234.5"], "."),
        (["1.234,5"], ","),
        (["1.234.567"], ","),  # only thousands separators repeat
        (["1,234,567"], "."),
        (["1234.567"], "."),  # four digits before: not a thousands group
        (["12", "-", "..", ""], ","),  # nothing to decide: both marks read the same
    ],
)
def test_guess_decimal_when_the_values_say(values, mark):
    assert guess_decimal(pd.Series(values, dtype=object)) == mark


@pytest.mark.parametrize("values", [["15.529", "1.439", "93.771"], ["212.200"], ["1,234"]])
def test_guess_decimal_refuses_columns_that_read_both_ways(values):
    """Before: thousands dots only were read the Danish way, so 212.200 became 212200."""
    with pytest.raises(parsing.AmbiguousDecimal) as info:
        guess_decimal(pd.Series(values, dtype=object))
    assert info.value.evidence.example == values[0]


def test_guess_decimal_uses_the_whole_column():
    """Before: only the first 2,000 values were looked at; the 2,001st showed the point."""
    values = pd.Series(["1.234"] * 2000 + ["1.5"], dtype=object)
    assert guess_decimal(values) == "."


def test_evidence_remembers_where_the_first_ambiguous_value_is():
    evidence = parsing.decimal_evidence(pd.Series(["7", "212.200", "9.599"], index=[2, 3, 4]))
    assert (evidence.ambiguous, evidence.example, evidence.example_at) == (2, "212.200", 3)


# --- caseload panels ------------------------------------------------------------------


def test_three_digit_decimals_are_refused_not_read_a_thousand_times_too_large(tmp_path):
    """Issue 11, item 7: read as 212200 and 9599, no warning."""
    path = three_decimals(tmp_path)
    error = error_of(read_caseload_panel, path)
    text = str(error)
    problems = {p.column: p for p in error.problems}
    assert set(problems) == {"caseload", "preparatory_plans"}
    first = problems["caseload"]
    assert (first.file, first.row, first.found) == (str(path), 2, "212.200")
    assert f"{path}, row 2, column 'caseload': cannot tell the decimal mark" in text
    assert "212.2 with a decimal point and 212200 with a thousands separator" in text
    assert "panel_format.yaml" in text and "decimal: point" in text
    assert "read_caseload_panel(path, decimal='.')" in text


def test_the_whole_column_decides_not_the_first_rows(tmp_path):
    """Before: the first 300 values of each column were sampled; a file whose first 400
    caseloads had three decimals was read with decimal commas and every later value
    ('132.19') was refused as not a number."""
    frame = pd.read_csv(SIMULATED, dtype=str, keep_default_na=False)
    frame = frame[["municipality_code", "unit", "period", "caseload"]].head(1000)
    frame.loc[:399, "caseload"] = frame.loc[:399, "caseload"].map(lambda v: f"{float(v):.3f}")
    path = tmp_path / "panel.csv"
    frame.to_csv(path, sep=";", index=False)
    panel = read_caseload_panel(path)
    assert panel["caseload"].max() < 400
    expected = pd.read_csv(SIMULATED).head(1000)["caseload"].sort_values().tolist()
    assert panel["caseload"].sort_values().tolist() == pytest.approx(expected)


@pytest.mark.parametrize("text", ["decimal: point\n", "decimal: '.'\n", '# ours\ndecimal: "."\n'])
def test_a_format_file_beside_the_panel_says_which_mark(tmp_path, text):
    path = three_decimals(tmp_path, rows=50)
    format_file_for(path).write_text(text, encoding="utf-8")
    panel = read_caseload_panel(path)
    assert panel.loc[0, "caseload"] == pytest.approx(212.2)
    assert panel["preparatory_plans"].max() < 20


def test_the_argument_says_which_mark_and_wins_over_a_format_file(tmp_path):
    path = three_decimals(tmp_path, rows=50)
    format_file_for(path).write_text("decimal: comma\n", encoding="utf-8")
    panel = read_caseload_panel(path, decimal=".")
    assert panel.loc[0, "caseload"] == pytest.approx(212.2)


def test_a_wrong_mark_stated_is_caught_by_the_plausibility_limit(tmp_path):
    path = three_decimals(tmp_path, rows=50)
    format_file_for(path).write_text("decimal: comma\n", encoding="utf-8")
    error = error_of(read_caseload_panel, path)
    first = error.problems[0]
    assert (first.row, first.column, first.found) == (2, "caseload", "212200")
    assert "above 1000" in first.message and caseloads.CASELOAD_LIMIT.reason in first.message


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("decimal: semicolon\n", "expected the line 'decimal: point' or 'decimal: comma'"),
        ("decimals: point\n", "expected the line 'decimal: point' or 'decimal: comma'"),
        ("decimal: point\ndecimal: comma\n", "more than once"),
        ("a: &a [1]\nb: [*a, *a, *a]\n", "expected the line 'decimal: point'"),
        ("[" * 5000 + "]" * 5000, "expected the line 'decimal: point'"),
        ("!!python/object/apply:os.mkdir ['x']\n", "expected the line 'decimal: point'"),
        (b"\xff\xfe\x00\x01" * 10, "not UTF-8 text"),
        ("decimal: point\n" + "#" * 70_000 + "\n", "larger than"),
    ],
)
def test_a_bad_format_file_is_refused_naming_it(tmp_path, content, phrase):
    path = three_decimals(tmp_path, rows=5)
    sidecar = format_file_for(path)
    if isinstance(content, str):
        content = content.encode("utf-8")
    sidecar.write_bytes(content)
    text = str(error_of(read_caseload_panel, path))
    assert str(sidecar) in text and phrase in text, text[:500]
    assert not (tmp_path / "x").exists()


def test_a_folder_as_format_file_is_refused(tmp_path):
    path = three_decimals(tmp_path, rows=5)
    format_file_for(path).mkdir()
    assert str(format_file_for(path)) in str(error_of(read_caseload_panel, path))


def test_a_bad_decimal_argument_is_a_clear_error(tmp_path):
    path = three_decimals(tmp_path, rows=5)
    with pytest.raises(ValueError, match="decimal must be"):
        read_caseload_panel(path, decimal=";")


def test_the_demo_panel_still_reads_with_decimal_points():
    panel = read_caseload_panel(SIMULATED)
    expected = pd.read_csv(SIMULATED)
    assert panel["caseload"].sort_values().tolist() == pytest.approx(
        expected["caseload"].sort_values().tolist()
    )


# --- plausibility limits ---------------------------------------------------------------


def test_every_limit_has_a_reason_and_shares_stop_at_one():
    for spec in STANDARD_OUTCOMES.values():
        assert spec.limit.maximum > 0 and len(spec.limit.reason) > 20, spec.name
        if spec.is_share:
            assert spec.limit.maximum == 1
    assert caseloads.CASELOAD_LIMIT.maximum == 1000 and "1,000" in caseloads.CASELOAD_LIMIT.reason


def test_the_demo_panel_is_inside_every_limit():
    panel = read_caseload_panel(SIMULATED)
    assert panel["caseload"].max() <= caseloads.CASELOAD_LIMIT.maximum
    for name, spec in CASELOAD_OUTCOMES.items():
        assert panel[name].max() <= spec.limit.maximum, name


@pytest.mark.parametrize(
    ("column", "value", "limit"),
    [("caseload", "1500", "1000"), ("staff_sick_days", "40", "31"),
     ("preparatory_plans", "150", "100")],
)  # fmt: skip
def test_implausible_values_are_errors(tmp_path, column, value, limit):
    """Before: accepted (only > 0 or >= 0 was checked)."""
    header = "municipality_code,unit,period,caseload,staff_sick_days,preparatory_plans"
    row = {"caseload": "150", "staff_sick_days": "1.2", "preparatory_plans": "8.5", column: value}
    line = "101,team_a,2024-01," + ",".join(row[c] for c in header.split(",")[3:])
    path = tmp_path / "panel.csv"
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    error = error_of(read_caseload_panel, path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert (problem.row, problem.column, problem.found) == (2, column, value)
    assert f"above {limit}" in problem.message
    assert problem.expected.startswith(f"a number from 0 to {limit}") or column == "caseload"


# --- StatBank and Jobindsats ------------------------------------------------------------


def test_statbank_column_that_reads_both_ways_is_refused(tmp_path):
    """Before: read the Danish way (21.234 as 21234) without a word."""
    path = tmp_path / "table.csv"
    path.write_text("OMRÅDE;TID;INDHOLD\n101;2026M07;21.234\n751;2026M07;8.656\n", "utf-8")
    error = error_of(read_statbank_csv, path)
    problem = error.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "INDHOLD")
    assert "cannot tell the decimal mark" in problem.message
    assert "read_statbank_csv(path, decimal='.')" in str(error)
    assert read_statbank_csv(path, decimal=".")["value"].tolist() == [21.234, 8.656]
    assert read_statbank_csv(path, decimal=",")["value"].tolist() == [21234.0, 8656.0]


def test_statbank_uses_the_whole_column(tmp_path):
    """Before: the first 2,000 values decided, so the dot of '1.5' in row 2,002 was taken
    for a misplaced thousands separator and the file refused."""
    lines = ["OMRÅDE;KØN;TID;INDHOLD"]
    lines += [f"101;K{i};2026M07;1.234" for i in range(2000)] + ["101;M;2026M07;1.5"]
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    values = read_statbank_csv(path)["value"]
    assert values.iloc[0] == 1.234 and values.iloc[-1] == 1.5


def test_jobindsats_share_that_reads_both_ways_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Område;Periode;Andel i pct.\nAarhus;2026M07;12.500\n", encoding="utf-8")
    error = error_of(read_jobindsats_export, path)
    problem = error.problems[0]
    assert (problem.row, problem.column, problem.found) == (2, "Andel i pct.", "12.500")
    assert "read_jobindsats_export(path, decimal='.')" in str(error)
    assert read_jobindsats_export(path, decimal=".")["value"].tolist() == [12.5]


def test_jobindsats_counts_are_whole_numbers_so_three_digits_are_thousands(tmp_path):
    """The convention the export reader relies on for counts ('Antal ...'): Jobindsats
    publishes them as whole numbers. Checked on the real snapshot from its API."""
    snapshot = load_snapshot()
    counts = snapshot[~snapshot["measure"].str.contains("rate|share|degree|per_person")]
    assert len(counts) > 10_000 and (counts["value"].dropna() % 1 == 0).all()
    path = tmp_path / "export.csv"
    path.write_text("Antal personer\n\nOmråde;2026M07\nAarhus;8.656\nLæsø;1,234\n", "utf-8")
    with pytest.raises(InputError, match=r"both '\.' and ','"):
        read_jobindsats_export(path)
    path.write_text("Antal personer\n\nOmråde;2026M07\nAarhus;8.656\nLæsø;16\n", "utf-8")
    assert read_jobindsats_export(path)["value"].tolist() == [8656.0, 16.0]
    path.write_text("Antal personer\n\nOmråde;2026M07\nAarhus;8,656\nLæsø;16\n", "utf-8")
    assert read_jobindsats_export(path)["value"].tolist() == [8656.0, 16.0]
