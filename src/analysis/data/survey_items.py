"""The items of the citizen and staff experience surveys: ``data/raw/surveys/items.yaml``.

Like a codebook for survey answers: every survey file is read against it
(:mod:`analysis.data.surveys`). It holds

- ``scales``: the answer scales, each with the labels of exactly 1, 2, 3, 4 and 5 in
  Danish and English: the scale a survey file is read on unless its format file states
  another (1–4 ... 0–10, :mod:`analysis.data.survey_format`); agreeing is an answer above
  the middle, 4 or 5 on 1–5;
- ``goals``: the value goals of Copenhagen's 2018 action plan (seed 003) that the items
  measure, each a survey outcome of the regressions
  (:data:`analysis.data.outcomes.SURVEY_OUTCOMES`) with ``who`` (citizen or staff) and
  its wording quoted from the seed file with its place (``line``, ``offset``);
- ``items``: ``id`` (the column of a survey file), ``who``, ``goal``, ``scale``,
  ``direction`` (``positive``: agreeing means the goal is met; ``negative``: the answers
  are reversed before any summary) and ``text`` in both languages.

It is read through :mod:`analysis.yamlio` (no aliases or tags, a key given twice is an
error) and every problem names the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.data.outcomes import SURVEY_OUTCOMES
from analysis.yamlio import YamlProblems, read_yaml_text

#: the surveys, and whose experience each value goal is
SURVEYS = ("citizen", "staff")
GOAL_SURVEY: Mapping[str, str] = MappingProxyType(
    {name: name.split("_", 1)[0] for name in SURVEY_OUTCOMES}
)
DIRECTIONS = ("positive", "negative")
SCALE_POINTS = (1, 2, 3, 4, 5)
#: answers that count as agreeing on the items' 1–5 scale (after reversing a negatively
#: worded item); a file on another scale agrees above its middle (survey_format.AnswerScale)
AGREE = (4, 5)
#: endings of the columns of an aggregated file, so an item id may not end with them
AGGREGATE_SUFFIXES = ("_mean", "_agree", "_disagree")
RESERVED = ("municipality_code", "unit", "period", "respondents", "respondent_id",
            "data_origin", "invited")  # fmt: skip
_ID = re.compile(r"[a-z][a-z0-9_]*")
_LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class Scale:
    """A 1–5 answer scale and its labels (``labels[answer] = (da, en)``)."""

    id: str
    labels: Mapping[int, tuple[str, str]]

    def label(self, answer: int, language: str) -> str:
        da, en = self.labels[answer]
        return da if language == "da" else en

    def describe(self, language: str = "en") -> str:
        """``1 = Strongly disagree, 5 = Strongly agree``."""
        first, last = SCALE_POINTS[0], SCALE_POINTS[-1]
        return f"{first} = {self.label(first, language)}, {last} = {self.label(last, language)}"


@dataclass(frozen=True)
class Goal:
    """A value goal as the action plan words it, and where: line and offset (characters
    from the start) of the quote in the seed file."""

    id: str
    who: str
    quote: str
    line: int
    offset: int


@dataclass(frozen=True)
class Item:
    """One survey item (a column of a survey file)."""

    id: str
    who: str
    goal: str
    scale: str
    direction: str
    text_da: str
    text_en: str

    @property
    def reversed(self) -> bool:
        return self.direction == "negative"

    def text(self, language: str) -> str:
        return self.text_da if language == "da" else self.text_en


@dataclass(frozen=True)
class SurveyItems:
    """The validated items file."""

    version: str
    source_file: str
    source_title: str
    scales: Mapping[str, Scale]
    goals: Mapping[str, Goal]
    items: Mapping[str, Item]
    file: Path

    def of(self, who: str) -> list[Item]:
        """The items of one survey, in file order."""
        return [item for item in self.items.values() if item.who == who]

    def goal_items(self, goal: str) -> list[Item]:
        return [item for item in self.items.values() if item.goal == goal]

    def scale_of(self, item: str) -> Scale:
        return self.scales[self.items[item].scale]


def load_survey_items(path: Path | str) -> SurveyItems:
    """Read and validate an items file; every problem names the line."""
    file = Path(path)
    text = read_yaml_text(file, missing="survey items file not found")
    return parse_survey_items(text, file)


def parse_survey_items(text: str, file: Path | str = "items.yaml") -> SurveyItems:
    """Validate items YAML text (see the module docstring for the layout)."""
    problems = YamlProblems.load(text, file, what="a survey items file")
    root = problems.expect_mapping(problems.data or {}, (), "the file")
    problems.unknown_keys(root, ("version", "source", "scales", "goals", "items"), (), "the file")
    version = root.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int | float):
        problems.at(("version",), "the file needs a 'version'", column="version", found=version)
    source = problems.expect_mapping(root.get("source", {}), ("source",), "'source'")
    problems.unknown_keys(source, ("file", "title"), ("source",), "'source'")
    source_file = _text(source, "file", ("source",), problems, "'source'")
    source_title = _text(source, "title", ("source",), problems, "'source'")
    scales = _scales(root.get("scales"), problems)
    goals = _goals(root.get("goals"), problems)
    items = _items(root.get("items"), scales, goals, problems)
    problems.raise_if_any(f"{len(problems)} problem(s) in the survey items file {file}")
    return SurveyItems(
        str(version),
        source_file,
        source_title,
        MappingProxyType(scales),
        MappingProxyType(goals),
        MappingProxyType(items),
        Path(file),
    )


_Key = tuple[Any, ...]


def _text(data: dict, key: str, path: _Key, problems: YamlProblems, what: str) -> str:
    return problems.text(data, key, path, what)


def _both_languages(data: dict, key: str, path: _Key, problems: YamlProblems, what: str):
    return problems.both_languages(data, key, path, what, _LANGUAGES)


def _scales(data: Any, problems: YamlProblems) -> dict[str, Scale]:
    if not isinstance(data, dict) or not data:
        problems.at(("scales",), "the file needs 'scales' (id: labels of 1 to 5)")
        return {}
    out: dict[str, Scale] = {}
    for sid, spec in data.items():
        path: _Key = ("scales", sid)
        what = f"scale '{sid}'"
        spec = problems.expect_mapping(spec, path, what)
        problems.unknown_keys(spec, ("labels",), path, what)
        labels = spec.get("labels")
        if not isinstance(labels, dict):
            problems.at(path, f"{what} needs 'labels'", column="labels", found=labels)
            continue
        points = sorted(labels, key=str)
        if set(labels) != set(SCALE_POINTS):
            problems.at(
                (*path, "labels"),
                f"{what} is not a 1–5 scale: the items file labels the 1–5 scale survey "
                "files are read on (a file on a 1–4, 1–7 or 0–10 scale states it in its "
                "format file, docs/data-inputs.md)",
                column="labels",
                expected="labels of exactly 1, 2, 3, 4 and 5",
                found=", ".join(map(str, points)),
            )
            continue
        texts = {
            point: _both_languages(labels, point, (*path, "labels"), problems, what)
            for point in SCALE_POINTS
        }
        out[str(sid)] = Scale(str(sid), MappingProxyType(texts))
    return out


def _goals(data: Any, problems: YamlProblems) -> dict[str, Goal]:
    if not isinstance(data, dict) or not data:
        problems.at(("goals",), "the file needs 'goals' (id: who, quote, line, offset)")
        return {}
    out: dict[str, Goal] = {}
    for gid, spec in data.items():
        path: _Key = ("goals", gid)
        what = f"goal '{gid}'"
        spec = problems.expect_mapping(spec, path, what)
        problems.unknown_keys(spec, ("who", "quote", "line", "offset"), path, what)
        if gid not in GOAL_SURVEY:
            problems.at(
                path,
                f"unknown value goal '{gid}': a goal is one of the survey outcomes of the "
                "regressions (add an OutcomeSpec to SURVEY_OUTCOMES for a new one)",
                column="goals",
                expected=", ".join(GOAL_SURVEY),
                found=gid,
            )
            continue
        who = spec.get("who")
        if who != GOAL_SURVEY[gid]:
            problems.at(
                (*path, "who"),
                f"{what} is a {GOAL_SURVEY[gid]} goal",
                column="who",
                expected=GOAL_SURVEY[gid],
                found=who,
            )
        quote = _text(spec, "quote", path, problems, what)
        place = []
        for key in ("line", "offset"):
            value = spec.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.at(
                    (*path, key) if key in spec else path,
                    f"{what} needs the quote's {key} in the seed file",
                    column=key,
                    expected="a whole number (line from 1, offset from 0)",
                    found=value,
                )
                value = 0
            place.append(int(value))
        out[str(gid)] = Goal(str(gid), GOAL_SURVEY[gid], quote, place[0], place[1])
    return out


def _items(
    data: Any, scales: dict[str, Scale], goals: dict[str, Goal], problems: YamlProblems
) -> dict[str, Item]:
    if not isinstance(data, list) or not data:
        problems.at(("items",), "the file needs 'items' (a list)")
        return {}
    out: dict[str, Item] = {}
    keys = ("id", "who", "goal", "scale", "direction", "text")
    for index, spec in enumerate(data):
        path: _Key = ("items", index)
        spec = problems.expect_mapping(spec, path, f"item {index + 1}")
        iid = spec.get("id")
        what = f"item '{iid}'" if isinstance(iid, str) else f"item {index + 1}"
        problems.unknown_keys(spec, keys, path, what)
        if not isinstance(iid, str) or not _ID.fullmatch(iid):
            problems.at(
                (*path, "id") if "id" in spec else path,
                f"{what} needs an 'id' that can be a column name",
                column="id",
                expected="lower-case letters, digits and _ (starting with a letter)",
                found=iid,
            )
            continue
        if iid in out:
            problems.at((*path, "id"), f"item id '{iid}' given twice", column="id", found=iid)
            continue
        if iid in RESERVED or iid in GOAL_SURVEY or iid.endswith(AGGREGATE_SUFFIXES):
            problems.at(
                (*path, "id"),
                f"item id '{iid}' is a column name of the contract or ends with one of "
                f"{', '.join(AGGREGATE_SUFFIXES)}",
                column="id",
                expected="another id",
                found=iid,
            )
        who = spec.get("who")
        if who not in SURVEYS:
            problems.at(
                (*path, "who") if "who" in spec else path,
                f"{what}: unknown survey",
                column="who",
                expected=" or ".join(SURVEYS),
                found=who,
            )
        goal = spec.get("goal")
        if goal not in goals:
            problems.at(
                (*path, "goal") if "goal" in spec else path,
                f"{what}: unknown goal",
                column="goal",
                expected="a goal of 'goals': " + ", ".join(goals),
                found=goal,
            )
        elif who in SURVEYS and goals[goal].who != who:
            problems.at(
                (*path, "goal"),
                f"{what} is a {who} item but '{goal}' is a {goals[goal].who} goal",
                column="goal",
                expected=f"a {who} goal",
                found=goal,
            )
        scale = spec.get("scale")
        if scale not in scales:
            problems.at(
                (*path, "scale") if "scale" in spec else path,
                f"{what}: unknown scale",
                column="scale",
                expected="a scale of 'scales': " + ", ".join(scales),
                found=scale,
            )
        direction = spec.get("direction")
        if direction not in DIRECTIONS:
            problems.at(
                (*path, "direction") if "direction" in spec else path,
                f"{what}: direction must say whether agreeing means the goal is met",
                column="direction",
                expected=" or ".join(DIRECTIONS),
                found=direction,
            )
        text_da, text_en = _both_languages(spec, "text", path, problems, what)
        out[iid] = Item(iid, str(who), str(goal), str(scale), str(direction), text_da, text_en)
    return out
