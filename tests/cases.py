"""Moved: the builders are in tests/factories.py, the answers in tests/answer_sets.py. Kept
until every test imports them from there."""

from tests.answer_sets import RLS_AND_DIARRHOEA  # noqa: F401
from tests.factories import submitted_case  # noqa: F401
