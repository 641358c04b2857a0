"""Every write, one transaction each. Views and commands call these; nothing else writes.

- common: refusals (IntakeError and kin), the audit trail, date and token helpers
- invitations: links, the date-of-birth check
- answers: saving steps, the order of steps, consent
- evaluation: the intake in the engine's terms (the only caller of the engine)
- contact: answers calling for contact today, reported to the clinic at once
- submission: the one-time submit and what it queues
- cases: the practitioner's workflow, decisions, notes, results
- accounts: the staff second factor
- languages: the patient's language, kept on the intake
- notifications: messages to patients and staff alerts, through the outbox
- reminders: the reminder planner, reminders sent by hand, the patient's "stop reminders"
- records: data protection (subject-access export, erasure on request)
"""

from intake.services.accounts import *  # noqa: F403
from intake.services.answers import *  # noqa: F403
from intake.services.cases import *  # noqa: F403
from intake.services.common import *  # noqa: F403
from intake.services.contact import *  # noqa: F403
from intake.services.evaluation import *  # noqa: F403
from intake.services.invitations import *  # noqa: F403
from intake.services.languages import *  # noqa: F403
from intake.services.notifications import *  # noqa: F403
from intake.services.records import *  # noqa: F403
from intake.services.reminders import *  # noqa: F403
from intake.services.submission import *  # noqa: F403
