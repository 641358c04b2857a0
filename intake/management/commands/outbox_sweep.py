"""Hand every due outbox message to the worker again, and mark failed those a dead worker left
half-sent. Safe to run at any time and as often as wanted (e.g. from cron every few minutes):
a message handed over twice is still sent once."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from intake.notifications import delivery
from intake.notifications.tasks import deliver_message


class Command(BaseCommand):
    help = "Queue due outbox messages again and fail those interrupted mid-send."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interrupted-after-minutes",
            type=int,
            default=15,
            help="A message still 'sending' after this long was interrupted (default 15).",
        )

    def handle(self, *args, interrupted_after_minutes: int, **options):
        if interrupted_after_minutes < 1:
            raise CommandError("--interrupted-after-minutes must be 1 or more.")
        failed = delivery.give_up_interrupted(
            older_than=dt.timedelta(minutes=interrupted_after_minutes)
        )
        due = delivery.due_ids()
        for message_id in due:
            deliver_message.enqueue(message_id)
        self.stdout.write(f"{len(due)} queued again, {failed} marked failed as interrupted.")
