"""Webhook endpoints in the admin: a clinic admin adds one and sees its secret once; hostile or
mistyped addresses are refused; every delivery attempt is in a read-only log, by endpoint,
without health data; endpoints are switched off, never deleted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import AuditEvent, OutboxMessage, WebhookDelivery, WebhookEndpoint
from intake.notifications.models import OutboxChannel, OutboxKind, OutboxState
from intake.notifications.webhook_models import validate_webhook_url
from intake.services import webhooks
from tests.factories import login_verified, submitted_case

pytestmark = pytest.mark.django_db

ADD = "/admin/intake/webhookendpoint/add/"
LOG = "/admin/intake/webhookdelivery/"
URL = "https://ehr.example.org/hooks/intake"
HTTPS_ONLY = "Enter an address that starts with https://."
NO_USER = "Enter the address without a user name or password: the notice is signed instead."
NO_FRAGMENT = "Enter the address without a # part: it is never sent."
BAD_PORT = "Enter a port number from 1 to 65535 after the colon."
NOT_A_SYSTEM = "This address cannot receive notices: enter your system's address."
NOT_THIS_SERVER = "Enter the address of the receiving system, not of this server (localhost)."
NO_SPACES = "Enter the address without spaces or hidden characters."
SECRET_MESSAGE = re.compile(
    r"^The signing secret for https://ehr\.example\.org/hooks/intake "
    r"\(copy it now: it is not shown again\): (whsec_\S{43})$"
)


@pytest.fixture
def admin_browser(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def _add(browser: Client, **data):
    form = {"url": URL, "description": "Clinic EHR", "is_active": "on", "_save": "Save", **data}
    return browser.post(ADD, form, follow=True)


def _shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_webhook_admin_add_shows_the_secret_once(admin_browser, clinic_admin):
    response = _add(admin_browser)

    shown, added = _shown(response)
    secret = SECRET_MESSAGE.match(shown).group(1)
    assert added == (
        'The webhook endpoint “<a href="/admin/intake/webhookendpoint/'
        f'{WebhookEndpoint.objects.get().pk}/change/">Clinic EHR</a>” was added successfully.'
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.description, endpoint.is_active, endpoint.secret) == (
        URL,
        "Clinic EHR",
        True,
        secret,
    )
    assert endpoint.created_by == clinic_admin
    again = admin_browser.get(f"/admin/intake/webhookendpoint/{endpoint.pk}/change/")
    listing = admin_browser.get("/admin/intake/webhookendpoint/")
    assert (again.status_code, listing.status_code) == (200, 200)
    assert secret not in again.content.decode()
    assert secret not in listing.content.decode()
    assert secret[:10] in listing.content.decode()  # enough to tell which secret it is


def test_webhook_admin_add_is_audited_without_the_secret(admin_browser):
    response = _add(admin_browser)

    secret = SECRET_MESSAGE.match(_shown(response)[0]).group(1)
    endpoint = WebhookEndpoint.objects.get()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="WebhookEndpoint")
    assert (event.actor_label, event.summary) == (
        "clinic.admin",
        f"webhook endpoint {endpoint.pk} (https://ehr.example.org) registered",
    )
    assert secret not in event.summary


def test_webhook_admin_change_keeps_the_secret_and_is_audited(admin_browser):
    _add(admin_browser)
    endpoint = WebhookEndpoint.objects.get()

    response = admin_browser.post(
        f"/admin/intake/webhookendpoint/{endpoint.pk}/change/",
        {"url": URL, "description": "Old EHR", "_save": "Save"},  # "active" unticked
        follow=True,
    )

    assert response.status_code == 200
    changed = WebhookEndpoint.objects.get()
    assert (changed.description, changed.is_active, changed.secret) == (
        "Old EHR",
        False,
        endpoint.secret,
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="WebhookEndpoint")
    assert (
        event.summary
        == f"webhook endpoint {endpoint.pk} (https://ehr.example.org) changed: switched off"
    )


def test_webhook_admin_replace_secret_shows_the_new_one_once(admin_browser):
    _add(admin_browser)
    endpoint = WebhookEndpoint.objects.get()

    response = admin_browser.post(
        "/admin/intake/webhookendpoint/",
        {"action": "replace_secrets", "_selected_action": [endpoint.pk]},
        follow=True,
    )

    new = WebhookEndpoint.objects.get().secret
    assert new != endpoint.secret
    assert _shown(response) == [
        f"The new signing secret for {URL} (copy it now: it is not shown again; the old one "
        f"no longer signs): {new}"
    ]
    event = AuditEvent.objects.filter(object_type="WebhookEndpoint").order_by("-pk").first()
    assert (
        event.summary
        == f"webhook endpoint {endpoint.pk} (https://ehr.example.org): signing secret replaced"
    )


def test_webhook_admin_endpoints_are_never_deleted(admin_browser):
    _add(admin_browser)
    endpoint = WebhookEndpoint.objects.get()

    response = admin_browser.post(
        f"/admin/intake/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_webhook_admin_practitioner_cannot_open_the_pages(practitioner):
    browser = login_verified(Client(), practitioner)

    statuses = [browser.get(path).status_code for path in (ADD, LOG)]

    assert statuses == [302, 302]  # sent to the admin's sign-in: not an admin


def test_webhook_admin_refuses_plain_http_through_the_form(admin_browser):
    response = _add(admin_browser, url="http://ehr.example.org/hook")

    assert response.context["adminform"].form.errors == {
        "url": ["Enter an address that starts with https://."]
    }
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://ehr.example.org/hook", HTTPS_ONLY),
        ("ftp://ehr.example.org/hook", HTTPS_ONLY),
        ("file:///etc/passwd", HTTPS_ONLY),
        ("javascript:alert(1)", HTTPS_ONLY),
        ("gopher://127.0.0.1:6379/_FLUSHALL", HTTPS_ONLY),
        ("ehr.example.org/hook", HTTPS_ONLY),
        (
            "https://user:pass@ehr.example.org/hook",
            NO_USER,
        ),
        (
            "https://ehr.example.org@evil.example/hook",
            NO_USER,
        ),
        (
            "https://ehr.example.org/hook#part",
            NO_FRAGMENT,
        ),
        (
            "https://ehr.example.org:99999/hook",
            BAD_PORT,
        ),
        (
            "https://ehr.example.org:http/hook",
            BAD_PORT,
        ),
        ("https:///hook", "Enter the address with a host name, such as ehr.example.org."),
        (
            "https://169.254.169.254/latest/meta-data/",
            NOT_A_SYSTEM,
        ),
        (
            "https://[fe80::1]/hook",
            NOT_A_SYSTEM,
        ),
        (
            "https://0.0.0.0/hook",
            NOT_A_SYSTEM,
        ),
        (
            "https://224.0.0.1/hook",
            NOT_A_SYSTEM,
        ),
        (
            "https://localhost/hook",
            NOT_THIS_SERVER,
        ),
        (
            "https://127.0.0.1:8000/admin/",
            NOT_THIS_SERVER,
        ),
        (
            "https://[::1]/hook",
            NOT_THIS_SERVER,
        ),
        ("https://ehr.example.org/a b", NO_SPACES),
        (
            "https://ehr.example.org/\r\nX-Injected: yes",
            NO_SPACES,
        ),
        ("https://ehr.example.org/\x00", NO_SPACES),
        ("https://ehr..example/hook", "Enter a valid web address."),
        ("https://" + "a" * 500 + ".org/", "Enter an address of at most 500 characters."),
    ],
)
def test_webhook_url_hostile_or_mistyped_is_refused(settings, url, message):
    settings.WEBHOOK_ALLOW_HTTP = False

    with pytest.raises(ValidationError) as refused:
        validate_webhook_url(url)

    assert refused.value.messages == [message]


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "https://ehr.example.org/hooks/intake?clinic=riverside",
        "https://10.0.0.5:8443/hook",  # an EHR inside the clinic's network
        "https://EHR.Example.org/Hook",
    ],
)
def test_webhook_url_a_clinic_system_is_accepted(settings, url):
    settings.WEBHOOK_ALLOW_HTTP = False

    assert validate_webhook_url(url) is None


def test_webhook_url_local_http_is_accepted_only_when_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP = True

    assert validate_webhook_url("http://127.0.0.1:9000/hook") is None
    assert validate_webhook_url("http://localhost:9000/hook") is None
    with pytest.raises(ValidationError) as refused:
        validate_webhook_url("ftp://127.0.0.1/hook")
    assert refused.value.messages == [HTTPS_ONLY]


def _logged_attempts() -> tuple[WebhookEndpoint, WebhookEndpoint, OutboxMessage]:
    case = submitted_case(name="Lorna Logbook", born=dt.date(1966, 2, 2))
    first = WebhookEndpoint(url=URL, description="Clinic EHR")
    second = WebhookEndpoint(url="https://booking.example.org/hook", description="Booking")
    for endpoint in (first, second):
        webhooks.register_webhook_endpoint(endpoint=endpoint, by=None)
    message = OutboxMessage.objects.create(
        kind=OutboxKind.WEBHOOK_SUBMITTED,
        channel=OutboxChannel.WEBHOOK,
        recipient="https://ehr.example.org",
        context={"endpoint": first.pk},
        intake=case,
        state=OutboxState.FAILED,
        attempts=2,
        last_error="The receiver answered HTTP 500.",
        next_attempt_at=timezone.now(),
        idempotency_key=f"webhook:{first.pk}:submitted:{case.pk}",
    )
    at = timezone.now()
    WebhookDelivery.objects.create(
        endpoint=first,
        message=message,
        attempt=1,
        attempted_at=at - dt.timedelta(minutes=1),
        error="Could not connect: [Errno 111] Connection refused",
        duration_ms=3,
    )
    WebhookDelivery.objects.create(
        endpoint=first,
        message=message,
        attempt=2,
        attempted_at=at,
        status_code=500,
        error="The receiver answered HTTP 500.",
        duration_ms=12,
    )
    other = OutboxMessage.objects.create(
        kind=OutboxKind.WEBHOOK_SUBMITTED,
        channel=OutboxChannel.WEBHOOK,
        recipient="https://booking.example.org",
        context={"endpoint": second.pk},
        intake=case,
        state=OutboxState.SENT,
        attempts=1,
        sent_at=at,
        next_attempt_at=at,
        idempotency_key=f"webhook:{second.pk}:submitted:{case.pk}",
    )
    WebhookDelivery.objects.create(
        endpoint=second, message=other, attempt=1, attempted_at=at, status_code=204, duration_ms=5
    )
    return first, second, message


def test_webhook_admin_log_lists_attempts_by_endpoint_without_health_data(admin_browser):
    first, _second, message = _logged_attempts()

    response = admin_browser.get(LOG, {"endpoint__id__exact": first.pk})

    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert [(row.attempt, row.status_code, row.error) for row in shown] == [
        (2, 500, "The receiver answered HTTP 500."),
        (1, None, "Could not connect: [Errno 111] Connection refused"),
    ]
    page = response.content.decode()
    assert "Failed: The receiver answered HTTP 500." in page  # the notice's state now
    assert "Lorna" not in page
    assert "1966" not in page
    assert message.intake.case_number not in page


def test_webhook_admin_endpoint_page_shows_its_latest_attempts(admin_browser):
    first, _second, _message = _logged_attempts()

    response = admin_browser.get(f"/admin/intake/webhookendpoint/{first.pk}/change/")

    page = response.content.decode()
    assert page.count("<td>The receiver answered HTTP 500.</td>") == 1
    assert page.count("<td>Could not connect: [Errno 111] Connection refused</td>") == 1
    assert page.count("<td>Delivered</td>") == 0  # the other endpoint's success is not here
    assert f'href="{LOG}?endpoint__id__exact={first.pk}"' in page


def test_webhook_admin_log_is_read_only(admin_browser):
    first, _second, _message = _logged_attempts()
    attempt = WebhookDelivery.objects.filter(endpoint=first).first()

    add = admin_browser.get(f"{LOG}add/")
    delete = admin_browser.post(f"{LOG}{attempt.pk}/delete/", {"post": "yes"})
    change = admin_browser.post(f"{LOG}{attempt.pk}/change/", {"attempt": 9})

    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert WebhookDelivery.objects.count() == 3


def _queries_for(browser: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(path)
    assert response.status_code == 200
    return len(queries)


def test_webhook_admin_pages_query_count_does_not_grow_with_the_rows(admin_browser):
    first, _second, _message = _logged_attempts()
    pages = [LOG, "/admin/intake/webhookendpoint/", f"{ADD[:-4]}{first.pk}/change/"]
    [_queries_for(admin_browser, page) for page in pages]  # warm the caches (content types)
    few = [_queries_for(admin_browser, page) for page in pages]
    extra = WebhookEndpoint(url="https://third.example.org/hook")
    webhooks.register_webhook_endpoint(endpoint=extra, by=None)
    message = OutboxMessage.objects.filter(webhook_deliveries__endpoint=first).first()
    for attempt in range(3, 9):
        WebhookDelivery.objects.create(
            endpoint=first,
            message=message,
            attempt=attempt,
            attempted_at=timezone.now(),
            status_code=503,
            error="The receiver answered HTTP 503.",
            duration_ms=7,
        )

    many = [_queries_for(admin_browser, page) for page in pages]

    assert many == few
