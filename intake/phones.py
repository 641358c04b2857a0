"""A patient's mobile number and the clinic's own patient identifier (MRN): checked and put in
one stored form. Plain Python (phonenumberslite, Google's libphonenumber rules without the
geocoding data), so that forms, services and tests share one definition."""

from __future__ import annotations

import re

import phonenumbers

__all__ = [
    "InvalidValue",
    "MRN_MAX_LENGTH",
    "MOBILE_MAX_LENGTH",
    "normalise_mobile",
    "normalise_mrn",
    "E164",
    "display_mobile",
]

# E.164: a plus, the country code and the number, 15 digits at most. Anchored, since model
# validators search rather than match.
E164 = re.compile(r"\A\+[1-9]\d{6,14}\Z")
MOBILE_MAX_LENGTH = 16
# What people type around the digits of a phone number, and nothing else: no letters (an
# extension or a note belongs elsewhere) and only ASCII digits.
PHONE_TYPED = re.compile(r"[0-9+ ()./-]{1,40}")
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

MRN_MAX_LENGTH = 32
# Letters, digits, and "-", "/" or "." between them: what hospital and practice systems use,
# safe in a FHIR search URL and a CSV cell. Spaces typed between groups are dropped.
MRN = re.compile(r"\A[A-Z0-9](?:[A-Z0-9./-]*[A-Z0-9])?\Z")

MOBILE_ERROR = (
    "Enter a mobile phone number, such as 07400 123456, or +353 85 123 4567 for a number abroad."
)
NOT_MOBILE_ERROR = "This is not a mobile number: text messages need one."
MRN_ERROR = (
    f"Enter the clinic's patient number: up to {MRN_MAX_LENGTH} letters and digits, which may "
    "be joined by -, / or ."
)


class InvalidValue(ValueError):
    """The typed value cannot be stored; the message says what to type instead."""


def normalise_mobile(typed: str, *, region: str) -> str:
    """A mobile number as typed (national in the clinic's region, or international with + or
    00) in E.164 form, e.g. "+447400123456"; "" for nothing typed. InvalidValue otherwise."""
    text = typed.strip()
    if not text:
        return ""
    if not PHONE_TYPED.fullmatch(text):
        raise InvalidValue(MOBILE_ERROR)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(MOBILE_ERROR) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(MOBILE_ERROR)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidValue(NOT_MOBILE_ERROR)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_mobile(stored: str) -> str:
    """The stored E.164 number grouped for reading: "+44 7400 123456"."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_mrn(typed: str) -> str:
    """The clinic's patient identifier in capitals without spaces ("ab 123-4" is "AB123-4"),
    so that one number is one record however it was typed; "" for nothing typed."""
    text = "".join(typed.split()).upper()
    if not text:
        return ""
    if len(text) > MRN_MAX_LENGTH or not text.isascii() or not MRN.fullmatch(text):
        raise InvalidValue(MRN_ERROR)
    return text
