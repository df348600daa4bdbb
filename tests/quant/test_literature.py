"""Published evidence as context (issue 21 §7): the published effects, copied into
data/raw/literature with their provenance, read through the paths and shown as published
(study, country, population, caseloads, unit), never converted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.labels import t
from analysis.paths import LANGUAGES
from analysis.quant.literature import COLUMNS, published_table, read_published_effects

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "literature" / "published_caseload_effects.csv"


def test_the_copy_is_in_the_repository_with_its_provenance(repo_paths):
    path = repo_paths.published_effects
    assert path == repo_paths.raw / "literature" / "published_caseload_effects.csv"
    assert path.is_file() and (path.parent / "PROVENANCE.md").is_file()
    provenance = (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "never as data for the regressions" in provenance


@pytest.mark.skipif(not SHARED.is_file(), reason=f"shared data not available at {SHARED}")
def test_the_copy_has_the_bytes_of_the_shared_file(repo_paths):
    assert repo_paths.published_effects.read_bytes() == SHARED.read_bytes()


def test_figures_stay_as_published(repo_paths):
    frame = read_published_effects(repo_paths.published_effects)
    assert list(frame.columns) == list(COLUMNS)
    austria = frame[frame["study"].str.startswith("Böheim") & (frame["unit"] == "days")]
    first = austria.iloc[0]
    assert (first["effect"], first["se_or_note"].split(" (")[0]) == ("-62", "SE 7")
    assert first["caseload_treated"].startswith("~100") and "250" in first["caseload_control"]
    # text is never parsed: "about -10", "14 -> 11.5" survive unchanged
    assert {"about -10", "14 -> 11.5"} <= set(frame["effect"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_table_names_study_population_caseloads_and_unit(repo_paths, language):
    frame = read_published_effects(repo_paths.published_effects)
    shown = published_table(frame, language)
    for key in ("study", "country", "population", "caseloads", "outcome", "effect", "unit"):
        assert t(f"quant.lit.{key}", language) in shown.columns
    caseloads = shown[t("quant.lit.caseloads", language)].iloc[0]
    assert "~100" in caseloads and "~250" in caseloads
    assert shown[t("quant.lit.effect", language)].iloc[0] == "-62"


def test_a_broken_file_is_named(tmp_path):
    bad = tmp_path / "effects.csv"
    pd.DataFrame({"study": ["x"], "effect": ["1"]}).to_csv(bad, index=False)
    with pytest.raises(InputError) as info:
        read_published_effects(bad)
    assert "missing column(s)" in str(info.value) and str(bad) in str(info.value)
    row = {c: "x" for c in COLUMNS} | {"unit": ""}
    pd.DataFrame([row]).to_csv(bad, index=False)
    with pytest.raises(InputError) as info:
        read_published_effects(bad)
    problem = info.value.problems[0]
    assert (problem.row, problem.column) == (2, "unit")
