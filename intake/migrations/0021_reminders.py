# Reminders (issue 13): the clinic's settings (one row, edited by a clinic admin), the
# patient's "stop reminders" on the invitation, and one reminder per number per invitation.

import datetime

import django.core.validators
from django.db import migrations, models


def reapply_roles(apps, schema_editor):
    # The Clinic admin role edits the clinic settings (intake/roles.py).
    from intake.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


def create_settings_row(apps, schema_editor):
    # The one row, with the defaults, so that the admin lists it from the start.
    apps.get_model("intake", "ClinicSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0020_patient_contact_details"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClinicSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reminders_enabled",
                    models.BooleanField(
                        default=True, help_text="Untick to send no automatic reminders at all."
                    ),
                ),
                (
                    "unopened_days",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="Counted from the link's sending, or from the last reminder.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(30),
                        ],
                        verbose_name="remind when a link is not opened after (days)",
                    ),
                ),
                (
                    "idle_days",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="Counted from the patient's last visit, or the last reminder.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(30),
                        ],
                        verbose_name="remind when a started questionnaire is untouched for (days)",
                    ),
                ),
                (
                    "max_reminders",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="Automatic and sent by hand together. 0 sends none.",
                        validators=[django.core.validators.MaxValueValidator(5)],
                        verbose_name="most reminders per link",
                    ),
                ),
                (
                    "quiet_from",
                    models.TimeField(
                        default=datetime.time(21, 0),
                        help_text="Clinic time. A reminder due then waits for the morning.",
                        verbose_name="no reminders from",
                    ),
                ),
                (
                    "quiet_until",
                    models.TimeField(
                        default=datetime.time(8, 0),
                        help_text="The same time in both means no quiet hours.",
                        verbose_name="until",
                    ),
                ),
                (
                    "sign_off",
                    models.CharField(
                        blank=True,
                        default="The clinic team",
                        help_text="The last line of messages to patients, above the clinic's name.",
                        max_length=200,
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "clinic settings",
                "verbose_name_plural": "clinic settings",
            },
        ),
        migrations.AddField(
            model_name="invitation",
            name="reminders_stopped_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="reminder_number",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reminder_number__isnull", False)),
                fields=("invitation", "reminder_number"),
                name="outbox_one_reminder_per_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="clinicsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("id", 1)), name="clinic_settings_one_row"
            ),
        ),
        migrations.RunPython(create_settings_row, migrations.RunPython.noop),
        migrations.RunPython(reapply_roles, migrations.RunPython.noop),
    ]
