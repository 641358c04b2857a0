"""Moved: the results are in tests/answer_sets.py, the cases that hold them in
tests/factories.py. Kept until every test imports them from there."""

from tests.answer_sets import (  # noqa: F401
    IV_IRON_CAVEAT,
    NEW_VERSION,
    POSITIVE_TTG_CAVEAT,
    RAISED_2026_2,
    REVISION_3,
    RULES_2026_2,
)
from tests.factories import (  # noqa: F401
    EngineResult,
    case_stored_under_2026_2,
    case_under_revision_3,
    case_with_stored_result,
)
