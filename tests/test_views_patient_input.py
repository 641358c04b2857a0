"""Bad and hostile input on the patient's pages: clear errors, nothing lost, nothing leaked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from intake.forms.patient import REVISION_MISSING
from intake.questionnaire import MAX_LAB_ROWS
from tests.factories import PATIENT_DOB, answer_steps, open_invitation

pytestmark = pytest.mark.django_db


def _post_step(client, slug, data, revision=0):
    return client.post(f"/intake/step/{slug}/", {"base_revision": revision, **data})


def test_step_missing_answer_shows_specific_error_and_keeps_typed_values(patient_link):
    response = _post_step(patient_link.client, "about-you", {"sex_at_birth": "female"})

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {"pregnant": ["Choose an answer to this question."]}
    assert re.search(r'value="female"[^>]*checked', response.content.decode())
    assert 'id="error-summary"' in response.content.decode()
    # Under the question and above its answers, not inside the last answer's box.
    page = response.content.decode()
    question = page.index('id="div_id_pregnant"')
    error = page.index("Choose an answer to this question.", question)
    assert error < page.index('name="pregnant"', question)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8", "Enter a whole number from 0 to 7."),
        ("-1", "Enter a whole number from 0 to 7."),
        ("five", "Enter a whole number from 0 to 7."),
        ("", "Enter a whole number from 0 to 7."),
    ],
)
def test_step_number_out_of_range_gets_specific_message(patient_link, value, message):
    client = patient_link.client
    answer_steps(client, stop_at="course")
    data = {
        "rls_on_treatment": "no",
        "rls_freq": "ge_2_per_week",
        "rls_impact_level": "mild",
        "rls_days_per_week": value,
        "rls_onset_time": "evening",
    }

    response = _post_step(client, "course", data)

    assert response.context["form"].errors == {"rls_days_per_week": [message]}
    assert response.context["form"]["rls_impact_level"].value() == "mild"


def test_step_tampered_choice_is_refused(patient_link):
    response = _post_step(
        patient_link.client, "about-you", {"sex_at_birth": "alien", "pregnant": "no"}
    )

    assert response.context["form"].errors["sex_at_birth"] == ["Choose an answer to this question."]
    assert patient_link.refresh().answers == {}


@pytest.mark.parametrize("revision", ["x", "", "-1", "10000000000", None])
def test_step_missing_or_tampered_revision_is_refused_and_keeps_the_answers(patient_link, revision):
    data = {"sex_at_birth": "female", "pregnant": "no"}
    if revision is not None:
        data["base_revision"] = revision

    response = patient_link.client.post("/intake/step/about-you/", data)

    page = response.content.decode()
    summary = re.search(r'id="error-summary".*?</div>', page, re.S).group()
    assert response.status_code == 200
    assert response.context["form"].errors == {"base_revision": [REVISION_MISSING]}
    assert f"<li>{REVISION_MISSING}</li>" in summary  # plain text: no field to link to
    assert patient_link.refresh().answers == {}
    assert re.search(r'value="female"[^>]*checked', page)
    assert re.search(r'value="no"[^>]*checked', page)
    # Saving again from the page it came back with stores what the patient sees.
    assert '<input type="hidden" name="base_revision" value="0"' in page


def test_step_missing_revision_then_saving_the_returned_page_stores_the_answers(patient_link):
    client = patient_link.client
    refused = client.post("/intake/step/about-you/", {"sex_at_birth": "female", "pregnant": "no"})
    revision = re.search(r'name="base_revision" value="(\d+)"', refused.content.decode()).group(1)

    saved = _post_step(client, "about-you", {"sex_at_birth": "female", "pregnant": "no"}, revision)

    assert (saved.status_code, saved["Location"]) == (302, "/intake/step/legs/")
    assert patient_link.refresh().answers == {"sex_at_birth": "female", "pregnant": "no"}


def test_step_missing_revision_is_refused_even_when_another_tab_saved_meanwhile(patient_link):
    client = patient_link.client
    _post_step(client, "about-you", {"sex_at_birth": "male"}, revision=0)

    response = client.post("/intake/step/about-you/", {"sex_at_birth": "female", "pregnant": "no"})

    assert response.context["form"].errors == {"base_revision": [REVISION_MISSING]}
    assert patient_link.refresh().answers == {"sex_at_birth": "male"}
    assert 'name="base_revision" value="1"' in response.content.decode()


def test_step_stale_tab_cannot_overwrite_newer_answers(patient_link):
    client = patient_link.client
    _post_step(client, "about-you", {"sex_at_birth": "female", "pregnant": "no"}, revision=0)

    response = _post_step(client, "about-you", {"sex_at_birth": "male"}, revision=0)

    assert response.status_code == 200
    assert "changed in another window or device" in response.content.decode()
    assert patient_link.refresh().answers["sex_at_birth"] == "female"


def test_step_out_of_order_redirects_to_first_unanswered(patient_link):
    response = patient_link.client.get("/intake/step/mood/")

    assert (response.status_code, response["Location"]) == (302, "/intake/")


@pytest.mark.parametrize("slug", ["nope", "..", "treatment"])
def test_step_unknown_or_not_applicable_step(patient_link, slug):
    response = patient_link.client.get(f"/intake/step/{slug}/")

    assert response.status_code in (302, 404)
    assert patient_link.refresh().answers == {}


def test_step_markup_in_text_answer_is_escaped_on_review(patient_link):
    client = patient_link.client
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    intake = patient_link.intake
    intake.patient.date_of_birth = dt.date(2014, 1, 1)  # a child: the own-words question applies
    intake.patient.save()
    answer_steps(
        client,
        {
            "about-you": {"guardian_completed": "yes"},
            "legs": {"rls_child_own_words": payload},
        },
    )

    page = client.get("/intake/review/").content.decode()

    assert payload not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_step_very_long_text_is_refused_with_its_length(patient_link):
    intake = patient_link.intake
    intake.patient.date_of_birth = dt.date(2014, 1, 1)
    intake.patient.save()
    client = patient_link.client
    answer_steps(client, {"about-you": {"guardian_completed": "yes"}}, stop_at="legs")
    data = {
        "rls_on_treatment": "no",
        "rls_screen": "yes",
        "rls_c1_urge": "yes",
        "rls_c2_rest": "yes",
        "rls_c3_movement_relief": "yes",
        "rls_c4_evening": "yes",
        "leg_main_problem": "urge_to_move",
        "position_shift_relief": "no",
        "rls_child_own_words": "a" * 5000,
    }

    response = _post_step(client, "legs", data)

    assert response.context["form"].errors == {
        "rls_child_own_words": ["Keep this under 2000 characters (it has 5000)."]
    }


def test_mood_partial_phq9_is_refused(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    response = _post_step(client, "mood", {"phq9_1": "1", "phq9_2": "0"})

    errors = response.context["form"].errors
    assert sorted(errors) == [f"phq9_{n}" for n in range(3, 10)]


def test_mood_blank_phq9_asks_the_single_question(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    response = _post_step(client, "mood", {})

    assert response.context["form"].errors == {
        "self_harm_thoughts": ["Answer this question, or answer the nine questions above instead."]
    }


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (
            {"test": "ferritin", "value": "abc", "unit": "ng/mL", "taken_on": "2026-01-01"},
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (
            {"test": "ferritin", "value": "40", "unit": "%", "taken_on": "2026-01-01"},
            {"unit": ["Choose the unit from the report: ng/mL or µg/L."]},
        ),
        (
            {"test": "ttg_iga", "value": "maybe", "unit": "", "taken_on": "2026-01-01"},
            {"value": ["For this test enter negative or positive."]},
        ),
        (
            {"test": "tsh", "value": "2", "unit": "mIU/L", "taken_on": "2999-01-01"},
            {"taken_on": ["The date of the test cannot be in the future."]},
        ),
        (
            {"test": "", "value": "2", "unit": "", "taken_on": ""},
            {"test": ["Choose which test this result is for."]},
        ),
    ],
)
def test_labs_bad_row_gets_specific_error(patient_link, row, errors):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    data = {"labs-TOTAL_FORMS": "1", "labs-INITIAL_FORMS": "0"}
    data |= {f"labs-0-{key}": value for key, value in row.items()}

    response = _post_step(client, "labs", data)

    assert response.context["form"].rows.forms[0].errors == errors
    assert "prior_labs" not in patient_link.refresh().answers
    summary = re.search(r'id="error-summary".*?</div>', response.content.decode(), re.S)
    [(field, [message])] = errors.items()
    assert summary and "Result 1, " in summary.group() and message in summary.group()
    assert f'href="#div_id_labs-0-{field}"' in summary.group()


def test_labs_too_many_rows_is_named_in_the_error_summary(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    count = MAX_LAB_ROWS + 2
    data = {"labs-TOTAL_FORMS": str(count), "labs-INITIAL_FORMS": "0"}
    for i in range(count):
        data |= {f"labs-{i}-test": "tsh", f"labs-{i}-value": "2", f"labs-{i}-unit": "mIU/L"}
        data[f"labs-{i}-taken_on"] = "2026-01-01"

    response = _post_step(client, "labs", data)

    summary = re.search(r'id="error-summary".*?</div>', response.content.decode(), re.S)
    assert response.status_code == 200
    assert summary and f"Enter at most {MAX_LAB_ROWS} results on this page." in summary.group()
    assert "prior_labs" not in patient_link.refresh().answers


def test_labs_coeliac_result_needs_the_gluten_question(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    data = {
        "labs-TOTAL_FORMS": "1",
        "labs-INITIAL_FORMS": "0",
        "labs-0-test": "ttg_iga",
        "labs-0-value": "Negative",
        "labs-0-unit": "",
        "labs-0-taken_on": "2026-01-01",
    }

    first_visit = client.get("/intake/step/labs/")
    refused = _post_step(client, "labs", data)
    accepted = _post_step(client, "labs", {**data, "prior_celiac_test_on_gluten": "yes"})

    # The question is on the page before any coeliac result is saved, and with its error after.
    assert 'name="prior_celiac_test_on_gluten"' in first_visit.content.decode()
    assert 'name="prior_celiac_test_on_gluten"' in refused.content.decode()
    assert refused.context["form"].errors == {
        "prior_celiac_test_on_gluten": ["Choose an answer to this question."]
    }
    assert 'href="#div_id_prior_celiac_test_on_gluten"' in refused.content.decode()
    assert accepted.status_code == 302
    assert patient_link.refresh().answers["prior_labs"] == [
        {"test": "ttg_iga", "value": "neg", "unit": None, "taken_on": "2026-01-01"}
    ]


def test_autosave_saves_valid_fields_and_rejects_stale_tab(patient_link):
    client = patient_link.client
    url = "/intake/step/about-you/autosave/"

    saved = client.post(url, {"base_revision": "0", "sex_at_birth": "female"})
    stale = client.post(url, {"base_revision": "0", "sex_at_birth": "male"})

    assert saved.status_code == 200
    assert saved.json()["revision"] == 1
    assert (stale.status_code, stale.json()["stale"]) == (409, True)
    assert patient_link.refresh().answers == {"sex_at_birth": "female"}
    assert patient_link.intake.step_revisions == {"about-you": 1}


def test_autosave_without_revision_is_refused(patient_link):
    response = patient_link.client.post(
        "/intake/step/about-you/autosave/", {"sex_at_birth": "male"}
    )

    assert (response.status_code, response.json()["ok"]) == (400, False)


def test_no_session_cannot_reach_any_intake_page(anonymous):
    pages = ["/intake/", "/intake/step/about-you/", "/intake/review/", "/intake/done/"]

    statuses = [anonymous.get(page).status_code for page in pages]

    assert statuses == [404, 404, 404, 404]


def test_open_link_with_answers_asks_for_date_of_birth_on_a_new_device(patient_link):
    _post_step(patient_link.client, "about-you", {"sex_at_birth": "female", "pregnant": "no"})
    other_device = Client()

    opened = other_device.get(f"/i/{patient_link.token}/")
    blocked = other_device.get("/intake/step/about-you/")
    wrong = other_device.post("/intake/verify/", {"date_of_birth": "1999-01-01"})
    right = other_device.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})
    resumed = other_device.get("/intake/step/about-you/")

    assert opened["Location"] == "/intake/verify/"
    assert blocked.status_code == 404
    assert wrong.context["form"].errors == {
        "date_of_birth": [
            "That date of birth does not match our records. You have 4 more tries before "
            "the link locks for 15 minutes."
        ]
    }
    assert right["Location"] == "/intake/"
    assert resumed.context["form"]["sex_at_birth"].value() == "female"


def test_another_patients_token_does_not_open_this_patients_intake(patient_link):
    other, other_token = open_invitation(name="Bob Other", born=dt.date(1970, 1, 1))
    _post_step(patient_link.client, "about-you", {"sex_at_birth": "female", "pregnant": "no"})

    patient_link.client.get(f"/i/{other_token}/")
    response = patient_link.client.get("/intake/step/about-you/")

    # The session now holds the other (empty) intake, never both.
    assert response.context["intake"].pk == other.intake_id
    assert response.context["form"]["sex_at_birth"].value() is None


def test_open_link_unknown_token_is_404_with_plain_message(anonymous):
    response = anonymous.get("/i/not-a-real-token/")

    assert response.status_code == 404
    assert "This link has expired or is no longer valid." in response.content.decode()


def test_start_page_disabled_by_default(anonymous):
    assert anonymous.get("/start/").status_code == 404


def test_start_page_enabled_creates_intake_and_refuses_markup(anonymous, settings):
    settings.PUBLIC_START_ENABLED = True

    refused = anonymous.post(
        "/start/", {"full_name": "<b>x</b>", "date_of_birth": "1980-04-23", "email": "nope"}
    )
    started = anonymous.post("/start/", {"full_name": "Cara New", "date_of_birth": "1980-04-23"})

    assert refused.context["form"].errors == {
        "full_name": ["A name cannot contain < > { or }."],
        "email": ["Enter an email address like name@example.com, or leave it empty."],
    }
    assert started["Location"] == "/intake/"
    assert anonymous.get("/intake/")["Location"] == "/intake/welcome/"


def test_csrf_is_enforced_on_step_posts(patient_link):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = patient_link.client.cookies

    response = strict.post("/intake/step/about-you/", {"sex_at_birth": "female", "pregnant": "no"})

    assert response.status_code == 403
    assert patient_link.refresh().answers == {}


# An empty POST (a form with every field removed) is a submission, not a first visit: it gets
# the same specific errors as any other incomplete form.


def test_empty_post_to_a_step_is_answered_with_errors(patient_link):
    response = patient_link.client.post("/intake/step/about-you/", {})

    assert response.status_code == 200
    # pregnant is conditional
    assert sorted(response.context["form"].errors) == ["base_revision", "sex_at_birth"]
    assert 'id="error-summary"' in response.content.decode()


def test_empty_post_to_the_date_of_birth_check_is_answered_with_an_error(patient_link):
    _post_step(patient_link.client, "about-you", {"sex_at_birth": "female", "pregnant": "no"})
    other_device = Client()
    other_device.get(f"/i/{patient_link.token}/")

    response = other_device.post("/intake/verify/", {})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date_of_birth"]


def test_empty_post_to_the_start_page_is_answered_with_errors(anonymous, settings):
    settings.PUBLIC_START_ENABLED = True

    response = anonymous.post("/start/", {})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "date_of_birth"}


@pytest.mark.parametrize(
    ("hard", "loose", "accepted"), [("60", "40", True), ("61", "40", False), ("80", "70", False)]
)
def test_stool_shares_over_100_percent_together_are_refused(patient_link, hard, loose, accepted):
    client = patient_link.client
    answer_steps(client, stop_at="stool-form")

    response = _post_step(client, "stool-form", {"pct_bm_hard": hard, "pct_bm_loose": loose})

    saved = patient_link.refresh().answers
    if accepted:
        assert response.status_code == 302
        assert (saved["pct_bm_hard"], saved["pct_bm_loose"]) == (int(hard), int(loose))
    else:
        assert response.context["form"].errors == {
            "pct_bm_loose": [
                f"Hard and loose together cannot be more than 100%: you entered {hard}% and "
                f"{loose}%. Change one of them."
            ]
        }
        assert response.context["form"]["pct_bm_hard"].value() == hard
        assert "pct_bm_loose" not in saved


# --- autosave on the labs step ------------------------------------------------------------------

FERRITIN = {"test": "ferritin", "value": "42", "unit": "ng/mL", "taken_on": "2026-01-05"}
FERRITIN_SAVED = {"test": "ferritin", "value": 42, "unit": "ng/mL", "taken_on": "2026-01-05"}


def _lab_rows(*rows, total=None) -> dict[str, str]:
    data = {"labs-TOTAL_FORMS": str(len(rows) if total is None else total)}
    data["labs-INITIAL_FORMS"] = "0"
    for index, row in enumerate(rows):
        data |= {f"labs-{index}-{key}": value for key, value in row.items()}
    return data


def test_labs_step_page_autosaves(patient_link):
    answer_steps(patient_link.client, stop_at="labs")

    response = patient_link.client.get("/intake/step/labs/")

    assert response.context["autosave"] is True
    assert 'data-autosave-url="/intake/step/labs/autosave/"' in response.content.decode()


def test_labs_autosave_stores_complete_rows_and_skips_the_one_being_typed(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    typing = {"test": "tsh", "value": "2", "unit": "mIU/L", "taken_on": ""}

    response = client.post(
        "/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN, typing)}
    )

    intake = patient_link.refresh()
    assert (response.status_code, response.json()["revision"]) == (200, 1)
    assert intake.answers["prior_labs"] == [FERRITIN_SAVED]
    assert "labs" not in intake.completed_steps  # the step is finished only by its button


def test_labs_autosave_keeps_a_saved_row_while_it_is_being_corrected(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    client.post("/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN)})
    correcting = {**FERRITIN, "value": ""}

    response = client.post(
        "/intake/step/labs/autosave/", {"base_revision": "1", **_lab_rows(correcting)}
    )

    assert response.status_code == 200
    assert patient_link.refresh().answers["prior_labs"] == [FERRITIN_SAVED]


def test_labs_autosave_emptied_row_is_removed(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    client.post("/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN)})
    empty = {"test": "", "value": "", "unit": "", "taken_on": ""}

    client.post("/intake/step/labs/autosave/", {"base_revision": "1", **_lab_rows(empty)})

    assert "prior_labs" not in patient_link.refresh().answers


@pytest.mark.parametrize("total", ["x", "", str(MAX_LAB_ROWS + 5)])
def test_labs_autosave_tampered_row_count_leaves_saved_rows_alone(patient_link, total):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    client.post("/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN)})
    rows = [{"test": "tsh", "value": "2", "unit": "mIU/L", "taken_on": "2026-01-01"}] * (
        MAX_LAB_ROWS + 5
    )

    response = client.post(
        "/intake/step/labs/autosave/", {"base_revision": "1", **_lab_rows(*rows, total=total)}
    )

    assert response.status_code == 200
    assert patient_link.refresh().answers["prior_labs"] == [FERRITIN_SAVED]


def test_labs_autosave_keeps_the_gluten_answer_only_with_a_coeliac_result(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    ttg = {"test": "ttg_iga", "value": "negative", "unit": "", "taken_on": "2026-01-05"}
    typing = {"test": "tsh", "value": "", "unit": "", "taken_on": ""}
    url = "/intake/step/labs/autosave/"

    client.post(url, {"base_revision": "0", "prior_celiac_test_on_gluten": "yes", **_lab_rows(ttg)})
    with_ttg = dict(patient_link.refresh().answers)
    client.post(url, {"base_revision": "1", **_lab_rows(ttg, typing)})  # not sent: kept
    kept = dict(patient_link.refresh().answers)
    client.post(url, {"base_revision": "2", "prior_celiac_test_on_gluten": "no", **_lab_rows()})
    without_ttg = dict(patient_link.refresh().answers)

    assert with_ttg["prior_celiac_test_on_gluten"] == "yes"
    assert kept["prior_celiac_test_on_gluten"] == "yes"
    assert "prior_celiac_test_on_gluten" not in without_ttg
    assert "prior_labs" not in without_ttg


def test_labs_autosave_from_a_stale_tab_is_refused(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    client.post("/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN)})

    stale = client.post("/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows()})

    assert (stale.status_code, stale.json()["stale"]) == (409, True)
    assert patient_link.refresh().answers["prior_labs"] == [FERRITIN_SAVED]


def test_labs_full_save_after_autosave_uses_the_new_revision(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    autosaved = client.post(
        "/intake/step/labs/autosave/", {"base_revision": "0", **_lab_rows(FERRITIN)}
    )

    stale = _post_step(client, "labs", _lab_rows(FERRITIN), revision=0)
    saved = _post_step(client, "labs", _lab_rows(FERRITIN), revision=autosaved.json()["revision"])

    assert "changed in another window or device" in stale.content.decode()
    # The last step leads to the check page, where consent is signed.
    assert (saved.status_code, saved["Location"]) == (302, "/intake/review/")
    assert patient_link.refresh().completed_steps["labs"] is True


# --- no autosave on the mood step -------------------------------------------------------------


def test_mood_step_is_not_autosaved_so_the_crisis_check_runs_on_every_save(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")
    crisis = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2"}

    page = client.get("/intake/step/mood/")
    refused = client.post("/intake/step/mood/autosave/", {"base_revision": "0", **crisis})

    assert page.context["autosave"] is False
    assert "data-autosave-url" not in page.content.decode()
    assert (refused.status_code, refused.json()["ok"]) == (400, False)
    assert "phq9_items" not in patient_link.refresh().answers
