# Patient contact details (issue 13): mobile phone, preferred channel and the clinic's own
# patient number (MRN, unique when set); the outbox learns the SMS channel.

import re

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0019_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="mobile_phone",
            field=models.CharField(
                blank=True,
                max_length=16,
                validators=[
                    django.core.validators.RegexValidator(
                        re.compile("\\A\\+[1-9]\\d{6,14}\\Z"),
                        "Enter the number in international form: +447400123456.",
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="mrn",
            field=models.CharField(
                blank=True,
                help_text="Capitals and digits, as the clinic's own system shows it; unique.",
                max_length=32,
                validators=[
                    django.core.validators.RegexValidator(
                        re.compile("\\A[A-Z0-9](?:[A-Z0-9./-]*[A-Z0-9])?\\Z"),
                        "Enter the clinic's patient number: up to 32 letters and digits, which "
                        "may be joined by -, / or .",
                    )
                ],
                verbose_name="clinic patient number (MRN)",
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="preferred_channel",
            field=models.CharField(
                choices=[
                    ("email", "Email"),
                    ("sms", "Text message"),
                    ("none", "No messages (the clinic passes on links itself)"),
                ],
                default="email",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="channel",
            field=models.CharField(
                choices=[("email", "Email"), ("sms", "Text message"), ("webhook", "Webhook")],
                default="email",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.UniqueConstraint(
                condition=models.Q(("mrn", ""), _negated=True),
                fields=("mrn",),
                name="one_patient_per_mrn",
            ),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.CheckConstraint(
                condition=models.Q(("preferred_channel__in", ["email", "sms", "none"])),
                name="patient_preferred_channel_known",
            ),
        ),
    ]
