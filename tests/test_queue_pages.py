"""The work queue's pages, read by keyset: following Next from the first page, or Previous from
the last, visits every case once, in the order of the whole queue, for every sort; a page's
place survives its boundary case moving on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from intake import selectors
from intake.enums import CaseStatus
from intake.models import Intake
from tests.factories import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_cases(monkeypatch, practitioner) -> list[Intake]:
    """Seven cases, three to a page: ties in submission time, name and date of birth, one
    closed, one urgent, so that every sort's tie-breaks are crossed by a page boundary."""
    monkeypatch.setattr("intake.selectors.queue.QUEUE_PER_PAGE", 3)
    when = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    made = []
    for number, (name, born) in enumerate(
        [
            ("Ann Same", dt.date(1970, 1, 1)),
            ("Ann Same", dt.date(1970, 1, 1)),
            ("Bea Other", dt.date(1980, 5, 5)),
            ("Cal Third", dt.date(1970, 1, 1)),
            ("Ann Same", dt.date(1990, 9, 9)),
            ("Dee Fourth", dt.date(1985, 2, 2)),
            ("Eve Fifth", dt.date(1975, 7, 7)),
        ]
    ):
        case = submitted_case(name=name, born=born)
        Intake.objects.filter(pk=case.pk).update(
            submitted_at=when + dt.timedelta(hours=number // 2)
        )
        made.append(case)
    Intake.objects.filter(pk=made[2].pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    Intake.objects.filter(pk=made[5].pk).update(urgent=True)
    return made


def _reader():
    return get_user_model().objects.get(username="pat.practitioner")


def _page(sort: str, **place) -> selectors.QueuePage:
    return selectors.queue_page(
        user=_reader(),
        filters=selectors.QueueFilters(sort=sort),
        place=selectors.QueuePlace(**place),
    )


@pytest.mark.parametrize("sort", list(selectors.QUEUE_SORTS))
def test_queue_pages_forwards_and_backwards_visit_every_case_once_in_order(seven_cases, sort):
    whole = [
        case.pk
        for case in selectors.work_queue(user=_reader(), filters=selectors.QueueFilters(sort=sort))
    ]

    forwards, page = [], _page(sort)
    while True:
        forwards.append(([row.pk for row in page.rows], page.start, page.has_previous))
        if not page.has_next:
            break
        page = _page(sort, after=page.rows[-1].pk, start=page.end + 1)
    backwards, page = [], _page(sort, last=True)
    while True:
        backwards.append([row.pk for row in page.rows])
        if not page.has_previous:
            break
        page = _page(sort, before=page.rows[0].pk)

    assert forwards == [
        (whole[0:3], 1, False),
        (whole[3:6], 4, True),
        (whole[6:7], 7, True),
    ]
    # From the end: the last three, the three before, then the first page (a full one).
    assert backwards == [whole[4:7], whole[1:4], whole[0:3]]


def test_queue_page_after_a_case_that_moved_on_keeps_its_place(seven_cases):
    new_cases = selectors.QueueFilters(sort="case", status=CaseStatus.NEW)
    first = selectors.queue_page(user=_reader(), filters=new_cases, place=selectors.QueuePlace())
    boundary = first.rows[-1]
    # Closed meanwhile: no longer listed under this filter, it still marks where the next
    # page starts.
    Intake.objects.filter(pk=boundary.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())

    later = selectors.queue_page(
        user=_reader(), filters=new_cases, place=selectors.QueuePlace(after=boundary.pk, start=4)
    )

    assert [row.pk for row in first.rows] == [seven_cases[n].pk for n in (0, 1, 3)]
    assert ([row.pk for row in later.rows], later.start) == (
        [seven_cases[n].pk for n in (4, 5, 6)],
        4,
    )


def test_queue_page_before_with_too_few_cases_shows_the_first_page(seven_cases):
    # Two cases before the third (say the page that linked here was made before some of its
    # earlier cases were closed and left the filter): the first page, full, not a short one.
    back = _page("case", before=seven_cases[2].pk)

    assert ([row.pk for row in back.rows], back.start, back.has_previous) == (
        [case.pk for case in seven_cases[:3]],
        1,
        False,
    )


def test_queue_page_after_an_unknown_case_shows_the_last_page(seven_cases):
    # A hand-edited or stale link: the last page with its way back, not an empty page without
    # any link to follow.
    page = _page("case", after=10**12)
    last = _page("case", last=True)

    assert ([row.pk for row in page.rows], page.has_previous, page.has_next) == (
        [row.pk for row in last.rows],
        True,
        False,
    )
    assert len(page.rows) == 3


def test_queue_page_after_the_last_case_shows_the_last_page(seven_cases):
    last_case = _page("case", last=True).rows[-1]

    page = _page("case", after=last_case.pk)

    assert ([row.pk for row in page.rows], page.has_next) == (
        [row.pk for row in _page("case", last=True).rows],
        False,
    )
