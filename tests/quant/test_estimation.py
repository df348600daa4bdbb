"""The sample sizes the estimators report are counted through pyfixest's public API and
the data, and agree with what pyfixest itself counted (its private ``_N``/``_G``, read
here only to check)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from analysis.quant.estimation import estimation_sample, feols
from analysis.quant.specs import SpecConfig


def _panel() -> pd.DataFrame:
    """12 units in 7 municipalities over 10 months, with what pyfixest drops: missing
    and infinite values, a unit seen once (a singleton of the unit effect, and the only
    unit of municipality 7), and a month seen once after that (a singleton of the month
    effect, found only on the second pass)."""
    rng = np.random.default_rng(4)
    rows = [
        (unit, unit // 2 + 1, t, rng.normal(), rng.normal()) for unit in range(11) for t in range(9)
    ]
    rows.append((11, 7, 0, rng.normal(), rng.normal()))  # municipality 7: one row
    rows.append((0, 1, 9, rng.normal(), rng.normal()))  # month 9: one row
    data = pd.DataFrame(rows, columns=["unit_id", "municipality_code", "t", "x", "y"])
    data.loc[3, "y"] = np.nan
    data.loc[12, "x"] = np.inf
    data.loc[20, "x"] = np.nan
    return data


@pytest.mark.parametrize("cluster", ["unit_id", "municipality_code"])
@pytest.mark.parametrize("fml", ["y ~ x | unit_id + t", "y ~ x | unit_id", "y ~ x"])
def test_observations_and_clusters_are_pyfixests_own(fml, cluster):
    data = _panel()
    config = SpecConfig()
    fitted = feols(fml, data, cluster, config)
    reference = pf.feols(fml, data, vcov={"CRV1": cluster}, fixef_tol=config.fixef_tol)
    assert fitted.n_obs == int(reference._N)
    assert fitted.n_clusters == int(np.min(reference._G))
    assert fitted.model.coef().equals(reference.coef())


def test_the_sample_leaves_out_missing_values_and_singletons():
    data = _panel()
    sample = estimation_sample("y ~ x | unit_id + t", data)
    assert not sample["y"].isna().any()
    assert np.isfinite(sample["x"]).all()
    assert 11 not in set(sample["unit_id"])  # seen once
    assert 9 not in set(sample["t"])  # seen once
    assert sample["municipality_code"].nunique() == 6
    assert len(sample) == len(data) - 3 - 2  # three incomplete rows, two singletons
    # without fixed effects only the incomplete rows go
    assert len(estimation_sample("y ~ x", data)) == len(data) - 3
