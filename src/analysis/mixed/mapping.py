"""The outcome-to-theme mapping and the researchers' overrides, read and validated.

``data/raw/joint_display.yaml`` says which qualitative themes speak to which outcome
indicator, groups the outcomes into domains (one row of the joint display each), names the
group contrast each domain is read through (trial vs ordinary department, during vs
before), states for every link what *more talk of the theme in the contrast group* means
(codes carry no valence, so this must be written down: ``improvement``, ``worsening`` or
``context``) and holds the thresholds of the meta-inference rules.

``data/raw/joint_display_overrides.yaml`` records a researcher's judgement where it
replaces a computed meta-inference: municipality, domain (and outcome), the inference,
the reason, who and when. An override without a reason is an error.

Both files are validated completely before anything is computed; every problem names the
file, the line and the unknown id (theme ids are checked against the codebook, outcome
ids against :data:`analysis.data.caseloads.STANDARD_OUTCOMES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.errors import InputError
from analysis.paths import get_paths
from analysis.qual.corpus import DEPARTMENTS, PERIODS, ROLES, SOURCE_TYPES
from analysis.yamlio import YamlProblems, read_yaml_text

#: what more talk of a theme in the contrast group (than in the reference group) means
VALENCES = ("improvement", "worsening", "context")
#: source attributes a contrast may compare or filter on, with their allowed values
CONTRAST_ATTRIBUTES = {
    "department": DEPARTMENTS,
    "period": PERIODS,
    "role": ROLES,
    "source_type": SOURCE_TYPES,
}
#: which estimate the quantitative signal is read from
QUANT_BASES = ("trial", "national")
#: meta-inferences a researcher may set by an override
OVERRIDABLE = ("convergence", "complementarity", "divergence", "inconclusive")
OVERRIDES_FILE = "joint_display_overrides.yaml"


@dataclass(frozen=True)
class Contrast:
    """Two groups of sources compared on one attribute, optionally within a subset
    (``where``: attribute -> allowed values, e.g. only the trial department)."""

    id: str
    label_da: str
    label_en: str
    attribute: str
    contrast_group: str
    reference_group: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def label(self, language: str) -> str:
        return self.label_da if language == "da" else self.label_en


@dataclass(frozen=True)
class ThemeLink:
    """A theme that speaks to an outcome and what more talk of it in the contrast group
    counts as (``improvement``, ``worsening`` or only ``context``)."""

    theme: str
    more_talk_means: str


@dataclass(frozen=True)
class OutcomeLink:
    """An outcome indicator, its themes (possibly none) and the smallest effect (display
    units: percentage points for shares) its interval must clear to count as a signal."""

    outcome: str
    themes: tuple[ThemeLink, ...]
    min_effect: float = 0.0


@dataclass(frozen=True)
class Domain:
    """One row of the joint display: outcomes read through one contrast."""

    id: str
    label_da: str
    label_en: str
    contrast: str
    outcomes: tuple[OutcomeLink, ...]

    def label(self, language: str) -> str:
        return self.label_da if language == "da" else self.label_en

    @property
    def themes(self) -> tuple[str, ...]:
        """The domain's themes in file order, each once."""
        seen: dict[str, None] = {}
        for outcome in self.outcomes:
            for link in outcome.themes:
                seen.setdefault(link.theme, None)
        return tuple(seen)


@dataclass(frozen=True)
class Rules:
    """Thresholds of the meta-inference rules (see :mod:`analysis.mixed.inference`)."""

    min_sources_per_group: int = 3
    min_difference: float = 0.25
    quantitative_basis: str = "trial"


@dataclass(frozen=True)
class JointMapping:
    """The validated mapping file."""

    version: str
    contrasts: tuple[Contrast, ...]
    domains: tuple[Domain, ...]
    rules: Rules
    file: Path | None = None

    def contrast(self, contrast_id: str) -> Contrast:
        for contrast in self.contrasts:
            if contrast.id == contrast_id:
                return contrast
        raise KeyError(contrast_id)

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(o.outcome for d in self.domains for o in d.outcomes)

    def only_themes(self, codes: Collection[str]) -> JointMapping:
        """The mapping with only the links to ``codes`` (a theme subset: its codes and
        sub-codes); every domain and outcome stays, an outcome may keep no theme. The
        file is not changed: a researcher's subset is a setting of the analysis."""
        keep = set(codes)
        domains = tuple(
            replace(
                domain,
                outcomes=tuple(
                    replace(o, themes=tuple(link for link in o.themes if link.theme in keep))
                    for o in domain.outcomes
                ),
            )
            for domain in self.domains
        )
        return replace(self, domains=domains)


@dataclass(frozen=True)
class Override:
    """A researcher's meta-inference replacing the computed one (``outcome`` None: the
    whole domain row)."""

    municipality: int
    domain: str
    outcome: str | None
    meta_inference: str
    reason: str
    who: str
    date: str
    line: int | None = None


# --- checks shared by both files ------------------------------------------------------------

_Key = tuple[Any, ...]


def _text(data: dict, key: str, path: _Key, problems: YamlProblems, what: str) -> str:
    return problems.text(data, key, path, what)


def _label(data: dict, path: _Key, problems: YamlProblems, what: str) -> tuple[str, ...]:
    return problems.both_languages(data, "label", path, what)


# --- the mapping file -----------------------------------------------------------------------


def default_mapping_path() -> Path:
    """``data/raw/joint_display.yaml``."""
    return get_paths().joint_display


def default_overrides_path() -> Path:
    """``data/raw/joint_display_overrides.yaml``."""
    return get_paths().raw / OVERRIDES_FILE


def load_mapping(
    path: Path | str | None = None, theme_ids: Sequence[str] | None = None
) -> JointMapping:
    """Read and validate the mapping file (default ``data/raw/joint_display.yaml``).

    ``theme_ids``: the codebook's code ids (top-level and sub-codes); default: the ids of
    ``data/raw/codebook.yaml``.
    """
    file = Path(path) if path is not None else default_mapping_path()
    text = read_yaml_text(file, missing="mapping file not found")
    if theme_ids is None:
        from analysis.qual.codebook import load_codebook

        theme_ids = load_codebook().ids
    return parse_mapping(text, theme_ids, file)


def parse_mapping(
    text: str, theme_ids: Sequence[str], file: Path | str = "joint_display.yaml"
) -> JointMapping:
    """Validate mapping YAML text; every problem names the line and the offending id."""
    problems = YamlProblems.load(text, file)
    root = problems.expect_mapping(problems.data or {}, (), "the file")
    problems.unknown_keys(root, ("version", "rules", "contrasts", "domains"), (), "the file")
    version = root.get("version")
    if not isinstance(version, str | int | float) or not str(version).strip():
        problems.at(("version",), "the file needs a 'version'", column="version", found=version)
    rules = _parse_rules(root.get("rules") or {}, problems)
    contrasts = _parse_contrasts(root.get("contrasts"), problems)
    domains = _parse_domains(
        root.get("domains"), {c.id for c in contrasts}, set(theme_ids), problems
    )
    problems.raise_if_any(f"{len(problems)} problem(s) in {file}")
    return JointMapping(
        version=str(version),
        contrasts=tuple(contrasts),
        domains=tuple(domains),
        rules=rules,
        file=Path(file) if not isinstance(file, Path) else file,
    )


def _parse_rules(data: Any, problems: YamlProblems) -> Rules:
    path: _Key = ("rules",)
    data = problems.expect_mapping(data, path, "'rules'")
    defaults = Rules()
    problems.unknown_keys(
        data,
        ("min_sources_per_group", "min_difference", "quantitative_basis"),
        path,
        "'rules'",
    )
    min_sources = data.get("min_sources_per_group", defaults.min_sources_per_group)
    if isinstance(min_sources, bool) or not isinstance(min_sources, int) or min_sources < 1:
        problems.at(
            (*path, "min_sources_per_group"),
            "bad threshold",
            column="min_sources_per_group",
            expected="a whole number >= 1",
            found=min_sources,
        )
        min_sources = defaults.min_sources_per_group
    min_difference = data.get("min_difference", defaults.min_difference)
    if (
        isinstance(min_difference, bool)
        or not isinstance(min_difference, int | float)
        or not 0 < float(min_difference) <= 1
    ):
        problems.at(
            (*path, "min_difference"),
            "bad threshold",
            column="min_difference",
            expected="a share of sources, 0 < d <= 1",
            found=min_difference,
        )
        min_difference = defaults.min_difference
    basis = data.get("quantitative_basis", defaults.quantitative_basis)
    if basis not in QUANT_BASES:
        problems.at(
            (*path, "quantitative_basis"),
            "unknown quantitative basis",
            column="quantitative_basis",
            expected=", ".join(QUANT_BASES),
            found=basis,
        )
        basis = defaults.quantitative_basis
    return Rules(int(min_sources), float(min_difference), str(basis))


def _values(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _parse_contrasts(data: Any, problems: YamlProblems) -> list[Contrast]:
    if not isinstance(data, dict) or not data:
        problems.at(("contrasts",), "the file needs 'contrasts' (id: definition)")
        return []
    out = []
    allowed = ", ".join(CONTRAST_ATTRIBUTES)
    for cid, spec in data.items():
        path: _Key = ("contrasts", cid)
        what = f"contrast '{cid}'"
        spec = problems.expect_mapping(spec, path, what)
        problems.unknown_keys(
            spec,
            ("label", "attribute", "contrast_group", "reference_group", "where"),
            path,
            what,
        )
        label_da, label_en = _label(spec, path, problems, what)
        attribute = spec.get("attribute")
        vocabulary = CONTRAST_ATTRIBUTES.get(attribute) if isinstance(attribute, str) else None
        if vocabulary is None:
            problems.at(
                (*path, "attribute"),
                f"{what}: unknown source attribute",
                column="attribute",
                expected=allowed,
                found=attribute,
            )
        groups = []
        for key in ("contrast_group", "reference_group"):
            value = spec.get(key)
            if not isinstance(value, str) or (vocabulary is not None and value not in vocabulary):
                problems.at(
                    (*path, key),
                    f"{what}: unknown group",
                    column=key,
                    expected=", ".join(vocabulary or ()) or "a value of the attribute",
                    found=value,
                )
            groups.append(str(value))
        if groups[0] == groups[1]:
            problems.at(path, f"{what}: the two groups are the same", found=groups[0])
        where = []
        raw_where = spec.get("where") or {}
        if not isinstance(raw_where, dict):
            problems.at(
                (*path, "where"),
                f"{what}: 'where' must be a mapping (attribute: values)",
                column="where",
                found=type(raw_where).__name__,
            )
            raw_where = {}
        for attr, raw in raw_where.items():
            vocab = CONTRAST_ATTRIBUTES.get(attr)
            values = _values(raw)
            if vocab is None:
                problems.at(
                    (*path, "where", attr),
                    f"{what}: unknown attribute in 'where'",
                    column=str(attr),
                    expected=allowed,
                    found=attr,
                )
            elif values is None or any(v not in vocab for v in values):
                problems.at(
                    (*path, "where", attr),
                    f"{what}: unknown value in 'where'",
                    column=str(attr),
                    expected=", ".join(vocab),
                    found=raw,
                )
            else:
                where.append((str(attr), values))
        out.append(
            Contrast(
                str(cid), label_da, label_en, str(attribute), groups[0], groups[1], tuple(where)
            )
        )
    return out


def _parse_domains(
    data: Any, contrast_ids: set[str], theme_ids: set[str], problems: YamlProblems
) -> list[Domain]:
    if not isinstance(data, list) or not data:
        problems.at(("domains",), "the file needs 'domains' (a list)")
        return []
    out = []
    seen_domains: set[str] = set()
    seen_outcomes: dict[str, str] = {}
    for index, spec in enumerate(data):
        path: _Key = ("domains", index)
        spec = problems.expect_mapping(spec, path, f"domain {index + 1}")
        domain_id = _text(spec, "id", path, problems, f"domain {index + 1}")
        what = f"domain '{domain_id or index + 1}'"
        problems.unknown_keys(spec, ("id", "label", "contrast", "outcomes"), path, what)
        if domain_id in seen_domains:
            problems.at((*path, "id"), "domain id given twice", column="id", found=domain_id)
        seen_domains.add(domain_id)
        label_da, label_en = _label(spec, path, problems, what)
        contrast = spec.get("contrast")
        if not isinstance(contrast, str) or contrast not in contrast_ids:
            problems.at(
                (*path, "contrast"),
                f"{what}: unknown contrast",
                column="contrast",
                expected=", ".join(sorted(contrast_ids)) or "an id under 'contrasts'",
                found=contrast,
            )
        outcomes = []
        raw_outcomes = spec.get("outcomes")
        if not isinstance(raw_outcomes, list) or not raw_outcomes:
            problems.at(path, f"{what} needs 'outcomes' (a list)", column="outcomes")
            raw_outcomes = []
        for o_index, o_spec in enumerate(raw_outcomes):
            link = _parse_outcome(o_spec, (*path, "outcomes", o_index), what, theme_ids, problems)
            if link is None:
                continue
            if link.outcome in seen_outcomes:
                problems.at(
                    (*path, "outcomes", o_index, "outcome"),
                    f"outcome already linked in domain '{seen_outcomes[link.outcome]}'",
                    column="outcome",
                    found=link.outcome,
                )
            seen_outcomes[link.outcome] = domain_id
            outcomes.append(link)
        out.append(Domain(domain_id, label_da, label_en, str(contrast), tuple(outcomes)))
    return out


def _parse_outcome(
    spec: Any, path: _Key, what: str, theme_ids: set[str], problems: YamlProblems
) -> OutcomeLink | None:
    spec = problems.expect_mapping(spec, path, f"an outcome of {what}")
    problems.unknown_keys(spec, ("outcome", "themes", "min_effect"), path, "an outcome link")
    outcome = spec.get("outcome")
    ok = True
    if not isinstance(outcome, str) or outcome not in STANDARD_OUTCOMES:
        problems.at(
            (*path, "outcome"),
            f"{what}: unknown outcome id",
            column="outcome",
            expected=", ".join(STANDARD_OUTCOMES),
            found=outcome,
        )
        ok = False
    min_effect = spec.get("min_effect", 0.0)
    if (
        isinstance(min_effect, bool)
        or not isinstance(min_effect, int | float)
        or not min_effect >= 0  # NaN too
    ):
        problems.at(
            (*path, "min_effect"),
            "bad smallest effect of interest",
            column="min_effect",
            expected="a number >= 0 in display units (pp for shares)",
            found=min_effect,
        )
        min_effect = 0.0
    raw_themes = spec.get("themes")
    if raw_themes is None or not isinstance(raw_themes, list):
        problems.at(
            (*path, "themes") if "themes" in spec else path,
            f"{what}: outcome '{outcome}' needs 'themes' (a list; [] for none)",
            column="themes",
        )
        raw_themes = []
    themes: list[ThemeLink] = []
    for t_index, t_spec in enumerate(raw_themes):
        t_path = (*path, "themes", t_index)
        t_spec = problems.expect_mapping(t_spec, t_path, "a theme link")
        problems.unknown_keys(t_spec, ("theme", "more_talk_means"), t_path, "a theme link")
        theme = t_spec.get("theme")
        if not isinstance(theme, str) or theme not in theme_ids:
            problems.at(
                (*t_path, "theme"),
                f"{what}, outcome '{outcome}': unknown theme id",
                column="theme",
                expected="a code id of the codebook",
                found=theme,
            )
            continue
        if any(link.theme == theme for link in themes):
            problems.at((*t_path, "theme"), "theme linked twice", column="theme", found=theme)
        valence = t_spec.get("more_talk_means")
        if valence not in VALENCES:
            problems.at(
                (*t_path, "more_talk_means") if "more_talk_means" in t_spec else t_path,
                f"{what}, outcome '{outcome}', theme '{theme}': say what more talk of the "
                "theme in the contrast group means",
                column="more_talk_means",
                expected=", ".join(VALENCES),
                found=valence,
            )
            continue
        themes.append(ThemeLink(str(theme), str(valence)))
    if not ok:
        return None
    return OutcomeLink(str(outcome), tuple(themes), float(min_effect))


# --- overrides ------------------------------------------------------------------------------


def load_overrides(
    path: Path | str | None, mapping: JointMapping, *, required: bool | None = None
) -> tuple[Override, ...]:
    """Read and validate the overrides file.

    ``path`` None: ``data/raw/joint_display_overrides.yaml`` if it exists (no file, no
    overrides). A path given explicitly must exist (``required`` changes that).
    """
    file = Path(path) if path is not None else default_overrides_path()
    must_exist = (path is not None) if required is None else required
    if not file.exists():
        if must_exist:
            raise InputError.single(file, "overrides file not found")
        return ()
    text = read_yaml_text(file, missing="overrides file not found")
    return parse_overrides(text, mapping, file)


def parse_overrides(
    text: str,
    mapping: JointMapping,
    file: Path | str = OVERRIDES_FILE,
    municipality_codes: Iterable[int] | None = None,
) -> tuple[Override, ...]:
    """Validate overrides YAML text against the mapping; a missing reason is an error."""
    if municipality_codes is None:
        from analysis.data.reference import load_municipalities

        municipality_codes = load_municipalities()["code"].dropna().astype(int)
    codes = {int(c) for c in municipality_codes}
    problems = YamlProblems.load(text, file)
    root = problems.expect_mapping(problems.data or {}, (), "the file")
    problems.unknown_keys(root, ("version", "overrides"), (), "the file")
    items = root.get("overrides") or []
    if not isinstance(items, list):
        problems.at(("overrides",), "'overrides' must be a list", column="overrides")
        items = []
    out: list[Override] = []
    seen: dict[tuple[int, str, str | None], int | None] = {}
    fields = ("municipality", "domain", "outcome", "meta_inference", "reason", "who", "date")
    for index, spec in enumerate(items):
        path: _Key = ("overrides", index)
        what = f"override {index + 1}"
        spec = problems.expect_mapping(spec, path, what)
        problems.unknown_keys(spec, fields, path, what)
        before = len(problems)
        municipality = spec.get("municipality")
        if (
            isinstance(municipality, bool)
            or not isinstance(municipality, int)
            or (municipality not in codes)
        ):
            problems.at(
                (*path, "municipality") if "municipality" in spec else path,
                f"{what}: unknown municipality code",
                column="municipality",
                expected="a municipality code (e.g. 101)",
                found=municipality,
            )
        domain_id = spec.get("domain")
        domain = None
        try:
            domain = mapping.domain(str(domain_id))
        except KeyError:
            problems.at(
                (*path, "domain") if "domain" in spec else path,
                f"{what}: unknown domain id",
                column="domain",
                expected=", ".join(d.id for d in mapping.domains),
                found=domain_id,
            )
        outcome = spec.get("outcome")
        if (
            outcome is not None
            and domain is not None
            and outcome not in [o.outcome for o in domain.outcomes]
        ):
            problems.at(
                (*path, "outcome"),
                f"{what}: outcome is not in domain '{domain.id}'",
                column="outcome",
                expected=", ".join(o.outcome for o in domain.outcomes),
                found=outcome,
            )
        inference = spec.get("meta_inference")
        if inference not in OVERRIDABLE:
            problems.at(
                (*path, "meta_inference") if "meta_inference" in spec else path,
                f"{what}: unknown meta-inference",
                column="meta_inference",
                expected=", ".join(OVERRIDABLE),
                found=inference,
            )
        reason = spec.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.at(
                (*path, "reason") if "reason" in spec else path,
                f"{what}: an override needs a reason",
                column="reason",
                expected="the researcher's reason in words",
                found=reason,
            )
        who = spec.get("who")
        if not isinstance(who, str) or not who.strip():
            problems.at(
                (*path, "who") if "who" in spec else path,
                f"{what}: say who made the judgement",
                column="who",
                found=who,
            )
        date = _date(spec.get("date"))
        if date is None:
            problems.at(
                (*path, "date") if "date" in spec else path,
                f"{what}: bad or missing date",
                column="date",
                expected="YYYY-MM-DD",
                found=spec.get("date"),
            )
        if len(problems) > before:
            continue
        key = (int(municipality), str(domain_id), None if outcome is None else str(outcome))
        line = problems.document.line(path)
        if key in seen:
            problems.at(
                path,
                f"{what}: the same row is overridden on line {seen[key]} too",
                found=" / ".join(str(k) for k in key if k is not None),
            )
            continue
        seen[key] = line
        out.append(
            Override(
                municipality=int(municipality),
                domain=str(domain_id),
                outcome=None if outcome is None else str(outcome),
                meta_inference=str(inference),
                reason=str(reason).strip(),
                who=str(who).strip(),
                date=date,
                line=line,
            )
        )
    problems.raise_if_any(f"{len(problems)} problem(s) in {file}")
    return tuple(out)


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None
