from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

# Revision 3 (R3-1, R3-16, R3-23): crisis, emergency and "Not sure" to one of their questions
# share one path for contacting the patient today. The crisis-in-a-draft fields become the
# general ones, keeping their data: a crisis reported before this change stays listed (or
# contacted) exactly as it was, now with the reason "crisis".


def crisis_reports_keep_their_reason(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    Intake.objects.filter(contact_needed_at__isnull=False).update(contact_reasons=["crisis"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0012_constipation_not_treated_yet"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("intake", "crisis_reported_at", "contact_needed_at"),
        migrations.RenameField("intake", "crisis_contacted_at", "contacted_at"),
        migrations.RenameField("intake", "crisis_contacted_by", "contacted_by"),
        migrations.AddField(
            model_name="intake",
            name="contact_reasons",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The kinds reported, each once (ContactReason).",
            ),
        ),
        migrations.AddField(
            model_name="intake",
            name="emergency",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(crisis_reports_keep_their_reason, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=Q(contact_needed_at__isnull=False, contacted_at__isnull=True),
                fields=["contact_needed_at"],
                name="intake_contact_open",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("submit", "Submitted"),
                    ("export", "Exported"),
                    ("print", "Printed"),
                    ("login", "Signed in"),
                    ("login_failed", "Failed sign-in"),
                    ("invitation_created", "Invitation created"),
                    ("invitation_revoked", "Invitation revoked"),
                    ("invitation_reissued", "Invitation re-issued"),
                    ("invitation_opened", "Invitation opened"),
                    ("dob_failed", "Wrong date of birth"),
                    ("locked", "Link locked"),
                    ("status", "Status changed"),
                    ("assign", "Assigned"),
                    ("decision", "Test decision"),
                    ("note", "Note added"),
                    ("results", "Results entered"),
                    ("second_factor", "Second factor"),
                    ("erase", "Erased"),
                    ("contact_needed", "Contact needed: clinic alerted"),
                    ("contacted", "Patient contacted"),
                    ("crisis_reported", "Crisis reported in a draft"),
                    ("crisis_contacted", "Patient contacted after a crisis report"),
                ],
                max_length=30,
            ),
        ),
    ]
