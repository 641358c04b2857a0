from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

# The "done" markers of the steps ("legs:done": true, kept among the save counts in
# step_revisions) move to a field of their own, completed_steps ({"legs": true}). Then the rows
# are brought in line with the constraints of the next migration, where an older version of the
# app could have left them otherwise: a closed case without the time it was closed (its last
# change stands in), a case not closed that still holds one, and more than one live link to an
# intake (the newest is kept; the others are revoked now, as re-issuing does).

DONE = ":done"
BATCH = 1000


def _split(revisions: dict) -> tuple[dict, dict]:
    counts = {key: value for key, value in revisions.items() if not key.endswith(DONE)}
    done = {
        key.removesuffix(DONE): True
        for key, value in revisions.items()
        if key.endswith(DONE) and value
    }
    return counts, done


def move_done_markers(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    changed = []
    for intake in Intake.objects.only("pk", "step_revisions").iterator(chunk_size=BATCH):
        revisions = intake.step_revisions or {}
        if not any(key.endswith(DONE) for key in revisions):
            continue
        intake.step_revisions, intake.completed_steps = _split(revisions)
        changed.append(intake)
        if len(changed) == BATCH:
            Intake.objects.bulk_update(changed, ["step_revisions", "completed_steps"])
            changed = []
    Intake.objects.bulk_update(changed, ["step_revisions", "completed_steps"])


def put_done_markers_back(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    changed = []
    for intake in Intake.objects.only("pk", "step_revisions", "completed_steps").iterator(
        chunk_size=BATCH
    ):
        if not intake.completed_steps:
            continue
        markers = {f"{slug}{DONE}": True for slug in intake.completed_steps}
        intake.step_revisions = {**(intake.step_revisions or {}), **markers}
        changed.append(intake)
    Intake.objects.bulk_update(changed, ["step_revisions"], batch_size=BATCH)


def make_rows_consistent(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    Invitation = apps.get_model("intake", "Invitation")
    Intake.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=F("updated_at"))
    Intake.objects.filter(~Q(status="closed"), closed_at__isnull=False).update(closed_at=None)
    live = Invitation.objects.filter(revoked_at__isnull=True)
    newest = live.filter(intake=OuterRef("intake")).order_by("-created_at", "-pk").values("pk")[:1]
    older = list(live.exclude(pk=Subquery(newest)).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=older).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0022_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="intake",
            name="completed_steps",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(move_done_markers, put_done_markers_back),
        migrations.RunPython(make_rows_consistent, migrations.RunPython.noop),
    ]
