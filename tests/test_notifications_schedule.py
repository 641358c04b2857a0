"""When a reminder is due (intake/notifications/schedule.py): plain date arithmetic on the
clinic's rules, no database. Table-driven, on the clinic's clock (London, whose clocks change)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from intake.notifications.schedule import Rules, in_quiet_hours, next_allowed, reminder_due_at

LONDON = ZoneInfo("Europe/London")
RULES = Rules(
    unopened_days=3,
    idle_days=2,
    max_reminders=2,
    quiet_from=dt.time(21, 0),
    quiet_until=dt.time(8, 0),
    time_zone="Europe/London",
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        ("2026-01-08 20:59", False),
        ("2026-01-08 21:00", True),
        ("2026-01-08 23:59", True),
        ("2026-01-09 00:00", True),
        ("2026-01-09 07:59", True),
        ("2026-01-09 08:00", False),
        ("2026-07-09 21:30", True),  # summer time: still 21:30 on the clinic's clock
        ("2026-07-09 08:30", False),
    ],
)
def test_in_quiet_hours_across_midnight(moment, quiet):
    assert in_quiet_hours(at(moment), rules=RULES) is quiet


def test_in_quiet_hours_read_on_the_clinics_clock_not_utc():
    # 20:30 UTC in July is 21:30 in London: quiet there.
    assert in_quiet_hours(dt.datetime(2026, 7, 9, 20, 30, tzinfo=dt.UTC), rules=RULES) is True


@pytest.mark.parametrize(
    ("start", "end", "moment", "quiet"),
    [
        ("12:00", "14:00", "2026-01-08 11:59", False),  # hours within one day
        ("12:00", "14:00", "2026-01-08 12:00", True),
        ("12:00", "14:00", "2026-01-08 14:00", False),
        ("09:00", "09:00", "2026-01-08 09:00", False),  # the same time: no quiet hours
        ("09:00", "09:00", "2026-01-08 03:00", False),
    ],
)
def test_in_quiet_hours_other_shapes(start, end, moment, quiet):
    rules = Rules(
        unopened_days=3,
        idle_days=2,
        max_reminders=2,
        quiet_from=dt.time.fromisoformat(start),
        quiet_until=dt.time.fromisoformat(end),
        time_zone="Europe/London",
    )
    assert in_quiet_hours(at(moment), rules=rules) is quiet


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-01-08 12:00", "2026-01-08 12:00"),  # daytime: as it is
        ("2026-01-08 22:30", "2026-01-09 08:00"),  # evening: tomorrow morning
        ("2026-01-09 03:00", "2026-01-09 08:00"),  # small hours: this morning
        ("2026-03-28 23:00", "2026-03-29 08:00"),  # the night the clocks go forward
        ("2026-10-24 23:00", "2026-10-25 08:00"),  # and back
    ],
)
def test_next_allowed_moves_to_the_morning(moment, allowed):
    assert next_allowed(at(moment), rules=RULES) == at(allowed)


@pytest.mark.parametrize(
    ("opened", "reminders", "last_reminder", "due"),
    [
        (None, 0, None, "2026-01-08 10:00"),  # not opened: 3 days after sending
        (None, 1, "2026-01-08 10:00", "2026-01-11 10:00"),  # 3 days after the reminder
        ("2026-01-06 09:00", 0, None, "2026-01-08 09:00"),  # opened: 2 days after
        ("2026-01-09 18:00", 1, "2026-01-08 10:00", "2026-01-11 18:00"),  # a later visit counts
        ("2026-01-06 22:00", 0, None, "2026-01-09 08:00"),  # due at 22:00: the morning
        (None, 2, "2026-01-11 10:00", None),  # the maximum reached
    ],
)
def test_reminder_due_at(opened, reminders, last_reminder, due):
    result = reminder_due_at(
        sent_at=at("2026-01-05 10:00"),
        last_activity=at(opened) if opened else None,
        reminders_sent=reminders,
        last_reminder_at=at(last_reminder) if last_reminder else None,
        rules=RULES,
    )
    assert result == (at(due) if due else None)
