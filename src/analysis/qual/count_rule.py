"""How a corpus's small counts of persons are shown in reports: a per-corpus setting.

Interview material is confidential by default: a count of 1 to 4 sources (persons) is
shown as ``<5``, and where counts add up to a total shown elsewhere the next smallest are
hidden too (secondary suppression, :func:`analysis.privacy.suppress_small_counts`). A
corpus of *published* quotes (like the demo corpus: every quote is printed in a public
report, with its speaker's role) identifies no one by being counted, so its counts are
shown as they are. The setting lives in ``corpus.yaml`` next to the corpus::

    # data/raw/interviews/corpus.yaml
    confidentiality: published      # or: confidential (the default)
    small_count_threshold: 5        # confidential only: counts 1..4 hidden (default 5)

No file means confidential with the default threshold, so a new corpus is never shown
less carefully than the rule. Counts from registers (Jobindsats) keep their own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.paths import SMALL_COUNT_THRESHOLD, get_paths
from analysis.yamlio import YamlProblems, read_yaml_text

SETTINGS_FILE = "corpus.yaml"
PUBLISHED, CONFIDENTIAL = "published", "confidential"


@dataclass(frozen=True)
class CountRule:
    """The corpus's rule for small counts; ``threshold`` 1 hides nothing."""

    confidentiality: str = CONFIDENTIAL
    threshold: int = SMALL_COUNT_THRESHOLD
    file: str | None = None  # the settings file, relative to the raw folder, if any

    @property
    def suppresses(self) -> bool:
        return self.threshold > 1

    def as_record(self) -> dict:
        """For the notebooks' scrapbook record (the report footer prints it)."""
        return {
            "confidentiality": self.confidentiality,
            "threshold": self.threshold,
            "default_threshold": SMALL_COUNT_THRESHOLD,
            "file": self.file,
        }


def settings_path(corpus_path: Path | str | None = None) -> Path:
    """``corpus.yaml`` in the corpus's folder (default ``data/raw/interviews``)."""
    if corpus_path is None:
        return get_paths().interviews / SETTINGS_FILE
    path = Path(corpus_path)
    return (path if path.is_dir() else path.parent) / SETTINGS_FILE


def load_count_rule(corpus_path: Path | str | None = None) -> CountRule:
    """The count rule of the corpus at ``corpus_path`` (its ``corpus.yaml``; none:
    confidential, threshold 5)."""
    path = settings_path(corpus_path)
    if not path.is_file():
        return CountRule()
    problems = YamlProblems.load(read_yaml_text(path), path, what="the corpus settings")
    data = problems.expect_mapping(
        problems.data if problems.data is not None else {}, (), "the file"
    )
    problems.unknown_keys(data, ("confidentiality", "small_count_threshold"), (), "corpus.yaml")
    kind = data.get("confidentiality", CONFIDENTIAL)
    if kind not in (PUBLISHED, CONFIDENTIAL):
        problems.at(
            ("confidentiality",),
            "unknown confidentiality",
            column="confidentiality",
            expected=f"{PUBLISHED} or {CONFIDENTIAL}",
            found=kind,
        )
    threshold = data.get("small_count_threshold", SMALL_COUNT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 2:
        problems.at(
            ("small_count_threshold",),
            "not a threshold",
            column="small_count_threshold",
            expected="a whole number of at least 2 (counts below it are hidden)",
            found=threshold,
        )
    elif kind == PUBLISHED and "small_count_threshold" in data:
        problems.at(
            ("small_count_threshold",),
            "a published corpus shows its counts; a threshold applies only to a confidential one",
            column="small_count_threshold",
            expected="confidentiality: confidential, or no small_count_threshold",
            found=threshold,
        )
    problems.raise_if_any(str(path))
    shown = _relative(path)
    if kind == PUBLISHED:
        return CountRule(PUBLISHED, 1, shown)
    return CountRule(CONFIDENTIAL, int(threshold), shown)


def _relative(path: Path) -> str:
    paths = get_paths()
    for base in (paths.raw, paths.root):
        if path.resolve().is_relative_to(base):
            return str(path.resolve().relative_to(base))
    return path.name
