"""The background task: its only argument is the outbox message's id."""

from __future__ import annotations

from django_tasks import task

from intake.notifications import delivery
from intake.notifications.models import OutboxMessage, OutboxState


@task()
def deliver_message(message_id: int) -> str:
    state = delivery.deliver(message_id)
    if state == OutboxState.QUEUED:
        # Failed this time: the next try is a new task, due when the back-off has passed.
        later = OutboxMessage.objects.values_list("next_attempt_at", flat=True).get(pk=message_id)
        deliver_message.using(run_after=later).enqueue(message_id)
    return str(state)
