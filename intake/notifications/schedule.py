"""When a reminder is due: plain date arithmetic on the clinic's rules, no database.

A link never opened is reminded `unopened_days` after it was sent (or after the last reminder);
a link opened, or a questionnaire started, and then left alone is reminded `idle_days` after the
patient last opened or saved it (or after the last reminder). A time that falls in the clinic's
quiet hours moves to their end, the next morning in the clinic's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

__all__ = ["Rules", "in_quiet_hours", "next_allowed", "reminder_due_at"]


@dataclass(frozen=True)
class Rules:
    unopened_days: int
    idle_days: int
    max_reminders: int
    quiet_from: dt.time
    quiet_until: dt.time
    time_zone: str


def in_quiet_hours(moment: dt.datetime, *, rules: Rules) -> bool:
    """Whether `moment` is in the quiet hours, read on the clinic's clock. The hours may run
    past midnight (21:00 to 08:00); the same time for both means there are none."""
    start, end = rules.quiet_from, rules.quiet_until
    if start == end:
        return False
    clock = moment.astimezone(ZoneInfo(rules.time_zone)).time()
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def next_allowed(moment: dt.datetime, *, rules: Rules) -> dt.datetime:
    """`moment` itself outside the quiet hours; in them, the moment they end."""
    if not in_quiet_hours(moment, rules=rules):
        return moment
    zone = ZoneInfo(rules.time_zone)
    local = moment.astimezone(zone)
    day = local.date()
    if local.time() >= rules.quiet_until:  # evening: the quiet hours end tomorrow morning
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, rules.quiet_until, tzinfo=zone)


def reminder_due_at(
    *,
    sent_at: dt.datetime,
    last_activity: dt.datetime | None,
    reminders_sent: int,
    last_reminder_at: dt.datetime | None,
    rules: Rules,
) -> dt.datetime | None:
    """When the next reminder is due, or None when the link has had all its reminders.
    `last_activity` is when the patient last opened the link or saved an answer (None: never
    opened)."""
    if reminders_sent >= rules.max_reminders:
        return None
    if last_activity is None:
        wait, since = dt.timedelta(days=rules.unopened_days), sent_at
    else:
        wait, since = dt.timedelta(days=rules.idle_days), last_activity
    if last_reminder_at is not None:
        since = max(since, last_reminder_at)
    return next_allowed(since + wait, rules=rules)
