"""The clinical engine of clinical-spec.md: plain Python, no Django, no clock, no I/O.

from intake.clinical import evaluate, RULESET_VERSION
assessment = evaluate(answers, protocol_rules=True, irls_licensed=False,
                      iron_lookback_days=90, tsh_lookback_days=365, celiac_lookback_days=365)
assessment.as_dict()  # the shape of spec §11
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from . import gut, history, mood, quality, rls
from .answers import KEY_ORDER, Answers, parse_answers
from .catalogue import RULESET_VERSION
from .flags import Context, evaluate_flags, not_assessed
from .red_flags import RedFlagResult, evaluate_red_flags

__all__ = ["RULESET_VERSION", "Assessment", "RedFlagResult", "evaluate", "urgent"]

ADULT_AGE = 18  # §3.1: 6 <= age < 18 is paediatric
DEFAULT_MIN_AGE = 6  # §3.1 MIN_AGE: below it nothing is assessed automatically


class Assessment:
    """The result of one evaluation.

    `as_dict()` is exactly the §11 shape, new on every call. `notes` holds the
    practitioner-facing sentences the spec asks to show that have no field in §11 (alarm
    features with IBS, the subtype caveat, augmentation), each as {"code", "text"}.
    """

    def __init__(
        self,
        *,
        status: str,
        rls_result: rls.RlsResult,
        ibs: gut.IbsResult,
        ibs_sss: dict[str, object],
        phq9: dict[str, object],
        flags: dict[str, dict],
        red: RedFlagResult,
        associations: list[dict[str, str]],
        aggravators: list[dict[str, str]],
        missing: list[str],
        conflicts: list[str],
        unsure_red_flags: list[str],
        notes: list[dict[str, str]],
    ):
        self._dict = {
            "assessment_status": status,
            "rls": {
                "status": rls_result.status,
                "criteria": rls_result.criteria,
                "failed": rls_result.failed,
                "unknown": rls_result.unknown,
                "course": rls_result.course,
                "clinically_significant": rls_result.clinically_significant,
                "riss": rls_result.riss,
                "irls": rls_result.irls,
                "augmentation_suspected": rls_result.augmentation_suspected,
                "cautions": rls_result.cautions,
            },
            "ibs": {
                "status": ibs.status,
                "variant": ibs.variant,
                "subtype": ibs.subtype,
                "alarm_features_present": red.gi_alarm,
                "notes": ibs.notes,
                "ibs_sss": ibs_sss,
            },
            "phq9": phq9,
            "flags": flags,
            "urgent": {
                "value": bool(red.reasons),
                "reasons": red.reasons,
                "crisis": red.crisis,
                "emergency": red.emergency,
            },
            "associations": associations,
            "aggravators": aggravators,
            "data_quality": {
                "missing": missing,
                "conflicts": conflicts,
                "unsure_red_flags": unsure_red_flags,
            },
        }
        self._json = json.dumps(self._dict, ensure_ascii=False)
        self._red = red
        self.notes = notes
        self.ruleset_version = RULESET_VERSION

    def as_dict(self) -> dict:
        """The §11 dict, new on every call, so the caller may mutate it. Kept as JSON text:
        decoding it is several times faster than copying the dicts in Python, and proves the
        output JSON-serialisable (spec §0)."""
        return json.loads(self._json)

    @property
    def urgent(self) -> bool:
        return bool(self._red.reasons)

    @property
    def crisis(self) -> bool:
        """RF-12: crisis resources now."""
        return self._red.crisis

    @property
    def emergency(self) -> bool:
        """RF-10, RF-11, RF-13..RF-16: emergency advice now (R3-1, R3-15)."""
        return self._red.emergency

    @property
    def unsure_emergency(self) -> bool:
        """RF-U from an emergency item answered Not sure: emergency advice now (R3-16)."""
        return self._red.unsure_emergency

    @property
    def unsure_crisis(self) -> bool:
        """RF-U from self_harm_thoughts answered Not sure: crisis resources now (R3-16)."""
        return self._red.unsure_crisis

    @property
    def contact_today(self) -> bool:
        """Any of the above: listed for contact until staff record it (R3-23)."""
        return self.crisis or self.emergency or self.unsure_emergency or self.unsure_crisis

    def __repr__(self) -> str:
        return f"<Assessment {self._dict['assessment_status']} rls={self._dict['rls']['status']}>"


def _lookback(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: invalid value {value!r}; expected a whole number of days >= 0")
    return value


@dataclass(frozen=True)
class _Basis:
    """What evaluate and urgent both compute from the parsed answers, in one place, so that
    the red flags urgent gives are evaluate's by construction."""

    in_scope: bool
    pediatric: bool
    pregnant: bool
    ibs: gut.IbsResult
    predicates: gut.GutPredicates
    red: RedFlagResult


def _basis(parsed: Answers, min_age: int) -> _Basis:
    age = parsed.get("age_years")
    in_scope = age >= min_age
    pediatric = age < ADULT_AGE
    # §3.1 pregnant_eff; DQ-2: a male answering yes is treated as not pregnant. A "yes" given
    # below age 10, where the question is not asked, still counts (rulings).
    pregnant = parsed.get("pregnant") == "yes" and parsed.get("sex_at_birth") != "male"
    ibs = gut.assess_ibs(parsed, assessed=in_scope, pediatric=pediatric)
    predicates = gut.predicates(parsed, ibs)
    red = evaluate_red_flags(parsed, gut=predicates, pregnant=pregnant)
    return _Basis(in_scope, pediatric, pregnant, ibs, predicates, red)


def urgent(answers: Mapping[str, object], min_age: int = DEFAULT_MIN_AGE) -> RedFlagResult:
    """The red flags (§9) alone: `evaluate(answers, min_age=min_age)`'s `urgent` (its reasons,
    crisis and emergency) and its "Not sure" kinds, without the criteria, scores and tests.
    For asking, while a patient types, whether their answers call for help now (R3-23): a
    fraction of evaluate's work. The same answers raise the same ValueError as in evaluate."""
    min_age = _lookback("min_age", min_age)
    return _basis(parse_answers(answers), min_age).red


def evaluate(
    answers: Mapping[str, object],
    protocol_rules: bool = True,
    irls_licensed: bool = False,
    iron_lookback_days: int = 90,
    tsh_lookback_days: int = 365,
    celiac_lookback_days: int = 365,
    min_age: int = DEFAULT_MIN_AGE,
) -> Assessment:
    iron_lookback_days = _lookback("iron_lookback_days", iron_lookback_days)
    tsh_lookback_days = _lookback("tsh_lookback_days", tsh_lookback_days)
    celiac_lookback_days = _lookback("celiac_lookback_days", celiac_lookback_days)
    min_age = _lookback("min_age", min_age)
    parsed = parse_answers(answers)
    sex = parsed.get("sex_at_birth")
    basis = _basis(parsed, min_age)
    in_scope, pediatric, pregnant = basis.in_scope, basis.pediatric, basis.pregnant
    ibs, predicates, red = basis.ibs, basis.predicates, basis.red

    rls_result = rls.assess(parsed, assessed=in_scope, irls_licensed=bool(irls_licensed))
    context = Context(
        answers=parsed,
        pediatric=pediatric,
        pregnant=pregnant,
        rls_met=rls_result.met,
        ibs_met=ibs.met,
        gut=predicates,
        protocol_rules=bool(protocol_rules),
        iron_lookback_days=iron_lookback_days,
        tsh_lookback_days=tsh_lookback_days,
        celiac_lookback_days=celiac_lookback_days,
    )
    if in_scope:
        flags, flags_needed = evaluate_flags(context)
    else:
        flags, flags_needed = not_assessed(), frozenset()

    missing = quality.needed_keys(
        rls_result.needed | ibs.needed | flags_needed | red.needed,
        parsed,
        gi_symptomatic=predicates.gi_symptomatic.is_true,
    )
    conflicts = quality.conflicts(
        (  # in the order of quality.CONFLICT_ORDER: DQ-1..DQ-5, then the lab unit conflict
            rls_result.screen_detail_conflict,
            sex == "male" and parsed.get("pregnant") == "yes",
            ibs.stool_pct_conflict,
            ibs.pain_feature_conflict,
            red.redflag_gi_conflict,
            parsed.lab_unit_conflict,
        )
    )
    if not in_scope:
        status = "out_of_scope_age"
    else:
        status = "partial" if missing else "complete"

    return Assessment(
        status=status,
        rls_result=rls_result,
        ibs=ibs,
        ibs_sss=gut.ibs_sss(parsed, assessed=in_scope),
        phq9=mood.phq9(parsed),
        flags=flags,
        red=red,
        associations=history.associations(
            parsed,
            pregnant=pregnant,
            iron_deficient_lab=context.iron_deficient_lab.is_true,
            ibs_met=ibs.status == "met",
        ),
        aggravators=history.aggravators(parsed),
        missing=missing,
        conflicts=conflicts,
        unsure_red_flags=sorted(red.unsure_items, key=KEY_ORDER.__getitem__),
        notes=_notes(ibs, red, rls_result),
    )


def _notes(ibs: gut.IbsResult, red: RedFlagResult, rls_result: rls.RlsResult) -> list[dict]:
    notes = []
    if ibs.status == "met" and red.gi_alarm:
        notes.append({"code": "ibs_alarm_features", "text": gut.ALARM_MESSAGE})
    if ibs.subtype_caveat:
        notes.append({"code": "ibs_subtype_medication", "text": ibs.subtype_caveat})
    if rls_result.augmentation_suspected:
        notes.append(
            {
                "code": "augmentation",
                "text": "Possible augmentation on dopaminergic treatment: practitioner review "
                "(a screen, not the formal MPI diagnosis).",
            }
        )
    return notes
