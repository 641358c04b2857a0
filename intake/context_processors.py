"""Template context every page gets."""

from django.conf import settings


def staff_session(request):
    """The idle timeout the page's warning script counts down (static/js/session-timeout.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"session_seconds": settings.STAFF_IDLE_MINUTES * 60}
