"""Personal data gate for everything that leaves the project (reports, exports).

Interview transcripts are personal data. Before any text reaches a report or an export it
passes :func:`check_texts`: CPR numbers (``ddmmyy-xxxx``, without the dash, or with the
digits split by spaces), e-mail addresses, Danish phone numbers and names on a
configurable list are either pseudonymised (the default) or stop the run with a message
naming the source and position. Only an explicit ``allow`` policy (the
``--allow-personal-data`` switch) lets them through, and reports print that it was used.

Counts of persons below a threshold (default 5) are suppressed in report tables, as
Jobindsats and Statistics Denmark do.

Modules (one job each; every public name is re-exported here, so ``from analysis.privacy
import X`` works for all of them):

- :mod:`~analysis.privacy.offsets`: edits of a text and the map of positions through them;
- :mod:`~analysis.privacy.normalise`: the text as the door stores it (NFKC, invisible
  characters out, one dash, ASCII digits) and the folding of Danish letters for names;
- :mod:`~analysis.privacy.detection`: :func:`find_personal_data` and its patterns;
- :mod:`~analysis.privacy.pseudonyms`: placeholders and aliases in texts and identifiers;
- :mod:`~analysis.privacy.gate`: :class:`PrivacyPolicy` and the gate (``check_texts``,
  ``gate_text``, ``gate_frame``), the policy the door read a corpus with;
- :mod:`~analysis.privacy.small_counts`: :func:`suppress_small_counts`.
"""

from analysis.privacy.detection import Finding, describe_finding, find_personal_data
from analysis.privacy.gate import (
    MODES,
    PersonalDataError,
    PrivacyPolicy,
    check_texts,
    door_policy,
    gate_frame,
    gate_text,
    load_name_list,
    mask_same_length,
    remember_door_policy,
)
from analysis.privacy.normalise import (
    DASHES,
    INVISIBLE,
    normalise,
    normalise_edits,
    normalise_text,
)
from analysis.privacy.offsets import Edit, OffsetMap, apply_edits
from analysis.privacy.pseudonyms import PLACEHOLDERS, Pseudonymiser, pseudonymous_id
from analysis.privacy.small_counts import SECONDARY_MARKER, suppress_small_counts

__all__ = [
    "DASHES",
    "INVISIBLE",
    "MODES",
    "PLACEHOLDERS",
    "SECONDARY_MARKER",
    "Edit",
    "Finding",
    "OffsetMap",
    "PersonalDataError",
    "PrivacyPolicy",
    "Pseudonymiser",
    "apply_edits",
    "check_texts",
    "describe_finding",
    "door_policy",
    "find_personal_data",
    "gate_frame",
    "gate_text",
    "load_name_list",
    "mask_same_length",
    "normalise",
    "normalise_edits",
    "normalise_text",
    "pseudonymous_id",
    "remember_door_policy",
    "suppress_small_counts",
]
