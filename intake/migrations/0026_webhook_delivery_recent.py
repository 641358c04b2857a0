# The webhook delivery log's default sort (newest first) served by an index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0025_patient_name_lower"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["-attempted_at"], name="webhook_delivery_recent"),
        ),
    ]
