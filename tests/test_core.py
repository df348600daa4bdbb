"""Paths, errors, atomic writes and labels: the small pieces everything else relies on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import labels
from analysis.errors import InputError, InputProblem
from analysis.fileio import atomic_path, atomic_write_text, sha256_file, write_parquet_atomic
from analysis.paths import get_paths


def test_paths_resolve_from_repository_and_honour_environment(tmp_path, monkeypatch):
    default = get_paths()
    assert (default.root / "pyproject.toml").is_file()
    assert default.municipalities_csv.is_file()
    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(tmp_path / "elsewhere"))
    assert get_paths().processed == tmp_path / "elsewhere"
    assert get_paths().raw == default.raw


def test_snapshot_path_is_the_one_dashboard_file_and_two_are_an_error(tmp_path, monkeypatch):
    """Two snapshots are never chosen between by name: dashboard-data-old.json sorts after
    dashboard-data-2026-08-22.json (issue 19)."""
    from analysis.errors import AnalysisError

    folder = tmp_path / "raw" / "jobindsats"
    folder.mkdir(parents=True)
    monkeypatch.setenv("ANALYSIS_RAW_DIR", str(tmp_path / "raw"))
    assert get_paths().jobindsats_snapshot.name == "dashboard-data.json"  # missing: said later
    (folder / "dashboard-data-2026-08-22.json").write_text("{}")
    assert get_paths().jobindsats_snapshot.name == "dashboard-data-2026-08-22.json"
    for other in ("dashboard-data-old.json", "dashboard-data.json"):
        (folder / other).write_text("{}")
        with pytest.raises(AnalysisError, match="2 Jobindsats snapshots") as caught:
            get_paths().jobindsats_snapshot  # noqa: B018
        assert str(folder / other) in str(caught.value)
        assert str(folder / "dashboard-data-2026-08-22.json") in str(caught.value)
        (folder / other).unlink()


def test_input_error_names_file_row_column_and_expectation():
    error = InputError(
        [
            InputProblem(
                "panel.csv",
                "not a number",
                row=7,
                column="caseload",
                expected="a positive number",
                found="abc",
            ),
            InputProblem("panel.csv", "missing columns", expected="period"),
        ],
        summary="2 problems in panel.csv",
    )
    text = str(error)
    assert "2 problems in panel.csv" in text
    assert (
        "panel.csv, row 7, column 'caseload': not a number "
        "(expected a positive number, found 'abc')" in text
    )
    assert "panel.csv: missing columns (expected period)" in text


def test_input_error_caps_long_listings():
    error = InputError([InputProblem("f.csv", "bad", row=i) for i in range(2, 60)])
    text = str(error)
    assert "row 21" in text and "row 22" not in text
    assert "... and 38 more problem(s)" in text


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half-writ")
        raise RuntimeError("killed mid-way")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"], "temporary file left behind"


def test_parquet_written_atomically_and_hash_is_content_based(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "æøå"]})
    one = write_parquet_atomic(df, tmp_path / "one.parquet")
    two = write_parquet_atomic(df, tmp_path / "two.parquet")
    assert sha256_file(one) == sha256_file(two)
    pd.testing.assert_frame_equal(pd.read_parquet(one), df)


def test_labels_in_both_languages_with_placeholders():
    assert labels.t("common.municipality", "da") == "Kommune"
    assert labels.t("common.municipality", "en") == "Municipality"
    assert labels.t("common.suppressed", "en", threshold=5) == "<5"


def test_unknown_label_and_language_are_clear_errors():
    with pytest.raises(labels.LabelError, match="no label 'nope'"):
        labels.t("nope", "da")
    with pytest.raises(labels.LabelError, match="language must be one of da, en"):
        labels.t("common.municipality", "de")


def test_label_files_may_not_define_a_key_twice_or_miss_a_language():
    one = ("a.yaml", "x.key: {da: 'a', en: 'b'}")
    with pytest.raises(labels.LabelError, match=r"defined in both a\.yaml and b\.yaml"):
        labels.load_labels([one, ("b.yaml", "x.key: {da: 'c', en: 'd'}")])
    with pytest.raises(labels.LabelError, match="must give exactly da, en"):
        labels.load_labels([("c.yaml", "y.key: {da: 'only danish'}")])


def test_every_packaged_label_file_loads():
    table = labels.label_table()
    assert all(set(v) == {"da", "en"} for v in table.values())
    files = list((Path(labels.__file__).parent / "resources" / "labels").glob("*.yaml"))
    assert files


def test_cached_frame_recomputes_only_when_inputs_or_params_change(tmp_path, monkeypatch):
    from analysis.cache import CacheKey, cached_frame, is_fresh

    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(tmp_path / "processed"))
    source = tmp_path / "input.csv"
    source.write_text("a\n1\n")
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"a": [len(calls)]})

    key = CacheKey(inputs=(source,), modules=("analysis.cache",), params={"alpha": 0.05})
    first = cached_frame("demo", key, compute)
    again = cached_frame("demo", key, compute)
    assert len(calls) == 1 and again.equals(first) and is_fresh("demo", key)
    source.write_text("a\n2\n")
    assert not is_fresh("demo", key)
    cached_frame("demo", key, compute)
    changed = CacheKey(inputs=(source,), modules=("analysis.cache",), params={"alpha": 0.1})
    cached_frame("demo", changed, compute)
    assert len(calls) == 3


def test_a_label_given_twice_in_one_file_is_refused():
    """Before, YAML kept the second of two equal keys without a word."""
    from analysis.errors import InputError
    from analysis.labels import load_labels

    text = 'a.b: {da: "x", en: "x"}\na.b: {da: "y", en: "y"}\n'
    with pytest.raises(InputError, match="given twice"):
        load_labels([("qual.yaml", text)])
