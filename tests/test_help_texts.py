"""The help texts a patient sees at once (clinical-spec §9, R3-23): the clinic's words from the
settings, with phone numbers as tap-to-call links and everything else escaped."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from intake.templatetags.phone_links import link_phone_numbers

# --- tap-to-call ------------------------------------------------------------------------


def _tel(number: str, digits: str) -> str:
    return f'<a class="alert-link tel-link" href="tel:{digits}">{number}</a>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 999 now.", f"Call {_tel('999', '999')} now."),
        ("911", _tel("911", "911")),
        ("Samaritans: 116 123.", f"Samaritans: {_tel('116 123', '116123')}."),
        ("Ring 0800 123 4567 today", f"Ring {_tel('0800 123 4567', '08001234567')} today"),
        ("0800-123-4567", _tel("0800-123-4567", "08001234567")),
        ("+44 20 7946 0958", _tel("+44 20 7946 0958", "+442079460958")),
        (
            "112 in Europe, 911 in the US, 999 in the UK",
            f"{_tel('112', '112')} in Europe, {_tel('911', '911')} in the US, "
            f"{_tel('999', '999')} in the UK",
        ),
        # Not phone numbers: too short, inside a word or a decimal.
        (
            "Open 24/7, 1.5 km, code A999, 999abc, 12.345",
            "Open 24/7, 1.5 km, code A999, 999abc, 12.345",
        ),
        ("", ""),
        # Hostile text: everything but the numbers is escaped.
        (
            "<script>alert(999)</script>",
            f"&lt;script&gt;alert({_tel('999', '999')})&lt;/script&gt;",
        ),
        (
            '"><img src=x onerror=alert(1)> 911',
            f"&quot;&gt;&lt;img src=x onerror=alert(1)&gt; {_tel('911', '911')}",
        ),
        ('tel:999" onclick="x', f"tel:{_tel('999', '999')}&quot; onclick=&quot;x"),
        ("{{7*7}} & <b>", "{{7*7}} &amp; &lt;b&gt;"),
    ],
)
def test_link_phone_numbers_links_numbers_and_escapes_the_rest(text, expected):
    assert link_phone_numbers(text) == expected


# --- the settings ---------------------------------------------------------------------------


def test_emergency_advice_text_default_and_from_the_environment():
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMERGENCY_ADVICE_TEXT)"
    )

    def start(**env: str) -> str:
        environment = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "SECRET_KEY": "x",
            **env,
        }
        return subprocess.run(
            [sys.executable, "-c", show],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    assert start() == "Go to an emergency department or call your emergency number now.\n"
    # Empty counts as unset, like every other setting.
    assert start(EMERGENCY_ADVICE_TEXT="  ") == (
        "Go to an emergency department or call your emergency number now.\n"
    )
    assert start(EMERGENCY_ADVICE_TEXT="Call 000 now.") == "Call 000 now.\n"


def test_the_default_crisis_resources_link_every_number_they_name(settings):
    linked = link_phone_numbers(settings.CRISIS_RESOURCES_TEXT)

    assert re.findall(r'href="tel:([+\d]+)"', linked) == ["112", "911", "999", "988", "116123"]
