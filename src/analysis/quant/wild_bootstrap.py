"""A speed fix for the ``wildboottest`` package's cluster bootstrap denominator.

``wildboottest`` 0.3.x (what pyfixest's ``Feols.wildboottest`` calls) defines the CRV1
denominator as a numba function *inside* ``WildboottestCL.get_denom``, so numba compiles
it anew on every call: about 0.5 s each, and the shared regressions make some 120 calls
(about a minute of compiling per cold run). The same sum is two matrix products:
``Z = Cg * v - H @ v`` for every draw, ``denom = ssc * sum(Z**2)``. :func:`install` puts
that in place of the CRV1 branch and leaves the CRV3 branch to the package; a test pins
that both give the same numbers.
"""

from __future__ import annotations

import numpy as np

_ORIGINAL = "_analysis_original_get_denom"


def _get_denom(self) -> None:
    if self.crv_type != "crv1":
        return getattr(type(self), _ORIGINAL)(self)
    # H[g, h] = R (X'X)^-1 X_g'X_g (X'X)^-1 score_h, as the package's double loop computes
    left = np.stack([self.R @ self.tXXinv @ xgxg @ self.tXXinv for xgxg in self.tXgXg_list])
    H = left @ self.scores_mat
    Z = np.asarray(self.Cg)[:, None] * self.v - H @ self.v
    self.denom = self.ssc * np.sum(Z**2, axis=0)


def install() -> None:
    """Use the vectorised CRV1 denominator (idempotent)."""
    from wildboottest.wildboottest import WildboottestCL

    if not hasattr(WildboottestCL, _ORIGINAL):
        setattr(WildboottestCL, _ORIGINAL, WildboottestCL.get_denom)
        WildboottestCL.get_denom = _get_denom


def uninstall() -> None:
    """Restore the package's own denominator (for the test that compares the two)."""
    from wildboottest.wildboottest import WildboottestCL

    if hasattr(WildboottestCL, _ORIGINAL):
        WildboottestCL.get_denom = getattr(WildboottestCL, _ORIGINAL)
        delattr(WildboottestCL, _ORIGINAL)
