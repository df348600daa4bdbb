"""The caseload section's sentences a reader sees (issue 20 §1 and §7): counts with their
noun in the right number (never "enhed(er)"), and a trial that exists only in the
simulated panel never called the municipality's trial unit."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.quant import texts
from analysis.quant import view as qv

OUTCOME = "exit_job_education"


def _view(units: int, municipalities: int, own: int, language: str, simulated: bool = True):
    panel = pd.Series({"rows": 18120, "units": units, "municipalities": municipalities,
                       "first_month": "2021-08", "last_month": "2026-07"})  # fmt: skip
    return SimpleNamespace(
        panel=panel, municipality=101, language=language, units=pd.DataFrame(index=range(own)),
        name="København", simulated=simulated,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "many", "one"),
    [
        ("da", "302 enheder i 98 kommuner", "1 enhed i 1 kommune"),
        ("en", "302 units in 98 municipalities", "1 unit in 1 municipality"),
    ],
)
def test_the_panel_sentence_counts_in_words_without_placeholder_plurals(language, many, one):
    """The national page said "302 enhed(er) i 98 kommune(r)"."""
    text = qv.data_text(_view(302, 98, 8, language))
    assert many in text
    assert "(er)" not in text and "(s)" not in text and "(ies)" not in text and "(r)" not in text
    assert one in qv.data_text(_view(1, 1, 1, language))


def test_a_simulated_trial_is_never_the_municipalitys_trial_unit():
    """København's page said "I forsøgsenheden i København ændrede …" of a simulated unit."""
    design = {"estimate": 1.2, "ci_low": 0.4, "ci_high": 2.0, "n_clusters": 8, "shift": -0.9}
    simulated = texts.design_sentence(design, OUTCOME, "da", name="København", simulated=True)
    assert "forsøgsenheden i København" not in simulated
    assert simulated.startswith("I den simulerede forsøgsenhed")
    real = texts.design_sentence(design, OUTCOME, "da", name="København")
    assert real.startswith("I forsøgsenheden i København")
    assert qv.trial_heading(_view(302, 98, 8, "da")) == (
        "Det simulerede forsøg (placeret i København i simuleringen)"
    )
    assert qv.trial_heading(_view(302, 98, 8, "da", simulated=False)) == "Forsøget i København"


def test_one_trial_cluster_is_one_cluster():
    design = {"estimate": 1.2, "ci_low": None, "ci_high": None, "p_value": 0.25,
              "inference": "placebo", "p_min": 0.125, "n_treated": 1}  # fmt: skip
    assert "med 1 forsøgsklynge –" in texts.design_sentence(design, OUTCOME, "da")
    assert "with 1 trial cluster –" in texts.design_sentence(design, OUTCOME, "en")
    assert "(s)" not in texts.design_sentence({**design, "n_treated": 3}, OUTCOME, "en")
