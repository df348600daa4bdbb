"""The vectorised CRV1 denominator gives the wildboottest package's own numbers, and is in
place only while one of our bootstraps runs: the package is left as installed."""

import threading

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wildboottest.wildboottest import WildboottestCL

from analysis.quant import wild_bootstrap
from analysis.quant.inference import wild_p
from analysis.quant.specs import SpecConfig

PACKAGE_METHOD = WildboottestCL.__dict__["get_denom"]


def _panel(seed: int, n_clusters: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_clusters):
        shock = rng.normal()
        for t in range(12):
            x = rng.normal() + 0.3 * g
            rows.append((g, t, x, 0.5 * x + shock + rng.normal()))
    return pd.DataFrame(rows, columns=["g", "t", "x", "y"])


def _model(data: pd.DataFrame):
    return pf.feols("y ~ x | t", data, vcov={"CRV1": "g"})


def _boot(data: pd.DataFrame, **kwargs) -> pd.Series:
    return _model(data).wildboottest(param="x", cluster="g", reps=499, seed=7, **kwargs)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("weights", ["webb", "rademacher"])
def test_vectorised_denominator_matches_the_package(seed, weights):
    data = _panel(seed)
    assert WildboottestCL.get_denom is PACKAGE_METHOD
    original = _boot(data, weights_type=weights)
    with wild_bootstrap.vectorised_denominator():
        assert WildboottestCL.get_denom is wild_bootstrap._get_denom
        fast = _boot(data, weights_type=weights)
    assert fast["t value"] == pytest.approx(original["t value"], rel=1e-12)
    assert fast["Pr(>|t|)"] == original["Pr(>|t|)"]


def test_a_bootstrap_p_value_leaves_the_package_class_unchanged():
    """The estimators' wild-bootstrap p-value uses the fast denominator for its own call
    only: afterwards the package's class has its own method again."""
    config = SpecConfig(wild_reps=199)
    p = wild_p(_model(_panel(3)), "x", "g", n_clusters=9, config=config)
    assert 0 <= p <= 1
    assert WildboottestCL.get_denom is PACKAGE_METHOD
    assert "get_denom" in WildboottestCL.__dict__
    assert not hasattr(WildboottestCL, "_analysis_original_get_denom")


def test_the_package_method_is_back_after_an_error_inside_the_block():
    with pytest.raises(RuntimeError), wild_bootstrap.vectorised_denominator():
        raise RuntimeError("a failing bootstrap")
    assert WildboottestCL.get_denom is PACKAGE_METHOD


def test_overlapping_blocks_restore_the_package_when_the_last_one_ends():
    """Nested blocks, and blocks of two threads that end in any order: the fast
    denominator stays while any block is open, and only then the package's is back."""
    first, second = wild_bootstrap.vectorised_denominator(), wild_bootstrap.vectorised_denominator()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to enter leaves first
    assert WildboottestCL.get_denom is wild_bootstrap._get_denom
    second.__exit__(None, None, None)
    assert WildboottestCL.get_denom is PACKAGE_METHOD

    inside, leave, seen = threading.Event(), threading.Event(), []

    def other_thread() -> None:
        with wild_bootstrap.vectorised_denominator():
            inside.set()
            leave.wait(10)
        seen.append(WildboottestCL.get_denom)

    worker = threading.Thread(target=other_thread)
    worker.start()
    assert inside.wait(10)
    with wild_bootstrap.vectorised_denominator():
        leave.set()
        worker.join(10)
        assert WildboottestCL.get_denom is wild_bootstrap._get_denom  # still ours
    assert seen == [wild_bootstrap._get_denom]
    assert WildboottestCL.get_denom is PACKAGE_METHOD
