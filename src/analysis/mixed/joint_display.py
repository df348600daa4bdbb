"""The joint display: per domain of outcomes, the caseload estimates next to the theme
contrasts and quotes, with the meta-inference computed by the stated rules
(:mod:`analysis.mixed.inference`) and any researcher override.

Three numeric tables are built (all language-independent, for ``nb.glue``):

- ``themes``: one row per domain × outcome × linked theme: the counts of sources in the
  contrast and reference group mentioning the theme, their shares, the difference and
  the theme's signal;
- ``outcomes``: one row per domain × outcome: both estimates, the quantitative and
  qualitative signals, the computed and the overridden meta-inference;
- ``domains``: one row per domain (the joint display proper): outcomes, themes, group
  sizes, the quotes' ids, every outcome's inference, the domain's computed and
  overridden inference and the reason.

Counts here are not suppressed (the rules need them); the display tables built from them
(:mod:`analysis.mixed.view`) show person counts below the threshold as ``<5``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.mixed.estimates import SUMMARY_COLUMNS
from analysis.mixed.evidence import QualEvidence, contrast_prevalence, domain_quotes
from analysis.mixed.inference import (
    apply_overrides,
    domain_inference,
    meta_inference,
    qualitative_signal,
    quantitative_signal,
    theme_signal,
)
from analysis.mixed.mapping import JointMapping, Override
from analysis.paths import DEFAULT_SEED

THEME_COLUMNS = (
    "domain",
    "outcome",
    "theme",
    "more_talk_means",
    "n_contrast_with",
    "n_contrast",
    "n_reference_with",
    "n_reference",
    "n_municipality_with",
    "n_municipality",
    "prevalence_contrast",
    "prevalence_reference",
    "difference",
    "signal",
)
OUTCOME_COLUMNS = (
    "municipality",
    "domain",
    "outcome",
    "higher_is_better",
    *SUMMARY_COLUMNS,
    "min_effect",
    "quant_signal",
    "themes",
    "theme_signals",
    "qual_signal",
    "inference_computed",
    "inference_override",
    "override_reason",
    "override_who",
    "override_date",
    "inference",
    "simulated",
)
DOMAIN_COLUMNS = (
    "municipality",
    "domain",
    "contrast",
    "contrast_group",
    "reference_group",
    "outcomes",
    "themes",
    "n_sources_contrast",
    "n_sources_reference",
    "quotes",
    "outcome_inferences",
    "inference_computed",
    "inference_override",
    "override_reason",
    "override_who",
    "override_date",
    "inference",
    "estimates_origin",
    "simulated",
)


@dataclass(frozen=True)
class JointDisplay:
    """The numeric joint display of one municipality (see the module docstring)."""

    municipality: int
    domains: pd.DataFrame
    outcomes: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame  # one row per chosen quote, with its domain

    def of_domain(self, domain_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """One domain's outcomes, themes (each once) and quotes: a row of the display."""
        outcomes = self.outcomes[self.outcomes["domain"] == domain_id]
        themes = self.themes[self.themes["domain"] == domain_id].drop_duplicates("theme")
        quotes = (
            self.quotes[self.quotes["domain"] == domain_id] if len(self.quotes) else self.quotes
        )
        return outcomes, themes, quotes


def _theme_rows(
    domain_id: str,
    outcome: str,
    links: Iterable,
    counts: pd.DataFrame,
    min_sources: int,
    min_difference: float,
) -> list[dict]:
    rows = []
    for link in links:
        c = counts.loc[link.theme]
        n_c, n_r = int(c["n_contrast"]), int(c["n_reference"])
        p_c = c["n_contrast_with"] / n_c if n_c else float("nan")
        p_r = c["n_reference_with"] / n_r if n_r else float("nan")
        rows.append(
            {
                "domain": domain_id,
                "outcome": outcome,
                "theme": link.theme,
                "more_talk_means": link.more_talk_means,
                "n_contrast_with": int(c["n_contrast_with"]),
                "n_contrast": n_c,
                "n_reference_with": int(c["n_reference_with"]),
                "n_reference": n_r,
                "n_municipality_with": int(c["n_municipality_with"]),
                "n_municipality": int(c["n_municipality"]),
                "prevalence_contrast": p_c,
                "prevalence_reference": p_r,
                "difference": p_c - p_r,
                "signal": theme_signal(
                    int(c["n_contrast_with"]),
                    n_c,
                    int(c["n_reference_with"]),
                    n_r,
                    link.more_talk_means,
                    mentioned=int(c["n_municipality_with"]) > 0,
                    min_sources=min_sources,
                    min_difference=min_difference,
                ),
            }
        )
    return rows


def _counts(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Per theme: sources with it and group sizes for contrast, reference and all."""
    wide = prevalence.pivot(index="theme", columns="group", values=["n_sources", "n_sources_group"])
    return pd.DataFrame(
        {
            "n_contrast_with": wide[("n_sources", "contrast")],
            "n_contrast": wide[("n_sources_group", "contrast")],
            "n_reference_with": wide[("n_sources", "reference")],
            "n_reference": wide[("n_sources_group", "reference")],
            "n_municipality_with": wide[("n_sources", "all")],
            "n_municipality": wide[("n_sources_group", "all")],
        }
    ).astype("int64")


def build_joint_display(
    mapping: JointMapping,
    evidence: QualEvidence,
    effects: pd.DataFrame,
    municipality: int,
    *,
    overrides: Iterable[Override] = (),
    simulated: bool = False,
    estimates_origin: str = "",
    n_quotes: int = 2,
    seed: int = DEFAULT_SEED,
) -> JointDisplay:
    """Compute signals and meta-inferences for every domain and outcome of ``mapping``.

    ``effects``: :func:`analysis.mixed.estimates.outcome_effects` for the mapping's
    outcomes; ``overrides``: the validated overrides (only this municipality's apply).
    """
    overrides = tuple(overrides)
    rules = mapping.rules
    by_outcome = effects.set_index("outcome")
    theme_rows: list[dict] = []
    outcome_rows: list[dict] = []
    domain_rows: list[dict] = []
    quote_frames = []
    shown_quotes: set[str] = set()
    for domain in mapping.domains:
        contrast = mapping.contrast(domain.contrast)
        themes = domain.themes
        if themes:
            prevalence = contrast_prevalence(evidence, contrast, themes)
            counts = _counts(prevalence)
            sizes = prevalence.groupby("group")["n_sources_group"].first()
            n_contrast, n_reference = int(sizes["contrast"]), int(sizes["reference"])
        else:
            counts = pd.DataFrame()
            n_contrast = n_reference = 0
        for link in domain.outcomes:
            spec = STANDARD_OUTCOMES[link.outcome]
            rows = _theme_rows(
                domain.id,
                link.outcome,
                link.themes,
                counts,
                rules.min_sources_per_group,
                rules.min_difference,
            )
            theme_rows += rows
            effect = (
                by_outcome.loc[link.outcome]
                if link.outcome in by_outcome.index
                else pd.Series(dtype="object")
            )
            quant = quantitative_signal(
                effect.get("effect"),
                effect.get("ci_low"),
                effect.get("ci_high"),
                spec.higher_is_better,
                min_effect=link.min_effect,
            )
            signals = [r["signal"] for r in rows]
            qual = qualitative_signal(signals)
            outcome_rows.append(
                {
                    "municipality": int(municipality),
                    "domain": domain.id,
                    "outcome": link.outcome,
                    "higher_is_better": spec.higher_is_better,
                    **{c: effect.get(c) for c in SUMMARY_COLUMNS},
                    "min_effect": link.min_effect,
                    "quant_signal": quant,
                    "themes": ";".join(t.theme for t in link.themes),
                    "theme_signals": ";".join(f"{r['theme']}={r['signal']}" for r in rows),
                    "qual_signal": qual,
                    "inference_computed": meta_inference(quant, qual),
                    "simulated": bool(simulated),
                }
            )
        quotes = domain_quotes(
            evidence, contrast, themes, n=n_quotes, seed=seed, avoid=shown_quotes
        )
        shown_quotes |= set(quotes["segment_id"])
        quote_frames.append(quotes.assign(domain=domain.id))
        domain_rows.append(
            {
                "municipality": int(municipality),
                "domain": domain.id,
                "contrast": contrast.id,
                "contrast_group": contrast.contrast_group,
                "reference_group": contrast.reference_group,
                "outcomes": ";".join(o.outcome for o in domain.outcomes),
                "themes": ";".join(themes),
                "n_sources_contrast": n_contrast,
                "n_sources_reference": n_reference,
                "quotes": ";".join(quotes["segment_id"]),
                "estimates_origin": estimates_origin,
                "simulated": bool(simulated),
            }
        )
    outcomes = pd.DataFrame(outcome_rows)
    outcomes = apply_overrides(outcomes, overrides, municipality, level="outcome")
    domains = pd.DataFrame(domain_rows)
    finals = outcomes.groupby("domain", sort=False)["inference"]
    domains["outcome_inferences"] = domains["domain"].map(
        {
            d: ";".join(
                f"{o}={i}" for o, i in zip(outcomes.loc[g.index, "outcome"], g, strict=True)
            )
            for d, g in finals
        }
    )
    domains["inference_computed"] = domains["domain"].map(
        {d: domain_inference(g) for d, g in finals}
    )
    domains = apply_overrides(domains, overrides, municipality, level="domain")
    return JointDisplay(
        municipality=int(municipality),
        domains=_typed(domains, DOMAIN_COLUMNS),
        outcomes=_typed(outcomes, OUTCOME_COLUMNS),
        themes=_typed(pd.DataFrame(theme_rows), THEME_COLUMNS),
        quotes=pd.concat(quote_frames, ignore_index=True) if quote_frames else pd.DataFrame(),
    )


def _typed(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Columns in fixed order; text columns as object with None for missing (so the
    table survives the scrapbook round trip unchanged)."""
    out = frame.reindex(columns=list(columns)).copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out.reset_index(drop=True)
