"""Moved: the answers are in tests/answer_sets.py, the walk through the steps in
tests/factories.py. Kept until every test imports them from there."""

from tests.answer_sets import CONSENT, NO_RED_FLAGS, STEP_DATA  # noqa: F401
from tests.factories import answer_steps, first_step_url, send_answers, step_slug  # noqa: F401
