"""Queue the reminders that are due (intake/services/reminders.py); the outbox's worker sends
them. Once and done, for cron (e.g. every 15 minutes), or with --every SECONDS as a process
that plans again after each pause (`make run` starts it so, beside the worker). Safe to run
at any time, as often as wanted, and twice at once: each reminder is queued once."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from intake import services


class Command(BaseCommand):
    help = "Queue the reminders that are due (once, or every --every seconds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, planning again after this many seconds (60 or more).",
        )

    def handle(self, *args, every: int, **options):
        if every and every < 60:
            raise CommandError("--every must be 60 seconds or more (or left out to run once).")
        while True:
            summary = services.plan_reminders()
            if summary.quiet_hours:
                self.stdout.write("Quiet hours: no reminders are sent now.")
            else:
                self.stdout.write(
                    f"Reminders queued: {summary.queued} (links checked: {summary.checked})."
                )
            if not every:
                return
            close_old_connections()
            time.sleep(every)
