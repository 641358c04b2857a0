"""Tap-to-call: the phone numbers in a clinic's help text become tel: links.

The texts come from settings the clinic writes (CRISIS_RESOURCES_TEXT, EMERGENCY_ADVICE_TEXT),
so everything around the numbers is escaped like any other text; only the links are markup.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Three digits or more, in groups joined by single spaces or hyphens, maybe after a "+":
# "999", "911", "116 123", "0800 123 4567", "+44 20 7946 0958". Not part of a longer word
# or number ("A999", "1.5"), so that codes and decimals stay text.
PHONE_NUMBER = re.compile(r"(?<![\w+.])\+?\d(?:[ -]?\d){2,}(?![\w.]\d|\w)")


def link_phone_numbers(text: str) -> SafeString:
    """`text`, escaped, with each phone number in it a tel: link that dials its digits."""
    linked = SafeString("")
    position = 0
    for match in PHONE_NUMBER.finditer(text):
        number = match.group()
        dial = ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)
        link = format_html('<a class="alert-link tel-link" href="tel:{}">{}</a>', dial, number)
        # format_html escapes the plain text between the numbers; the links pass as built.
        linked = format_html("{}{}{}", linked, text[position : match.start()], link)
        position = match.end()
    return format_html("{}{}", linked, text[position:])


@register.filter
def tel_links(text: object) -> SafeString:
    return link_phone_numbers(str(text))
