"""The report folder's layout is spelled out in one place (issue 23 §5): the paths the
README promises, and the batch's plan and index use exactly those."""

from __future__ import annotations

from pathlib import Path

from analysis.reports.batch import RunOptions, job_targets, plan_jobs
from analysis.reports.batch.layout import NATIONAL_CODE, RunLayout

TOY = Path(__file__).resolve().parents[1] / "fixtures" / "reports" / "10_toy_report.ipynb"


def test_the_layout_names_the_files_the_readme_promises(tmp_path):
    layout = RunLayout(tmp_path)
    page = layout.page(101, "koebenhavn")
    assert page.html == tmp_path / "101-koebenhavn.html"
    assert page.committee == tmp_path / "101-koebenhavn-resume.html"
    assert page.state == tmp_path / ".state" / "101.json"
    assert page.notebook("02_x") == tmp_path / "notebooks" / "101-koebenhavn" / "02_x.ipynb"
    assert page.notebook_files("02_x")[1].name == "02_x.failed.ipynb"
    national = layout.national()
    assert national.html == tmp_path / "national.html" and national.committee is None
    assert national.state == tmp_path / ".state" / "national.json"
    assert layout.index == tmp_path / "index.html"
    assert RunLayout.of_page(page.html) == layout


def test_planned_jobs_write_where_the_layout_says(isolated_paths, tmp_path):
    options = RunOptions(municipalities=(101,), notebooks=(TOY,), output=tmp_path)
    (job,) = plan_jobs(options, isolated_paths)
    page = RunLayout(tmp_path.resolve()).page(101, "koebenhavn")
    assert job.code != NATIONAL_CODE and job.files == page
    assert (job.html, job.state) == (str(page.html), str(page.state))
    assert job_targets(job) == page.targets(["10_toy_report"])
