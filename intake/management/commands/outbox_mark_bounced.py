"""Record that a sent email bounced, as the mail provider reported it: by the message's id (the
X-Outbox-Id header of the bounced email) or by the address (its latest sent email). The
invitations page then shows "bounced", and the patient gets no more reminders until staff have
checked the address."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from intake.enums import AuditAction
from intake.models import OutboxMessage
from intake.notifications import delivery
from intake.services import record_event


class Command(BaseCommand):
    help = "Mark a sent email bounced: by outbox message id, or the latest one to an address."

    def add_arguments(self, parser):
        parser.add_argument("target", help="An outbox message id, or an email address.")
        parser.add_argument("--reason", default="", help="What the mail provider said (short).")

    def handle(self, *args, target: str, reason: str, **options):
        target = target.strip()
        if target.isdigit():
            ids = delivery.mark_bounced(message_id=int(target), reason=reason)
        elif "@" in target:
            ids = delivery.mark_bounced(address=target, reason=reason)
        else:
            raise CommandError("Give an outbox message id (a number) or an email address.")
        if not ids:
            raise CommandError(f"No sent email matches {target!r}; nothing was marked.")
        for message in OutboxMessage.objects.filter(pk__in=ids).select_related("intake__patient"):
            record_event(
                action=AuditAction.UPDATE,
                intake=message.intake,
                obj=message,
                summary="message marked bounced (reported by the mail provider)",
                actor_label="manage.py outbox_mark_bounced",
            )
        self.stdout.write(f"Marked bounced: message {ids[0]}.")
