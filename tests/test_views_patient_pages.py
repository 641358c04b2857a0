"""What the patient's pages show: which questions, how they are marked up, the resume link
after the public start page, the check page's "Change" links and expired links."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from intake import questionnaire
from intake.enums import CaseStatus
from intake.models import Assessment, Invitation
from tests.answer_sets import STEP_DATA
from tests.factories import answer_steps, first_step_url, open_invitation, send_answers, step_slug

pytestmark = pytest.mark.django_db
AGREE = "Tick the box to agree, or contact your clinic with questions."
LETTERS = "Type your full name using letters."
TOO_LONG = "Ensure this value has at most 200 characters (it has 201)."
CHILD_BORN = dt.date(2014, 1, 1)
LEGS_QUESTIONS = [
    "rls_on_treatment",
    "rls_treatment_meds",
    "rls_screen",
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "rls_c4_evening",
    "leg_main_problem",
    "position_shift_relief",
]


def _make_child(patient_link) -> None:
    patient = patient_link.intake.patient
    patient.date_of_birth = CHILD_BORN
    patient.save(update_fields=["date_of_birth"])


def _rows(response) -> list[tuple[str, str]]:
    return [(field.name, str(attrs)) for field, attrs, _hidden in response.context["rows"]]


# --- questions ruled out by what the clinic holds ---------------------------------------------


def test_legs_page_adult_is_not_sent_the_childs_own_words_question(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")

    response = client.get("/intake/step/legs/")

    assert [name for name, _attrs in _rows(response)] == LEGS_QUESTIONS
    assert "rls_child_own_words" not in response.content.decode()
    assert "In the child" not in response.content.decode()


def test_legs_page_child_is_sent_the_own_words_question_for_the_browser_to_show(patient_link):
    _make_child(patient_link)
    client = patient_link.client
    answer_steps(client, {"about-you": {"guardian_completed": "yes"}}, stop_at="legs")

    response = client.get("/intake/step/legs/")

    assert [name for name, _attrs in _rows(response)] == [*LEGS_QUESTIONS, "rls_child_own_words"]
    assert _rows(response)[-1] == (
        "rls_child_own_words",
        ' data-show-if-field="rls_screen" data-show-if-not="no"'
        ' data-show-if-or="[{&quot;field&quot;:&quot;rls_on_treatment&quot;,'
        '&quot;in&quot;:[&quot;yes&quot;]}]"',
    )


def test_bowel_page_adult_is_not_sent_the_childs_constipation_treatment_question(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")

    response = client.get("/intake/step/bowel/")

    names = [name for name, _attrs in _rows(response)]
    assert "constipation_4wk" in names
    assert "pain_resolves_with_constipation_treatment" not in names
    assert "When the constipation has been treated" not in response.content.decode()


def test_bowel_page_child_is_sent_the_constipation_treatment_question(patient_link):
    _make_child(patient_link)
    client = patient_link.client
    answer_steps(client, {"about-you": {"guardian_completed": "yes"}}, stop_at="bowel")

    response = client.get("/intake/step/bowel/")

    assert dict(_rows(response))["pain_resolves_with_constipation_treatment"] == (
        ' data-show-if-field="constipation_4wk" data-show-if-unless="no"'
    )


def test_legs_page_adult_posting_the_child_question_anyway_saves_without_it(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    data = {**STEP_DATA["legs"], "rls_child_own_words": "a" * 5000, "base_revision": "0"}

    response = client.post("/intake/step/legs/", data)

    assert (response.status_code, response["Location"]) == (302, "/intake/step/course/")
    assert "rls_child_own_words" not in patient_link.refresh().answers


# --- every question in a fieldset with a legend -------------------------------------------------


class _Controls(HTMLParser):
    """Each named form control: the legend text of its nearest fieldset, its aria-labelledby and
    whether a <label for> names it."""

    def __init__(self):
        super().__init__()
        self.fieldsets: list[dict] = []
        self.in_legend: dict | None = None
        self.controls: dict[str, dict] = {}
        self.labels: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self.fieldsets.append({"legend": "", "legend_id": None})
        elif tag == "legend" and self.fieldsets:
            self.in_legend = self.fieldsets[-1]
            self.in_legend["legend_id"] = attrs.get("id")
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            if attrs.get("name") and attrs["name"] not in self.controls:
                fieldset = self.fieldsets[-1] if self.fieldsets else None
                self.controls[attrs["name"]] = {
                    "id": attrs.get("id"),
                    "fieldset": fieldset,
                    "labelledby": attrs.get("aria-labelledby"),
                }

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "legend":
            self.in_legend = None

    def handle_data(self, data):
        if self.in_legend is not None:
            self.in_legend["legend"] += data


def _step_pages(client) -> dict[str, str]:
    """Every step page a child with everything applying sees, before answering it."""
    pages = {}
    url = client.get("/intake/")["Location"]
    overrides = {
        "about-you": {"guardian_completed": "yes"},
        "legs": {"rls_on_treatment": "yes", "rls_treatment_meds": ["levodopa"]},
        "bowel": {
            "constipation_4wk": "yes",
            "pain_resolves_with_constipation_treatment": "not_treated_yet",
        },
    }
    while (slug := step_slug(url)) is not None and slug != "consent":
        page = client.get(url)
        pages[slug] = page
        data = {**STEP_DATA[slug], **overrides.get(slug, {}), "base_revision": "0"}
        url = client.post(url, data)["Location"]
        if url.endswith("/support/"):
            url = client.get("/intake/")["Location"]
    return pages


def test_every_question_is_a_fieldset_with_the_question_as_legend(patient_link):
    _make_child(patient_link)
    problems = []

    for slug, response in _step_pages(patient_link.client).items():
        parser = _Controls()
        parser.feed(response.content.decode())
        for field, _attrs, _hidden in response.context["rows"]:
            control = parser.controls.get(field.html_name)
            legend = " ".join((control["fieldset"] or {}).get("legend", "").split())
            if legend != field.label:
                problems.append(f"{slug} {field.name}: legend {legend!r}")
            widget = getattr(field.field.widget, "input_type", "")
            if widget not in ("radio", "checkbox"):
                # One box: named by the legend, not by a second copy of the question.
                if control["labelledby"] != control["fieldset"]["legend_id"]:
                    problems.append(f"{slug} {field.name}: aria-labelledby {control['labelledby']}")
                if control["id"] in parser.labels:
                    problems.append(f"{slug} {field.name}: also has a <label>")

    assert problems == []


def test_number_question_markup_names_the_box_by_the_legend_and_describes_hint_and_error(
    patient_link,
):
    client = patient_link.client
    answer_steps(client, stop_at="course")
    data = {**STEP_DATA["course"], "rls_days_per_week": "9", "base_revision": "0"}

    page = client.post("/intake/step/course/", data).content.decode()

    box = re.search(r'<input type="number" name="rls_days_per_week"[^>]*>', page).group()
    assert '<legend id="id_rls_days_per_week_legend" class="form-label fs-6">' in page
    assert 'aria-labelledby="id_rls_days_per_week_legend"' in box
    assert 'aria-describedby="id_rls_days_per_week_error id_rls_days_per_week_helptext"' in box
    assert "is-invalid" in box
    assert '<label for="id_rls_days_per_week"' not in page


# --- the resume link after the public start page ---------------------------------------------


def _start(client, settings, **details):
    settings.PUBLIC_START_ENABLED = True
    client.post("/start/", {"full_name": "Cara New", "date_of_birth": "1980-04-23", **details})
    return client.get(first_step_url(client))


def _resume_link(response) -> str | None:
    found = re.search(
        r'<textarea id="resume-link"[^>]*>([^<]*)</textarea>', response.content.decode()
    )
    return found.group(1) if found else None


def test_start_page_first_step_shows_the_resume_link_with_a_copy_button(anonymous, settings):
    first_step = _start(anonymous, settings)

    link = _resume_link(first_step)
    page = first_step.content.decode()
    other_device = Client().get(link.removeprefix("http://testserver"))
    assert re.fullmatch(r"http://testserver/i/[\w-]{40,}/", link)
    assert 'data-copy-from="resume-link"' in page
    assert "/static/js/copy-link.js" in page
    assert "Copy it or write it down now: it is shown only until you save this page." in page
    assert (other_device.status_code, other_device["Location"]) == (302, "/intake/")


def test_start_page_resume_link_given_an_email_says_it_is_not_emailed(anonymous, settings):
    first_step = _start(anonymous, settings, email="cara@example.com")

    assert (
        "Copy it or write it down now: it is shown only until you save this page, and it is "
        "not emailed to you." in first_step.content.decode()
    )


def test_start_page_resume_link_is_gone_once_the_first_step_is_saved(anonymous, settings):
    first_step = _start(anonymous, settings)
    reloaded = anonymous.get("/intake/step/about-you/")

    saved = anonymous.post(
        "/intake/step/about-you/", {**STEP_DATA["about-you"], "base_revision": "0"}
    )
    next_step = anonymous.get(saved["Location"])
    back = anonymous.get("/intake/step/about-you/")

    assert _resume_link(first_step) == _resume_link(reloaded)
    assert (_resume_link(next_step), _resume_link(back)) == (None, None)


def test_start_page_resume_link_not_shown_for_another_link_opened_in_the_same_browser(
    anonymous, settings
):
    _start(anonymous, settings)
    _other, token = open_invitation(name="Dan Other")

    anonymous.get(f"/i/{token}/")
    response = anonymous.get("/intake/step/about-you/")

    assert response.context["intake"].pk == _other.intake_id
    assert _resume_link(response) is None


def test_invited_patient_is_not_shown_a_resume_link(patient_link):
    response = patient_link.client.get("/intake/step/about-you/")

    assert _resume_link(response) is None
    assert 'id="resume-link"' not in response.content.decode()


# --- the check page ------------------------------------------------------------------------


def test_review_page_asks_for_consent_after_the_answers_and_sends_with_it(
    patient_link, django_capture_on_commit_callbacks
):
    client = patient_link.client
    answer_steps(client)

    review = client.get("/intake/review/").content.decode()
    old_consent_page = client.get("/intake/step/consent/")
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_answers(client, full_name="  Ann   B. Example ")

    intake = patient_link.refresh()
    assert review.index('id="part-1"') < review.index('id="consent-title"')
    assert review.index('id="consent-title"') < review.index("Sign and send my answers")
    assert "/intake/step/consent/" not in review
    assert (old_consent_page.status_code, old_consent_page["Location"]) == (302, "/intake/review/")
    assert (sent.status_code, sent["Location"]) == (302, "/intake/done/")
    assert (intake.status, intake.consent_name) == (CaseStatus.NEW, "Ann B. Example")
    assert intake.consent_version == questionnaire.CONSENT_VERSION


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"agree": [AGREE], "full_name": ["Type your full name to sign."]}),
        ({"full_name": "Ann Example"}, {"agree": [AGREE]}),
        ({"agree": "on", "full_name": "  1 "}, {"full_name": [LETTERS]}),
        ({"agree": "on", "full_name": "x" * 201}, {"full_name": [TOO_LONG]}),
    ],
)
def test_review_page_refuses_to_send_without_a_signed_consent(patient_link, data, errors):
    client = patient_link.client
    answer_steps(client)

    response = client.post("/intake/review/", data)

    intake = patient_link.refresh()
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert (intake.status, intake.consent_name, intake.submitted_at) == (CaseStatus.DRAFT, "", None)


def test_review_page_with_a_step_unfinished_sends_nothing_and_signs_nothing(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    page = client.get("/intake/review/").content.decode()
    response = send_answers(client)

    intake = patient_link.refresh()
    assert "Sign and send my answers" not in page
    assert response.context["error"] == "Please complete the step “Mood” before submitting."
    assert (intake.status, intake.consent_name) == (CaseStatus.DRAFT, "")


def test_review_page_sent_twice_keeps_the_first_signature(patient_link):
    client = patient_link.client
    answer_steps(client)

    first = send_answers(client)
    second = send_answers(client, full_name="Somebody Else")

    intake = patient_link.refresh()
    assert [first["Location"], second["Location"]] == ["/intake/done/", "/intake/done/"]
    assert intake.consent_name == "Ann Example"
    assert Assessment.objects.filter(intake=intake).count() == 1


def test_review_page_shows_answers_by_part_with_a_change_link_for_each_step(patient_link):
    client = patient_link.client
    answer_steps(client, {"history": {"conditions": []}, "gut-risks": {"fhx_rls": ""}})

    response = client.get("/intake/review/")
    parts = response.context["parts"]
    page = response.content.decode()

    assert [part["title"] for part in parts] == [
        "About you",
        "Your legs",
        "Tummy and bowels",
        "Health and medicines",
        "Warning signs and mood",
        "Test results",
    ]
    assert [item["section"].step.slug for item in parts[2]["steps"]] == [
        "bowel",
        "stool-form",
        "gut-severity",
        "gut-risks",
    ]
    assert page.count(">Change<") == 11
    assert '<a class="review-step__change" href="/intake/step/history/?from=review">' in page
    assert [line.key for line in parts[3]["steps"][0]["unanswered"]] == ["conditions"]
    assert [line.key for line in parts[2]["steps"][3]["unanswered"]] == ["fhx_rls"]
    assert [item["unanswered"] for item in parts[4]["steps"]] == [[], []]


# --- a link that expired after the browser opened it --------------------------------------------


EXPIRED_MESSAGE = re.compile(
    r"This link expired on \d{1,2} [A-Z][a-z]+ \d{4}\. Your answers so far are kept, but you "
    r"need a new link from your clinic to change or send them\."
)


def _expire(patient_link) -> None:
    Invitation.objects.filter(intake=patient_link.intake).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )


@pytest.mark.parametrize("path", ["/intake/", "/intake/step/about-you/", "/intake/review/"])
def test_expired_link_draft_pages_show_the_link_unavailable_page(patient_link, path):
    _expire(patient_link)

    response = patient_link.client.get(path)

    page = response.content.decode()
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "intake/patient/link_unavailable.html"
    assert EXPIRED_MESSAGE.search(page)
    assert "ask them to send you a new link to your questionnaire" in page


def test_expired_link_draft_cannot_be_saved_or_autosaved(patient_link):
    client = patient_link.client
    _expire(patient_link)

    posted = client.post("/intake/step/about-you/", {**STEP_DATA["about-you"], "base_revision": 0})
    autosaved = client.post(
        "/intake/step/about-you/autosave/", {"sex_at_birth": "male", "base_revision": "0"}
    )

    assert posted.status_code == 404
    assert autosaved.status_code == 409
    assert EXPIRED_MESSAGE.fullmatch(autosaved.json()["message"])
    assert patient_link.refresh().answers == {}


def test_expired_link_submitted_intake_still_shows_the_thank_you_page(patient_link):
    answer_steps(patient_link.client)
    send_answers(patient_link.client)
    _expire(patient_link)

    done = patient_link.client.get("/intake/done/")
    step = patient_link.client.get("/intake/step/about-you/")

    assert done.status_code == 200
    assert (step.status_code, step["Location"]) == (302, "/intake/done/")


def test_link_not_yet_expired_draft_stays_editable(patient_link):
    Invitation.objects.filter(intake=patient_link.intake).update(
        expires_at=timezone.now() + dt.timedelta(minutes=5)
    )

    response = patient_link.client.get("/intake/step/about-you/")

    assert response.status_code == 200
    assert response.templates[0].name == "intake/patient/step.html"
