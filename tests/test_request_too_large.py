"""The 413 a person reads: a page (templates/413.html) in the language their page would have
spoken, chosen before the session and language middleware run (the patient's choice kept in
their session, the language cookie, then the browser's Accept-Language; staff paths in
STAFF_LANGUAGE_CODE). Autosave and the API keep the plain sentence they always got, autosave's
in the patient's language; so does any request that does not name text/html in Accept. A
failing session store still gets the page, in the browser's language. Hostile bodies are
refused unread as tests/test_request_limits.py says, whatever the language."""

from __future__ import annotations

import io
import logging
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from intake import languages
from intake.languages import SESSION_LANGUAGE
from tests.factories import open_invitation

pytestmark = pytest.mark.django_db

LIMIT = 256 * 1024
STEP = "/intake/step/about-you/"
URLENCODED = "application/x-www-form-urlencoded"
# What a browser's form post accepts (Chromium's and Firefox's Accept for a page).
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)

ENGLISH_PAGE = [
    "What you sent was too long",
    "The page held more text than this site accepts at once, so it was not sent and nothing "
    "on it was saved. Answers you saved before are kept.",
    "Press your browser's Back button to return to what you typed, then shorten the longest "
    "answer and send the page again.",
]
SPANISH_PAGE = [
    "Lo que envió era demasiado largo",
    "La página tenía más texto del que este sitio acepta de una vez, por eso no se envió ni se "
    "guardó nada de lo que contenía. Las respuestas que guardó antes se conservan.",
    "Pulse el botón Atrás de su navegador para volver a lo que escribió; después, acorte la "
    "respuesta más larga y vuelva a enviar la página.",
]
ENGLISH_STAFF_PAGE = [
    "What you sent was too long",
    "This site accepts at most 256 KiB at a time, so the page was not sent and nothing on it "
    "was saved. What was saved before is kept.",
    "Go back, shorten the longest text or choose a smaller file, and send it again.",
]
ENGLISH_SENTENCE = "The request is too large: this site accepts at most 256 KiB.\n"
SPANISH_SENTENCE = "La solicitud es demasiado grande: este sitio acepta como máximo 256 KiB.\n"


class Body(io.RawIOBase):
    """A request body of `size` bytes that counts how much of it was read."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def read(self, n: int | None = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        self.read_bytes += n
        return b"x" * n

    def readline(self, n: int | None = -1) -> bytes:
        return self.read(n)


def _oversized_post(client: Client, path: str = STEP, **headers):
    headers = {"HTTP_ACCEPT": BROWSER_ACCEPT, **headers}
    return client.post(path, "answer=" + "x" * (LIMIT + 1), content_type=URLENCODED, **headers)


def _page(response) -> dict:
    """What the 413 page says: its language, heading and paragraphs, and its one link."""
    html = response.content.decode()
    link = re.findall(r'<p><a href="([^"]*)">([^<]*)</a></p>', html)
    return {
        "status": response.status_code,
        "type": response["Content-Type"],
        "lang": re.findall(r'<html lang="([^"]*)">', html),
        "text": [
            " ".join(text.split())
            for text in re.findall(r"<(?:h1|p)(?: [^>]*)?>\s*([^<]+?)\s*</(?:h1|p)>", html)
        ],
        "link": link,
    }


def _expected_page(language: str, text: list[str], link: tuple[str, str]) -> dict:
    return {
        "status": 413,
        "type": "text/html; charset=utf-8",
        "lang": [language],
        "text": text,
        "link": [link],
    }


# --- the page, in the patient's language ---------------------------------------------------------


def test_page_in_english_for_a_browser_that_asks_for_nothing_else():
    response = _oversized_post(Client())

    assert _page(response) == _expected_page("en", ENGLISH_PAGE, ("/", "Go to the start page"))
    assert response["Content-Language"] == "en"


def test_page_in_english_for_a_language_not_offered():
    response = _oversized_post(Client(), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert _page(response) == _expected_page("en", ENGLISH_PAGE, ("/", "Go to the start page"))


def test_page_in_spanish_for_a_spanish_browser():
    response = _oversized_post(Client(), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")

    assert _page(response) == _expected_page("es", SPANISH_PAGE, ("/", "Ir a la página de inicio"))
    assert (response["Content-Language"], response["Vary"]) == (
        "es",
        "Accept, Accept-Language, Cookie",
    )


def test_page_in_spanish_for_the_language_cookie_over_an_english_browser():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = _oversized_post(client, HTTP_ACCEPT_LANGUAGE="en")

    assert _page(response)["text"] == SPANISH_PAGE


def test_page_in_the_language_kept_on_the_intake_on_a_browser_with_no_cookie():
    # The clinic chose Spanish on the invitation; this English browser never switched.
    invitation, token = open_invitation(language="es")
    client = Client()
    client.get(f"/i/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert (client.session[SESSION_LANGUAGE], settings.LANGUAGE_COOKIE_NAME in client.cookies) == (
        "es",
        False,
    )

    response = _oversized_post(client, HTTP_ACCEPT_LANGUAGE="en")

    assert _page(response)["text"] == SPANISH_PAGE


def test_page_leads_back_to_the_page_the_form_was_on():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = _oversized_post(client, HTTP_REFERER=f"http://testserver{STEP}?from=check")

    assert _page(response)["link"] == [
        (
            f"{STEP}?from=check",
            "Abrir la página con sus respuestas guardadas (lo que escribió después no se conserva)",
        )
    ]


def test_page_on_a_staff_page_warns_that_the_link_keeps_only_what_was_saved():
    response = _oversized_post(
        Client(), "/accounts/login/", HTTP_REFERER="http://testserver/accounts/login/"
    )

    assert _page(response)["link"] == [
        (
            "/accounts/login/",
            "Open the page again (what you typed since it was last saved is not kept)",
        )
    ]


@pytest.mark.parametrize(
    "referer",
    [
        "https://elsewhere.example/intake/step/about-you/",
        "http://testserver//elsewhere.example/",
        "http://testserver/\\elsewhere.example/",
        "javascript:alert(1)",
        "http://[not-a-host/",
    ],
    ids=["other site", "protocol-relative path", "backslash", "script", "malformed"],
)
def test_page_leads_to_the_start_page_for_any_other_referer(referer):
    response = _oversized_post(Client(), HTTP_REFERER=referer)

    assert _page(response)["link"] == [("/", "Go to the start page")]


def test_page_keeps_nothing_and_starts_no_session():
    response = _oversized_post(Client(), HTTP_ACCEPT_LANGUAGE="es")

    assert (response.status_code, list(response.cookies)) == (413, [])
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_page_is_as_strict_as_any_other_page():
    # Given after the middleware that add these headers to every response.
    page = Client().get("/")

    refused = _oversized_post(Client())

    headers = (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Cache-Control",
        "Permissions-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
    )
    assert [refused.headers.get(name) for name in headers] == [page[name] for name in headers]
    assert (
        page["X-Frame-Options"],
        "script-src 'self'" in page["Content-Security-Policy"],
        "camera=()" in page["Permissions-Policy"],
    ) == ("DENY", True, True)


def test_page_in_the_browsers_language_when_the_session_store_fails(monkeypatch, caplog):
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def fail(self):
        raise ConnectionError("the session store is down")

    monkeypatch.setattr(store, "load", fail)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32

    with caplog.at_level(logging.WARNING, logger=languages.__name__):
        response = _oversized_post(client, HTTP_ACCEPT_LANGUAGE="es")

    assert _page(response) == _expected_page("es", SPANISH_PAGE, ("/", "Ir a la página de inicio"))
    assert [record.levelname for record in caplog.records if record.name == languages.__name__] == [
        "WARNING"
    ]


def test_saved_answers_are_kept_and_shown_again_after_the_refusal(patient_link):
    client = patient_link.client
    saved = client.post(STEP, {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"})
    assert saved.status_code == 302

    refused = _oversized_post(client, HTTP_REFERER=f"http://testserver{STEP}")
    back = client.get(_page(refused)["link"][0][0])

    assert refused.status_code == 413
    assert back.context["form"]["sex_at_birth"].value() == "female"


# --- staff pages: the staff language ---------------------------------------------------------


def test_staff_page_in_the_staff_language_whatever_the_browser_asks():
    response = _oversized_post(Client(), "/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")

    assert _page(response) == _expected_page(
        "en", ENGLISH_STAFF_PAGE, ("/staff/home/", "Go to the start page")
    )


def test_staff_page_in_spanish_when_the_staff_language_is_spanish(settings):
    settings.STAFF_LANGUAGE_CODE = "es"

    response = _oversized_post(Client(), "/admin/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert _page(response)["text"] == [
        "Lo que envió era demasiado largo",
        "Este sitio acepta como máximo 256 KiB a la vez, por eso la página no se envió ni se "
        "guardó nada de lo que contenía. Lo que se guardó antes se conserva.",
        "Vuelva atrás, acorte el texto más largo o elija un archivo más pequeño y vuelva a "
        "enviarlo.",
    ]


# --- autosave and the API: the plain sentence ------------------------------------------------


def _plain(response) -> tuple[int, str, str]:
    return response.status_code, response["Content-Type"], response.content.decode()


@pytest.mark.parametrize(
    ("language", "sentence"), [("en", ENGLISH_SENTENCE), ("es", SPANISH_SENTENCE)]
)
def test_autosave_gets_the_plain_sentence_in_the_patients_language(
    patient_link, language, sentence
):
    patient_link.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = _oversized_post(
        patient_link.client, f"{STEP}autosave/", HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )

    assert _plain(response) == (413, "text/plain; charset=utf-8", sentence)
    assert patient_link.refresh().answers == {}


def test_api_gets_the_plain_sentence_in_the_staff_language():
    response = Client().post(
        "/api/v1/invitations/",
        '{"x": "' + "x" * (LIMIT + 1) + '"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
        HTTP_ACCEPT="*/*",
    )

    assert _plain(response) == (413, "text/plain; charset=utf-8", ENGLISH_SENTENCE)
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", "text/*", None], ids=["json", "any", "any text", "none"]
)
def test_a_client_that_does_not_name_html_gets_the_plain_sentence(accept):
    # sendBeacon (autosave's last save) cannot set X-Requested-With and sends */*.
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = Client().post(
        STEP,
        "answer=" + "x" * (LIMIT + 1),
        content_type=URLENCODED,
        HTTP_ACCEPT_LANGUAGE="es",
        **headers,
    )

    assert _plain(response) == (413, "text/plain; charset=utf-8", SPANISH_SENTENCE)


# --- hostile bodies, in Spanish as in English ------------------------------------------------


def _raw_post(body: Body, **meta):
    return Client().generic(
        "POST",
        STEP,
        b"",
        **{
            "CONTENT_TYPE": URLENCODED,
            "wsgi.input": body,
            "HTTP_ACCEPT": BROWSER_ACCEPT,
            "HTTP_ACCEPT_LANGUAGE": "es",
            **meta,
        },
    )


@pytest.mark.parametrize("declared", [str(LIMIT + 1), "9" * 5000, "0" * 50 + "1"])
def test_a_content_length_over_the_limit_gets_the_page_unread(declared):
    body = Body(size=50 * 1024 * 1024)

    response = _raw_post(body, CONTENT_LENGTH=declared)

    assert (_page(response)["text"], body.read_bytes) == (SPANISH_PAGE, 0)


def test_a_content_length_that_is_not_a_number_stays_a_plain_400_unread():
    body = Body(size=50 * 1024 * 1024)

    response = _raw_post(body, CONTENT_LENGTH="12, 12")

    assert (_plain(response), body.read_bytes) == (
        (400, "text/plain; charset=utf-8", "The Content-Length header must be a whole number.\n"),
        0,
    )


def test_a_chunked_body_over_the_limit_gets_the_page_after_one_byte_past_it():
    body = Body(size=50 * 1024 * 1024)

    response = _raw_post(
        body,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )

    assert (_page(response)["text"], body.read_bytes) == (SPANISH_PAGE, LIMIT + 1)


def test_a_chunked_body_the_server_did_not_decode_stays_a_plain_411_unread():
    body = Body(size=50 * 1024 * 1024)

    response = _raw_post(body, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")

    assert (_plain(response), body.read_bytes) == (
        (
            411,
            "text/plain; charset=utf-8",
            "Send the request with a Content-Length header (at most 256 KiB).\n",
        ),
        0,
    )
