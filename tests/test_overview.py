"""The clinic overview: the funnel from invitation to submission, the median time to submit,
where patients stop, and the queue by status and age; its charts (intake/charts.py) and the
page that draws them for practitioners and clinic admins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import charts, demo, selectors, services
from intake.enums import AuditAction, CaseStatus, Role
from intake.models import AuditEvent, Intake
from intake.templatetags.intake_labels import duration_words
from tests.access import make_user
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import login_verified, open_invitation, submitted_case

# --- the charts (no database) ---------------------------------------------------------------


def test_bar_chart_scales_bars_to_the_largest_count_and_writes_each_value():
    chart = charts.bar_chart([("Sent", 40), ("Opened", 30), ("Submitted", 0)], share_of=40)

    room = charts.WIDTH - charts.VALUE_ROOM
    assert [(bar.label, bar.value, bar.length, bar.text) for bar in chart.bars] == [
        ("Sent", 40, room, "40 (100%)"),
        ("Opened", 30, room * 0.75, "30 (75%)"),
        ("Submitted", 0, 0.0, "0 (0%)"),
    ]
    # Each label on the line above its bar, one row after another.
    assert [(bar.label_y, bar.y, bar.text_y) for bar in chart.bars] == [
        (15, 21, 29.0),
        (59, 65, 73.0),
        (103, 109, 117.0),
    ]
    assert [bar.text_x for bar in chart.bars] == [room + 6, room * 0.75 + 6, 6.0]
    assert (chart.width, chart.height) == (480, 132)


def test_bar_chart_small_counts_still_show_and_big_ones_get_separators():
    chart = charts.bar_chart([("Many", 12_000), ("One", 1)])

    assert [(bar.length > 0, bar.text) for bar in chart.bars] == [(True, "12,000"), (True, "1")]
    assert chart.bars[1].length == 2.0


@pytest.mark.parametrize(
    ("rows", "lengths", "height"),
    [
        ([], (), 44),
        ([("Nothing", 0), ("Still nothing", 0)], (0.0, 0.0), 88),
        ([("Odd", -3), ("Fine", 2)], (0.0, 370.0), 88),
    ],
)
def test_bar_chart_empty_zero_and_negative_rows(rows, lengths, height):
    chart = charts.bar_chart(rows)

    assert chart.height == height
    assert tuple(bar.length for bar in chart.bars) == lengths
    assert [bar.value for bar in chart.bars] == [max(value, 0) for _label, value in rows]


def test_bar_chart_cuts_a_label_longer_than_the_drawing():
    long = "A step title far longer than any the questionnaire has today, and then some more"
    title = "How much your tummy troubles you"

    chart = charts.bar_chart([(long, 3), (title, 1)])

    cut, whole = chart.bars
    assert cut.label == long[: charts.MAX_LABEL - 1].rstrip() + "…"
    assert len(cut.label) <= charts.MAX_LABEL
    assert whole.label == title
    assert cut.length + charts.VALUE_ROOM == charts.WIDTH


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(seconds=20), "under a minute"),
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(minutes=35, seconds=50), "35 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=2, minutes=5), "2 hours 5 minutes"),
        (dt.timedelta(days=1, minutes=59), "1 day"),
        (dt.timedelta(days=3, hours=4, minutes=10), "3 days 4 hours"),
        (dt.timedelta(seconds=-5), "—"),
        ("not a span", "—"),
        (None, "—"),
    ],
)
def test_duration_words(span, words):
    assert duration_words(span) == words


# --- the figures ------------------------------------------------------------------------------


def _backdate(intake: Intake, *, made_days_ago: float, submitted_after: dt.timedelta | None = None):
    made = timezone.now() - dt.timedelta(days=made_days_ago)
    fields = {"created_at": made}
    if submitted_after is not None:
        fields["submitted_at"] = made + submitted_after
    Intake.objects.filter(pk=intake.pk).update(**fields)


def _draft(name: str, *, until_step: str | None = None, opened: bool = False) -> Intake:
    invitation, _token = open_invitation(name=name)
    if opened:
        services.mark_opened(invitation=invitation)
    if until_step is not None:
        return demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA, until_step=until_step)
    return invitation.intake


@pytest.mark.django_db
def test_overview_funnel_counts_each_stage_with_those_that_went_further(practitioner):
    _draft("Sent Only")
    _draft("Opened Only", opened=True)
    _draft("Started Once", until_step="course")  # answered a step; never opened by a link here
    submitted_case(name="Sent In")

    overview = selectors.clinic_overview(user=practitioner)

    assert overview.funnel == [
        ("Invitations sent", 4),
        ("Opened", 3),
        ("Started", 2),
        ("Submitted", 1),
    ]
    assert overview.period_label == "the last 90 days"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "sent"),
    [("30", 1), ("90", 2), ("365", 3), ("all", 4), ("", 2), ("<script>", 2), ("90; DROP", 2)],
)
def test_overview_period_counts_questionnaires_made_in_it(practitioner, period, sent):
    for name, days in (("Week", 7), ("Two Months", 60), ("Half Year", 180), ("Old", 800)):
        _backdate(_draft(name), made_days_ago=days)

    overview = selectors.clinic_overview(user=practitioner, period=period)

    assert overview.funnel[0] == ("Invitations sent", sent)
    assert overview.period == (period if period in selectors.OVERVIEW_PERIODS else "90")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "median"),
    [
        ([], None),
        ([5], dt.timedelta(hours=5)),
        ([1, 50], dt.timedelta(hours=25, minutes=30)),
        ([30, 2, 7], dt.timedelta(hours=7)),
        ([9, 1, 3, 100], dt.timedelta(hours=6)),
    ],
)
def test_overview_median_time_from_invitation_to_submission(practitioner, hours, median):
    for number, taken in enumerate(hours):
        case = submitted_case(name=f"Patient {number}")
        _backdate(case, made_days_ago=20, submitted_after=dt.timedelta(hours=taken))
    _draft("Not Sent")  # a draft has no time to submit

    overview = selectors.clinic_overview(user=practitioner)

    assert (overview.median_to_submit, overview.submitted_count) == (median, len(hours))


@pytest.mark.django_db
def test_overview_where_patients_stop_is_the_last_step_they_finished(practitioner):
    _draft("Opened Not Started", opened=True)  # not started: not counted here
    _draft("Stopped At Legs", until_step="legs")  # finished "About you" only
    _draft("Stopped At Course", until_step="course")
    _draft("Also At Course", until_step="course")
    _draft("Stopped At Mood", until_step="mood")
    submitted_case(name="Finished")  # sent: not counted here
    started = _draft("Saved Nothing Yet", opened=True)
    Intake.objects.filter(pk=started.pk).update(answers={"sex_at_birth": "male"})  # autosaved

    overview = selectors.clinic_overview(user=practitioner)

    stopped = {label: count for label, count in overview.stopped_after if count}
    assert stopped == {
        "No step finished yet": 1,
        "About you": 1,
        "Leg symptoms": 2,
        "Important symptoms": 1,
    }
    assert [label for label, _count in overview.stopped_after] == [
        "No step finished yet",
        *(step.title for step in selectors.questionnaire.STEPS if step.kind != "consent"),
    ]


@pytest.mark.django_db
def test_overview_queue_by_status_and_by_days_since_submission(practitioner):
    now = timezone.now()
    today = timezone.localdate()
    ages = {"Today": 0, "Yesterday": 1, "Two Days": 2, "Three Days": 3, "Ten": 10, "Forty": 40}
    cases = {}
    for name, days in ages.items():
        case = submitted_case(name=name)
        moment = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days), dt.time(9))
        )
        Intake.objects.filter(pk=case.pk).update(submitted_at=min(moment, now))
        cases[name] = case
    closed = cases["Forty"]
    services.change_status(
        intake_id=closed.pk, version=closed.version, status=CaseStatus.CLOSED, by=practitioner
    )
    services.change_status(
        intake_id=cases["Ten"].pk,
        version=cases["Ten"].version,
        status=CaseStatus.IN_REVIEW,
        by=practitioner,
    )
    _draft("A Draft", until_step="course")

    overview = selectors.clinic_overview(user=practitioner)

    assert overview.by_status == [
        ("New", 4),
        ("In review", 1),
        ("Tests ordered", 0),
        ("Closed", 1),
    ]
    assert overview.by_age == [
        ("Today", 1),
        ("1 to 2 days", 2),
        ("3 to 7 days", 1),
        ("8 to 14 days", 1),
        ("15 to 30 days", 0),
        ("Over 30 days", 0),  # the forty-day-old case is closed
    ]


@pytest.mark.django_db
def test_overview_reads_in_four_queries_however_many_patients(practitioner):
    reader = type(practitioner).objects.get(pk=practitioner.pk)
    reader.has_perm("intake.view_intake")  # permissions cached before counting
    submitted_case(name="First")
    with CaptureQueriesContext(connection) as one:
        selectors.clinic_overview(user=reader)
    for number in range(6):
        submitted_case(name=f"More {number}")
        _draft(f"Draft {number}", until_step="course")
    with CaptureQueriesContext(connection) as many:
        selectors.clinic_overview(user=reader, period="all")

    assert len(one.captured_queries) == len(many.captured_queries) == 4


@pytest.mark.django_db
def test_overview_shows_nothing_to_a_role_that_may_not_see_cases(practitioner):
    submitted_case(name="Hidden")
    auditor = make_user("an.auditor", Role.AUDITOR)

    overview = selectors.clinic_overview(user=auditor)

    assert [count for _label, count in overview.funnel] == [0, 0, 0, 0]
    assert sum(count for _label, count in overview.by_status) == 0
    assert overview.median_to_submit is None


# --- the page ---------------------------------------------------------------------------------


def _table_rows(html: str, caption: str) -> list[list[str]]:
    start = html.index(f"<caption>{caption}</caption>")
    table = html[start : html.index("</table>", start)]
    return [
        [" ".join(cell.split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["practitioner", "clinic_admin"])
def test_overview_page_draws_each_chart_with_a_table_behind_it(request, role):
    user = request.getfixturevalue(role)
    submitted_case(name="Sent In")
    _draft("Stopped At Course", until_step="course")
    client = login_verified(Client(), user)

    response = client.get("/staff/overview/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg class="bar-chart"') == 4
    assert html.count('aria-hidden="true" focusable="false"') == 4
    assert _table_rows(html, "Invitations by how far the patient got") == [
        ["Stage", "Questionnaires"],
        ["Invitations sent", "2"],
        ["Opened", "2"],
        ["Started", "2"],
        ["Submitted", "1"],
    ]
    assert _table_rows(html, "Submitted cases by status")[1:] == [
        ["New", "1"],
        ["In review", "0"],
        ["Tests ordered", "0"],
        ["Closed", "0"],
    ]
    assert re.findall(r'class="bar-value"[^>]*>([^<]*)<', html)[:4] == [
        "2 (100%)",
        "2 (100%)",
        "2 (100%)",
        "1 (50%)",
    ]
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert '<a class="nav-link" href="/staff/overview/">Overview</a>' in html


@pytest.mark.django_db
def test_overview_page_is_audited_as_a_view_with_its_query(practitioner):
    client = login_verified(Client(), practitioner)

    client.get("/staff/overview/", {"period": "30"})

    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert (event.actor, event.summary, event.patient, event.intake) == (
        practitioner,
        "clinic overview: counts only; period=30",
        None,
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["<script>alert(1)</script>", "7", "ALL"])
def test_overview_page_unknown_period_says_so_and_shows_the_usual_one(practitioner, period):
    client = login_verified(Client(), practitioner)

    response = client.get("/staff/overview/", {"period": period})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<div class="alert alert-warning" role="alert">(.*?)</div>', html) == [
        "That period is not one of the choices, so this page shows the last 90 days."
    ]
    assert re.findall(r'aria-current="page">([^<]*)<', html) == ["The last 90 days"]
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
def test_overview_page_refuses_roles_without_cases_and_sends_strangers_to_sign_in(db):
    auditor = login_verified(Client(), make_user("an.auditor", Role.AUDITOR))

    refused = auditor.get("/staff/overview/")
    stranger = Client().get("/staff/overview/")

    assert refused.status_code == 403
    assert (stranger.status_code, stranger["Location"]) == (
        302,
        "/accounts/login/?next=/staff/overview/",
    )
