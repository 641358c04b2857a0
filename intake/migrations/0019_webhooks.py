# Webhook endpoints and their delivery log (issue 14); the outbox learns the webhook channel.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import intake.notifications.webhook_models


def grant_webhooks(apps, schema_editor):
    # The Clinic admin role registers webhook endpoints and reads their delivery log.
    from intake.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0018_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="channel",
            field=models.CharField(
                choices=[("email", "Email"), ("webhook", "Webhook")],
                default="email",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation link"),
                    ("submitted", "Submission confirmation"),
                    ("webhook_submitted", "Submission notice (webhook)"),
                    ("reminder", "Reminder"),
                    ("staff_alert", "Staff alert"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "url",
                    models.CharField(
                        help_text="Where to post the notice, e.g. https://ehr.example.org/hooks/intake.",
                        max_length=500,
                        validators=[intake.notifications.webhook_models.validate_webhook_url],
                        verbose_name="address",
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        blank=True,
                        help_text="Which system this is, for the clinic's staff.",
                        max_length=200,
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Untick to stop sending notices to this address.",
                        verbose_name="active",
                    ),
                ),
                ("secret", models.CharField(editable=False, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "webhook endpoint", "ordering": ["pk"]},
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attempt", models.PositiveSmallIntegerField()),
                ("attempted_at", models.DateTimeField()),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("duration_ms", models.PositiveIntegerField()),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="intake.webhookendpoint",
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_deliveries",
                        to="intake.outboxmessage",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-attempted_at", "-pk"],
                "indexes": [
                    models.Index(fields=["endpoint", "-attempted_at"], name="webhook_delivery_log")
                ],
            },
        ),
        migrations.RunPython(grant_webhooks, migrations.RunPython.noop),
    ]
