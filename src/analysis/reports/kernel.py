"""A warm Jupyter kernel that runs many notebooks one after another.

Starting a kernel and importing pandas, Matplotlib and friends costs several seconds; a
batch of 98 municipalities cannot pay that per notebook. A worker process therefore keeps
one kernel and preloads the heavy modules once; before each notebook a hidden first cell
removes every name the previous notebook defined, closes figures and restores Matplotlib
defaults, so every notebook starts from the same clean state (a test checks that a reused
kernel gives the same report as a fresh one).

Kernels talk over IPC sockets in a private temporary folder instead of TCP ports, which
removes the port races that parallel kernel starts are known for; a failed start is still
retried once.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

from jupyter_client.manager import KernelManager

from analysis.errors import AnalysisError
from analysis.paths import KERNEL_NAME

# Removes every name the previous notebook defined (like %reset, but without %reset's
# full garbage collection, which costs most of a second in a kernel holding pandas and
# Matplotlib), closes figures and restores Matplotlib defaults.
RESET_CODE = """\
_ip = get_ipython()
for _name in [n for n in _ip.user_ns if n not in _ip.user_ns_hidden and n != "_ip"]:
    del _ip.user_ns[_name]
_name = None
_ip.user_ns["Out"].clear()
import matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all"); _mpl.rcdefaults(); del _mpl, _plt, _ip, _name
"""
DEFAULT_PRELOAD = ("pandas", "matplotlib.pyplot", "seaborn", "scrapbook", "analysis.nb")


class KernelStartError(AnalysisError):
    """The kernel did not start (twice)."""


class WarmKernel:
    """One kernel kept alive across notebooks, reset between them."""

    def __init__(
        self,
        kernel_name: str = KERNEL_NAME,
        cwd: Path | None = None,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        startup_timeout: float = 120,
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.preload = tuple(preload)
        self.startup_timeout = startup_timeout
        self._km: KernelManager | None = None
        self._client = None
        self._runtime: Path | None = None

    @property
    def km(self) -> KernelManager:
        if self._km is None or not self._km.is_alive():
            self.start()
        assert self._km is not None
        return self._km

    @property
    def client(self):
        """A kernel client with running channels, kept for the kernel's lifetime, so a
        notebook does not pay a client start (and its fixed 0.2 s IOPub flush)."""
        km = self.km
        if self._client is None:
            client = km.client()
            client.start_channels()
            client.wait_for_ready(timeout=self.startup_timeout)
            self._client = client
        return self._client

    def start(self) -> None:
        """Start (or restart) the kernel and preload modules; one retry on failure."""
        self.shutdown()
        last_error: Exception | None = None
        for _attempt in range(2):
            try:
                self._start_once()
                return
            except Exception as exc:
                last_error = exc
                self.shutdown()
        raise KernelStartError(
            f"kernel {self.kernel_name!r} did not start: {last_error}. "
            "Run 'make setup' to register the project kernel."
        ) from last_error

    def _start_once(self) -> None:
        self._runtime = Path(tempfile.mkdtemp(prefix="ck-"))
        km = KernelManager(kernel_name=self.kernel_name, transport="ipc")
        km.ip = str(self._runtime / f"k{uuid.uuid4().hex[:8]}")
        km.connection_file = str(self._runtime / "connection.json")
        km.start_kernel(cwd=str(self.cwd) if self.cwd else None)
        self._km = km
        if self.preload:
            self.run("import " + ", ".join(self.preload))

    def run(self, code: str, timeout: float | None = None) -> None:
        """Run code in the kernel; raise if it errors."""
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=self.startup_timeout)
            reply = client.execute_interactive(
                code, timeout=timeout or self.startup_timeout, output_hook=lambda msg: None
            )
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise AnalysisError(
                f"kernel code failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def shutdown(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):  # best effort on the way out
                self._client.stop_channels()
            self._client = None
        if self._km is not None:
            try:
                if self._km.is_alive():
                    self._km.shutdown_kernel(now=True)
                self._km.cleanup_resources()
            except Exception:
                pass
            self._km = None
        if self._runtime is not None:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
