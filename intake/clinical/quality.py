"""Data quality (spec §10): the missing answers that are needed, and contradictory answers."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from itertools import compress

from .answers import KEY_ORDER

# DQ-1..DQ-5, then the lab unit conflict, in the order of §10.
CONFLICT_ORDER = (
    "screen_detail_conflict",
    "pregnancy_sex_conflict",
    "stool_pct_conflict",
    "pain_feature_conflict",
    "redflag_gi_conflict",
    "lab_unit_conflict",
)


def data_quality(
    needed: AbstractSet[str], conflicts: tuple[bool, ...]
) -> tuple[list[str], list[str]]:
    """The `missing` and `conflicts` lists of §11's data_quality: the needed keys in the order
    of §2, and the conflicts that apply. `conflicts` holds, for each token of CONFLICT_ORDER in
    that order, whether it applies."""
    return sorted(needed, key=KEY_ORDER.__getitem__), list(compress(CONFLICT_ORDER, conflicts))
