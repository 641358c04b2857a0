"""Template source rules that Django does not enforce itself.

Django's `{# ... #}` comment ends on its own line: one that runs over several lines is not a
comment at all, and its text is printed on the page (the invitation page once showed "{# A link
to copy, shown once: ..." above the link). A comment over several lines needs {% comment %}.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import login_verified

TEMPLATE_ROOTS = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]] + [
    Path(settings.BASE_DIR) / "intake" / "templates"
]


def multiline_comments(source: str) -> list[int]:
    """The line numbers where a `{#` opens with no `#}` after it on the same line."""
    lines = []
    for number, line in enumerate(source.splitlines(), start=1):
        for match in re.finditer(r"\{#", line):
            if "#}" not in line[match.end() :]:
                lines.append(number)
                break
    return lines


def _templates() -> list[Path]:
    return sorted(
        path for root in TEMPLATE_ROOTS if root.is_dir() for path in root.rglob("*.html")
    ) + sorted(path for root in TEMPLATE_ROOTS if root.is_dir() for path in root.rglob("*.txt"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{# one line #}<p>x</p>", []),
        ("<p>{# a #} and {# b #}</p>", []),
        ("{# opens here\n   and closes here #}", [1]),
        ("<p>ok</p>\n<p>{# first #} {# second\n#}</p>", [2]),
        ("{% comment %}\n{# inside a block comment, still refused #\n{% endcomment %}", [2]),
        ("no comments at all", []),
        ("", []),
    ],
)
def test_multiline_comments_finds_a_comment_that_runs_over_lines(source, expected):
    assert multiline_comments(source) == expected


def test_templates_have_no_multiline_hash_comment():
    paths = _templates()
    found = {
        str(path.relative_to(settings.BASE_DIR)): lines
        for path in paths
        if (lines := multiline_comments(path.read_text(encoding="utf-8")))
    }

    assert len(paths) > 40  # the folders were found
    assert found == {}


@pytest.mark.django_db
def test_invitation_page_prints_no_template_comment(practitioner):
    client = login_verified(Client(), practitioner)

    response = client.post(
        "/staff/invitations/", {"full_name": "Iris Invited", "date_of_birth": "1975-05-05"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "intake/staff/invitation_link.html",
        "base.html",
    ]
    assert "{#" not in html and "#}" not in html
    assert "A link to copy" not in html
