"""The licensed IRLS: asked only with the setting on and the clinic's licensed text uploaded."""

from __future__ import annotations

import pytest

from intake.models import Assessment, LicensedInstrument
from tests.intake_answers import answer_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def irls(settings):
    settings.IRLS_LICENSED = True
    return LicensedInstrument.objects.create(
        name="IRLS",
        version="test",
        licence_ref="TEST-ONLY",
        items=[f"Placeholder item {n}" for n in range(1, 11)],  # not the licensed wording
        choice_labels=["none", "a little", "some", "a lot", "very much"],
    )


def test_irls_setting_on_without_licensed_text_asks_nothing(patient_link, settings):
    settings.IRLS_LICENSED = True

    visited = answer_steps(patient_link.client, stop_at="bowel")

    assert "severity-scale" not in visited


def test_irls_partial_answers_are_refused_with_each_item_named(patient_link, irls):
    client = patient_link.client
    answer_steps(client, stop_at="severity-scale")

    response = client.post(
        "/intake/step/severity-scale/", {"base_revision": "0", "irls_1": "2", "irls_2": "9"}
    )

    errors = response.context["form"].errors
    assert sorted(errors, key=lambda k: int(k.split("_")[1])) == [f"irls_{n}" for n in range(2, 11)]
    assert errors["irls_2"] == ["Choose an answer to this question."]
    assert "Placeholder item 3" in response.content.decode()


def test_irls_answers_are_scored_on_submit(patient_link, irls):
    scores = {f"irls_{n}": "2" for n in range(1, 11)}

    answer_steps(patient_link.client, {"severity-scale": scores})
    patient_link.client.post("/intake/review/")

    result = Assessment.objects.get().result
    assert patient_link.refresh().answers["irls_items"] == [2] * 10
    assert result["rls"]["irls"] == {"total": 20, "band": "moderate"}
