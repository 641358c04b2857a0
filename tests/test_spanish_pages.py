"""Every patient page and every message to a patient, in Spanish, with no English left.

Each page is rendered twice, in English and in Spanish, for the same patient at the same point.
A piece of text (a text node, or an attribute a person reads or hears: aria-label, title, alt,
placeholder, a button's value) that is the same in both renders and holds a word that is not
a name, a number or a term both languages share was left untranslated: the test names it and
the page it is on. The English render is the reference, so a page that gains a sentence is
checked at once, without a list of expected texts to keep up to date.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from intake import services
from intake.languages import SESSION_LANGUAGE
from intake.models import ClinicSettings, Intake
from intake.notifications.stop_links import stop_token
from tests.factories import PATIENT_DOB, answer_steps, open_invitation, send_answers

pytestmark = pytest.mark.django_db

PATIENT = "Ann Example"
EMAIL = "ann@example.org"
# Words that are the same in both languages, or are names: the clinic's, the patient's, the
# languages' own names, instruments' and tests' abbreviations, units.
SHARED_WORDS = {
    "english",
    "español",
    "phq",
    "irls",
    "rls",
    "ibs",
    "sibo",
    "tsh",
    "ttg",
    "iga",
    "ok",
    "no",
    "mg",
    "ml",
    "dl",
    "ng",
    "µg",
    "mmol",
    "umol",
    "µmol",
    "pmol",
    "mlu",
    "miu",
    "sms",
    "total",
    "normal",
    "gluten",
    "hospital",
}
ATTRIBUTES_READ = {"aria-label", "title", "alt", "placeholder", "aria-valuetext"}
WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*[^\W\d_]", re.UNICODE)


class _Texts(HTMLParser):
    SILENT = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SILENT:
            self._silent += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if name in ATTRIBUTES_READ and value:
                self._add(value)
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self._add(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.SILENT and self._silent:
            self._silent -= 1

    def handle_data(self, data):
        if not self._silent:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if WORD.search(text):
            self.texts.append(text)


def texts_of(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _names() -> set[str]:
    words = f"{settings.CLINIC_NAME} {PATIENT} {EMAIL} {settings.SITE_URL}"
    return {word.lower() for word in WORD.findall(words)}


def english_left(english: str, spanish: str, *, html: bool = True) -> list[str]:
    """The texts of the Spanish render that are the English render's and hold a word to
    translate."""
    split = (
        texts_of if html else (lambda text: [" ".join(line.split()) for line in text.splitlines()])
    )
    reference = set(split(english))
    allowed = SHARED_WORDS | _names()
    return [
        text
        for text in split(spanish)
        if text in reference
        and any(word.lower() not in allowed for word in WORD.findall(text) if len(word) > 1)
    ]


def test_the_comparison_finds_english_left_and_allows_names():
    english = '<p>Thank you</p><p>Riverside Sleep and Gut Clinic</p><b title="Close">x</b>'
    spanish = '<p>Gracias</p><p>Riverside Sleep and Gut Clinic</p><b title="Close">x</b>'

    assert english_left(english, spanish) == ["Close"]
    assert english_left(english, spanish.replace("Close", "Cerrar")) == []
    assert english_left("<p>PHQ-9: 12</p>", "<p>PHQ-9: 12</p>") == []
    assert (
        english_left("<script>var a = 'Save';</script>", "<script>var a = 'Save';</script>") == []
    )


def _in(client: Client, language: str) -> Client:
    session = client.session
    session[SESSION_LANGUAGE] = language
    session.save()
    return client


def _both(client: Client, path: str) -> tuple[str, str]:
    english = _in(client, "en").get(path)
    spanish = _in(client, "es").get(path)
    assert english.status_code == spanish.status_code, path
    assert spanish["Content-Language"] == "es", path
    return english.content.decode(), spanish.content.decode()


def _check(pages: dict[str, tuple[str, str]]) -> None:
    left = {name: english_left(english, spanish) for name, (english, spanish) in pages.items()}
    left = {name: texts for name, texts in left.items() if texts}
    assert not left, "English left on Spanish pages:\n" + "\n".join(
        f"  {name}: {texts[:12]}" for name, texts in left.items()
    )
    for name, (_english, spanish) in pages.items():
        assert '<html lang="es"' in spanish, name


@pytest.fixture
def patient(settings) -> Client:
    settings.RATE_LIMIT_PATIENT = "1000/h"
    _invitation, token = open_invitation(name=PATIENT, email=EMAIL)
    client = Client()
    client.get(f"/i/{token}/")
    return client


def test_the_pages_before_the_questionnaire_in_spanish(settings):
    settings.PUBLIC_START_ENABLED = True
    settings.RATE_LIMIT_PATIENT = "1000/h"
    visitor = Client()
    pages = {path: _both(visitor, path) for path in ("/", "/start/", "/i/not-a-real-link/")}
    # The start page's errors, in both languages.
    english = _in(visitor, "en").post("/start/", {"full_name": "", "date_of_birth": "31/02"})
    spanish = _in(visitor, "es").post("/start/", {"full_name": "", "date_of_birth": "31/02"})
    pages["/start/ with errors"] = (english.content.decode(), spanish.content.decode())
    pages["a page that does not exist"] = _both(visitor, "/intake/no-such-page/")

    _check(pages)


def test_the_whole_questionnaire_in_spanish(patient):
    pages = {"/intake/welcome/": _both(patient, "/intake/welcome/")}
    visited = answer_steps(patient)
    for slug in visited:
        path = f"/intake/step/{slug}/"
        pages[path] = _both(patient, path)
        # The same page with an error on it (an empty answer sent).
        english = _in(patient, "en").post(path, {"base_revision": "999"})
        spanish = _in(patient, "es").post(path, {"base_revision": "999"})
        pages[f"{path} with errors"] = (english.content.decode(), spanish.content.decode())
    pages["/intake/review/"] = _both(patient, "/intake/review/")
    english = _in(patient, "en").post("/intake/review/", {"full_name": ""})
    spanish = _in(patient, "es").post("/intake/review/", {"full_name": ""})
    pages["/intake/review/ with errors"] = (english.content.decode(), spanish.content.decode())
    _in(patient, "es")
    assert send_answers(patient).status_code == 302
    pages["/intake/done/"] = _both(patient, "/intake/done/")

    _check(pages)


def test_the_emergency_and_crisis_pages_in_spanish(settings):
    settings.RATE_LIMIT_PATIENT = "1000/h"
    pages = {}
    _invitation, token = open_invitation(name=PATIENT)
    emergency = Client()
    emergency.get(f"/i/{token}/")
    answer_steps(emergency, stop_at="warning-signs")
    saved = emergency.post(
        "/intake/step/warning-signs/autosave/", {"base_revision": "0", "saddle_numbness": "yes"}
    )
    assert saved.json()["help_url"] == "/intake/support/"
    pages["emergency"] = _both(emergency, "/intake/support/")

    _invitation, token = open_invitation(name=PATIENT)
    crisis = Client()
    crisis.get(f"/i/{token}/")
    answer_steps(crisis, stop_at="mood")
    mood = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2", "base_revision": "0"}
    assert crisis.post("/intake/step/mood/", mood)["Location"] == "/intake/support/"
    pages["crisis"] = _both(crisis, "/intake/support/")

    _check(pages)


def test_the_date_of_birth_and_stop_reminder_pages_in_spanish(patient, settings):
    intake = Intake.objects.get()
    invitation = intake.invitations.get()
    answer_steps(patient, stop_at="course")
    returning = Client()
    returning.get("/")  # a session
    session = returning.session
    session["patient_pending_invitation"] = invitation.pk
    session.save()
    pages = {"date of birth": _both(returning, "/intake/verify/")}
    english = _in(returning, "en").post("/intake/verify/", {"date_of_birth": "1999-01-01"})
    spanish = _in(returning, "es").post("/intake/verify/", {"date_of_birth": "1999-01-02"})
    pages["date of birth, wrong"] = (english.content.decode(), spanish.content.decode())
    token = stop_token(invitation.pk)
    pages["stop reminders"] = _both(returning, f"/reminders/stop/{token}/")
    pages["stop reminders, bad link"] = _both(returning, "/reminders/stop/nonsense/")

    _check(pages)
    assert PATIENT_DOB  # the right date is never typed here: the link stays usable


def _email_texts(message) -> tuple[str, str]:
    html = next((body for body, kind in message.alternatives if kind == "text/html"), "")
    return message.subject + "\n" + message.body, html


def _messages_in(language: str, capture) -> list:
    """The invitation, a reminder and the confirmation, as the outbox sends them to a patient
    whose intake is in `language` (each is built when it is sent)."""
    mail.outbox.clear()
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": dt.time(0, 0), "quiet_until": dt.time(0, 0)}
    )
    with capture(execute=True):
        invitation, token = open_invitation(name=PATIENT, email=EMAIL, email_link=True)
        Intake.objects.filter(pk=invitation.intake_id).update(language=language)
    with capture(execute=True):
        services.send_reminder(invitation=invitation, by=None)
    client = Client()
    client.get(f"/i/{token}/")
    _in(client, language)
    answer_steps(client)
    with capture(execute=True):
        assert send_answers(client).status_code == 302
    return list(mail.outbox)


def test_the_messages_to_a_patient_in_spanish(
    settings, tasks_run_at_once, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_PATIENT = "1000/h"
    english = _messages_in("en", django_capture_on_commit_callbacks)
    spanish = _messages_in("es", django_capture_on_commit_callbacks)

    assert len(english) == len(spanish) >= 3
    left = []
    for sent_en, sent_es in zip(english, spanish, strict=True):
        text_en, html_en = _email_texts(sent_en)
        text_es, html_es = _email_texts(sent_es)
        left += english_left(text_en, text_es, html=False)
        if html_en:
            left += english_left(html_en, html_es)
    assert not left, f"English left in messages sent in Spanish: {left}"
