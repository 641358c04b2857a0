"""Input parsing and validation, with plain, specific messages, by audience:

- patient: the date-of-birth check, the questionnaire's steps (built from intake/questionnaire/)
  and consent
- staff: invitations, the work queue's filters, the changes to a case
- records: data protection (the erasure confirmation)
- accounts: staff sign-in's second step
- details, labs: what several audiences share (who an intake is for; lab results as rows)

The names below are the package's public ones, so `from intake import forms` keeps working.
"""

from intake.forms.accounts import CodeForm
from intake.forms.details import NAME_MAX_LENGTH, PatientDetailsForm
from intake.forms.labs import (
    LAB_TEST_CHOICES,
    LAB_UNITS,
    UNIT_CHOICES,
    BaseLabRowFormSet,
    LabRowForm,
    LabRowFormSet,
)
from intake.forms.patient import (
    CHOOSE_ONE,
    NONE_WITH_OTHERS,
    PHQ9_PARTIAL,
    REVISION_MISSING,
    TEXT_MAX_LENGTH,
    TICK_ONE,
    ConsentForm,
    DateOfBirthForm,
    IrlsForm,
    LabsForm,
    MoodForm,
    SliderInput,
    StepForm,
    number_message,
    step_form_class,
)
from intake.forms.records import ErasureForm
from intake.forms.staff import (
    AssignForm,
    CaseChangeForm,
    DecisionForm,
    InvitationForm,
    NoteForm,
    QueueFilterForm,
    ResultsForm,
    StatusForm,
)

__all__ = [
    "CHOOSE_ONE",
    "LAB_TEST_CHOICES",
    "LAB_UNITS",
    "NAME_MAX_LENGTH",
    "NONE_WITH_OTHERS",
    "PHQ9_PARTIAL",
    "REVISION_MISSING",
    "TEXT_MAX_LENGTH",
    "TICK_ONE",
    "UNIT_CHOICES",
    "AssignForm",
    "BaseLabRowFormSet",
    "CaseChangeForm",
    "CodeForm",
    "ConsentForm",
    "DateOfBirthForm",
    "DecisionForm",
    "ErasureForm",
    "InvitationForm",
    "IrlsForm",
    "LabRowForm",
    "LabRowFormSet",
    "LabsForm",
    "MoodForm",
    "NoteForm",
    "PatientDetailsForm",
    "QueueFilterForm",
    "ResultsForm",
    "SliderInput",
    "StatusForm",
    "StepForm",
    "number_message",
    "step_form_class",
]
