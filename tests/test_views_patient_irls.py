"""The licensed IRLS: asked only with the setting on and the clinic's licensed text uploaded."""

from __future__ import annotations

import pytest

from intake.models import Assessment, LicensedInstrument
from tests.factories import answer_steps, send_answers

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
    send_answers(patient_link.client)

    result = Assessment.objects.get().result
    assert patient_link.refresh().answers["irls_items"] == [2] * 10
    assert result["rls"]["irls"] == {"total": 20, "band": "moderate"}


def test_irls_step_page_autosaves(patient_link, irls):
    answer_steps(patient_link.client, stop_at="severity-scale")

    response = patient_link.client.get("/intake/step/severity-scale/")

    assert response.context["autosave"] is True
    assert 'data-autosave-url="/intake/step/severity-scale/autosave/"' in response.content.decode()


def test_irls_autosave_stores_the_items_answered_so_far_and_drops_a_tampered_one(
    patient_link, irls
):
    client = patient_link.client
    answer_steps(client, stop_at="severity-scale")

    response = client.post(
        "/intake/step/severity-scale/autosave/",
        {"base_revision": "0", "irls_1": "2", "irls_2": "9", "irls_3": "4"},
    )

    intake = patient_link.refresh()
    assert (response.status_code, response.json()["revision"]) == (200, 1)
    assert intake.answers["irls_items"] == [2, None, 4, None, None, None, None, None, None, None]
    assert "severity-scale" not in intake.completed_steps


def test_irls_autosave_nothing_answered_stores_nothing(patient_link, irls):
    client = patient_link.client
    answer_steps(client, stop_at="severity-scale")

    response = client.post("/intake/step/severity-scale/autosave/", {"base_revision": "0"})

    assert response.status_code == 200
    assert "irls_items" not in patient_link.refresh().answers


def test_irls_autosave_from_a_stale_tab_is_refused(patient_link, irls):
    client = patient_link.client
    answer_steps(client, stop_at="severity-scale")
    url = "/intake/step/severity-scale/autosave/"
    client.post(url, {"base_revision": "0", "irls_1": "3"})

    stale = client.post(url, {"base_revision": "0", "irls_1": "1"})

    assert (stale.status_code, stale.json()["stale"]) == (409, True)
    assert patient_link.refresh().answers["irls_items"][0] == 3


def test_irls_autosaved_answers_are_on_the_page_when_it_is_opened_again(patient_link, irls):
    client = patient_link.client
    answer_steps(client, stop_at="severity-scale")
    client.post("/intake/step/severity-scale/autosave/", {"base_revision": "0", "irls_4": "3"})

    response = client.get("/intake/step/severity-scale/")

    assert response.context["form"]["irls_4"].value() == 3
    assert response.context["revision"] == 1


def test_irls_in_spanish_without_a_spanish_version_says_so_and_marks_the_language(
    patient_link, irls
):
    answer_steps(patient_link.client, stop_at="severity-scale")
    patient_link.client.post("/language/?next=/", {"language": "es"})

    page = patient_link.client.get("/intake/step/severity-scale/").content.decode()

    assert "que su clínica solo tiene en otro idioma (Inglés)" in page
    assert '<div lang="en">' in page
    assert "Placeholder item 1" in page


def test_irls_in_spanish_with_a_spanish_version_shows_it_without_a_note(patient_link, irls):
    LicensedInstrument.objects.create(
        name="IRLS",
        version="test-es",
        licence_ref="TEST-ONLY",
        language="es",
        items=[f"Elemento de prueba {n}" for n in range(1, 11)],
        choice_labels=["nada", "un poco", "algo", "mucho", "muchísimo"],
    )
    answer_steps(patient_link.client, stop_at="severity-scale")
    patient_link.client.post("/language/?next=/", {"language": "es"})

    page = patient_link.client.get("/intake/step/severity-scale/").content.decode()

    assert "Elemento de prueba 1" in page
    assert "Placeholder item 1" not in page
    assert "solo tiene en" not in page
