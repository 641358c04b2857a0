"""The sample answers stay plain data the clinical tests can use without the database."""

import subprocess
import sys
from pathlib import Path

from tests.answer_sets import RLS_AND_DIARRHOEA, full_adult
from tests.clinical.engine import assess

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_answer_sets_import_no_django():
    code = (
        "import sys, tests.answer_sets, tests.clinical.engine; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_answer_sets_the_usual_patients_meet_the_rls_criteria():
    # The staff tests' usual case and the engine tests' full adult both meet the criteria, as
    # the tests built on them assume.
    usual = assess({"age_years": 46, **RLS_AND_DIARRHOEA})
    full = assess(full_adult())

    assert (usual["rls"]["status"], full["rls"]["status"]) == ("met", "met")
