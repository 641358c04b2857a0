"""What each row of the work queue shows, element by element: links, badges, red flags, ages,
assignees, raised tests and times, with the sort headers and the pages' links around them, for
a varied set of cases (crisis, emergency, urgent, every status, assigned or not, tests raised or
none, a name that needs escaping), several pages, filters and an empty result.

The page is compared as the browser reads it (tags, attributes, text; whitespace aside), so that
the rows may be written by a template or in Python alike and staff still see the same page."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import selectors, services
from intake.dates import age_on
from intake.models import Intake, TestRecommendation
from tests.factories import login_verified, submitted_case

pytestmark = pytest.mark.django_db


class _Tokens(HTMLParser):
    """Start tags (attributes sorted), end tags and text, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        shown = "".join(
            f' {name}="{value}"' if value is not None else f" {name}"
            for name, value in sorted(attrs)
        )
        self.tokens.append(f"<{tag}{shown}>")

    def handle_endtag(self, tag):
        self.tokens.append(f"</{tag}>")

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.tokens.append(text)


def tokens(html: str) -> list[str]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _between(items: list[str], start: str, end: str) -> list[list[str]]:
    """Each run of tokens from `start` to its matching `end` (not nested in one another)."""
    runs, current = [], None
    for item in items:
        if current is None and item.startswith(start):
            current = []
        if current is not None:
            current.append(item)
            if item == end:
                runs.append(current)
                current = None
    return runs


def _rows(html: str) -> list[list[str]]:
    body = tokens(html[html.index("<tbody>") : html.index("</tbody>") + len("</tbody>")])
    return _between(body, "<tr", "</tr>")


def _cells(row: list[str]) -> list[list[str]]:
    return _between(row[1:-1], "<td", "</td>")


def _text(cell: list[str]) -> str:
    return " ".join(item for item in cell if not item.startswith("<"))


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


WHEN = dt.datetime(2026, 3, 2, 9, 5)


@pytest.fixture
def cases(practitioner, other_practitioner) -> dict[str, Intake]:
    """Seven cases, submitted an hour apart (the first earliest), in every state a row shows."""
    made = {
        "crisis": submitted_case(
            name="Cris Crisis",
            rectal_bleeding="yes",
            vomiting_blood="yes",
            phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2],
        ),
        "emergency": submitted_case(name="Emma Emergency", vomiting_blood="yes"),
        "urgent": submitted_case(name="Uri Urgent", rectal_bleeding="yes", fever_with_gi="yes"),
        "review": submitted_case(name="Rev Review", born=dt.date(1950, 6, 1)),
        "ordered": submitted_case(name="Ord Ordered", loose_stools_4wk="no"),
        "closed": submitted_case(name="Clo Closed"),
        "escaped": submitted_case(name="O'Brien & <Sons>", born=dt.date(2001, 12, 31)),
    }
    for hours, case in enumerate(made.values()):
        when = timezone.make_aware(WHEN + dt.timedelta(hours=hours))
        Intake.objects.filter(pk=case.pk).update(submitted_at=when)
    review = made["review"]
    services.assign_case(
        intake_id=review.pk, version=review.version, assignee=practitioner, by=practitioner
    )
    ordered = services.assign_case(
        intake_id=made["ordered"].pk,
        version=made["ordered"].version,
        assignee=other_practitioner,
        by=practitioner,
    )
    services.change_status(
        intake_id=ordered.pk, version=ordered.version, status="tests_ordered", by=practitioner
    )
    closed = made["closed"]
    services.change_status(
        intake_id=closed.pk, version=closed.version, status="closed", by=practitioner
    )
    # The statuses the criteria may have, however rare: each badge, and none at all.
    Intake.objects.filter(pk=made["escaped"].pk).update(
        rls_status="not_assessed", ibs_status="incomplete"
    )
    Intake.objects.filter(pk=made["closed"].pk).update(ibs_status="")
    TestRecommendation.objects.filter(intake=review).delete()
    return {key: Intake.objects.get(pk=case.pk) for key, case in made.items()}


def _page(staff, **query) -> str:
    response = staff.get("/staff/", query)
    assert response.status_code == 200
    return response.content.decode()


# The tests raised for RLS_AND_DIARRHOEA (the factories' answers), and without the diarrhoea.
GUT_AND_LEGS = [
    ("Thyroid", "Thyroid (TSH, reflex free T4)", ""),
    ("Iron", "Iron panel with ferritin", ""),
    ("Coeliac", "Coeliac serology", ""),
    ("Stool", "Stool testing", ""),
    ("SIBO", "SIBO breath test", "protocol optional"),
]
LEGS_ONLY = [
    ("Thyroid", "Thyroid (TSH, reflex free T4)", "protocol"),
    ("Iron", "Iron panel with ferritin", ""),
    ("Coeliac", "Coeliac serology", "protocol"),
]
STATUS_BADGES = {
    "met": ['<span class="badge text-bg-primary">', "met", "</span>"],
    "not_met": ['<span class="badge text-bg-light border">', "not met", "</span>"],
    "incomplete": ['<span class="badge text-bg-warning">', "incomplete", "</span>"],
    "not_assessed": ['<span class="badge text-bg-secondary">', "not assessed", "</span>"],
    "": ["—"],
}


def _test_badge(short: str, name: str, marks: str) -> list[str]:
    protocol, optional = "protocol" in marks, "optional" in marks
    heard = name + (", optional: consider" if optional else "")
    heard += " (clinic protocol)" if protocol else ""
    return [
        '<span class="badge queue-test queue-test-protocol">'
        if protocol
        else '<span class="badge queue-test">',
        '<span aria-hidden="true">',
        short,
        *(['<span class="queue-test-optional">', "consider", "</span>"] if optional else []),
        "</span>",
        '<span class="visually-hidden">',
        heard,
        "</span>",
        "</span>",
    ]


def expected_row(
    case: Intake,
    *,
    badges: tuple[str, ...] = (),
    rules: str = "",
    contact: bool = False,
    status: str = "New",
    assignee: str = "",
    rls: str = "met",
    ibs: str = "not_met",
    tests: list[tuple[str, str, str]] = GUT_AND_LEGS,
) -> list[str]:
    """A row of the queue as it must read, written out from what the case is."""
    age = age_on(case.patient.date_of_birth, timezone.localdate())
    when = timezone.localtime(case.submitted_at)
    flags = [
        token
        for badge in badges
        for token in ('<span class="badge text-bg-danger">', badge, "</span>")
    ]
    if rules:
        flags += [
            '<div class="small text-body-secondary queue-rules">',
            '<span class="visually-hidden">',
            "Red flags:",
            "</span>",
            rules,
            "</div>",
        ]
    tests_shown = [token for test in tests for token in _test_badge(*test)] or [
        '<span class="text-body-secondary">',
        "none",
        "</span>",
    ]
    return [
        '<tr class="table-danger-subtle">' if badges else "<tr>",
        '<td data-label="Case">',
        f'<a class="text-nowrap" href="/staff/cases/{case.pk}/">',
        case.case_number,
        "</a>",
        *(
            ["<div>", '<span class="badge text-bg-warning text-wrap">', "Contact today", "</span>"]
            + ["</div>"]
            if contact
            else []
        ),
        *(['<div class="d-xl-none">', *flags, "</div>"] if flags else []),
        "</td>",
        '<td class="d-none d-xl-table-cell">',
        *(flags or ['<span class="visually-hidden">', "No", "</span>"]),
        "</td>",
        '<td data-label="Patient">',
        f'<a href="/staff/patients/{case.patient_id}/">',
        case.patient.full_name,
        "</a>",
        '<div class="small text-body-secondary d-xl-none">',
        f"age {age}",
        "</div>",
        "</td>",
        '<td data-label="Status · Assignee">',
        status,
        '<div class="small text-body-secondary d-xl-none queue-assignee">',
        assignee or "unassigned",
        "</div>",
        "</td>",
        '<td class="d-none d-xl-table-cell">',
        assignee or "—",
        "</td>",
        '<td data-label="RLS and IBS">',
        '<div class="text-nowrap">',
        '<span class="d-xl-none small">',
        "RLS",
        "</span>",
        *STATUS_BADGES[rls],
        "</div>",
        '<div class="d-xl-none mt-1 text-nowrap">',
        '<span class="small">',
        "IBS",
        "</span>",
        *STATUS_BADGES[ibs],
        "</div>",
        "</td>",
        '<td class="d-none d-xl-table-cell">',
        *STATUS_BADGES[ibs],
        "</td>",
        '<td data-label="Tests flagged">',
        '<div class="queue-tests">',
        *tests_shown,
        "</div>",
        "</td>",
        '<td class="d-none d-xl-table-cell">',
        str(age),
        "</td>",
        '<td data-label="Submitted">',
        f'<time datetime="{when.isoformat()}">',
        '<span class="text-nowrap">',
        when.strftime("%Y-%m-%d"),
        "</span>",
        '<span class="text-nowrap">',
        when.strftime("%H:%M"),
        "</span>",
        "</time>",
        "</td>",
        "</tr>",
    ]


def all_rows(cases: dict[str, Intake]) -> dict[str, list[str]]:
    """Every case's row, by the fixture's key."""
    return {
        "crisis": expected_row(
            cases["crisis"],
            badges=("Crisis", "Emergency"),
            rules="RF-1, RF-12, RF-13",
            contact=True,
        ),
        "emergency": expected_row(
            cases["emergency"], badges=("Emergency",), rules="RF-13", contact=True
        ),
        "urgent": expected_row(cases["urgent"], badges=("Urgent",), rules="RF-1, RF-8"),
        "review": expected_row(
            cases["review"],
            badges=("Urgent",),
            rules="RF-5",
            status="In review",
            assignee="pat.practitioner",
            tests=[],
        ),
        "ordered": expected_row(
            cases["ordered"],
            status="Tests ordered",
            assignee="other.practitioner",
            tests=LEGS_ONLY,
        ),
        "escaped": expected_row(cases["escaped"], rls="not_assessed", ibs="incomplete"),
        "closed": expected_row(cases["closed"], status="Closed", ibs=""),
    }


def test_every_row_reads_element_by_element_as_its_case_is(staff, cases):
    html = _page(staff)

    rows = all_rows(cases)
    assert _rows(html) == [
        rows[key]
        for key in ("crisis", "emergency", "urgent", "review", "ordered", "escaped", "closed")
    ]
    # The patient's name is text, never markup.
    assert "O&#x27;Brien &amp; &lt;Sons&gt;</a>" in html
    assert "<Sons>" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort": "-case"}, ["escaped", "closed", "ordered", "review", "urgent", "emergency"]),
        ({"sort": "patient"}, ["closed", "crisis", "emergency", "escaped", "ordered", "review"]),
        ({"status": "tests_ordered"}, ["ordered"]),
        ({"assigned": "me"}, ["review"]),
        (
            {"assigned": "unassigned", "sort": "age"},
            ["escaped", "closed", "urgent", "emergency", "crisis"],
        ),
        ({"tests": "stool", "urgent": "on"}, ["crisis", "emergency", "urgent"]),
        ({"q": "O'Brien"}, ["escaped"]),
    ],
)
def test_filtered_and_sorted_pages_show_the_same_rows(staff, cases, monkeypatch, query, expected):
    monkeypatch.setattr("intake.selectors.queue.QUEUE_PER_PAGE", 6)

    html = _page(staff, **query)

    rows = all_rows(cases)
    assert _rows(html) == [rows[key] for key in expected]


def _tokens_from(html: str, start: str, end: str) -> list[str]:
    at = html.index(start)
    return tokens(html[at : html.index(end, at) + len(end)])


def test_sort_headers_link_each_order_and_mark_the_current_one(staff, cases):
    usual = _tokens_from(_page(staff), "<thead>", "</thead>")
    by_case = _tokens_from(_page(staff, status="new", sort="-case"), "<thead>", "</thead>")

    def header(key: str, label: str, hint: str, link: str, arrow: str = "") -> list[str]:
        return [
            f'<a class="sort-link" href="?{link}">',
            label,
            '<span aria-hidden="true" class="sort-arrow">',
            *([arrow] if arrow else []),
            "</span>",
            '<span class="visually-hidden">',
            f"(sort: {hint})",
            "</span>",
            "</a>",
        ]

    def thead(first: str, links: dict[str, str], hints: dict[str, str], case_arrow: str = ""):
        age = header("age", "Age", hints["age"], links["age"])
        return [
            "<thead>",
            "<tr>",
            first,
            *header("case", "Case", hints["case"], links["case"], case_arrow),
            "</th>",
            '<th class="d-none d-xl-table-cell" scope="col">',
            "Urgent",
            "</th>",
            '<th scope="col">',
            *header("patient", "Patient", hints["patient"], links["patient"]),
            '<span class="d-block d-xl-none">',
            *age,
            "</span>",
            "</th>",
            '<th scope="col">',
            "Status",
            '<span class="d-block d-xl-none">',
            "Assignee",
            "</span>",
            "</th>",
            '<th class="d-none d-xl-table-cell" scope="col">',
            "Assignee",
            "</th>",
            '<th scope="col">',
            "RLS",
            '<span class="d-xl-none">',
            "and IBS",
            "</span>",
            "</th>",
            '<th class="d-none d-xl-table-cell" scope="col">',
            "IBS",
            "</th>",
            '<th scope="col">',
            "Tests flagged",
            "</th>",
            '<th class="d-none d-xl-table-cell" scope="col">',
            *age,
            "</th>",
            '<th scope="col">',
            *header("submitted", "Submitted", hints["submitted"], links["submitted"]),
            "</th>",
            "</tr>",
            "</thead>",
        ]

    ascending = {
        "case": "case number, lowest first",
        "patient": "patient name, A to Z",
        "age": "age, youngest first",
        "submitted": "submitted, oldest first",
    }
    assert usual == thead('<th scope="col">', {key: f"sort={key}" for key in ascending}, ascending)
    assert by_case == thead(
        '<th aria-sort="descending" scope="col">',
        {key: f"status=new&sort={key}" for key in ascending},
        ascending,
        case_arrow="▼",
    )


def test_pages_link_first_previous_next_and_last(staff, cases, monkeypatch):
    monkeypatch.setattr("intake.selectors.queue.QUEUE_PER_PAGE", 3)
    order = [cases[key] for key in ("crisis", "emergency", "urgent", "review", "ordered")]
    rows = all_rows(cases)

    first = _page(staff, status="new")  # crisis, emergency, urgent, escaped
    second = _page(staff, status="new", after=order[2].pk, start=4)
    last = _page(staff, page="last")

    def nav(*items: list[str]) -> list[str]:
        return [
            '<nav aria-label="Pages of the work queue">',
            '<ul class="pagination flex-wrap">',
            *[token for item in items for token in item],
            "</ul>",
            "</nav>",
        ]

    def link(href: str, label: str, text: str, rel: str = "") -> list[str]:
        rel = f' rel="{rel}"' if rel else ""
        return [
            '<li class="page-item">',
            f'<a aria-label="{label}" class="page-link" href="{href}"{rel}>',
            text,
            "</a>",
            "</li>",
        ]

    def showing(text: str) -> list[str]:
        return [
            '<li aria-current="page" class="page-item active">',
            '<span class="page-link">',
            text,
            "</span>",
            "</li>",
        ]

    assert _rows(first) == [rows[key] for key in ("crisis", "emergency", "urgent")]
    assert _tokens_from(first, "<nav aria-label=", "</nav>") == nav(
        showing("Showing cases 1–3"),
        link(f"?status=new&after={order[2].pk}&start=4", "Next page", "Next", "next"),
        link("?status=new&page=last", "Last page", "Last"),
    )
    assert _rows(second) == [rows["escaped"]]
    assert _tokens_from(second, "<nav aria-label=", "</nav>") == nav(
        link("?status=new", "First page", "First"),
        link("?status=new", "Previous page", "Previous", "prev"),
        showing("Showing case 4"),
    )
    assert _rows(last) == [rows[key] for key in ("ordered", "escaped", "closed")]
    assert _tokens_from(last, "<nav aria-label=", "</nav>") == nav(
        link("?", "First page", "First"),
        link(f"?before={order[4].pk}", "Previous page", "Previous", "prev"),
        showing("Showing the last 3 cases"),
    )
    assert "Showing cases 1–3 matching these filters." in first


def test_no_rows_say_why_and_show_no_table(staff, cases):
    html = _page(staff, q="Nobody")

    assert "<table" not in html
    assert _tokens_from(html, "<p>No cases", "</p>") == [
        "<p>",
        "No cases match these filters.",
        '<a href="/staff/">',
        "Clear the filters",
        "</a>",
        ".",
        "</p>",
    ]


def test_no_cases_at_all_points_to_the_invitations(staff):
    html = _page(staff)

    assert "<table" not in html
    assert _tokens_from(html, "<p>No submitted", "</p>") == [
        "<p>",
        "No submitted cases yet. Invite a patient from",
        '<a href="/staff/invitations/">',
        "Invitations",
        "</a>",
        ".",
        "</p>",
    ]


def test_stored_values_are_text_never_markup(staff, practitioner):
    """What the database holds reaches the page escaped or is left out, however it got there:
    rules that are not a list of rules, red flags with markup in their ids."""
    case = submitted_case(name="Plain Name")
    TestRecommendation.objects.filter(intake=case).delete()
    TestRecommendation.objects.create(
        intake=case,
        assessment=case.current_assessment,
        test="celiac",
        value="consider",
        rules="<b>not a list</b>",
    )
    TestRecommendation.objects.create(
        intake=case,
        assessment=case.current_assessment,
        test="thyroid",
        value="raised",
        rules=[None, "S", {"tier": "S"}],
    )
    result = case.current_assessment.result
    result["urgent"]["reasons"] = [{"rule": "<script>x</script>"}]
    type(case.current_assessment).objects.filter(pk=case.current_assessment_id).update(
        result=result
    )
    Intake.objects.filter(pk=case.pk).update(urgent=True)

    html = _page(staff)

    assert "<script>x" not in html and "<b>not" not in html
    (row,) = _rows(html)
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert _cells(row)[1][-4:] == ["</span>", "<script>x</script>", "</div>", "</td>"]  # text
    assert _cells(row)[7] == [
        '<td data-label="Tests flagged">',
        '<div class="queue-tests">',
        *_test_badge("Coeliac", "Coeliac serology", "optional"),
        *_test_badge("Thyroid", "Thyroid (TSH, reflex free T4)", "protocol"),
        "</div>",
        "</td>",
    ]


def test_a_name_with_a_very_long_word_is_marked_to_wrap_and_others_are_not(staff):
    """A word longer than 20 letters (a hyphen ends a word) marks the name's link for app.css
    to break it inside the Patient column; the usual names, long ones included, keep their
    plain link."""
    names = [
        "Wolfeschlegelsteinhausenbergerdorff",
        "Ann Wolfeschlegelsteinhausenbergerdorff-Smith",
        "Maximiliana Featherstonehaugh-Oyelaran",
        "Twentylettersurnamex Jones",
    ]
    made = {name: submitted_case(name=name) for name in names}

    html = _page(staff, sort="patient")

    links = {_cells(row)[2][2]: _cells(row)[2][1] for row in _rows(html)}
    marked = (
        "Wolfeschlegelsteinhausenbergerdorff",
        "Ann Wolfeschlegelsteinhausenbergerdorff-Smith",
    )
    assert links == {
        name: (' class="queue-long-name"' if name in marked else "").join(
            ("<a", f' href="/staff/patients/{case.patient_id}/">')
        )
        for name, case in made.items()
    }


def test_count_strip_follows_the_week_and_shows_nothing_without_the_permission(
    practitioner, monkeypatch
):
    """The strip's statement is compiled once a week: the week's start still moves with the
    date, and a member of staff without access to cases gets zeros without a query."""
    case = submitted_case(name="Closed Today")
    services.change_status(
        intake_id=case.pk, version=case.version, status="closed", by=practitioner
    )
    today = timezone.localdate()

    this_week = selectors.queue_counts(user=practitioner)
    monkeypatch.setattr(timezone, "localdate", lambda: today + dt.timedelta(days=7))
    next_week = selectors.queue_counts(user=practitioner)
    nobody = get_user_model().objects.create_user(username="no.access", password="x-pass-12345")
    with CaptureQueriesContext(connection) as queries:
        refused = selectors.queue_counts(user=nobody)

    assert this_week == {"new": 0, "urgent": 0, "awaiting_tests": 0, "closed_this_week": 1}
    assert next_week == {"new": 0, "urgent": 0, "awaiting_tests": 0, "closed_this_week": 0}
    assert refused == dict.fromkeys(this_week, 0)
    assert not [query for query in queries if "intake_intake" in query["sql"]]
