"""The language switch's target: the language view, told to come back to this very page."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def language_switch_action(context) -> str:
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    return f"{reverse('intake:choose_language')}?{urlencode({'next': here})}"
