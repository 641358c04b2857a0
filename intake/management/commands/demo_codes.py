"""Print new one-time codes for the demo accounts' second sign-in step."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake import demo
from intake.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = (
        "Print new one-time codes for the second sign-in step of the demo accounts made by "
        "seed_demo (all of them, or those named). The codes not used yet stop working; "
        "nobody is signed out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "usernames", nargs="*", help=f"Demo accounts (default: {', '.join(DEMO_ACCOUNTS)})."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off, on a database that is not a live clinic's.",
        )

    def handle(self, *args, usernames: list[str], force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "demo_codes is for the demo accounts, so it runs only with DEBUG=true (or "
                "--force on a database that is not a live clinic's)."
            )
        asked = usernames or list(DEMO_ACCOUNTS)
        unknown = sorted(set(asked) - set(DEMO_ACCOUNTS))
        if unknown:
            raise CommandError(
                f"Not a demo account: {', '.join(unknown)}. "
                f"The demo accounts are {', '.join(DEMO_ACCOUNTS)}."
            )
        users = {
            user.username: user for user in get_user_model().objects.filter(username__in=asked)
        }
        missing = [name for name in asked if name not in users]
        if missing:
            raise CommandError(
                f"No account {', '.join(missing)} yet: run seed_demo (make run) first."
            )
        with transaction.atomic():
            codes = {name: demo.sign_in_codes(user=users[name]) for name in asked}
        self.stdout.write(
            "Second step: one-time codes (each works once; the earlier ones no longer do)"
        )
        for name, user_codes in codes.items():
            self.stdout.write(f"  {name}: {' '.join(user_codes)}")
