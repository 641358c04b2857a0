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


def data_quality(*, needed: AbstractSet[str], conflicts: dict[str, bool]) -> dict[str, list[str]]:
    """`conflicts` maps every token of CONFLICT_ORDER, in that order, to whether it applies."""
    if tuple(conflicts) != CONFLICT_ORDER:  # pragma: no cover - programming error, not input
        raise AssertionError(f"conflict tokens not as in CONFLICT_ORDER: {list(conflicts)}")
    return {
        "missing": sorted(needed, key=KEY_ORDER.__getitem__),
        "conflicts": list(compress(conflicts, conflicts.values())),
    }
