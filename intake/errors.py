"""Refusals that cross layers: the services and selectors raise them, the views catch them.

They live below every layer (beside enums.py) so that a selector can refuse with the same
exception a service uses without importing the services."""


class IntakeError(Exception):
    """A refusal with a message fit to show the person who asked."""


class InvitationUnavailable(IntakeError):
    """The link is unknown, revoked, expired or already used."""


class LinkLocked(IntakeError):
    """Too many wrong dates of birth: the link is locked for a while."""


class StaleSave(IntakeError):
    """Another tab saved the step since this page was loaded."""


class NotEditable(IntakeError):
    """The questionnaire was sent: its answers no longer change."""


class Conflict(IntakeError):
    """Someone else changed the case since the practitioner's page was built."""
