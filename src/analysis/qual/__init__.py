"""Qualitative analysis: coding interview text into themes, reliability, REFI-QDA exchange.

Modules (one job each):

- ``corpus``: sources and segments with attributes and offsets; loaders for .txt, .docx,
  folders and quote spreadsheets (CSV/XLSX).
- ``demo_corpus``: builds ``data/raw/interviews/quotes.csv`` from the seed documents.
- ``codebook``: the versioned YAML codebook and its validation.
- ``codings``: manual codings (CSV) and their attachment to segments.
- ``nlp``, ``autocode``, ``classifier``: assisted coding (rules on Danish lemmas/stems, a
  classifier trained on the human codings) - proposals only, never merged into codings.
- ``reliability``: agreement, Cohen's kappa, Krippendorff's alpha on segment x code units.
- ``summaries``: frequencies, prevalence, co-occurrence, exemplars, the quantitized
  source x code table for mixed methods.
- ``refi`` (with ``safe_io``): .qdc/.qdpx export and import; ``privacy_gate``.
- ``pipeline``, ``results``, ``plots``: what the notebook calls.

The mixed-methods part uses :func:`quantitize`, :func:`theme_prevalence` and
:func:`exemplar_quotes` (re-exported here) on a corpus and coded segments from
:func:`analysis.qual.pipeline.load_inputs` and :func:`analysis.qual.pipeline.coded_segments`.
Importing this package does not load spaCy.
"""

from analysis.qual.summaries import exemplar_quotes, quantitize, theme_prevalence

__all__ = ["exemplar_quotes", "quantitize", "theme_prevalence"]
