"""Text messages: the backend interface, and the console backend that stands in until a
provider is wired in.

settings.SMS_BACKEND names the class. A backend sends one message to one E.164 number and
raises on failure; the outbox's delivery (delivery.py) retries and records it as for email.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

__all__ = [
    "BaseSmsBackend",
    "ConsoleBackend",
    "LocmemBackend",
    "get_backend",
    "masked",
    "outbox",
    "send",
]

log = logging.getLogger(__name__)

# What LocmemBackend sent, for tests: (to, body) pairs.
outbox: list[tuple[str, str]] = []


class BaseSmsBackend:
    """Subclass and implement send(); keep the body out of every log line and exception (it
    carries the patient's link)."""

    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


def masked(number: str) -> str:
    """Enough of a number to tell messages apart in a log: "+44…3456"."""
    return f"{number[:3]}…{number[-4:]}" if len(number) > 7 else "…"


class ConsoleBackend(BaseSmsBackend):
    """Logs that a text went, to which number (masked) and how long it was; never the text,
    which holds the patient's link. For the demo and for clinics without a provider yet."""

    def send(self, *, to: str, body: str) -> None:
        log.info(
            "text message to %s (%s characters) not sent: console backend", masked(to), len(body)
        )


class LocmemBackend(BaseSmsBackend):
    """Keeps what was sent in `outbox`, for tests."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append((to, body))


@lru_cache(maxsize=8)
def _backend(path: str) -> BaseSmsBackend:
    try:
        backend_class = import_string(path)
    except ImportError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND must name a text message backend class (got {path!r})"
        ) from None
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        raise ImproperlyConfigured(
            f"SMS_BACKEND must name a subclass of intake.notifications.sms.BaseSmsBackend "
            f"(got {path!r})"
        )
    return backend_class()


def get_backend() -> BaseSmsBackend:
    return _backend(settings.SMS_BACKEND)


def send(*, to: str, body: str) -> None:
    get_backend().send(to=to, body=body)
