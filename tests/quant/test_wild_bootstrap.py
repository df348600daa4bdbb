"""The vectorised CRV1 denominator gives the wildboottest package's own numbers."""

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wildboottest.wildboottest import WildboottestCL

from analysis.quant import wild_bootstrap


def _panel(seed: int, n_clusters: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_clusters):
        shock = rng.normal()
        for t in range(12):
            x = rng.normal() + 0.3 * g
            rows.append((g, t, x, 0.5 * x + shock + rng.normal()))
    return pd.DataFrame(rows, columns=["g", "t", "x", "y"])


def _boot(data: pd.DataFrame, **kwargs) -> pd.Series:
    model = pf.feols("y ~ x | t", data, vcov={"CRV1": "g"})
    return model.wildboottest(param="x", cluster="g", reps=499, seed=7, **kwargs)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("weights", ["webb", "rademacher"])
def test_vectorised_denominator_matches_the_package(seed, weights):
    data = _panel(seed)
    wild_bootstrap.uninstall()
    try:
        original = _boot(data, weights_type=weights)
        wild_bootstrap.install()
        assert WildboottestCL.get_denom is wild_bootstrap._get_denom
        fast = _boot(data, weights_type=weights)
    finally:
        wild_bootstrap.install()
    assert fast["t value"] == pytest.approx(original["t value"], rel=1e-12)
    assert fast["Pr(>|t|)"] == original["Pr(>|t|)"]


def test_install_is_idempotent_and_uninstall_restores():
    wild_bootstrap.install()
    wild_bootstrap.install()
    assert WildboottestCL.get_denom is wild_bootstrap._get_denom
    wild_bootstrap.uninstall()
    assert WildboottestCL.get_denom is not wild_bootstrap._get_denom
    wild_bootstrap.install()
