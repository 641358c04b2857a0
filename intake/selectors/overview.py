"""The clinic overview's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake import questionnaire
from intake.enums import CaseStatus
from intake.models import Intake, Invitation
from intake.questionnaire import StepKind
from intake.selectors.common import CASES, visible

# The overview's periods: query value -> (days back, or None for all time; label).
OVERVIEW_PERIODS = {
    "30": (30, _("the last 30 days")),
    "90": (90, _("the last 90 days")),
    "365": (365, _("the last 12 months")),
    "all": (None, _("all time")),
}
OVERVIEW_DEFAULT_PERIOD = "90"
# Open cases by calendar days since they were submitted: (label, from, to before; None: on).
QUEUE_AGES = (
    (_("Today"), 0, 1),
    (_("1 to 2 days"), 1, 3),
    (_("3 to 7 days"), 3, 8),
    (_("8 to 14 days"), 8, 15),
    (_("15 to 30 days"), 15, 31),
    (_("Over 30 days"), 31, None),
)
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_REVIEW, CaseStatus.TESTS_ORDERED)
NOT_PAST_FIRST_STEP = _("No step finished yet")


@dataclass(frozen=True)
class Overview:
    """The clinic's figures for the overview page. The funnel and the stopping points count the
    questionnaires whose link was made in the period; the queue's figures are as of now."""

    period: str
    period_label: str
    funnel: list[tuple[str, int]]  # sent, opened, started, submitted
    median_to_submit: dt.timedelta | None
    submitted_count: int
    stopped_after: list[tuple[str, int]]  # last step finished, of questionnaires not sent
    by_status: list[tuple[str, int]]
    by_age: list[tuple[str, int]]


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    """The middle one, or the mean of the middle two: `values` are those from the middle."""
    if not values:
        return None
    return values[0] if len(values) == 1 else (values[0] + values[1]) / 2


def _stopped_after(drafts: QuerySet[Intake]) -> list[tuple[str, int]]:
    """Drafts with answers, by the last step (in the questionnaire's order) they finished: one
    count per step, in one query. A step finished is a key of `completed_steps`."""
    steps = [step for step in questionnaire.STEPS if step.kind != StepKind.CONSENT]
    done = [Q(completed_steps__has_key=step.slug) for step in steps]
    counts = {}
    for index, step in enumerate(steps):
        later = Q()
        for other in done[index + 1 :]:
            later |= other
        last = done[index] & ~later if index + 1 < len(steps) else done[index]
        counts[step.slug] = Count("pk", filter=last)
    none = Q()
    for each in done:
        none |= each
    counts["none"] = Count("pk", filter=~none)
    found = drafts.aggregate(**counts)
    # The step titles are the questionnaire's (marked with gettext_noop), in the staff language.
    return [(str(NOT_PAST_FIRST_STEP), found["none"])] + [
        (gettext(step.title), found[step.slug]) for step in steps
    ]


def clinic_overview(*, user, period: str = OVERVIEW_DEFAULT_PERIOD, now=None) -> Overview:
    """The overview page's figures in four queries, however many patients: the funnel, the
    middle of the times to submit, the stopping points, and the queue by status and age.
    Nothing for a role that may not see cases."""
    now = now or timezone.now()
    days, period_label = OVERVIEW_PERIODS.get(period, OVERVIEW_PERIODS[OVERVIEW_DEFAULT_PERIOD])
    intakes = visible(Intake.objects, user=user, permission=CASES)
    made = intakes if days is None else intakes.filter(created_at__gte=now - dt.timedelta(days))
    opened = Exists(Invitation.objects.filter(intake=OuterRef("pk"), last_opened_at__isnull=False))
    # Each stage counts those that went further too: a questionnaire sent was started, and one
    # started was opened, even when the record of it is missing (answers erased on request).
    sent_in = Q(submitted_at__isnull=False)
    started = ~Q(answers={})
    funnel = made.aggregate(
        sent=Count("pk"),
        opened=Count("pk", filter=Q(opened) | started | sent_in),
        started=Count("pk", filter=started | sent_in),
        submitted=Count("pk", filter=sent_in),
    )
    submitted = funnel["submitted"]
    # The median from the sorted durations: only the middle one or two rows are read.
    middle = (
        list(
            made.filter(submitted_at__isnull=False)
            .annotate(took=ExpressionWrapper(F("submitted_at") - F("created_at"), DurationField()))
            .order_by("took", "pk")
            .values_list("took", flat=True)[(submitted - 1) // 2 : submitted // 2 + 1]
        )
        if submitted
        else []
    )
    today = timezone.localdate(now)

    def midnight(days_ago: int) -> dt.datetime:
        day = today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def submitted_between(start: int, end: int | None) -> Q:
        # Calendar days since submission: `start` or more, fewer than `end`.
        window = Q(submitted_at__lt=midnight(start - 1))
        return window if end is None else window & Q(submitted_at__gte=midnight(end - 1))

    queue = intakes.exclude(status=CaseStatus.DRAFT).aggregate(
        **{
            f"status_{status}": Count("pk", filter=Q(status=status)) for status in CaseStatus.values
        },
        **{
            f"age_{index}": Count(
                "pk", filter=Q(status__in=OPEN_STATUSES) & submitted_between(start, end)
            )
            for index, (_label, start, end) in enumerate(QUEUE_AGES)
        },
    )
    labels = dict(CaseStatus.choices)
    return Overview(
        period=period if period in OVERVIEW_PERIODS else OVERVIEW_DEFAULT_PERIOD,
        period_label=str(period_label),
        funnel=[
            (gettext("Invitations sent"), funnel["sent"]),
            (gettext("Opened"), funnel["opened"]),
            (gettext("Started"), funnel["started"]),
            (gettext("Submitted"), submitted),
        ],
        median_to_submit=_median(middle),
        submitted_count=submitted,
        stopped_after=_stopped_after(made.filter(started, submitted_at__isnull=True)),
        by_status=[
            (str(labels[status]), queue[f"status_{status}"])
            for status in CaseStatus.values
            if status != CaseStatus.DRAFT
        ],
        by_age=[
            (str(label), queue[f"age_{index}"]) for index, (label, _s, _e) in enumerate(QUEUE_AGES)
        ],
    )
