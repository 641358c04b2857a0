from django.db import migrations

# Revision 3 (R3-3): the child's "has the constipation been treated" answer no longer takes
# "na"; what it meant is "It has not been treated yet". Stored drafts and the answers kept with
# earlier assessments move to the new value, so a draft can be sent and a case re-evaluated.
KEY = "pain_resolves_with_constipation_treatment"
OLD = "na"
NEW = "not_treated_yet"


def _move(apps, field: str, model_name: str, old: str, new: str) -> None:
    model = apps.get_model("intake", model_name)
    rows = model.objects.filter(**{f"{field}__{KEY}": old}).only("pk", field)
    for row in rows.iterator(chunk_size=500):
        answers = getattr(row, field)
        answers[KEY] = new
        setattr(row, field, answers)
        row.save(update_fields=[field])


def forward(apps, schema_editor):
    _move(apps, "answers", "Intake", OLD, NEW)
    _move(apps, "engine_answers", "Assessment", OLD, NEW)


def backward(apps, schema_editor):
    _move(apps, "answers", "Intake", NEW, OLD)
    _move(apps, "engine_answers", "Assessment", NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("intake", "0011_clinic_admin_reads_notes_and_results")]

    operations = [migrations.RunPython(forward, backward)]
