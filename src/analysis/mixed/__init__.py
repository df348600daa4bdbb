"""Mixed methods: where the caseload estimates and the interview themes meet.

- :mod:`~analysis.mixed.mapping`: ``joint_display.yaml`` (outcome domains to themes) and the
  overrides;
- :mod:`~analysis.mixed.estimates`, :mod:`~analysis.mixed.evidence`: the quantitative and
  qualitative strands for one municipality;
- :mod:`~analysis.mixed.inference`: the stated meta-inference rules;
- :mod:`~analysis.mixed.joint_display`: the joint display table;
- :mod:`~analysis.mixed.caseload_link`: themes against caseload (descriptive);
- :mod:`~analysis.mixed.view`: what notebook 04 shows (the only module it imports), with
  :mod:`~analysis.mixed.plots`.

The public API is re-exported here (imported on first use). See ``docs/mixed.md``.
"""

from analysis import lazy_exports

#: the area's public API: name -> the module that defines it
_EXPORTS = {
    "MixedResults": "analysis.mixed.view",
    "analyse": "analysis.mixed.view",
    "load_mapping": "analysis.mixed.mapping",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
