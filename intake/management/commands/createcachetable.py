"""Django's `createcachetable`, as the owner role when DATABASE_OWNER_URL is set
(intake.management.owner): the app's own role may not create tables."""

from __future__ import annotations

from django.core.management.commands import createcachetable

from intake.management.owner import use_owner_role


class Command(createcachetable.Command):
    def handle(self, *args, **options):
        use_owner_role(options["database"])
        return super().handle(*args, **options)
