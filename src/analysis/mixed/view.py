"""Everything notebook 04 shows, computed in one call and labelled for display.

:func:`analyse` reads the inputs (gated quotes, the mapping and overrides, the estimates
from the shared quantitative results, the caseload panel) and computes the
numeric tables, which the notebook glues. The ``*_display`` functions and texts turn them
into report tables in the report language: person counts below the threshold shown as
``<5``, quotes left as data (``nb.table``/``nb.styled`` escape them; they never go into
markdown). No HTML here: the compact joint display is rendered by
:mod:`analysis.reports.html.joint_display`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.formatting import decimals_for, format_number, format_percent
from analysis.labels import t
from analysis.mixed.caseload_link import (
    caseload_link,
    group_caseloads,
    panel_files,
    read_panel,
)
from analysis.mixed.estimates import EstimatesSource, outcome_effects, read_estimates
from analysis.mixed.evidence import QualEvidence, load_evidence
from analysis.mixed.inference import NOT_ASSESSABLE
from analysis.mixed.joint_display import JointDisplay, build_joint_display
from analysis.mixed.mapping import (
    JointMapping,
    Override,
    default_mapping_path,
    default_overrides_path,
    load_mapping,
    load_overrides,
)
from analysis.paths import DEFAULT_SEED
from analysis.privacy import suppress_small_counts
from analysis.qual.view import check_themes, value_label
from analysis.quant.results import is_share, outcome_label, unit_label

#: the joint display's table id in the report (``nb.table(..., name=TABLE_NAME)``)
TABLE_NAME = "joint-display"
LINK_TABLE_NAME = "mixed-caseload-link"


@dataclass(frozen=True)
class MixedResults:
    """Inputs and numeric results of the mixed-methods synthesis for one municipality."""

    municipality: int
    mapping: JointMapping
    overrides: tuple[Override, ...]
    evidence: QualEvidence
    estimates: EstimatesSource
    effects: pd.DataFrame
    joint: JointDisplay
    caseloads: pd.DataFrame
    link: pd.DataFrame
    link_themes: tuple[str, ...]
    files: tuple[Path, ...]
    simulated_files: tuple[Path, ...]

    @property
    def simulated(self) -> bool:
        """True when the estimates or the caseload panel are simulated."""
        return bool(self.estimates.simulated or self.simulated_files)


def analyse(
    municipality: int,
    *,
    regression_notebook: Path | str | None = None,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | None = None,
    mapping_path: Path | str | None = None,
    overrides_path: Path | str | None = None,
    panel_path: Path | str | None = None,
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
    coder: str | None = None,
    n_quotes: int = 2,
    seed: int = DEFAULT_SEED,
    themes: Sequence[str] | None = None,
) -> MixedResults:
    """Read every input and compute the joint display and the caseload link.

    Quotes pass the personal-data gate first (``privacy``: ``pseudonymise``, ``stop`` or
    ``allow``); the mapping and overrides are validated before anything is computed;
    the estimates come from the shared quantitative results
    (:func:`analysis.quant.compute.load_results`, re-exported as
    ``analysis.quant.view.load_results``; the same results notebook 02 shows).
    ``regression_notebook`` is accepted for compatibility (notebook 04's parameter, which
    the report batch fills with notebook 02's output) and not read.
    ``themes``: only these themes of the codebook (top-level ids, with their sub-codes;
    ``None``: all) in the joint display and against caseloads, without changing the
    codebook, the codings or the mapping file; an unknown id is an error listing them.
    """
    municipality = int(municipality)
    evidence = load_evidence(
        municipality,
        corpus_path=corpus_path,
        codebook_path=codebook_path,
        codings_path=codings_path,
        coder=coder,
        privacy=privacy,
        privacy_names_path=privacy_names_path,
    )
    codebook = evidence.inputs.codebook
    mapping_file = Path(mapping_path) if mapping_path is not None else default_mapping_path()
    mapping = load_mapping(mapping_file, codebook.ids)
    if themes is not None:
        chosen = check_themes(codebook, themes)
        mapping = mapping.only_themes(c for c in codebook.ids if codebook.top(c) in chosen)
    overrides_file = (
        Path(overrides_path) if overrides_path is not None else default_overrides_path()
    )
    overrides = load_overrides(overrides_path, mapping)
    del regression_notebook  # not read: see the docstring
    source = read_estimates(municipality, panel_path=panel_path)
    effects = outcome_effects(
        source.estimates, mapping.outcomes, municipality, basis=mapping.rules.quantitative_basis
    )
    panel = read_panel(panel_path)
    files, simulated_files = panel_files(panel_path, panel, None)
    caseloads = group_caseloads(panel, municipality)
    simulated = source.simulated or bool(simulated_files)
    joint = build_joint_display(
        mapping,
        evidence,
        effects,
        municipality,
        overrides=overrides,
        simulated=simulated,
        estimates_origin=source.origin,
        n_quotes=n_quotes,
        seed=seed,
    )
    top = {codebook.top(theme) for d in mapping.domains for theme in d.themes}
    link_themes = tuple(c for c in codebook.top_level() if c in top)
    inputs = [*evidence.files, mapping_file]
    if overrides_file.is_file():
        inputs.append(overrides_file)
    return MixedResults(
        municipality=municipality,
        mapping=mapping,
        overrides=overrides,
        evidence=evidence,
        estimates=source,
        effects=effects,
        joint=joint,
        caseloads=caseloads,
        link=caseload_link(evidence, link_themes, caseloads),
        link_themes=link_themes,
        files=(*inputs, *files),
        simulated_files=tuple(simulated_files),
    )


# --- formatting ----------------------------------------------------------------------------


def effect_text(effect: float, low: float, high: float, outcome: str, language: str) -> str:
    """'+0,44 procentpoint (0,40 til 0,47)' (effect of a lower caseload, 95 % interval)."""
    if effect is None or pd.isna(effect):
        return t("mixed.no_estimate_short", language)
    decimals = decimals_for(effect, low, high)
    return t(
        "mixed.effect",
        language,
        effect=format_number(effect, language, decimals=decimals, sign=True),
        unit=t("mixed.pp", language) if is_share(outcome) else unit_label(outcome, language),
        low=format_number(low, language, decimals=decimals),
        high=format_number(high, language, decimals=decimals),
    )


def category_label(key: str, value: str, language: str) -> str:
    """The label of a category of the mixed-methods labels (``mixed.<key>.<value>``)."""
    return t(f"mixed.{key}.{value}", language)


def shown_count(value: int, threshold: int) -> str:
    """A count of persons as shown: below ``threshold`` as "<threshold"."""
    shown = suppress_small_counts(pd.DataFrame({"n": [value]}), ["n"], threshold=threshold)
    return str(shown["n"].iloc[0])


def _prevalence_text(row: pd.Series, language: str, threshold: int) -> str:
    """'Under <5/5 · Før 0/<5 · Alle kilder 5/9': sources mentioning the theme out of the
    group's sources, for both groups and all the municipality's sources, with counts of
    persons suppressed; a share is shown only when none of its counts is suppressed."""
    if int(row["n_contrast"]) == 0 and int(row["n_reference"]) == 0:
        n_with, n_all = int(row["n_municipality_with"]), int(row["n_municipality"])
        return t(
            "mixed.no_groups",
            language,
            n_with=shown_count(n_with, threshold),
            n=shown_count(n_all, threshold),
        )
    parts = []
    sides = (
        ("contrast", value_label(row["contrast_value"], language)),
        ("reference", value_label(row["reference_value"], language)),
        ("municipality", t("mixed.all_sources", language)),
    )
    for side, name in sides:
        n_with, n_all = int(row[f"n_{side}_with"]), int(row[f"n_{side}"])
        text = f"{shown_count(n_with, threshold)}/{shown_count(n_all, threshold)}"
        small = any(0 < n < threshold for n in (n_with, n_all))
        if n_all and not small:
            text += f" ({format_percent(100 * n_with / n_all, language, decimals=0)})"
        parts.append(f"{name} {text}")
    return " · ".join(parts)


# --- display tables ------------------------------------------------------------------------


def joint_display_table(
    results: MixedResults, language: str, threshold: int | None = None
) -> pd.DataFrame:
    """The joint display for the report: one row per domain; the text cells hold one
    block per outcome or one line per theme (show with ``white-space: pre-line``). Quotes
    are data (escape them: ``nb.styled`` does)."""
    threshold = results.evidence.threshold if threshold is None else threshold
    codebook = results.evidence.inputs.codebook
    joint = results.joint
    rows = []
    for domain_row in joint.domains.itertuples(index=False):
        domain = results.mapping.domain(domain_row.domain)
        contrast = results.mapping.contrast(domain.contrast)
        outcomes, themes, quotes = joint.of_domain(domain.id)
        themes = themes.assign(
            contrast_value=contrast.contrast_group, reference_value=contrast.reference_group
        )
        label = {o: outcome_label(o, language) for o in outcomes["outcome"]}
        prevalence = "\n".join(
            f"{codebook.label(r['theme'], language)}: {_prevalence_text(r, language, threshold)}"
            for _, r in themes.iterrows()
        ) or t("mixed.no_themes", language)
        signals = "\n".join(
            _qual_line(o, joint.themes, codebook, label[o.outcome], language)
            for o in outcomes.itertuples(index=False)
        )
        inference = [
            verdict_text(domain_row.inference_computed, language, technical=True),
            *(
                [reason_text(domain_row.inference_computed, domain_row, results, language)]
                if domain_row.inference_computed in NOT_ASSESSABLE
                else []
            ),
        ] + [
            f"{label[o.outcome]}: {verdict_text(o.inference_computed, language, technical=True)}"
            for o in outcomes.itertuples(index=False)
        ]
        rows.append(
            {
                t("mixed.col.domain", language): (
                    f"{domain.label(language)}\n({compared_text(domain_row, contrast, language)})"
                ),
                t("mixed.col.quantitative", language): "\n\n".join(
                    _quant_block(o, label[o.outcome], language)
                    for o in outcomes.itertuples(index=False)
                ),
                t("mixed.col.qualitative", language): f"{prevalence}\n\n{signals}",
                t("mixed.col.quotes", language): _quotes_text(quotes, language),
                t("mixed.col.inference", language): "\n".join(inference),
                t("mixed.col.override", language): _override_text(
                    domain_row, outcomes, label, language
                ),
            }
        )
    return pd.DataFrame(rows)


def _quant_block(outcome: Any, label: str, language: str) -> str:
    """'Outcome: signal (basis)', then the trial's effect (if any) and the national effect
    of 10 fewer cases, each with its 95 % interval."""
    signal = category_label("quant", outcome.quant_signal, language)
    if outcome.basis:
        signal += f" ({category_label('basis', outcome.basis, language)})"
    lines = [f"{label}: {signal}"]
    if not pd.isna(outcome.trial_effect):
        effect = effect_text(
            outcome.trial_effect,
            outcome.trial_ci_low,
            outcome.trial_ci_high,
            outcome.outcome,
            language,
        )
        lines.append(f"· {t('mixed.trial_effect', language)}: {effect}")
    effect = effect_text(
        outcome.effect_10, outcome.ci_low_10, outcome.ci_high_10, outcome.outcome, language
    )
    lines.append(f"· {t('mixed.effect_10', language)}: {effect}")
    return "\n".join(lines)


def _qual_line(outcome: Any, themes: pd.DataFrame, codebook: Any, label: str, language: str) -> str:
    own = themes[(themes["domain"] == outcome.domain) & (themes["outcome"] == outcome.outcome)]
    detail = "; ".join(
        f"{codebook.label(r.theme, language)}: {category_label('theme', r.signal, language)}"
        for r in own.itertuples(index=False)
    )
    text = f"{label}: {category_label('qual', outcome.qual_signal, language)}"
    return f"{text} ({detail})" if detail else text


def quote_attribution(quote: Any, language: str) -> str:
    """Who said it, where, when and in what kind of source: "Sagsbehandler,
    Forsøgsafdeling, Før · Skriftligt svar, 2018" (each quote its own, so a before quote
    can never borrow the attribution of the during quote shown with it)."""
    get = quote.get if isinstance(quote, dict | pd.Series) else lambda k: getattr(quote, k, None)
    who = ", ".join(
        value_label(v, language)
        for v in (get("role"), get("department"), get("period"))
        if v is not None and not (isinstance(v, float) and pd.isna(v))
    )
    kind = [
        value_label(v, language)
        for v in (get("source_type"),)
        if v is not None and not (isinstance(v, float) and pd.isna(v))
    ]
    year = get("year")
    if year is not None and not (isinstance(year, float) and pd.isna(year)) and str(year):
        kind.append(str(year))
    else:
        kind.append(t("mixed.year_unknown", language))
    return " · ".join(part for part in (who, ", ".join(kind)) if part)


def _quotes_text(quotes: Any, language: str) -> str:
    if len(quotes) == 0:
        return t("mixed.no_quotes", language)
    parts = []
    for _, q in quotes.iterrows():
        parts.append(f"“{q['quote']}”\n— {quote_attribution(q, language)} ({q['source_name']})")
    return "\n\n".join(parts)


def _override_text(domain_row: Any, outcomes: pd.DataFrame, label: dict, language: str) -> str:
    lines = []
    if domain_row.inference_override is not None:
        lines.append(
            t(
                "mixed.override_line",
                language,
                inference=category_label("inference", domain_row.inference_override, language),
                reason=domain_row.override_reason,
                who=domain_row.override_who,
                date=domain_row.override_date,
            )
        )
    for o in outcomes.itertuples(index=False):
        if o.inference_override is not None:
            lines.append(
                f"{label[o.outcome]}: "
                + t(
                    "mixed.override_line",
                    language,
                    inference=category_label("inference", o.inference_override, language),
                    reason=o.override_reason,
                    who=o.override_who,
                    date=o.override_date,
                )
            )
    return "\n".join(lines) if lines else t("mixed.no_override", language)


def verdict_text(inference: str, language: str, *, technical: bool = False) -> str:
    """The verdict in plain words ("Peger samme vej"); with ``technical`` the method's
    term after it ("Peger samme vej (konvergens)"). Verdicts withheld all read "Kan ikke
    vurderes"."""
    key = "not_assessable" if inference in NOT_ASSESSABLE else inference
    text = category_label("inference", key, language)
    if technical and inference not in NOT_ASSESSABLE:
        text += f" ({category_label('inference_term', inference, language)})"
    return text


def reason_text(
    inference: str, row: Any, results: MixedResults, language: str, *, compact: bool = False
) -> str:
    """Why a verdict is withheld, in words: no estimate, no source mentioning the themes,
    or groups too small to compare (with their sizes and the rule's minimum; ``compact``:
    without the comparison's name, for the narrow verdict column)."""
    if inference == "no_quantitative_estimate":
        return t("mixed.reason.no_estimate", language)
    if inference == "no_qualitative_evidence":
        return t("mixed.reason.no_evidence", language)
    domain = results.mapping.domain(row.domain)
    contrast = results.mapping.contrast(domain.contrast)
    return t(
        "mixed.reason.no_comparison_compact" if compact else "mixed.reason.no_comparison",
        language,
        contrast=contrast.label(language),
        group=value_label(contrast.contrast_group, language),
        n_group=int(row.n_sources_contrast),
        reference=value_label(contrast.reference_group, language),
        n_reference=int(row.n_sources_reference),
        min=results.mapping.rules.min_sources_per_group,
    )


def caseload_link_table(
    results: MixedResults, language: str, threshold: int | None = None
) -> pd.DataFrame:
    """Groups of sources (department × period) with the panel's mean caseload, the number
    of sources and the share mentioning each theme (blank where a count is suppressed)."""
    threshold = results.evidence.threshold if threshold is None else threshold
    link = results.link
    codebook = results.evidence.inputs.codebook
    if link.empty:
        return pd.DataFrame()
    groups = link.drop_duplicates(["department", "period"])
    rows = []
    for group in groups.itertuples(index=False):
        own = link[(link["department"] == group.department) & _same(link["period"], group.period)]
        row = {
            t("mixed.col.department", language): value_label(group.department, language),
            t("mixed.col.period", language): value_label(group.period, language)
            if group.period is not None
            else t("mixed.whole_panel", language),
            t("mixed.col.caseload", language): group.caseload_mean,
            t("mixed.col.units", language): group.n_units,
            t("mixed.col.sources", language): shown_count(int(group.n_sources_group), threshold),
        }
        for r in own.itertuples(index=False):
            small = any(0 < n < threshold for n in (r.n_sources, r.n_sources_group))
            row[codebook.label(r.theme, language)] = (
                None if small or not r.n_sources_group else r.prevalence
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _same(series: pd.Series, value: object) -> pd.Series:
    if value is None:
        return series.isna()
    return series.eq(value).fillna(False)


def caseload_figure(results: MixedResults, language: str) -> Any:
    """Small multiples: theme prevalence against the group's mean caseload."""
    from analysis.mixed.plots import prevalence_by_caseload

    codebook = results.evidence.inputs.codebook
    groups = results.link.drop_duplicates(["department", "period"])
    group_labels = {
        (g.department, g.period): ", ".join(
            [value_label(g.department, language)]
            + ([value_label(g.period, language)] if g.period is not None else [])
        )
        for g in groups.itertuples(index=False)
    }
    return prevalence_by_caseload(
        results.link,
        themes=results.link_themes,
        theme_labels={c: codebook.label(c, language) for c in results.link_themes},
        group_labels=group_labels,
        colours=codebook.colours(),
        xlabel=t("mixed.fig.xlabel", language),
        ylabel=t("mixed.fig.ylabel", language),
        title=t("mixed.fig.title", language),
        small_label=t("mixed.fig.small", language, threshold=results.evidence.threshold),
        threshold=results.evidence.threshold,
        none_label=t("mixed.fig.none", language),
        suppressed=t("common.suppressed", language, threshold=results.evidence.threshold),
        empty=t("mixed.fig.empty", language),
    )


# --- texts ---------------------------------------------------------------------------------


def estimates_text(results: MixedResults, language: str) -> str:
    """Where the estimates came from (label text)."""
    return t(f"mixed.estimates_{results.estimates.origin}", language)


def rules_text(results: MixedResults, language: str) -> str:
    """The rules with this run's thresholds (label text)."""
    rules = results.mapping.rules
    return t(
        "mixed.rules_text",
        language,
        min_sources=rules.min_sources_per_group,
        min_difference=format_number(100 * rules.min_difference, language, decimals=0),
        basis=category_label("basis", rules.quantitative_basis, language),
    )


def scope_text(results: MixedResults, language: str) -> str:
    """Which sources, which mapping version and how many overrides (label text)."""
    own = [o for o in results.overrides if o.municipality == results.municipality]
    return t(
        "mixed.scope_one" if len(own) == 1 else "mixed.scope",
        language,
        municipality=results.municipality,
        n_sources=results.evidence.n_sources,
        file=results.mapping.file.name if results.mapping.file else "",
        version=results.mapping.version,
        n_overrides=len(own),
    )


def privacy_text(results: MixedResults, language: str) -> str:
    if results.evidence.privacy == "allow":
        return t("mixed.privacy_allowed", language)
    n = results.evidence.privacy_changed
    return t("mixed.privacy_checked_one" if n == 1 else "mixed.privacy_checked", language, n=n)


def period_note(results: MixedResults, language: str) -> str:
    """How sources are placed on the panel: by position in the trial, not by month (and,
    for the simulated demo, how far apart the dates are)."""
    caseloads = results.caseloads
    if caseloads.empty:
        return t("mixed.link_no_panel", language)
    first, last = str(caseloads["first_month"].min()), str(caseloads["last_month"].max())
    during = caseloads[caseloads["period"] == "under"]
    if during.empty:
        text = t("mixed.link_no_trial", language, first=first, last=last)
    else:
        start = str(during["first_month"].min())
        text = t("mixed.link_position", language, first=first, last=last, start=start)
    if results.simulated:
        text += " " + t("mixed.link_demo_dates", language)
    return text


def link_formats(language: str) -> dict[str, str]:
    """Column formats of the caseload link table (caseloads without decimals)."""
    return {t("mixed.col.caseload", language): "{:.0f}"}


def counts_text(results: MixedResults, language: str) -> str:
    """How the display shows small counts of sources, for this corpus."""
    rule = results.evidence.count_rule
    if not rule.suppresses:
        return t("mixed.counts_shown", language)
    return t("mixed.counts_hidden", language, threshold=rule.threshold)


def joint_text(results: MixedResults, language: str) -> str:
    """The paragraph above the joint display (label text)."""
    return t("mixed.joint_text", language, counts=counts_text(results, language))


def figure_alt(results: MixedResults, language: str) -> str:
    """Alternative text and caption of the themes-against-caseload figure."""
    rule = results.evidence.count_rule
    small = (
        t("mixed.fig.alt_hidden", language, threshold=rule.threshold)
        if rule.suppresses
        else t("mixed.fig.alt_shown", language)
    )
    return t("mixed.fig.alt", language, small=small)


def verdicts(results: MixedResults, language: str) -> list[dict]:
    """One line per outcome domain for the key findings (scrapbook record
    ``joint_display_verdicts``): the domain's label, its meta-inference and the verdict
    in plain words, whether it was assessed (and why not), and whether its numbers are
    simulated."""
    out = []
    for row in results.joint.domains.itertuples(index=False):
        domain = results.mapping.domain(row.domain)
        inference = str(row.inference)
        withheld = inference in NOT_ASSESSABLE
        out.append(
            {
                "domain": domain.id,
                "label": domain.label(language),
                "inference": inference,
                "inference_label": verdict_text(inference, language),
                "assessed": not withheld,
                "reason": reason_text(inference, row, results, language) if withheld else "",
                "reason_short": t(f"mixed.reason_short.{inference}", language) if withheld else "",
                "simulated": bool(results.simulated),
            }
        )
    return out


# --- the joint display as it fits a screen ------------------------------------------------

#: the full table's id (behind a closed <details>, below the compact one; the compact one
#: is rendered by :func:`analysis.reports.html.joint_display.joint_display_markup`)
FULL_TABLE_NAME = "joint-display-full"


def compared_text(domain_row: Any, contrast: Any, language: str) -> str:
    """What a domain's row compares, under its name: the contrast's label ("Under vs. før
    forsøget, i forsøgsafdelingen"), or "no comparison" when neither of its groups holds a
    source (a municipality without a trial department or a before/during period, like
    Aabenraa), whose themes are then counted among all the municipality's sources."""
    if int(domain_row.n_sources_contrast) == 0 and int(domain_row.n_sources_reference) == 0:
        return t("mixed.jd.no_comparison", language)
    return contrast.label(language)
