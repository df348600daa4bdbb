"""Qualitative analysis: coding interview text into themes, reliability, REFI-QDA exchange.

Modules (one job each):

- ``corpus``: sources and segments with attributes and offsets; loaders for .txt, .docx,
  folders and quote spreadsheets (CSV/XLSX).
- ``demo_corpus``: builds ``data/raw/interviews/quotes.csv`` from the seed documents.
- ``codebook``: the versioned YAML codebook and its validation.
- ``codings``: manual codings (CSV) and their attachment to segments.
- ``nlp``, ``autocode``, ``similarity``, ``classifier``, ``assisted``: assisted coding
  (rules on Danish lemmas/stems with sub-codes rolled up to their parents, a similarity
  fallback for segments no rule matches, a classifier trained on the human codings) -
  proposals only, never merged into codings; ``review``: the review loop that turns
  accepted proposals into a coder's codings and measures precision per pattern;
  ``evaluation``: cross-validated F1 and the learning curve (``benchmarks/autocode_eval.py``).
- ``reliability``: agreement, Cohen's kappa, Krippendorff's alpha on segment x code units.
- ``summaries``: frequencies, prevalence, co-occurrence, exemplars, the quantitized
  source x code table for mixed methods.
- ``refi`` (with ``refi_codes`` for the code descriptions and ``safe_io``): .qdc/.qdpx
  export and import; ``privacy_gate``: the personal-data gate on loading.
- ``pipeline``, ``plots``: the shared work and figures; ``view``: what notebook 01 calls
  (the only module it imports); ``batch``: what the report batch calls (``precompute``,
  ``municipalities_with_sources``); ``cli_*``: the commands.

The public API is re-exported here (imported on first use). The mixed-methods part uses
:func:`quantitize`, :func:`theme_prevalence` and :func:`exemplar_quotes` on a corpus and
coded segments from :func:`load_inputs` and :func:`coded_segments`.
Importing this package does not load spaCy.
"""

from analysis import lazy_exports

#: the area's public API: name -> the module that defines it
_EXPORTS = {
    "Codebook": "analysis.qual.codebook",
    "Corpus": "analysis.qual.corpus",
    "QualInputs": "analysis.qual.pipeline",
    "QualResults": "analysis.qual.view",
    "analyse": "analysis.qual.view",
    "code_frequencies": "analysis.qual.summaries",
    "coded_segments": "analysis.qual.pipeline",
    "exemplar_quotes": "analysis.qual.summaries",
    "import_qdc": "analysis.qual.refi",
    "import_qdpx": "analysis.qual.refi",
    "load_codebook": "analysis.qual.codebook",
    "load_codings": "analysis.qual.codings",
    "load_corpus": "analysis.qual.corpus",
    "load_inputs": "analysis.qual.pipeline",
    "make_corpus": "analysis.qual.corpus",
    "pass_gate": "analysis.qual.privacy_gate",
    "quantitize": "analysis.qual.summaries",
    "reliability_report": "analysis.qual.reliability",
    "theme_prevalence": "analysis.qual.summaries",
    "write_qdc": "analysis.qual.refi",
    "write_qdpx": "analysis.qual.refi",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
