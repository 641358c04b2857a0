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
from .red_flags import RedFlagResult, evaluate_red_flags

__all__ = ["RULESET_VERSION", "Assessment", "evaluate"]

ADULT_AGE = 18  # §3.1: 6 <= age < 18 is paediatric
DEFAULT_MIN_AGE = 6  # §3.1 MIN_AGE: below it nothing is assessed automatically


class Assessment:
    """The result of one evaluation.

    `as_dict()` is exactly the §11 shape. `notes` holds the practitioner-facing sentences the
    spec asks to show that have no field in §11 (alarm features with IBS, subtype caveat,
    coexisting mimics, augmentation), each as {"code", "text"}.

    It keeps the results of the parts of the engine, which nothing changes after evaluate(),
    and as_dict() renders the §11 dict from them afresh on every call: every dict and list in
    it is new (the strings, numbers and booleans are shared), so a caller may mutate it.
    """

    __slots__ = (
        "_status",
        "_rls",
        "_ibs",
        "_ibs_sss",
        "_phq9",
        "_flags",
        "_red",
        "_associations",
        "_aggravators",
        "_missing",
        "_conflicts",
        "notes",
        "ruleset_version",
    )

    def __init__(
        self,
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
        notes: list[dict[str, str]],
    ):
        self._status = status
        self._rls = rls_result
        self._ibs = ibs
        self._ibs_sss = ibs_sss
        self._phq9 = phq9
        self._flags = flags
        self._red = red
        self._associations = associations
        self._aggravators = aggravators
        self._missing = missing
        self._conflicts = conflicts
        self.notes = notes
        self.ruleset_version = RULESET_VERSION

    def as_dict(self) -> dict:
        """The §11 dict, new on every call, so the caller may mutate it.

        Written out for the known shape, in one function: a container added to the output must
        be copied here too. The lists of records are copied with plain loops (in CPython 3.11
        a comprehension is one more function call)."""
        rls_result, ibs, red, flags = self._rls, self._ibs, self._red, self._flags
        flag_copies = {}
        for name, flag in flags.items():
            copy = flag.copy()
            records = []
            for record in flag["rules_fired"]:
                records.append(record.copy())
            copy["rules_fired"] = records
            flag_copies[name] = copy
        flag_copies["stool"]["components"] = flags["stool"]["components"].copy()
        interpretation = flags["iron_panel"]["interpretation"]
        if interpretation is not None:
            flag_copies["iron_panel"]["interpretation"] = interpretation.copy()
        reasons = []
        for record in red.reasons:
            reasons.append(record.copy())
        associations = []
        for record in self._associations:
            associations.append(record.copy())
        aggravators = []
        for record in self._aggravators:
            aggravators.append(record.copy())
        return {
            "assessment_status": self._status,
            "rls": {
                "status": rls_result.status,
                "criteria": rls_result.criteria.copy(),
                "failed": rls_result.failed.copy(),
                "unknown": rls_result.unknown.copy(),
                "course": rls_result.course,
                "clinically_significant": rls_result.clinically_significant,
                "riss": rls_result.riss.copy(),
                "irls": rls_result.irls.copy(),
                "augmentation_suspected": rls_result.augmentation_suspected,
            },
            "ibs": {
                "status": ibs.status,
                "variant": ibs.variant,
                "subtype": ibs.subtype,
                "alarm_features_present": red.gi_alarm,
                "ibs_sss": self._ibs_sss.copy(),
            },
            "phq9": self._phq9.copy(),
            "flags": flag_copies,
            "urgent": {"value": bool(reasons), "reasons": reasons, "crisis": red.crisis},
            "associations": associations,
            "aggravators": aggravators,
            "data_quality": {"missing": self._missing.copy(), "conflicts": self._conflicts.copy()},
        }

    @property
    def urgent(self) -> bool:
        return bool(self._red.reasons)

    @property
    def crisis(self) -> bool:
        return self._red.crisis

    def __repr__(self) -> str:
        return f"<Assessment {self._status} rls={self._rls.status}>"


def _lookback(name: str, value: object) -> int:
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
    if not (
        iron_lookback_days.__class__ is int
        and tsh_lookback_days.__class__ is int
        and celiac_lookback_days.__class__ is int
        and min_age.__class__ is int
        and min(iron_lookback_days, tsh_lookback_days, celiac_lookback_days, min_age) >= 0
    ):  # the usual case in one test; otherwise check them one by one, in order
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
        parsed,
        pediatric,
        pregnant,
        rls_result.met,
        ibs.met,
        predicates,
        bool(protocol_rules),
        iron_lookback_days,
        tsh_lookback_days,
        celiac_lookback_days,
    )
    if in_scope:
        flags, flags_needed = evaluate_flags(context)
    else:
        flags, flags_needed = not_assessed(), frozenset()

    needed = rls_result.needed | ibs.needed | flags_needed | red.needed
    if pediatric and not parsed.has("guardian_completed"):
        needed = needed | {"guardian_completed"}  # listed; changes no rule (§10)
    missing, conflicts = data_quality(
        needed,
        # In the order of quality.CONFLICT_ORDER: DQ-1..DQ-5, then the lab unit conflict.
        (
            rls_result.screen_detail_conflict,
            sex == "male" and parsed.get("pregnant") == "yes",
            ibs.stool_pct_conflict,
            ibs.pain_feature_conflict,
            red.redflag_gi_conflict,
            parsed.lab_unit_conflict,
        ),
    )
    if not in_scope:
        status = "out_of_scope_age"
    else:
        status = "partial" if missing else "complete"

    return Assessment(
        status,
        rls_result,
        ibs,
        gut.ibs_sss(parsed),
        mood.phq9(parsed),
        flags,
        red,
        history.associations(
            parsed,
            pregnant=pregnant,
            iron_deficient_lab=context.iron_deficient_lab,
            ibs_met=ibs.met.value is True,
        ),
        history.aggravators(parsed),
        missing,
        conflicts,
        _notes(parsed, rls_result, ibs, red, in_scope),
    )


def _notes(parsed, rls_result, ibs, red, in_scope: bool) -> list[dict[str, str]]:
    notes = []
    if ibs.status == "met" and red.gi_alarm:
        notes.append({"code": "ibs_alarm_features", "text": gut.ALARM_MESSAGE})
    if ibs.subtype_caveat:
        notes.append({"code": "ibs_subtype_medication", "text": ibs.subtype_caveat})
    conditions = parsed.get("conditions")
    # Tested first with one set operation: few patients have any of these.
    if in_scope and conditions and not conditions.isdisjoint(rls.COEXISTING_MIMIC_CONDITIONS):
        names = ", ".join(key.replace("_", " ") for key in rls.coexisting_mimics(parsed))
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
