"""Small request helpers every view module shares."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data to bind: the POST body on a POST, even an empty one, so that an empty
    submission is validated and answered with errors rather than shown as a first visit."""
    return request.POST if request.method == "POST" else None
