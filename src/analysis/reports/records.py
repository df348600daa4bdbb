"""Typed headline records: the fields the report reads from the sections' scraps.

The notebooks glue their headline records as plain dicts (scrapbook scraps, a public
contract that stays as it is). The report reads them here, at one boundary
(:meth:`PageHeadlines.from_scraps`), into frozen records: a scrap that lacks a field of
its record, or has a field the record does not know, is an error naming the scrap and
the field, never a silent 0 or ``None``. Fields whose value may be missing (no estimate,
no trial, no group fit) are typed ``... | None`` and are still present in every record.

One module for the four areas (not one ``headline`` module in each): the records are
what the *report* needs from the notebooks' scraps, the boundary check is shared, and
the areas' own modules stay free of the report's reading of them.

- :class:`BenchmarkHeadline`: ``benchmark_headline`` (notebook 03,
  :meth:`analysis.benchmark.view.BenchmarkView.headline`);
- :class:`CaseloadOwn`: ``caseload_own`` (notebook 02, :func:`analysis.quant.view.own_finding`);
- :class:`NationalHeadline`: ``national_headline`` (notebook 00) and ``caseload_headline``
  (notebook 02), :func:`analysis.quant.results.headline`;
- :class:`Theme`: each item of ``top_themes`` (notebook 01, :func:`analysis.qual.view.top_themes`);
- :class:`Verdict`: each item of ``joint_display_verdicts`` (notebook 04,
  :func:`analysis.mixed.view.verdicts`);
- ``n_sources`` (notebook 01): a count, read as an ``int``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from analysis.errors import AnalysisError

R = TypeVar("R", bound="ScrapRecord")


class ScrapRecordError(AnalysisError):
    """A scrap that does not hold the record the report reads from it."""


@dataclass(frozen=True)
class ScrapRecord:
    """Base of the records: the strict boundary from a scrap's dict, and back."""

    #: the scrap the record is read from
    SCRAP: ClassVar[str] = ""
    #: fields that hold a list in the scrap and a tuple in the record
    SEQUENCES: ClassVar[tuple[str, ...]] = ()
    #: fields that hold a record of their own (field -> its record)
    NESTED: ClassVar[dict[str, type[ScrapRecord]]] = {}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_scrap(cls: type[R], data: object, scrap: str | None = None) -> R:
        """The record of one scrap's value; a missing or unknown field is an error that
        names the scrap (``scrap``, by default the record's own) and the field."""
        scrap = scrap or cls.SCRAP
        if not isinstance(data, Mapping):
            raise ScrapRecordError(
                f"scrap {scrap!r} is not a record of fields but a {type(data).__name__} "
                f"(expected the fields {', '.join(cls.field_names())})"
            )
        names = cls.field_names()
        missing = [name for name in names if name not in data]
        extra = sorted(str(key) for key in data if key not in names)
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"missing field(s) {', '.join(missing)}")
            if extra:
                problems.append(f"unknown field(s) {', '.join(extra)}")
            raise ScrapRecordError(
                f"scrap {scrap!r} does not match the {cls.__name__} the report reads: "
                f"{'; '.join(problems)} (the record has the fields {', '.join(names)}; a "
                f"renamed field must be renamed in analysis.reports.records too)"
            )
        values = {name: data[name] for name in names}
        for name in cls.SEQUENCES:
            values[name] = tuple(values[name] or ())
        for name, kind in cls.NESTED.items():
            values[name] = kind.from_scrap(values[name], f"{scrap}.{name}")
        return cls(**values)

    def to_scrap(self) -> dict[str, Any]:
        """The record as the notebook glued it (tuples back to lists)."""
        out = {name: getattr(self, name) for name in self.field_names()}
        for name in self.SEQUENCES:
            out[name] = list(out[name])
        for name in self.NESTED:
            out[name] = out[name].to_scrap()
        return out


@dataclass(frozen=True)
class BenchmarkHeadline(ScrapRecord):
    """The benchmark in brief: the headline indicator against the comparison group, and
    the tally of outcome areas better and worse, developments up and down."""

    SCRAP: ClassVar[str] = "benchmark_headline"
    SEQUENCES: ClassVar[tuple[str, ...]] = ("counted", "members")

    indicator: str
    level: float | None
    development: float | None
    cluster_mean: float | None
    period: str
    period_start: str
    cluster: str  # the comparison group's label
    cluster_size: int
    n_indicators: int
    n_shown: int
    n_better: int
    n_worse: int
    n_same: int
    n_up: int
    n_down: int
    n_small_base: int
    n_country_better: int
    n_country_worse: int
    counted: tuple[str, ...]
    country_mean: float | None
    poor_fit: bool
    fit_mean: float | None
    fit_typical_mean: float | None
    members: tuple[int, ...]  # the comparison group's municipality codes


@dataclass(frozen=True)
class Estimate(ScrapRecord):
    """An estimate with its 95 % interval (``None``: none could be computed)."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class CaseloadOwn(ScrapRecord):
    """The caseload finding of a municipality's page (display units)."""

    SCRAP: ClassVar[str] = "caseload_own"
    NESTED: ClassVar[dict[str, type[ScrapRecord]]] = {"national": Estimate}

    municipality: int
    has_trial: bool
    n_units: int
    caseload_mean: float | None
    outcome: str
    trial: Mapping[str, Any] | None  # estimate, ci_low, ci_high of its own trial
    national: Estimate  # the association across all units
    simulated: bool
    trial_index: bool | str  # the index's "trial" column
    lead: str | None
    trial_design: Mapping[str, Any] | None
    national_design: Mapping[str, Any] | None


@dataclass(frozen=True)
class NationalHeadline(ScrapRecord):
    """The national caseload estimates (the association, and the trials' design)."""

    SCRAP: ClassVar[str] = "national_headline"

    outcome: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    spec: str
    scope: str
    unit: str
    per: str
    caseload_mean: float | None
    simulated: bool
    lead: str
    design: Mapping[str, Any] | None
    linearity: Mapping[str, Any] | None


@dataclass(frozen=True)
class Theme(ScrapRecord):
    """One of the most frequent themes (``kind``: "interviews", or "documents")."""

    SCRAP: ClassVar[str] = "top_themes"

    kind: str
    code: str
    label: str
    n_sources: int
    n_sources_group: int
    shown: str  # the count as the report shows it (hidden below the threshold)


@dataclass(frozen=True)
class Verdict(ScrapRecord):
    """The joint display's verdict on one outcome domain."""

    SCRAP: ClassVar[str] = "joint_display_verdicts"

    domain: str
    label: str
    inference: str
    inference_label: str
    assessed: bool
    reason: str
    reason_short: str
    simulated: bool


#: scrap name -> the record the report reads from it (``int``: a count)
RECORDS: dict[str, type] = {
    BenchmarkHeadline.SCRAP: BenchmarkHeadline,
    CaseloadOwn.SCRAP: CaseloadOwn,
    NationalHeadline.SCRAP: NationalHeadline,
    Theme.SCRAP: Theme,
    Verdict.SCRAP: Verdict,
    "n_sources": int,
}


def _items(cls: type[R], data: object) -> tuple[R, ...]:
    if data is None:
        return ()
    if isinstance(data, Mapping | str | bytes) or not isinstance(data, Sequence):
        raise ScrapRecordError(
            f"scrap {cls.SCRAP!r} is not a list of records but a {type(data).__name__}"
        )
    return tuple(cls.from_scrap(item, f"{cls.SCRAP}[{i}]") for i, item in enumerate(data))


def _count(scrap: str, data: object) -> int | None:
    if data is None:
        return None
    if isinstance(data, bool) or not isinstance(data, int):
        raise ScrapRecordError(f"scrap {scrap!r} is not a count but a {type(data).__name__}")
    return data


@dataclass(frozen=True)
class PageHeadlines:
    """The headline records of one page, from its sections' merged scraps (a section
    that did not run, or does not apply, leaves its record ``None`` or empty)."""

    benchmark: BenchmarkHeadline | None = None
    caseload: CaseloadOwn | None = None
    national: NationalHeadline | None = None
    themes: tuple[Theme, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    n_sources: int | None = None

    @classmethod
    def from_scraps(cls, scraps: Mapping[str, Any]) -> PageHeadlines:
        """The one boundary from scraps to records (see the module docstring)."""

        def record(kind: type[R]) -> R | None:
            data = scraps.get(kind.SCRAP)
            return None if data is None else kind.from_scrap(data)

        return cls(
            benchmark=record(BenchmarkHeadline),
            caseload=record(CaseloadOwn),
            national=record(NationalHeadline),
            themes=_items(Theme, scraps.get(Theme.SCRAP)),
            verdicts=_items(Verdict, scraps.get(Verdict.SCRAP)),
            n_sources=_count("n_sources", scraps.get("n_sources")),
        )

    @property
    def documents_only(self) -> bool:
        """The themes are those of the municipality's documents (it has no interviews)."""
        return bool(self.themes) and self.themes[0].kind == "documents"

    def simulated_caseloads(self) -> bool:
        """Whether the page's caseload results rest on a simulated panel, as the caseload
        and joint-display notebooks recorded it from the data contract."""
        return any(
            record is not None and record.simulated for record in (self.caseload, self.national)
        ) or any(v.simulated for v in self.verdicts)

    def value(self, scrap: str, field: str = "") -> tuple[bool, Any]:
        """(present, value): ``field`` of the record read from ``scrap``, or the scrap's
        value itself (no ``field``); ``present`` is False when the page has no such scrap."""
        record = {
            BenchmarkHeadline.SCRAP: self.benchmark,
            CaseloadOwn.SCRAP: self.caseload,
            NationalHeadline.SCRAP: self.national,
            "n_sources": self.n_sources,
        }[scrap]
        if record is None:
            return False, None
        return True, getattr(record, field) if field else record


def check_field(scrap: str, field: str) -> None:
    """Fail at once (at import of the sections' registry) when a headline names a scrap
    the records do not read, or a field its record does not have."""
    kind = RECORDS.get(scrap)
    if kind is None or kind in (Theme, Verdict):
        raise ScrapRecordError(
            f"no headline record is read from scrap {scrap!r} "
            f"(records: {', '.join(k for k in RECORDS if k not in {Theme.SCRAP, Verdict.SCRAP})})"
        )
    if not field:
        return
    names = kind.field_names() if issubclass(kind, ScrapRecord) else ()
    if field not in names:
        raise ScrapRecordError(
            f"scrap {scrap!r} has no field {field!r} (its record {kind.__name__} has "
            f"{', '.join(names) or 'no fields'})"
        )
