"""Every non-trivial read, by subject, mirroring the services. Views get their data from here,
scoped to what the asker may see.

- common: the permission each staff read needs, and scoping to it
- answers: the patient's path, the answers as people read them
- invitations: links and their states
- queue: the practitioners' work queue and its count strip
- cases: one case and what the case page shows
- exports: the queue as CSV rows
- overview: the clinic overview's figures
- records: data protection (patients' records, retention)
- subject_access: everything held about one patient, for a subject-access request
- accounts: the staff second factor
"""

from intake.selectors.accounts import *  # noqa: F403
from intake.selectors.answers import *  # noqa: F403
from intake.selectors.cases import *  # noqa: F403
from intake.selectors.common import *  # noqa: F403
from intake.selectors.exports import *  # noqa: F403
from intake.selectors.invitations import *  # noqa: F403
from intake.selectors.overview import *  # noqa: F403
from intake.selectors.queue import *  # noqa: F403
from intake.selectors.records import *  # noqa: F403
from intake.selectors.subject_access import *  # noqa: F403
