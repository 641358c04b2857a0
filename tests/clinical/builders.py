"""Moved: the answers are in tests/answer_sets.py, running the engine in
tests/clinical/engine.py. Kept until every test imports them from there."""

from tests.answer_sets import (  # noqa: F401
    IBS_ADULT_MET,
    IBS_PEDS_MET,
    LESS_THAN_WEEKLY,
    MICRO,
    RLS_ALL_TRUE,
    WEEKLY_PLUS,
    adult,
    child,
    ferritin,
    full_adult,
    ibs_adult_met,
    ibs_peds_met,
    lab,
    rls_positive,
    total_iga,
    tsat,
    tsh,
    ttg_iga,
    without,
)
from tests.clinical.engine import assess, fired, red_flag_ids  # noqa: F401
