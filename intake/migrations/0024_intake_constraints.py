from django.db import migrations, models
from django.db.models import Q

# What the data model guarantees, held by the database (the rows were brought in line by 0023).
# A separate migration, so that on PostgreSQL the constraints are added in a transaction of
# their own, after the one that changed the rows.


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0023_completed_steps_and_consistent_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=Q(status__in=["draft", "new", "in_review", "tests_ordered", "closed"]),
                name="intake_status_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="intake_closed_iff_closed_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=Q(contacted_at__isnull=True) | Q(contact_needed_at__isnull=False),
                name="intake_contacted_after_need",
            ),
        ),
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=Q(contacted_by__isnull=True) | Q(contacted_at__isnull=False),
                name="intake_contacted_by_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=Q(revoked_at__isnull=True),
                fields=("intake",),
                name="one_live_invitation_per_intake",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=Q(kind__in=["submission", "results"]), name="assessment_kind_known"
            ),
        ),
        migrations.AddConstraint(
            model_name="testrecommendation",
            constraint=models.CheckConstraint(
                condition=Q(test__in=["thyroid", "iron_panel", "celiac", "stool", "sibo_breath"]),
                name="recommendation_test_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="testrecommendation",
            constraint=models.CheckConstraint(
                condition=Q(decision__in=["pending", "ordered", "declined", "already_done"]),
                name="recommendation_decision_known",
            ),
        ),
    ]
