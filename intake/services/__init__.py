"""Every write, one transaction each. Views and commands call these; nothing else writes.

- common: refusals (IntakeError and kin), the audit trail, date and token helpers
- invitations: links, the date-of-birth check
- answers: saving steps, consent, evaluation (the only caller of clinical.evaluate), submit
- cases: the practitioner's workflow, decisions, notes, results
- accounts: the staff second factor
- notifications: messages to patients and staff alerts, through the outbox
- reminders: the reminder planner, reminders sent by hand, the patient's "stop reminders"
- records: data protection (subject-access export, erasure on request)
"""

from intake.services.accounts import *  # noqa: F403
from intake.services.answers import *  # noqa: F403
from intake.services.cases import *  # noqa: F403
from intake.services.common import *  # noqa: F403
from intake.services.invitations import *  # noqa: F403
from intake.services.notifications import *  # noqa: F403
from intake.services.records import *  # noqa: F403
from intake.services.reminders import *  # noqa: F403
