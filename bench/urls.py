"""The site's URLs plus /bench/hello, the bare-Django view bench/web.py measures every page
against: the same gunicorn, middleware and session cookie, no query of its own and no
template. Used only through bench/settings.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello", hello),
    path("", include("clinic.urls")),
]
