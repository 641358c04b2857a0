"""The clinical engine of clinical-spec.md: plain Python, no Django, no clock, no I/O.

from intake.clinical import evaluate, RULESET_VERSION
assessment = evaluate(answers, protocol_rules=True, irls_licensed=False,
                      iron_lookback_days=90, tsh_lookback_days=365, celiac_lookback_days=365)
assessment.as_dict()  # the shape of spec §11
"""

from __future__ import annotations

from collections.abc import Mapping

from . import gut, history, mood, rls
from .answers import parse_answers
from .catalogue import RULESET_VERSION
from .flags import Context, evaluate_flags, not_assessed
from .quality import data_quality
from .red_flags import evaluate_red_flags

__all__ = ["RULESET_VERSION", "Assessment", "evaluate"]

ADULT_AGE = 18  # §3.1: 6 <= age < 18 is paediatric
DEFAULT_MIN_AGE = 6  # §3.1 MIN_AGE: below it nothing is assessed automatically


def _copy_records(records: list[dict]) -> list[dict]:
    return [record.copy() for record in records]


def _copy_flag(flag: dict) -> dict:
    copy = flag.copy()
    copy["rules_fired"] = _copy_records(flag["rules_fired"])
    if "components" in flag:
        copy["components"] = flag["components"].copy()
    interpretation = flag.get("interpretation")
    if interpretation is not None:
        copy["interpretation"] = interpretation.copy()
    return copy


def _copy_assessment(data: dict) -> dict:
    """A fresh copy of every dict and list of the §11 data built by evaluate(); the leaves are
    immutable and shared. Written for the known shape, because a generic recursive copy took a
    sixth of the evaluation time: a container added to the §11 shape must be added here too."""
    rls, ibs, urgent, quality = data["rls"], data["ibs"], data["urgent"], data["data_quality"]
    return {
        "assessment_status": data["assessment_status"],
        "rls": {
            **rls,
            "criteria": rls["criteria"].copy(),
            "failed": rls["failed"].copy(),
            "unknown": rls["unknown"].copy(),
            "riss": rls["riss"].copy(),
            "irls": rls["irls"].copy(),
        },
        "ibs": {**ibs, "ibs_sss": ibs["ibs_sss"].copy()},
        "phq9": data["phq9"].copy(),
        "flags": {name: _copy_flag(flag) for name, flag in data["flags"].items()},
        "urgent": {**urgent, "reasons": _copy_records(urgent["reasons"])},
        "associations": _copy_records(data["associations"]),
        "aggravators": _copy_records(data["aggravators"]),
        "data_quality": {
            "missing": quality["missing"].copy(),
            "conflicts": quality["conflicts"].copy(),
        },
    }


class Assessment:
    """The result of one evaluation.

    `as_dict()` is exactly the §11 shape. `notes` holds the practitioner-facing sentences the
    spec asks to show that have no field in §11 (alarm features with IBS, subtype caveat,
    coexisting mimics, augmentation), each as {"code", "text"}.
    """

    __slots__ = ("_data", "notes", "ruleset_version")

    def __init__(self, data: dict, notes: list[dict[str, str]]):
        self._data = data
        self.notes = notes
        self.ruleset_version = RULESET_VERSION

    def as_dict(self) -> dict:
        """The §11 dict; a fresh deep copy on every call, so the caller may mutate it."""
        return _copy_assessment(self._data)

    @property
    def urgent(self) -> bool:
        return self._data["urgent"]["value"]

    @property
    def crisis(self) -> bool:
        return self._data["urgent"]["crisis"]

    def __repr__(self) -> str:
        return f"<Assessment {self._data['assessment_status']} rls={self._data['rls']['status']}>"


def _lookback(name: str, value: object) -> int:
    if value.__class__ is int and value >= 0:
        return value  # the usual case, without the isinstance checks
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: invalid value {value!r}; expected a whole number of days >= 0")
    return value


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

    age = parsed.get("age_years")
    sex = parsed.get("sex_at_birth")
    in_scope = age >= min_age
    pediatric = age < ADULT_AGE
    # §3.1 pregnant_eff; DQ-2: a male answering yes is treated as not pregnant.
    pregnant = parsed.get("pregnant") == "yes" and sex != "male"

    rls_result = rls.assess(parsed, assessed=in_scope, irls_licensed=bool(irls_licensed))
    ibs = gut.assess_ibs(parsed, assessed=in_scope, pediatric=pediatric)
    predicates = gut.predicates(parsed, ibs)
    red = evaluate_red_flags(parsed, gut=predicates, pregnant=pregnant)

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

    needed = rls_result.needed | ibs.needed | flags_needed | red.needed
    if pediatric and not parsed.has("guardian_completed"):
        needed = needed | {"guardian_completed"}  # listed; changes no rule (§10)
    quality = data_quality(
        needed=needed,
        conflicts={
            "screen_detail_conflict": rls_result.screen_detail_conflict,
            "pregnancy_sex_conflict": sex == "male" and parsed.get("pregnant") == "yes",
            "stool_pct_conflict": ibs.stool_pct_conflict,
            "pain_feature_conflict": ibs.pain_feature_conflict,
            "redflag_gi_conflict": red.redflag_gi_conflict,
            "lab_unit_conflict": parsed.lab_unit_conflict,
        },
    )
    if not in_scope:
        status = "out_of_scope_age"
    else:
        status = "partial" if quality["missing"] else "complete"

    data = {
        "assessment_status": status,
        "rls": rls_result.as_dict(),
        "ibs": {
            "status": ibs.status,
            "variant": ibs.variant,
            "subtype": ibs.subtype,
            "alarm_features_present": red.gi_alarm,
            "ibs_sss": gut.ibs_sss(parsed),
        },
        "phq9": mood.phq9(parsed),
        "flags": flags,
        "urgent": red.as_dict(),
        "associations": history.associations(
            parsed,
            pregnant=pregnant,
            iron_deficient_lab=context.iron_deficient_lab,
            ibs_met=ibs.met.is_true,
        ),
        "aggravators": history.aggravators(parsed),
        "data_quality": quality,
    }
    return Assessment(data, _notes(parsed, rls_result, ibs, red, in_scope))


def _notes(parsed, rls_result, ibs, red, in_scope: bool) -> list[dict[str, str]]:
    notes = []
    if ibs.status == "met" and red.gi_alarm:
        notes.append({"code": "ibs_alarm_features", "text": gut.ALARM_MESSAGE})
    if ibs.subtype_caveat:
        notes.append({"code": "ibs_subtype_medication", "text": ibs.subtype_caveat})
    mimics = rls.coexisting_mimics(parsed) if in_scope else ()
    if mimics:
        names = ", ".join(key.replace("_", " ") for key in mimics)
        notes.append(
            {
                "code": "coexisting_mimic",
                "text": f"Coexisting mimic ({names}): does not fail C5 by itself; "
                "practitioner to confirm.",
            }
        )
    if rls_result.augmentation_suspected:
        notes.append(
            {
                "code": "augmentation",
                "text": "Possible augmentation on dopaminergic treatment: practitioner review "
                "(a screen, not the formal MPI diagnosis).",
            }
        )
    return notes
