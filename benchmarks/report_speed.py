"""Report pipeline speed: `python -m analysis run` against the plain approach.

The plain approach is what an analyst would script by hand: a shell loop that, for each
municipality and notebook, runs the `papermill` command and then
`jupyter nbconvert --to html --no-input`. Both approaches run the same notebooks for the
same municipalities on this machine, after the shared data have been prepared once (so
both profit from the same caches). The script prints wall-clock times and their ratio.

    .venv/bin/python benchmarks/report_speed.py              # 6 municipalities, both ways
    .venv/bin/python benchmarks/report_speed.py --sample 10
    .venv/bin/python benchmarks/report_speed.py --all        # also time our run for all 98

The plain loop is slow (a fresh Python, kernel and imports per notebook), so by default it
runs on a sample and the full-run figure is extrapolated linearly; say --plain-all to
measure it for all 98 (takes a long time).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: a spread of sizes and data situations; København and Aabenraa have interview data
PREFERRED = [101, 580, 751, 825, 461, 147, 851, 360, 169, 492]


def sample_codes(n: int | None) -> list[int]:
    from analysis.data.reference import load_municipalities

    codes = [int(c) for c in load_municipalities()["code"]]
    ordered = PREFERRED + [c for c in codes if c not in PREFERRED]
    return ordered if n is None else ordered[:n]


def plan(codes: list[int], output: Path) -> list[tuple[int, list[tuple[str, dict]]]]:
    """The notebooks and parameters our runner would use per municipality."""
    from analysis.paths import get_paths
    from analysis.reports.batch import RunOptions, plan_jobs

    jobs = plan_jobs(
        RunOptions(municipalities=tuple(codes), notebooks=(), output=output), get_paths()
    )
    return [(job.code, [(path, params) for _, path, params in job.notebooks]) for job in jobs]


def plain_script(planned, output: Path) -> str:
    lines = ["set -e"]
    for code, notebooks in planned:
        for path, params in notebooks:
            out = output / f"{code}-{Path(path).stem}.ipynb"
            args = " ".join(
                f"-p {k} {shlex.quote(str(v))}"
                for k, v in params.items()
                if k != "regression_notebook"
            )
            if "regression_notebook" in params:
                regression = output / f"{code}-02_caseload_regressions.ipynb"
                args += f" -p regression_notebook {shlex.quote(str(regression))}"
            lines.append(
                f"{BIN}/papermill {shlex.quote(path)} {shlex.quote(str(out))} {args} "
                f"-k caseload-analysis --no-progress-bar --log-level WARNING"
            )
            lines.append(
                f"{BIN}/jupyter nbconvert --to html --no-input --log-level WARN "
                f"{shlex.quote(str(out))}"
            )
    return "\n".join(lines) + "\n"


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=6, help="municipalities in the sample")
    parser.add_argument("--all", action="store_true", help="also time our run for all 98")
    parser.add_argument("--plain-all", action="store_true", help="run the plain loop for all 98")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print("preparing shared data once (both approaches use it) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "analysis", "prepare"], check=True, stdout=subprocess.DEVNULL
    )
    from analysis.paths import get_paths
    from analysis.reports.batch import precompute_shared

    precompute_shared(get_paths())

    codes = sample_codes(None if args.plain_all else args.sample)
    with tempfile.TemporaryDirectory(prefix="speed-") as tmp:
        tmp_path = Path(tmp)
        planned = plan(codes, tmp_path / "ours")
        n_notebooks = sum(len(nbs) for _, nbs in planned)
        script = tmp_path / "plain.sh"
        (tmp_path / "plain").mkdir()
        script.write_text(plain_script(planned, tmp_path / "plain"), encoding="utf-8")
        print(f"sample: {len(codes)} municipalities, {n_notebooks} notebook runs each way")

        plain = timed(
            ["bash", str(script)],
            cwd=REPO / "notebooks",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(
            f"plain loop (papermill + nbconvert per notebook): {plain:7.1f} s "
            f"({plain / len(codes):.1f} s per municipality)",
            flush=True,
        )

        ours_cmd = [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--force",
            "--no-progress",
            "--workers",
            str(args.workers),
            "--output",
            str(tmp_path / "ours"),
        ]
        for code in codes:
            ours_cmd += ["-m", str(code)]
        ours = timed(ours_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(
            f"python -m analysis run ({args.workers} workers):       {ours:7.1f} s "
            f"({ours / len(codes):.1f} s per municipality)"
        )
        print(f"ratio on the same {len(codes)} municipalities: {plain / ours:.1f}x faster")

        if args.all:
            full = timed(
                [
                    sys.executable,
                    "-m",
                    "analysis",
                    "run",
                    "--all",
                    "--force",
                    "--no-progress",
                    "--workers",
                    str(args.workers),
                    "--output",
                    str(tmp_path / "all"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            estimate = plain / len(codes) * 98
            print(f"all 98 municipalities, python -m analysis run: {full:7.1f} s")
            print(f"all 98, plain loop (extrapolated from the sample): {estimate:7.0f} s")
            print(f"ratio for all 98: {estimate / full:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
