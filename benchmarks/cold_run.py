"""Cold-cache batch speed: `prepare` then `run --all` into fresh folders, several times.

Issue 13's measure: all 98 pages plus the national report from a cold cache. Each round
uses new processed and reports folders (nothing cached, no page recorded), so every
round pays for the shared work, the kernel starts and every page. Virtual machines vary
in speed from minute to minute, so each round also prints a speed index (a fixed
pure-Python loop, timed before and after the round; a larger number is a slower
machine) next to the run's own seconds and CPU time.

    .venv/bin/python benchmarks/cold_run.py            # 3 rounds
    .venv/bin/python benchmarks/cold_run.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def speed_index() -> float:
    start = time.perf_counter()
    sum(i * i for i in range(5_000_000))
    return time.perf_counter() - start


def one_round(folder: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "ANALYSIS_PROCESSED_DIR": str(folder / "processed"),
        "ANALYSIS_REPORTS_DIR": str(folder / "reports"),
    }
    command = [sys.executable, "-m", "analysis"]
    before = speed_index()
    subprocess.run([*command, "prepare"], cwd=REPO, env=env, check=True, capture_output=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*command, "run", "--all"], cwd=REPO, env=env, check=True,
                   capture_output=True)  # fmt: skip
    wall = time.perf_counter() - start
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pages = len(list((folder / "reports").glob("*.html"))) - 1  # without index.html
    return {
        "run_s": wall,
        "cpu_s": (after_children.ru_utime - children.ru_utime)
        + (after_children.ru_stime - children.ru_stime),
        "pages": pages,
        "speed_before": before,
        "speed_after": speed_index(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"cold run --all, {os.cpu_count()} cores, {args.rounds} rounds")
    runs = []
    for number in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory(prefix="cold-run-") as folder:
            result = one_round(Path(folder))
        runs.append(result["run_s"])
        print(
            f"round {number}: run --all {result['run_s']:.1f} s wall, "
            f"{result['cpu_s']:.0f} s CPU, {result['pages']} pages; "
            f"speed index {result['speed_before']:.2f} / {result['speed_after']:.2f} s"
        )
    print(
        f"run --all: min {min(runs):.1f} s, median {statistics.median(runs):.1f} s, "
        f"max {max(runs):.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
