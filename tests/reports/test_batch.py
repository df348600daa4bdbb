"""The batch runner: failure isolation, resumability, atomic outputs, HTML quality."""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.reports import batch
from analysis.reports.batch import RunOptions, run_reports, summary
from analysis.reports.export import external_resources
from analysis.reports.lock import OutputLockedError, exclusive_lock

pytestmark = pytest.mark.slow


def test_one_failing_municipality_does_not_stop_the_others(toy_batch):
    _, result, out = toy_batch
    status = {r["code"]: r["status"] for r in result.records}
    assert status == {101: "ok", 147: "failed", 580: "ok"}
    assert (out / "101-koebenhavn.html").is_file() and (out / "580-aabenraa.html").is_file()
    assert not (out / "147-frederiksberg.html").exists()
    kept = out / "notebooks" / "147-frederiksberg" / "11_fails_for_147.failed.ipynb"
    assert kept.is_file(), "the partial notebook is kept for reading the error"
    text = summary(result)
    assert "1 failed" in text and "FAILED 147 Frederiksberg" in text
    assert "deliberate failure for Frederiksberg" in text and "partial notebook kept" in text
    assert not result.ok


def test_html_has_no_code_params_stderr_or_researcher_notes(toy_batch):
    _, _, out = toy_batch
    html = (out / "101-koebenhavn.html").read_text(encoding="utf-8")
    assert "import matplotlib" not in html and "nb.table(" not in html
    assert "injected" not in html.lower() and "municipality = 101" not in html
    assert "noise on stderr" not in html
    assert "A researcher's note" not in html
    assert "Toy section for 101" in html


def test_html_is_self_contained_with_title_toc_and_footer(toy_batch):
    _, _, out = toy_batch
    html = (out / "580-aabenraa.html").read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert "cdnjs" not in html and "mathjax" not in html.lower() and "require.js" not in html
    assert '<html lang="da">' in html
    assert "<title>Sagsstammer, resultater og benchmark – Aabenraa</title>" in html
    assert 'class="report-toc"' in html and 'href="#section-10-toy-report"' in html
    assert 'id="Toy-section-for-580"' in html, "deeper headings keep their ids to link to"
    assert "data:image/png;base64," in html
    assert "Kodeversion (git)" in html and "Pakkeversion" in html
    assert "reference/municipalities.csv" in html and "/tmp" not in html
    assert len(re.findall(r'data-volatile="timestamp"', html)) == 1


def test_data_text_is_escaped(toy_batch):
    _, _, out = toy_batch
    html = (out / "101-koebenhavn.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_index_lists_all_98_with_status_links_and_headlines(toy_batch):
    _, _, out = toy_batch
    html = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-code="(\d+)">', html)
    assert len(rows) == 98
    assert 'href="101-koebenhavn.html"' in html
    assert "fejlet" in html and "færdig" in html and "ikke kørt" in html
    assert "1,0" in html, "the toy notebook's glued headline (101/100) is shown"
    assert external_resources(html) == []


def test_rerun_skips_finished_reports_and_retry_reruns_only_failures(toy_batch):
    options, _, out = toy_batch
    before = (out / "101-koebenhavn.html").stat().st_mtime_ns
    retry = run_reports(replace(options, retry_failed=True))
    assert [r["code"] for r in retry.records] == [147]
    again = run_reports(options)
    assert sorted(again.skipped) == [101, 580]
    assert [r["code"] for r in again.records] == [147]
    assert (out / "101-koebenhavn.html").stat().st_mtime_ns == before


def test_failed_export_leaves_the_previous_report_untouched(toy_batch, monkeypatch):
    options, _, out = toy_batch
    good = (out / "580-aabenraa.html").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("export interrupted")

    monkeypatch.setattr("analysis.reports.export.report_html", broken)
    job = next(
        j for j in batch.plan_jobs(replace(options, force=True), batch.get_paths()) if j.code == 580
    )
    record = batch._run_job_safely(job)
    assert record["status"] == "failed" and "export interrupted" in record["error"]
    assert (out / "580-aabenraa.html").read_bytes() == good
    assert not list(out.glob(".*.partial*")) and not list(out.glob("*.partial"))
    state = json.loads((out / ".state" / "580.json").read_text())
    assert state["status"] == "failed"


def test_disk_full_while_writing_a_page_keeps_the_previous_page(toy_batch, monkeypatch):
    options, _, out = toy_batch
    page = out / "580-aabenraa.html"
    good = page.read_bytes()
    real = Path.write_bytes

    def full_disk(self, data):  # the page and its run record run out of space half-way
        if self.parent in (out, out / ".state"):
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    job = next(
        j for j in batch.plan_jobs(replace(options, force=True), batch.get_paths()) if j.code == 580
    )
    record = batch._run_job_safely(job)  # no exception, though the record cannot be saved
    assert record["status"] == "failed"
    assert record["error"].startswith(f"cannot write {job.html}: No space left on device")
    assert page.read_bytes() == good, "nothing half-written in place of the good page"
    assert [p for p in out.rglob("*") if ".partial" in p.name] == []
    assert f"FAILED 580 Aabenraa: cannot write {job.html}" in summary(
        batch.BatchResult(records=[record])
    )


def test_second_run_on_the_same_output_is_refused_with_a_clear_message(tmp_path):
    with (
        exclusive_lock(tmp_path),
        pytest.raises(OutputLockedError, match="is being written by"),
        exclusive_lock(tmp_path),
    ):
        pass
    with exclusive_lock(tmp_path):  # released again
        pass


def test_unknown_municipality_and_notebook_are_clear_errors(tmp_path):
    from analysis.errors import AnalysisError
    from analysis.paths import get_paths

    paths = get_paths()
    with pytest.raises(AnalysisError, match="unknown municipality code"):
        batch.plan_jobs(RunOptions(municipalities=(999,), notebooks=()), paths)
    with pytest.raises(AnalysisError, match="notebook 'nope' not found"):
        batch.resolve_notebooks(["nope"], paths)


def test_output_folder_is_exact_when_given_and_per_language_by_default(tmp_path):
    from analysis.paths import get_paths

    paths = get_paths()
    english = RunOptions(municipalities=(580,), notebooks=(), language="en")
    assert batch.output_dir(english, paths) == paths.reports.resolve() / "en"
    assert batch.output_dir(replace(english, language="da"), paths) == paths.reports.resolve()
    assert batch.output_dir(replace(english, output=tmp_path), paths) == tmp_path.resolve()
