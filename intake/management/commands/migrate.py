"""Django's `migrate`, as the owner role when DATABASE_OWNER_URL is set (intake.management.
owner)."""

from __future__ import annotations

from django.core.management.commands import migrate

from intake.management.owner import use_owner_role


class Command(migrate.Command):
    help = migrate.Command.help + " As the owner role when DATABASE_OWNER_URL is set."

    def handle(self, *args, **options):
        if use_owner_role(options["database"]) and options["verbosity"] >= 1:
            self.stdout.write("Migrating as the owner role (DATABASE_OWNER_URL).")
        return super().handle(*args, **options)
