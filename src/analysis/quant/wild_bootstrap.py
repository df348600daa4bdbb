"""A speed fix for the ``wildboottest`` package's cluster bootstrap denominator, in force
only while a bootstrap of ours runs.

``wildboottest`` 0.3.x (what pyfixest's ``Feols.wildboottest`` calls) defines the CRV1
denominator as a numba function *inside* ``WildboottestCL.get_denom``, so numba compiles
it anew on every call: about 0.5 s each, and the shared regressions make some 120 calls
(about a minute of compiling per cold run). The same sum is two matrix products:
``Z = Cg * v - H @ v`` for every draw, ``denom = ssc * sum(Z**2)``.

pyfixest builds the ``WildboottestCL`` object itself, so the only way in is the class's
method. :func:`vectorised_denominator` puts the vectorised CRV1 branch in place for the
length of a ``with`` block and puts the package's own method back when the block ends
(the CRV3 branch is always the package's). Blocks may nest and may run in several
threads at once: the first to enter replaces the method, the last to leave restores it,
and in between every caller gets the same numbers either way. Outside a block the
package is exactly as installed. A test pins that both give the same t and p.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np


class _Replacement:
    """The open blocks (how many) and the package's own method (kept once taken)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.package: Callable | None = None


_STATE = _Replacement()


def _get_denom(self) -> None:
    if self.crv_type != "crv1":
        return _STATE.package(self)
    # H[g, h] = R (X'X)^-1 X_g'X_g (X'X)^-1 score_h, as the package's double loop computes
    left = np.stack([self.R @ self.tXXinv @ xgxg @ self.tXXinv for xgxg in self.tXgXg_list])
    H = left @ self.scores_mat
    Z = np.asarray(self.Cg)[:, None] * self.v - H @ self.v
    self.denom = self.ssc * np.sum(Z**2, axis=0)


@contextmanager
def vectorised_denominator() -> Iterator[None]:
    """Inside the block, ``WildboottestCL`` computes the CRV1 denominator without a numba
    compile; when the last open block ends, the package's own method is back."""
    from wildboottest.wildboottest import WildboottestCL

    with _STATE.lock:
        if _STATE.depth == 0:
            _STATE.package = WildboottestCL.__dict__["get_denom"]
            WildboottestCL.get_denom = _get_denom
        _STATE.depth += 1
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.depth -= 1
            if _STATE.depth == 0:
                WildboottestCL.get_denom = _STATE.package
