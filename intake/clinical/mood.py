"""PHQ-9 (Kroenke et al. 2001): total, band and item 9. Only item 9 drives urgency (RF-12)."""

from __future__ import annotations

from .answers import Answers


def phq9_band(total: int) -> str:
    if total <= 4:
        return "none"
    if total <= 9:
        return "mild"
    if total <= 14:
        return "moderate"
    if total <= 19:
        return "moderately_severe"
    return "severe"


PHQ9_BANDS = tuple(phq9_band(total) for total in range(28))  # phq9_band(total), looked up


def phq9(answers: Answers) -> dict[str, object]:
    items = answers.get("phq9_items")
    if items is None:
        return {"total": None, "band": None, "item9": None}
    total = sum(items)
    return {"total": total, "band": PHQ9_BANDS[total], "item9": items[8]}
