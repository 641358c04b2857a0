"""The patient's language chosen on an invitation, by staff on the invitations page or by a
system through the API: what each accepts and refuses (the same values), where it is stored,
that a new link keeps it, and where staff and the API see it."""

from __future__ import annotations

import re

import pytest
import yaml
from django.test import Client

from intake import services
from intake.api.serializers import CaseSerializer
from intake.forms import InvitationForm
from intake.models import Intake, Invitation
from intake.notifications.models import OutboxMessage
from tests.api_clients import INVITE, READ, api_client, caller
from tests.factories import login_verified, open_invitation, submitted_case
from tests.test_api_schema import CHECKED_IN

pytestmark = pytest.mark.django_db

DETAILS = {"full_name": "Dana New", "date_of_birth": "1990-02-03", "email": "dana@example.com"}
FORM_REFUSAL = "Unknown language: choose one from the list, or let the patient's browser choose."
API_REFUSAL = (
    "Unknown language: give one of en, es, or leave it out for the patient's browser to choose."
)
LONG = "es" + "x" * 10_238  # 10 KB
# What a form or an API client might send, and the code stored: a regional variant or another
# case is read as its language (intake.languages.supported_language); anything else is refused.
ACCEPTED = [("", ""), ("en", "en"), ("es", "es"), ("es-ES", "es"), ("es-MX", "es"), ("ES", "es")]
REFUSED = ["xx", "xx-ES", "spanish", "Español", LONG, "<script>es</script>"]


@pytest.fixture
def staff_client(practitioner) -> Client:
    return login_verified(Client(), practitioner)


@pytest.fixture
def token() -> str:
    return api_client(name="Booking system", scopes=[READ, INVITE])[1]


def _post_api(token: str, data):
    return caller(token).post("/api/v1/invitations/", data, content_type="application/json")


def _cell(html: str, invitation: Invitation) -> str:
    """The text of the invitations list's language cell for this link, tags and all."""
    match = re.search(
        rf'<div class="small invitation-language" id="language-{invitation.pk}">(.*?)</div>', html
    )
    assert match is not None
    return match.group(1)


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), ACCEPTED)
def test_invitation_language_form_accepts_each_language_and_its_variants(given, stored):
    form = InvitationForm(data={**DETAILS, "language": given})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["language"] == stored


def test_invitation_language_form_without_the_field_lets_the_browser_choose():
    form = InvitationForm(data=DETAILS)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["language"] == ""


@pytest.mark.parametrize("given", REFUSED)
def test_invitation_language_form_refuses_other_values_without_repeating_them(given):
    form = InvitationForm(data={**DETAILS, "language": given})

    assert form.is_valid() is False
    assert form.errors == {"language": [FORM_REFUSAL]}


def test_invitation_language_form_offers_each_language_by_its_own_name():
    field = InvitationForm()["language"]

    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", str(field))

    assert field.label == "Patient's language"
    assert options == [
        ('value="" selected', "Let the patient&#x27;s browser choose"),
        ('value="en" lang="en"', "English"),
        ('value="es" lang="es"', "Español"),
    ]


# --- the service --------------------------------------------------------------------------------


def test_invitation_language_service_stores_the_language_on_the_intake():
    chosen, _ = open_invitation(name="Ana Chosen", language="es")
    left, _ = open_invitation(name="Bo Left")

    assert Intake.objects.get(pk=chosen.intake_id).language == "es"
    assert Intake.objects.get(pk=left.intake_id).language == ""


def test_invitation_language_service_a_new_link_keeps_the_language():
    invitation, _ = open_invitation(language="es")

    new, _ = services.reissue_invitation(invitation=invitation, by=None)

    assert (new.intake_id, Intake.objects.get(pk=new.intake_id).language) == (
        invitation.intake_id,
        "es",
    )


def test_invitation_language_service_the_emailed_link_is_for_an_intake_in_that_language():
    invitation, _ = open_invitation(email="ana@example.com", email_link=True, language="es")

    message = OutboxMessage.objects.select_related("intake").get()

    assert (message.invitation_id, message.intake.language) == (invitation.pk, "es")


# --- the staff's pages ----------------------------------------------------------------------------


def test_invitation_language_staff_page_stores_the_choice_and_says_it(staff_client):
    response = staff_client.post("/staff/invitations/", {**DETAILS, "language": "es"})

    invitation = Invitation.objects.select_related("intake").get()
    html = response.content.decode()
    assert invitation.intake.language == "es"
    assert re.search(r'<p id="invitation-language">(.*?)</p>', html).group(1) == (
        "The questionnaire and the clinic's messages are in "
        '<span lang="es">Español</span>; the patient can change it on any page.'
    )


def test_invitation_language_staff_page_a_regional_variant_is_stored_as_its_language(
    staff_client,
):
    staff_client.post("/staff/invitations/", {**DETAILS, "language": "es-MX"})

    assert Intake.objects.get().language == "es"


def test_invitation_language_staff_page_without_a_choice_says_the_browser_chooses(staff_client):
    response = staff_client.post("/staff/invitations/", DETAILS)

    html = response.content.decode()
    assert Intake.objects.get().language == ""
    assert re.search(r'<p id="invitation-language">(.*?)</p>', html).group(1) == (
        "The questionnaire is in the language of the patient's browser; the patient can "
        "change it on any page."
    )


@pytest.mark.parametrize("given", ["xx", LONG])
def test_invitation_language_staff_page_refuses_an_unknown_language_keeping_the_rest(
    staff_client, given
):
    response = staff_client.post(
        "/staff/invitations/", {**DETAILS, "language": given, "email_link": "on"}
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {"language": [FORM_REFUSAL]}
    assert (
        form["full_name"].value(),
        form["date_of_birth"].value(),
        form["email"].value(),
        form["email_link"].value(),
    ) == ("Dana New", "1990-02-03", "dana@example.com", True)
    assert FORM_REFUSAL.replace("'", "&#x27;") in response.content.decode()
    assert (Invitation.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_invitation_language_staff_page_a_new_link_keeps_the_language(staff_client):
    invitation, _ = open_invitation(language="es")

    response = staff_client.post(f"/staff/invitations/{invitation.pk}/reissue/")

    new = response.context["invitation"]
    assert (new.pk != invitation.pk, Intake.objects.get(pk=new.intake_id).language) == (
        True,
        "es",
    )


def test_invitation_language_list_shows_each_links_language(staff_client):
    spanish, _ = open_invitation(name="Ana Spanish", language="es")
    english, _ = open_invitation(name="Ed English", language="en")
    browser, _ = open_invitation(name="Bo Browser")

    html = staff_client.get("/staff/invitations/").content.decode()

    assert '<th scope="col">Patient <span class="fw-normal">(language)</span></th>' in html
    assert [_cell(html, spanish), _cell(html, english), _cell(html, browser)] == [
        '<span lang="es">Español</span>',
        '<span lang="en">English</span>',
        '<span class="text-body-secondary">Browser\'s choice</span>',
    ]


def test_invitation_language_list_query_count_is_the_same_with_languages(
    staff_client, django_assert_max_num_queries
):
    open_invitation(name="Ana Spanish", language="es")
    staff_client.get("/staff/invitations/")  # the session and the permissions, cached
    with django_assert_max_num_queries(50) as one:
        staff_client.get("/staff/invitations/")
    open_invitation(name="Ed English", language="en")
    open_invitation(name="Bo Browser")

    with django_assert_max_num_queries(50) as three:
        staff_client.get("/staff/invitations/")

    assert len(three.captured_queries) == len(one.captured_queries)


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [*ACCEPTED, (None, "")])
def test_invitation_language_api_accepts_each_language_and_its_variants(token, given, stored):
    response = _post_api(token, {**DETAILS, "language": given})

    assert (response.status_code, response.json()["language"]) == (201, stored or None)
    assert Intake.objects.get().language == stored


def test_invitation_language_api_without_the_field_lets_the_browser_choose(token):
    response = _post_api(token, DETAILS)

    assert (response.status_code, response.json()["language"]) == (201, None)
    assert Intake.objects.get().language == ""


@pytest.mark.parametrize("given", REFUSED)
def test_invitation_language_api_refuses_other_values_with_a_specific_message(token, given):
    response = _post_api(token, {**DETAILS, "language": given})

    assert (response.status_code, response.json()) == (400, {"language": [API_REFUSAL]})
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        (["es"], ["Not a valid string."]),
        ({"code": "es"}, ["Not a valid string."]),
        ("es\x00", ["Null characters are not allowed."]),
        (5, [API_REFUSAL]),
    ],
)
def test_invitation_language_api_refuses_what_is_not_a_language_code(token, given, errors):
    response = _post_api(token, {**DETAILS, "language": given})

    assert (response.status_code, response.json()) == (400, {"language": errors})
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("given", [value for value, _stored in ACCEPTED] + REFUSED + ["es\x00"])
def test_invitation_language_form_and_api_accept_and_refuse_the_same_values(token, given):
    form = InvitationForm(data={**DETAILS, "language": given})

    response = _post_api(token, {**DETAILS, "language": given})

    assert form.is_valid() == (response.status_code == 201)


def test_invitation_language_api_with_the_email_link_queues_it_for_that_language(token):
    response = _post_api(token, {**DETAILS, "email_link": True, "language": "es"})

    message = OutboxMessage.objects.select_related("intake").get()
    assert (response.status_code, response.json()["emailed"]) == (201, True)
    assert message.intake.language == "es"


def test_invitation_language_api_case_shows_the_code_or_null(token):
    spanish = submitted_case(name="Ana Spanish")
    Intake.objects.filter(pk=spanish.pk).update(language="es")
    browser = submitted_case(name="Bo Browser")

    one = caller(token).get(f"/api/v1/cases/{spanish.pk}/").json()
    listed = caller(token).get("/api/v1/cases/").json()["results"]

    assert one["language"] == "es"
    assert [(case["id"], case["language"]) for case in listed] == [
        (spanish.pk, "es"),
        (browser.pk, None),
    ]


def test_invitation_language_api_schema_documents_the_fields():
    schemas = yaml.safe_load(CHECKED_IN.read_text())["components"]["schemas"]

    case = schemas["Case"]["properties"]["language"]
    request = schemas["InvitationRequest"]["properties"]["language"]

    assert (case["type"], case["nullable"], case["readOnly"]) == ("string", True, True)
    assert "(en, es)" in case["description"]
    assert (request["type"], request["nullable"], request["default"]) == ("string", True, "")
    assert "(en, es)" in request["description"]
    assert "language" not in schemas["InvitationRequest"].get("required", [])
    assert CaseSerializer().fields["language"].help_text == case["description"].replace("\n", " ")


def test_a_sent_questionnaire_keeps_the_language_it_was_answered_in():
    # Switching language on the thank-you page (or opening the link again) changes the pages,
    # not what staff read as "Answered in".
    case = submitted_case(name="Sent In English")
    Intake.objects.filter(pk=case.pk).update(language="en")

    services.set_intake_language(intake_id=case.pk, language="es")
    services.remember_language(intake_id=case.pk, language="es")

    assert Intake.objects.get(pk=case.pk).language == "en"


def test_a_sent_questionnaire_without_a_language_is_not_given_one_afterwards():
    case = submitted_case(name="Sent Without Language")
    Intake.objects.filter(pk=case.pk).update(language="")

    services.remember_language(intake_id=case.pk, language="es")

    assert Intake.objects.get(pk=case.pk).language == ""
