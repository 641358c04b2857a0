"""The background task: its only argument is the outbox message's id."""

from __future__ import annotations

from django_tasks import task

from intake.notifications import delivery


@task()
def deliver_message(message_id: int) -> str:
    return str(delivery.deliver(message_id))
