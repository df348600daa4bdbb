"""Where each output of a run goes: the one place that spells out the report folder's
layout (page names, run records, executed notebooks, the committee page, the index).

A run's folder holds::

    index.html                       the index of every municipality
    national.html                    the national report
    <code>-<slug>.html               a municipality's page
    <code>-<slug>-resume.html        its one-page committee summary
    .state/<code>.json               its run record (.state/national.json: the national one)
    notebooks/<code>-<slug>/<key>.ipynb   its executed notebooks (<key>.failed.ipynb: failed)

Everything else in the batch asks :class:`RunLayout` and :class:`PageFiles` for these
paths instead of joining names itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.reports.committee import committee_path

#: the national report's job stands in the run records as "code" 0
NATIONAL_CODE = 0
NATIONAL_STEM = "national"
#: an executed notebook, or a failed one
FILE_ENDINGS = (".ipynb", ".failed.ipynb")
INDEX = "index.html"
STATE_FOLDER = ".state"
NOTEBOOK_FOLDER = "notebooks"


@dataclass(frozen=True)
class PageFiles:
    """The files of one page of a run (a municipality's, or the national report's)."""

    stem: str  # "101-koebenhavn", or "national"
    html: Path
    state: Path
    notebook_dir: Path
    committee: Path | None  # the committee summary (None: the national report has none)

    @property
    def national(self) -> bool:
        return self.committee is None

    def notebook(self, key: str) -> Path:
        """The executed notebook of section ``key``."""
        return self.notebook_dir / f"{key}.ipynb"

    def notebook_files(self, key: str) -> list[Path]:
        """Every file running section ``key`` may leave (executed, or failed)."""
        return [self.notebook_dir / f"{key}{end}" for end in FILE_ENDINGS]

    def targets(self, keys: tuple[str, ...] | list[str]) -> list[Path]:
        """Every file building this page with the sections ``keys`` may write."""
        files = [self.html, self.state]
        if self.committee is not None:
            files.append(self.committee)
        for key in keys:
            files += self.notebook_files(key)
        return files


@dataclass(frozen=True)
class RunLayout:
    """The paths of a run's output folder."""

    folder: Path

    @property
    def index(self) -> Path:
        return self.folder / INDEX

    @property
    def state_folder(self) -> Path:
        return self.folder / STATE_FOLDER

    def page(self, code: int, slug: str) -> PageFiles:
        """A municipality's page and the files that go with it."""
        stem = f"{code}-{slug}"
        html = self.folder / f"{stem}.html"
        return PageFiles(
            stem=stem,
            html=html,
            state=self.state_folder / f"{code}.json",
            notebook_dir=self.folder / NOTEBOOK_FOLDER / stem,
            committee=committee_path(html),
        )

    def national(self) -> PageFiles:
        """The national report and the files that go with it."""
        return PageFiles(
            stem=NATIONAL_STEM,
            html=self.folder / f"{NATIONAL_STEM}.html",
            state=self.state_folder / f"{NATIONAL_STEM}.json",
            notebook_dir=self.folder / NOTEBOOK_FOLDER / NATIONAL_STEM,
            committee=None,
        )

    @classmethod
    def of_page(cls, html: Path | str) -> RunLayout:
        """The layout of the folder a page stands in."""
        return cls(Path(html).parent)
