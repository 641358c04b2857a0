"""What the patient is asked, in order: the intake's steps and questions, in the app's own
words (their building blocks are in schema.py).

One place defines what a patient is asked: each question's key (a key of clinical-spec §2),
label, help text, choices and when it is shown. The step forms, the review page, the case
page's answer list and the server-side "only when it applies" checks are all built from it.

Wording is our own paraphrase: nothing here reproduces the IRLS, the Rome IV questionnaire or
the CH-RLSq. The PHQ-9 is free to use and is shown verbatim.
"""

from __future__ import annotations

from typing import Any

from intake.questionnaire.schema import (
    GROUP_KEY_BY_KIND,
    AgeBetween,
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    Facts,
    Includes,
    Question,
    Step,
    StepKind,
    gettext_noop,
    is_child,
)

YES_NO = (("yes", gettext_noop("Yes")), ("no", gettext_noop("No")))
YES_NO_UNSURE = (*YES_NO, ("unsure", gettext_noop("Not sure")))
FAMILY = (
    ("yes", gettext_noop("Yes")),
    ("no", gettext_noop("No")),
    ("unknown", gettext_noop("I don't know")),
)
FREQUENCY = (
    ("never", gettext_noop("Never")),
    ("lt_1_per_month", gettext_noop("Less than once a month")),
    ("1_3_per_month", gettext_noop("1 to 3 times a month")),
    ("1_per_week", gettext_noop("About once a week")),
    ("2_3_per_week", gettext_noop("2 or 3 times a week")),
    ("4_6_per_week", gettext_noop("4 to 6 times a week")),
    ("daily", gettext_noop("Every day")),
)
# The same scale counted in days, for pain (R3-11: Rome IV counts days with pain).
DAYS_FREQUENCY = (
    ("never", gettext_noop("Never")),
    ("lt_1_per_month", gettext_noop("Less than 1 day a month")),
    ("1_3_per_month", gettext_noop("1 to 3 days a month")),
    ("1_per_week", gettext_noop("About 1 day a week")),
    ("2_3_per_week", gettext_noop("2 or 3 days a week")),
    ("4_6_per_week", gettext_noop("4 to 6 days a week")),
    ("daily", gettext_noop("Every day")),
)
WEEKLY_OR_MORE = ("1_per_week", "2_3_per_week", "4_6_per_week", "daily")
PHQ9_CHOICES = (
    (0, gettext_noop("Not at all")),
    (1, gettext_noop("Several days")),
    (2, gettext_noop("More than half the days")),
    (3, gettext_noop("Nearly every day")),
)
PHQ9_ITEMS = (
    gettext_noop("Little interest or pleasure in doing things"),
    gettext_noop("Feeling down, depressed, or hopeless"),
    gettext_noop("Trouble falling or staying asleep, or sleeping too much"),
    gettext_noop("Feeling tired or having little energy"),
    gettext_noop("Poor appetite or overeating"),
    gettext_noop(
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down"
    ),
    gettext_noop(
        "Trouble concentrating on things, such as reading the newspaper or watching television"
    ),
    gettext_noop(
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual"
    ),
    gettext_noop("Thoughts that you would be better off dead or of hurting yourself in some way"),
)
BRISTOL_TYPES = (
    (1, gettext_noop("Separate hard lumps, difficult to pass")),
    (2, gettext_noop("Lumpy, sausage-shaped")),
    (3, gettext_noop("Sausage-shaped with cracks on the surface")),
    (4, gettext_noop("Smooth, soft sausage or snake")),
    (5, gettext_noop("Soft blobs with clear edges, passed easily")),
    (6, gettext_noop("Fluffy, mushy pieces with ragged edges")),
    (7, gettext_noop("Watery, no solid pieces")),
)
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = gettext_noop(
    "I confirm that the answers I gave are true to the best of my knowledge. I agree that the "
    "clinic stores them and that its practitioners use them to prepare my care. I understand that "
    "this questionnaire does not give a diagnosis: a practitioner reviews my answers and decides "
    "on any tests. If my answers suggest I may be at risk, the clinic may contact me promptly. I "
    "can ask the clinic for a copy of what it holds about me, or for it to be erased, at any time."
)


def _is(key: str, *values: Any) -> AnswerIn:
    return AnswerIn(key, values)


def _is_not(key: str, *values: Any) -> AnswerIn:
    return AnswerIn(key, values, negate=True)


def _unless(key: str, *values: Any) -> AnswerIn:
    return AnswerIn(key, values, negate=True, unanswered_holds=True)


def _both(*conditions: Condition) -> AllOf:
    return AllOf(conditions)


def _either(*conditions: AnswerIn | Includes) -> AnyOf:
    return AnyOf(conditions)


def _yes_no(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", YES_NO, help_text, **kwargs)


def _yes_no_unsure(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", YES_NO_UNSURE, help_text, **kwargs)


def _frequency(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", FREQUENCY, help_text, widget="select", **kwargs)


def _slider(
    key: str, label: str, anchors: tuple[str, str, str], help_text: str = "", **kwargs: Any
) -> Question:
    """A 0-100 answer on a slider, with what 0, 50 and 100 mean in words."""
    return Question(
        key,
        label,
        "int",
        help_text=help_text,
        min_value=0,
        max_value=100,
        widget="slider",
        anchors=anchors,
        **kwargs,
    )


# "Asked when" (clinical-spec, revision 3): each condition below is the spec's, by name.
TREATED = _is("rls_on_treatment", "yes")
# The RLS details follow a yes or a not-sure screen, and are always asked of a treated patient,
# whose screen describes the legs without treatment (R3-2, R3-19).
RLS_DETAILS_ASKED = _either(_is_not("rls_screen", "no"), TREATED)
# Augmentation is a complication of dopaminergic treatment of RLS: asked on what the patient
# takes for their legs, never on `medications` (levodopa for Parkinson's is not it; R3-19).
# The list is only asked of a treated patient; a list left from before the patient changed
# that answer asks nothing.
DOPAMINERGIC_FOR_RLS = _both(
    TREATED, Includes("rls_treatment_meds", ("dopamine_agonist", "levodopa"))
)
SEX_NOT_MALE_FROM_10 = _both(_is_not("sex_at_birth", "male"), AgeBetween(low=10))
FROM_AGE_12 = AgeBetween(low=12)
# spec §3.2 gi_symptomatic, from the answers on the bowel step.
GI_SYMPTOMATIC = _either(
    _is("abd_pain_freq", *WEEKLY_OR_MORE),
    _is("bloating_freq", *WEEKLY_OR_MORE),
    _is("gas_freq", *WEEKLY_OR_MORE),
    _is("loose_stools_4wk", "yes"),
    _is("constipation_4wk", "yes"),
)
PAIN_OR_BLOATING_WEEKLY = _either(
    _is("abd_pain_freq", *WEEKLY_OR_MORE), _is("bloating_freq", *WEEKLY_OR_MORE)
)
# R3-3: children 6-17 whose constipation answer is not "no" (no answer counts as not "no").
CHILD_MAY_BE_CONSTIPATED = _both(AgeBetween(low=6, high=17), _unless("constipation_4wk", "no"))
YES_OR_UNSURE = ("yes", "unsure")

# R3-2, R3-19: the screen and the criteria describe the legs without treatment.
WITHOUT_TREATMENT = gettext_noop(
    "If you take anything for your restless legs, answer for your legs without it, or as they were "
    "before you started it."
)
# R3-14: an emergency question asks about something new, not a long-standing problem.
NOT_LONG_STANDING = gettext_noop("A problem you have had for longer, unchanged, is not a yes")
OPTIONAL = gettext_noop("You can leave this blank.")
# What a unit is, where the number of units is asked (UK units: 10 ml of pure alcohol).
ALCOHOL_UNITS = gettext_noop(
    "One unit is 10 ml of pure alcohol. A single measure of spirits (25 ml) is 1 unit; half a pint "
    "of ordinary beer, lager or cider is 1 to 1.5 units; a small glass of wine (125 ml) is 1.5 "
    "units; a pint of ordinary beer or a large glass of wine (250 ml) is 2 to 3 units. Enter 0 if "
    "you do not drink."
)


def _emergency(key: str, label: str, **kwargs: Any) -> Question:
    # The spec's words exactly, as the help under each emergency question.
    return _yes_no_unsure(key, label, NOT_LONG_STANDING, **kwargs)


STEPS: tuple[Step, ...] = (
    Step(
        "about-you",
        gettext_noop("About you"),
        gettext_noop("A few facts that change which questions apply to you."),
        (
            Question(
                "sex_at_birth",
                gettext_noop("Sex recorded at birth"),
                "choice",
                (
                    ("female", gettext_noop("Female")),
                    ("male", gettext_noop("Male")),
                    ("other", gettext_noop("Intersex or another answer")),
                ),
                gettext_noop("Some tests and conditions depend on it."),
            ),
            _yes_no_unsure(
                "pregnant", gettext_noop("Are you pregnant now?"), show_if=SEX_NOT_MALE_FROM_10
            ),
            Question(
                "weeks_pregnant",
                gettext_noop("How many weeks pregnant are you?"),
                "int",
                min_value=0,
                max_value=45,
                required=False,
                widget="number",
                help_text=gettext_noop("Leave blank if you are not sure."),
                show_if=_is("pregnant", "yes"),
            ),
            Question(
                "guardian_completed",
                gettext_noop("Is a parent or guardian filling in this form with the child today?"),
                "bool",
                ((True, gettext_noop("Yes")), (False, gettext_noop("No"))),
                gettext_noop("For anyone under 18, a parent or guardian should help."),
                show_if=is_child,
            ),
        ),
    ),
    Step(
        "legs",
        gettext_noop("Leg symptoms"),
        gettext_noop(
            "These questions are about uncomfortable feelings in your legs. If you take anything "
            "for your restless legs, answer the questions after the first ones for your legs "
            "without it, or as they were before you started it."
        ),
        (
            _yes_no(
                "rls_on_treatment",
                gettext_noop("Do you take anything for your restless legs now?"),
                gettext_noop("A medicine, iron or anything else you take to ease your legs."),
            ),
            Question(
                "rls_treatment_meds",
                gettext_noop("Which of these do you take for your restless legs now?"),
                "multi",
                (
                    (
                        "dopamine_agonist",
                        gettext_noop(
                            "Pramipexole, ropinirole or rotigotine (a skin patch), for example "
                            "Mirapexin, Requip or Neupro"
                        ),
                    ),
                    (
                        "levodopa",
                        gettext_noop("Levodopa, for example co-beneldopa (Madopar) or Sinemet"),
                    ),
                    ("gabapentinoid", gettext_noop("Gabapentin or pregabalin (Lyrica)")),
                    (
                        "opioid",
                        gettext_noop(
                            "An opioid painkiller, for example tramadol, codeine, oxycodone or "
                            "methadone"
                        ),
                    ),
                    ("iron", gettext_noop("Iron: tablets, liquid or a drip")),
                    ("other", gettext_noop("Something else, or I am not sure what it is")),
                ),
                gettext_noop("Tick everything you take for your legs."),
                widget="checkboxes",
                show_if=TREATED,
            ),
            _yes_no_unsure(
                "rls_screen",
                gettext_noop(
                    "In the evening or at night, when you try to rest, do you get unpleasant, "
                    "restless feelings in your legs that get better when you walk or move?"
                ),
                WITHOUT_TREATMENT,
            ),
            _yes_no_unsure(
                "rls_c1_urge",
                gettext_noop(
                    "Do you feel a need to move your legs, usually with unpleasant feelings in "
                    "them?"
                ),
                # The clue and WITHOUT_TREATMENT as one text, so it is translated as one.
                gettext_noop(
                    "People describe crawling, pulling, aching, itching or fizzy feelings. The "
                    "need to move can also come on its own. If you take anything for your restless "
                    "legs, answer for your legs without it, or as they were before you started it."
                ),
                show_if=RLS_DETAILS_ASKED,
            ),
            _yes_no_unsure(
                "rls_c2_rest",
                gettext_noop("Does it start, or get worse, when you sit or lie still?"),
                WITHOUT_TREATMENT,
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_c3_movement_relief",
                gettext_noop(
                    "Does walking or stretching ease it, at least for as long as you keep moving?"
                ),
                "choice",
                (
                    ("yes", gettext_noop("Yes")),
                    (
                        "previously_yes_now_constant",
                        gettext_noop("It used to, but now it is there all the time"),
                    ),
                    ("no", gettext_noop("No")),
                    ("unsure", gettext_noop("Not sure")),
                ),
                WITHOUT_TREATMENT,
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_c4_evening",
                gettext_noop(
                    "Does it happen only in the evening or at night, or is it worse then than "
                    "during the day?"
                ),
                "choice",
                (
                    ("yes", gettext_noop("Yes")),
                    (
                        "previously_yes_now_constant",
                        gettext_noop("It used to, but now it is the same all day"),
                    ),
                    ("no", gettext_noop("No")),
                    ("unsure", gettext_noop("Not sure")),
                ),
                WITHOUT_TREATMENT,
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "leg_main_problem",
                gettext_noop("Which description fits your main leg problem best?"),
                "choice",
                (
                    ("urge_to_move", gettext_noop("A need to keep moving my legs")),
                    ("cramp", gettext_noop("Painful muscle cramps, with the muscle going hard")),
                    (
                        "position_discomfort",
                        gettext_noop("Discomfort from the position I am sitting or lying in"),
                    ),
                    (
                        "constant_numbness_burning",
                        gettext_noop("Numbness or burning that is there all the time"),
                    ),
                    ("joint_pain", gettext_noop("Pain in my joints")),
                    ("swelling_heaviness", gettext_noop("Swelling or heavy legs")),
                    ("habit_tapping", gettext_noop("Tapping or jiggling my feet out of habit")),
                    ("other_unsure", gettext_noop("Something else, or I am not sure")),
                ),
                WITHOUT_TREATMENT,
                show_if=RLS_DETAILS_ASKED,
            ),
            _yes_no_unsure(
                "position_shift_relief",
                gettext_noop(
                    "Does changing position just once make it stop completely, without needing to "
                    "keep moving?"
                ),
                WITHOUT_TREATMENT,
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_child_own_words",
                gettext_noop("In the child's own words: what do the legs feel like?"),
                "text",
                help_text=gettext_noop(
                    "Please write down how the child describes it, in their words."
                ),
                required=False,
                widget="textarea",
                show_if=_both(is_child, RLS_DETAILS_ASKED),
            ),
        ),
    ),
    Step(
        "course",
        gettext_noop("How often and how much"),
        gettext_noop(
            "Some questions are about your legs without treatment, others about the past week as "
            "things are now: each question says which."
        ),
        (
            Question(
                "rls_freq",
                gettext_noop(
                    "Over the past year, before any treatment, how often did it happen on average?"
                ),
                "choice",
                (
                    ("lt_2_per_week", gettext_noop("Less than 2 days a week")),
                    ("ge_2_per_week", gettext_noop("2 or more days a week")),
                ),
                WITHOUT_TREATMENT,
            ),
            _yes_no_unsure(
                "rls_lifetime_episodes_ge5",
                gettext_noop("Has it happened at least 5 times in your life?"),
                WITHOUT_TREATMENT,
                show_if=_is("rls_freq", "lt_2_per_week"),
            ),
            Question(
                "rls_impact_level",
                gettext_noop(
                    "Over the past year, before any treatment, how much did it affect your sleep, "
                    "energy, daily activities, concentration or mood?"
                ),
                "choice",
                (
                    ("none", gettext_noop("Not at all")),
                    ("mild", gettext_noop("A little")),
                    ("moderate", gettext_noop("Quite a lot")),
                    ("severe", gettext_noop("Very much")),
                ),
                WITHOUT_TREATMENT,
            ),
            Question(
                "rls_days_per_week",
                gettext_noop(
                    "In the past week, as things are now, on how many days did you have it?"
                ),
                "int",
                min_value=0,
                max_value=7,
                widget="number",
                help_text=gettext_noop(
                    "A number from 0 to 7. If you take anything for your legs, count the days as "
                    "they are now, with it."
                ),
            ),
            Question(
                "rls_onset_time",
                gettext_noop(
                    "In the past week, as things are now, when in the day did it usually start?"
                ),
                "choice",
                (
                    ("bedtime_only", gettext_noop("Only at bedtime")),
                    ("evening", gettext_noop("In the evening")),
                    ("afternoon", gettext_noop("In the afternoon")),
                    ("morning_or_all_day", gettext_noop("In the morning, or all day")),
                ),
                gettext_noop(
                    "If you take anything for your legs, answer for how they are now, with it."
                ),
            ),
        ),
        show_if=RLS_DETAILS_ASKED,
    ),
    Step(
        "treatment",
        gettext_noop("Your leg treatment"),
        gettext_noop(
            "Some leg treatments can, over time, make symptoms come earlier or spread. These "
            "questions are about your legs now, with your treatment."
        ),
        (
            Question(
                "aug_earlier_onset_hours",
                gettext_noop(
                    "How many hours earlier in the day do the symptoms start now, compared with "
                    "before treatment?"
                ),
                "int",
                min_value=0,
                max_value=24,
                widget="number",
                help_text=gettext_noop("Enter 0 if they start at the same time."),
            ),
            _yes_no(
                "aug_spread_to_arms",
                gettext_noop(
                    "Since starting treatment, have the feelings spread to your arms or body?"
                ),
            ),
            _yes_no(
                "aug_dose_escalation_or_shorter_relief",
                gettext_noop(
                    "Do you need more of the medicine than before, or does its effect wear off "
                    "sooner?"
                ),
            ),
        ),
        show_if=DOPAMINERGIC_FOR_RLS,
    ),
    Step(
        "severity-scale",
        gettext_noop("Leg symptom severity"),
        gettext_noop(
            "Think about the past week. The clinic uses a licensed rating scale for these "
            "questions."
        ),
        (),
        show_if=_both(RLS_DETAILS_ASKED, lambda facts: facts.irls_licensed),
        kind=StepKind.IRLS,
    ),
    Step(
        "bowel",
        gettext_noop("Tummy and bowel symptoms"),
        gettext_noop("Think about the last 3 months."),
        (
            Question(
                "abd_pain_freq",
                gettext_noop(
                    "On how many days have you had pain in your tummy (abdomen), on average, over "
                    "the last 3 months?"
                ),
                "choice",
                DAYS_FREQUENCY,
                gettext_noop(
                    "Count days with pain only: bloating or discomfort on its own does not count "
                    "here."
                ),
                widget="select",
            ),
            _yes_no_unsure(
                "pain_related_to_bm",
                gettext_noop(
                    "Over the last 3 months, has the pain changed (got better or worse) around the "
                    "time you open your bowels?"
                ),
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_freq_change",
                gettext_noop(
                    "Over the last 3 months, when the pain started, did how often you open your "
                    "bowels change (more often or less often than usual)?"
                ),
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_form_change",
                gettext_noop(
                    "Over the last 3 months, when the pain started, did your stools change "
                    "(becoming harder or looser than usual)?"
                ),
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _frequency(
                "bloating_freq",
                gettext_noop(
                    "Over the last 3 months, how often have you felt bloated (a full, tight or "
                    "swollen tummy)?"
                ),
            ),
            _frequency(
                "gas_freq",
                gettext_noop(
                    "Over the last 3 months, how often have you been troubled by wind (gas)?"
                ),
            ),
            _yes_no(
                "loose_stools_4wk",
                gettext_noop(
                    "Over the last 3 months, have you had loose or watery stools on most days, for "
                    "4 weeks or more?"
                ),
            ),
            _yes_no(
                "constipation_4wk",
                gettext_noop(
                    "Over the last 3 months, have you had hard or infrequent stools, or had to "
                    "strain, on most days, for 4 weeks or more?"
                ),
            ),
            Question(
                "pain_resolves_with_constipation_treatment",
                gettext_noop(
                    "When the constipation has been treated, does the tummy pain go away?"
                ),
                "choice",
                (
                    ("yes", gettext_noop("Yes")),
                    ("no", gettext_noop("No")),
                    ("not_treated_yet", gettext_noop("It has not been treated yet")),
                    ("no_constipation", gettext_noop("My child is not constipated")),
                ),
                show_if=CHILD_MAY_BE_CONSTIPATED,
            ),
            Question(
                "gi_symptom_duration_months",
                gettext_noop("Up to today, how many months have you had bowel or tummy symptoms?"),
                "int",
                min_value=0,
                max_value=1560,
                widget="number",
                help_text=gettext_noop("Enter 0 if you have none. For 2 years, enter 24."),
            ),
            _yes_no(
                "greasy_floating_stools",
                gettext_noop(
                    "Over the last 3 months, have your stools been pale, greasy and floating, and "
                    "hard to flush away?"
                ),
            ),
            _yes_no(
                "bowel_meds_current",
                gettext_noop("Do you take laxatives or medicine for diarrhoea at the moment?"),
                show_if=GI_SYMPTOMATIC,
            ),
        ),
    ),
    Step(
        "stool-form",
        gettext_noop("Stool form"),
        gettext_noop(
            "Think about the last 3 months, and only about days when your bowel movements were not "
            "normal. The chart shows the seven stool types."
        ),
        (
            _slider(
                "pct_bm_hard",
                gettext_noop(
                    "Over the last 3 months, on days when your bowel movements were not normal, "
                    "how many of them were type 1 or 2 (hard), out of 100?"
                ),
                (
                    gettext_noop("None of them"),
                    gettext_noop("Half of them"),
                    gettext_noop("All of them"),
                ),
                gettext_noop(
                    "A percentage: 25 means 1 in 4 bowel movements. Move it to 0 if none."
                ),
            ),
            _slider(
                "pct_bm_loose",
                gettext_noop(
                    "Over the last 3 months, on those same days, how many were type 6 or 7 (loose "
                    "or watery), out of 100?"
                ),
                (
                    gettext_noop("None of them"),
                    gettext_noop("Half of them"),
                    gettext_noop("All of them"),
                ),
                gettext_noop(
                    "A percentage: 25 means 1 in 4 bowel movements. Move it to 0 if none. Hard and "
                    "loose together cannot be more than 100."
                ),
            ),
        ),
        show_if=GI_SYMPTOMATIC,
    ),
    Step(
        "gut-severity",
        gettext_noop("How much your tummy troubles you"),
        gettext_noop(
            "Think about the last 10 days. Move each slider to where you are, from 0 (not at all) "
            "to 100 (very severe); until you move it, the question is not answered."
        ),
        (
            _slider(
                "ibssss_pain_severity",
                gettext_noop("In the last 10 days, how bad has your tummy pain been?"),
                (
                    gettext_noop("No pain"),
                    gettext_noop("Moderate pain"),
                    gettext_noop("Very severe pain"),
                ),
            ),
            Question(
                "ibssss_pain_days_of_10",
                gettext_noop("In the last 10 days, on how many days did you have tummy pain?"),
                "int",
                min_value=0,
                max_value=10,
                widget="number",
                help_text=gettext_noop("A number from 0 to 10."),
            ),
            _slider(
                "ibssss_distension",
                gettext_noop("In the last 10 days, how bad has bloating or a swollen tummy been?"),
                (gettext_noop("None"), gettext_noop("Moderate"), gettext_noop("Very severe")),
            ),
            _slider(
                "ibssss_bowel_dissatisfaction",
                gettext_noop(
                    "In the last 10 days, how unhappy have you been with your bowel habits (how "
                    "often you go and what your stools are like)?"
                ),
                (
                    gettext_noop("Not unhappy at all"),
                    gettext_noop("Fairly unhappy"),
                    gettext_noop("Very unhappy"),
                ),
            ),
            _slider(
                "ibssss_life_interference",
                gettext_noop(
                    "In the last 10 days, how much have your tummy symptoms got in the way of your "
                    "life (work, meals, going out, sleep)?"
                ),
                (
                    gettext_noop("Not at all"),
                    gettext_noop("Quite a lot"),
                    gettext_noop("Completely"),
                ),
            ),
        ),
        show_if=PAIN_OR_BLOATING_WEEKLY,
    ),
    Step(
        "gut-risks",
        gettext_noop("Travel, antibiotics, gluten and family"),
        "",
        (
            _yes_no(
                "travel_high_risk_12mo",
                gettext_noop(
                    "In the last 12 months, have you travelled to, or moved from, a place where "
                    "stomach infections from food or water are common?"
                ),
            ),
            _yes_no(
                "antibiotics_last_3mo",
                gettext_noop("Have you taken antibiotics in the last 3 months?"),
            ),
            _yes_no(
                "antibiotics_last_4wk",
                gettext_noop("Have you taken antibiotics in the last 4 weeks?"),
                show_if=_is("antibiotics_last_3mo", "yes"),
            ),
            Question(
                "gluten_intake",
                gettext_noop(
                    "These days, how much gluten do you eat? (Gluten is in wheat, barley and rye: "
                    "bread, pasta, most cereals.)"
                ),
                "choice",
                (
                    (
                        "daily_gt1_meal",
                        gettext_noop("In more than one meal every day, for at least 6 weeks"),
                    ),
                    ("less_than_daily", gettext_noop("Less than that")),
                    ("gluten_free", gettext_noop("I eat gluten-free")),
                    ("unknown", gettext_noop("I don't know")),
                ),
                gettext_noop(
                    "Please do not start a gluten-free diet before your clinic has finished any "
                    "tests."
                ),
            ),
            Question(
                "fhx_crc",
                gettext_noop("Has a parent, brother, sister or child ever had bowel cancer?"),
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_ibd",
                gettext_noop(
                    "Has a parent, brother, sister or child ever had Crohn's disease or ulcerative "
                    "colitis?"
                ),
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_celiac",
                gettext_noop("Has a parent, brother, sister or child ever had coeliac disease?"),
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_thyroid",
                gettext_noop("Has a parent, brother, sister or child ever had thyroid disease?"),
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_rls",
                gettext_noop("Has a parent, brother, sister or child ever had restless legs?"),
                "choice",
                FAMILY,
                OPTIONAL,
                required=False,
            ),
        ),
    ),
    Step(
        "history",
        gettext_noop("Health history and medicines"),
        gettext_noop(
            "Tick everything that applies. If nothing in a list applies, tick “None of these” at "
            "its end. The lists are in groups: open a group to see what is in it."
        ),
        (
            Question(
                "conditions",
                gettext_noop("Has a doctor ever told you that you have any of these?"),
                "multi",
                (
                    ("iron_deficiency_known", gettext_noop("Low iron (iron deficiency)")),
                    ("anemia_known", gettext_noop("Anaemia")),
                    ("celiac_known", gettext_noop("Coeliac disease")),
                    ("crohns", gettext_noop("Crohn's disease")),
                    ("ulcerative_colitis", gettext_noop("Ulcerative colitis")),
                    ("ibs_diagnosed", gettext_noop("Irritable bowel syndrome (IBS)")),
                    ("t1dm", gettext_noop("Type 1 diabetes")),
                    ("t2dm", gettext_noop("Type 2 diabetes")),
                    (
                        "peripheral_neuropathy",
                        gettext_noop("Nerve damage in the feet or legs (neuropathy)"),
                    ),
                    ("ckd_dialysis", gettext_noop("Kidney failure treated with dialysis")),
                    ("ckd_non_dialysis", gettext_noop("Kidney disease, not on dialysis")),
                    ("ms", gettext_noop("Multiple sclerosis (MS)")),
                    ("parkinsons", gettext_noop("Parkinson's disease")),
                    ("rheumatoid_arthritis", gettext_noop("Rheumatoid arthritis")),
                    (
                        "sjogren",
                        gettext_noop(
                            "Sjögren's syndrome (dry eyes and dry mouth from the immune system)"
                        ),
                    ),
                    ("scleroderma", gettext_noop("Scleroderma (hardening of the skin)")),
                    (
                        "other_autoimmune",
                        gettext_noop(
                            "Another autoimmune disease (the immune system attacks the body)"
                        ),
                    ),
                    ("hypothyroid", gettext_noop("Underactive thyroid")),
                    ("hyperthyroid", gettext_noop("Overactive thyroid")),
                    (
                        "autoimmune_thyroid",
                        gettext_noop("Autoimmune thyroid disease (Hashimoto's or Graves')"),
                    ),
                    ("gastroparesis", gettext_noop("Slow stomach emptying (gastroparesis)")),
                    (
                        "intestinal_pseudo_obstruction",
                        gettext_noop(
                            "Intestinal pseudo-obstruction (the bowel stops moving food along, as "
                            "if blocked)"
                        ),
                    ),
                    (
                        "other_motility_disorder",
                        gettext_noop("Another gut movement (motility) disorder"),
                    ),
                    ("prior_luminal_gi_surgery", gettext_noop("Surgery on the stomach or bowel")),
                    ("bariatric_surgery", gettext_noop("Weight-loss surgery")),
                    (
                        "chronic_pancreatitis",
                        gettext_noop("Chronic pancreatitis (long-lasting inflamed pancreas)"),
                    ),
                    (
                        "iga_deficiency",
                        gettext_noop(
                            "IgA deficiency (too little of one of the body's antibodies, IgA)"
                        ),
                    ),
                    ("neck_irradiation", gettext_noop("Radiotherapy to the neck")),
                    (
                        "fibromyalgia",
                        gettext_noop("Fibromyalgia (long-lasting pain all over the body)"),
                    ),
                    (
                        "osa",
                        gettext_noop(
                            "Obstructive sleep apnoea (breathing stops and starts while asleep)"
                        ),
                    ),
                    ("depression", gettext_noop("Depression")),
                    ("varicose_veins", gettext_noop("Varicose veins")),
                    ("arthritis", gettext_noop("Arthritis (wear and tear)")),
                ),
                required=False,
                widget="checkboxes",
                groups=(
                    (gettext_noop("Blood and iron"), ("iron_deficiency_known", "anemia_known")),
                    (
                        gettext_noop("Stomach, bowel and pancreas"),
                        (
                            "celiac_known",
                            "crohns",
                            "ulcerative_colitis",
                            "ibs_diagnosed",
                            "gastroparesis",
                            "intestinal_pseudo_obstruction",
                            "other_motility_disorder",
                            "prior_luminal_gi_surgery",
                            "bariatric_surgery",
                            "chronic_pancreatitis",
                        ),
                    ),
                    (
                        gettext_noop("Diabetes and thyroid"),
                        (
                            "t1dm",
                            "t2dm",
                            "hypothyroid",
                            "hyperthyroid",
                            "autoimmune_thyroid",
                            "neck_irradiation",
                        ),
                    ),
                    (
                        gettext_noop("Nerves and brain"),
                        ("peripheral_neuropathy", "ms", "parkinsons"),
                    ),
                    (gettext_noop("Kidneys"), ("ckd_dialysis", "ckd_non_dialysis")),
                    (
                        gettext_noop("Joints, muscles and the immune system"),
                        (
                            "rheumatoid_arthritis",
                            "arthritis",
                            "fibromyalgia",
                            "sjogren",
                            "scleroderma",
                            "other_autoimmune",
                            "iga_deficiency",
                        ),
                    ),
                    (
                        gettext_noop("Sleep, mood and veins"),
                        ("osa", "depression", "varicose_veins"),
                    ),
                ),
                none_choice=gettext_noop("None of these"),
            ),
            Question(
                "medications",
                gettext_noop("Do you take any of these medicines now?"),
                "multi",
                (
                    (
                        "sedating_antihistamine",
                        gettext_noop(
                            "Antihistamines that cause drowsiness, including night-time sleep aids"
                        ),
                    ),
                    (
                        "antiemetic_dopamine_antagonist",
                        gettext_noop(
                            "Anti-sickness medicine such as metoclopramide or prochlorperazine"
                        ),
                    ),
                    (
                        "antipsychotic",
                        gettext_noop(
                            "Antipsychotic medicine (for example quetiapine, olanzapine, "
                            "risperidone)"
                        ),
                    ),
                    (
                        "ssri",
                        gettext_noop("SSRI antidepressant (for example sertraline, citalopram)"),
                    ),
                    (
                        "snri",
                        gettext_noop("SNRI antidepressant (for example venlafaxine, duloxetine)"),
                    ),
                    ("mirtazapine", gettext_noop("Mirtazapine (an antidepressant)")),
                    ("tca", gettext_noop("Tricyclic antidepressant (for example amitriptyline)")),
                    ("lithium", gettext_noop("Lithium (for mood)")),
                    ("bupropion", gettext_noop("Bupropion (to stop smoking, or for depression)")),
                    ("dopamine_agonist", gettext_noop("Pramipexole, ropinirole or rotigotine")),
                    (
                        "levodopa",
                        gettext_noop("Levodopa (for example co-beneldopa or co-careldopa)"),
                    ),
                    ("gabapentinoid", gettext_noop("Gabapentin or pregabalin")),
                    ("opioid", gettext_noop("Opioid painkillers (for example codeine, tramadol)")),
                    (
                        "ppi",
                        gettext_noop("Stomach acid reducers such as omeprazole or lansoprazole"),
                    ),
                    ("iron_supplement", gettext_noop("Iron tablets")),
                    ("levothyroxine", gettext_noop("Levothyroxine (thyroid hormone)")),
                    ("amiodarone", gettext_noop("Amiodarone (for an uneven heartbeat)")),
                ),
                required=False,
                widget="checkboxes",
                groups=(
                    (
                        gettext_noop("For sleep, allergies or sickness"),
                        ("sedating_antihistamine", "antiemetic_dopamine_antagonist"),
                    ),
                    (
                        gettext_noop("For mood or mental health"),
                        (
                            "antipsychotic",
                            "ssri",
                            "snri",
                            "mirtazapine",
                            "tca",
                            "lithium",
                            "bupropion",
                        ),
                    ),
                    (
                        gettext_noop("For restless legs, nerves or pain"),
                        ("dopamine_agonist", "levodopa", "gabapentinoid", "opioid"),
                    ),
                    (
                        gettext_noop("For the stomach, iron, thyroid or heart"),
                        ("ppi", "iron_supplement", "levothyroxine", "amiodarone"),
                    ),
                ),
                none_choice=gettext_noop("None of these"),
            ),
            _yes_no_unsure(
                "iv_iron_last_12wk",
                gettext_noop(
                    "In the last 12 weeks, have you been given iron through a drip (into a vein)?"
                ),
                OPTIONAL,
                required=False,
            ),
            _yes_no(
                "blood_donor_regular",
                gettext_noop("These days, do you give blood more than twice a year?"),
                OPTIONAL,
                required=False,
            ),
            _yes_no(
                "heavy_menstrual_bleeding",
                gettext_noop("Do you have heavy periods now?"),
                # The example and OPTIONAL as one text, so it is translated as one.
                gettext_noop(
                    "For example, needing to change a pad or tampon every 1 to 2 hours, passing "
                    "large clots, or bleeding for more than 7 days. You can leave this blank."
                ),
                required=False,
                show_if=SEX_NOT_MALE_FROM_10,
            ),
            _yes_no(
                "breastfeeding",
                gettext_noop("Are you breastfeeding now?"),
                OPTIONAL,
                required=False,
                show_if=SEX_NOT_MALE_FROM_10,
            ),
            Question(
                "thyroid_symptoms",
                gettext_noop("In the last 3 months, have you noticed any of these?"),
                "multi",
                (
                    ("cold_intolerance", gettext_noop("Feeling cold when others do not")),
                    ("heat_intolerance", gettext_noop("Feeling too hot when others do not")),
                    ("palpitations", gettext_noop("A racing or pounding heart")),
                    ("tremor", gettext_noop("Shaky hands")),
                    ("unexplained_weight_gain", gettext_noop("Weight gain without a reason")),
                    ("dry_skin_or_hair_loss", gettext_noop("Dry skin or hair loss")),
                    ("neck_swelling", gettext_noop("A swelling in the front of the neck")),
                ),
                required=False,
                widget="checkboxes",
                none_choice=gettext_noop("None of these"),
            ),
            Question(
                "caffeine_cups_per_day",
                gettext_noop(
                    "On a usual day these days, how many cups of coffee, tea, cola or energy "
                    "drinks do you have?"
                ),
                "int",
                min_value=0,
                max_value=100,
                widget="number",
            ),
            Question(
                "alcohol_units_per_week",
                gettext_noop("In a usual week these days, how many units of alcohol do you drink?"),
                "int",
                min_value=0,
                max_value=500,
                widget="number",
                help_text=ALCOHOL_UNITS,
                show_if=FROM_AGE_12,
            ),
            _yes_no(
                "nicotine",
                gettext_noop(
                    "These days, do you smoke, vape or use nicotine in any other way (patches, "
                    "gum, pouches)?"
                ),
                show_if=FROM_AGE_12,
            ),
        ),
    ),
    Step(
        "warning-signs",
        gettext_noop("Important symptoms"),
        gettext_noop(
            "Please answer carefully: these help the clinic see who needs to be seen soon."
        ),
        (
            _yes_no_unsure(
                "rectal_bleeding",
                gettext_noop(
                    "In the last 3 months, have you seen blood from your bottom or in your stools?"
                ),
            ),
            _yes_no_unsure(
                "black_stools",
                gettext_noop(
                    "In the last 3 months, have you had black, sticky, tar-like, bad-smelling "
                    "stools? (Iron tablets and bismuth make stools dark but usually firm and not "
                    "sticky. If you take them and are not sure, answer Not sure.)"
                ),
            ),
            _emergency(
                "bleeding_now_or_faint",
                gettext_noop(
                    "Is the bleeding or black stool happening in the last 48 hours, or do you feel "
                    "faint or dizzy when you stand up?"
                ),
                show_if=_either(
                    _is("rectal_bleeding", *YES_OR_UNSURE), _is("black_stools", *YES_OR_UNSURE)
                ),
            ),
            _emergency(
                "vomiting_blood",
                gettext_noop(
                    "In the last 7 days, have you vomited blood, or something that looks like "
                    "coffee grounds?"
                ),
            ),
            _yes_no_unsure(
                "unintentional_weight_loss",
                gettext_noop(
                    "Have you lost weight without trying in the last 6 months (about 1 in 20 of "
                    "your body weight, or more)?"
                ),
            ),
            _yes_no_unsure(
                "nocturnal_diarrhea",
                gettext_noop("In the last 3 months, has diarrhoea woken you up at night?"),
            ),
            _yes_no_unsure(
                "fever_with_gi",
                gettext_noop(
                    "In the last 3 months, have you had a fever (a temperature of 38 °C or more, "
                    "or feeling hot and shivery) along with your tummy symptoms?"
                ),
            ),
            _yes_no_unsure(
                "persistent_vomiting",
                gettext_noop("At the moment, do you keep being sick (vomiting), again and again?"),
            ),
            _emergency(
                "vomiting_green_or_no_fluids",
                gettext_noop(
                    "Is the vomit green, or have you (or your child) been unable to keep fluids "
                    "down for 24 hours (12 hours in a child)?"
                ),
                show_if=_is("persistent_vomiting", *YES_OR_UNSURE),
            ),
            _yes_no_unsure(
                "dysphagia",
                gettext_noop(
                    "In the last 3 months, have you had difficulty swallowing, or food sticking on "
                    "the way down?"
                ),
            ),
            _yes_no_unsure(
                "anemia_recent_unexplained",
                gettext_noop(
                    "In the last 12 months, has a blood test shown anaemia (a low blood count) "
                    "whose cause has not been found? Answer yes even if you were given iron for "
                    "it."
                ),
            ),
            _emergency(
                "leg_weakness_progressive",
                gettext_noop(
                    "In the last 4 weeks, has weakness in one or both legs started or got worse "
                    "(tripping, foot dragging, legs giving way)?"
                ),
            ),
            _emergency(
                "saddle_numbness",
                gettext_noop(
                    "Is there numbness or tingling, new in the last 4 weeks, between your legs, "
                    "around your bottom or genitals?"
                ),
            ),
            _emergency(
                "new_bladder_bowel_control_loss",
                gettext_noop(
                    "In the last 4 weeks, have you had new trouble passing urine, or leaking of "
                    "urine or stool that you cannot control?"
                ),
            ),
            _emergency(
                "new_spreading_numbness",
                gettext_noop(
                    "In the last 4 weeks, has numbness or weakness started and spread over days "
                    "(for example from the feet upwards)?"
                ),
            ),
            _emergency(
                "unilateral_calf_swelling_pain",
                gettext_noop(
                    "In the last 2 weeks, has one calf or leg (not both) become swollen, painful "
                    "or tender?"
                ),
            ),
            _emergency(
                "clot_chest_symptoms",
                gettext_noop("Any new breathlessness, chest pain, or coughing up blood?"),
                show_if=_is("unilateral_calf_swelling_pain", *YES_OR_UNSURE),
            ),
        ),
        notice=(
            gettext_noop(
                "Do not wait for your clinic if you have sudden weakness in your legs, new "
                "numbness around your bottom or between your legs, have just lost control of your "
                "bladder or bowels, have one swollen and painful calf, have new breathlessness or "
                "chest pain, are vomiting blood or are bleeding heavily: call your local emergency "
                "number or go to an emergency department now."
            )
        ),
    ),
    Step(
        "mood",
        gettext_noop("Mood"),
        gettext_noop(
            "Nine questions about how you have felt in the last 2 weeks. If you prefer not to "
            "answer them, leave all nine blank and answer the one question after them instead."
        ),
        (
            _yes_no_unsure(
                "self_harm_thoughts",
                gettext_noop(
                    "In the last 2 weeks, have you had thoughts that you would be better off dead, "
                    "or of hurting yourself?"
                ),
            ),
        ),
        kind=StepKind.MOOD,
    ),
    Step(
        "labs",
        gettext_noop("Earlier test results"),
        gettext_noop(
            "Optional. If you have recent results of any of the tests below, add them here; if you "
            "do not have them or do not know, leave this page empty. Copy the value and unit "
            "exactly as on the report."
        ),
        (
            _yes_no(
                "prior_celiac_test_on_gluten",
                gettext_noop(
                    "In the weeks before your coeliac blood test (tTG-IgA), were you eating gluten "
                    "every day?"
                ),
            ),
        ),
        kind=StepKind.LABS,
    ),
    Step("consent", gettext_noop("Consent"), "", (), kind=StepKind.CONSENT),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
QUESTIONS = {question.key: question for step in STEPS for question in step.questions}


def applicable_steps(facts: Facts) -> list[Step]:
    return [step for step in STEPS if step.shown(facts)]


def applicable_keys(facts: Facts) -> set[str]:
    """Every answer key that applies with these answers (the server's "only when it applies")."""
    keys = set()
    for step in applicable_steps(facts):
        keys.update(question.key for question in step.visible_questions(facts))
        if step.kind in GROUP_KEY_BY_KIND:
            keys.add(GROUP_KEY_BY_KIND[step.kind])
    return keys
