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
    is_child,
)

YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_UNSURE = (*YES_NO, ("unsure", "Not sure"))
FAMILY = (("yes", "Yes"), ("no", "No"), ("unknown", "I don't know"))
FREQUENCY = (
    ("never", "Never"),
    ("lt_1_per_month", "Less than once a month"),
    ("1_3_per_month", "1 to 3 times a month"),
    ("1_per_week", "About once a week"),
    ("2_3_per_week", "2 or 3 times a week"),
    ("4_6_per_week", "4 to 6 times a week"),
    ("daily", "Every day"),
)
# The same scale counted in days, for pain (R3-11: Rome IV counts days with pain).
DAYS_FREQUENCY = (
    ("never", "Never"),
    ("lt_1_per_month", "Less than 1 day a month"),
    ("1_3_per_month", "1 to 3 days a month"),
    ("1_per_week", "About 1 day a week"),
    ("2_3_per_week", "2 or 3 days a week"),
    ("4_6_per_week", "4 to 6 days a week"),
    ("daily", "Every day"),
)
WEEKLY_OR_MORE = ("1_per_week", "2_3_per_week", "4_6_per_week", "daily")
PHQ9_CHOICES = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
BRISTOL_TYPES = (
    (1, "Separate hard lumps, difficult to pass"),
    (2, "Lumpy, sausage-shaped"),
    (3, "Sausage-shaped with cracks on the surface"),
    (4, "Smooth, soft sausage or snake"),
    (5, "Soft blobs with clear edges, passed easily"),
    (6, "Fluffy, mushy pieces with ragged edges"),
    (7, "Watery, no solid pieces"),
)
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = (
    "I confirm that the answers I gave are true to the best of my knowledge. I agree that the "
    "clinic stores them and that its practitioners use them to prepare my care. I understand "
    "that this questionnaire does not give a diagnosis: a practitioner reviews my answers and "
    "decides on any tests. If my answers suggest I may be at risk, the clinic may contact me "
    "promptly. I can ask the clinic for a copy of what it holds about me, or for it to be "
    "erased, at any time."
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
WITHOUT_TREATMENT = (
    "If you take anything for your restless legs, answer for your legs without it, or as they "
    "were before you started it."
)
# R3-14: an emergency question asks about something new, not a long-standing problem.
NOT_LONG_STANDING = "A problem you have had for longer, unchanged, is not a yes"
OPTIONAL = "You can leave this blank."
# What a unit is, where the number of units is asked (UK units: 10 ml of pure alcohol).
ALCOHOL_UNITS = (
    "One unit is 10 ml of pure alcohol. A single measure of spirits (25 ml) is 1 unit; half a "
    "pint of ordinary beer, lager or cider is 1 to 1.5 units; a small glass of wine (125 ml) is "
    "1.5 units; a pint of ordinary beer or a large glass of wine (250 ml) is 2 to 3 units. Enter "
    "0 if you do not drink."
)


def _without_treatment(help_text: str = "") -> str:
    return f"{help_text} {WITHOUT_TREATMENT}".strip()


def _emergency(key: str, label: str, **kwargs: Any) -> Question:
    # The spec's words exactly, as the help under each emergency question.
    return _yes_no_unsure(key, label, NOT_LONG_STANDING, **kwargs)


STEPS: tuple[Step, ...] = (
    Step(
        "about-you",
        "About you",
        "A few facts that change which questions apply to you.",
        (
            Question(
                "sex_at_birth",
                "Sex recorded at birth",
                "choice",
                (("female", "Female"), ("male", "Male"), ("other", "Intersex or another answer")),
                "Some tests and conditions depend on it.",
            ),
            _yes_no_unsure("pregnant", "Are you pregnant now?", show_if=SEX_NOT_MALE_FROM_10),
            Question(
                "weeks_pregnant",
                "How many weeks pregnant are you?",
                "int",
                min_value=0,
                max_value=45,
                required=False,
                widget="number",
                help_text="Leave blank if you are not sure.",
                show_if=_is("pregnant", "yes"),
            ),
            Question(
                "guardian_completed",
                "Is a parent or guardian filling in this form with the child today?",
                "bool",
                ((True, "Yes"), (False, "No")),
                "For anyone under 18, a parent or guardian should help.",
                show_if=is_child,
            ),
        ),
    ),
    Step(
        "legs",
        "Leg symptoms",
        "These questions are about uncomfortable feelings in your legs. If you take anything for "
        "your restless legs, answer the questions after the first ones for your legs without "
        "it, or as they were before you started it.",
        (
            _yes_no(
                "rls_on_treatment",
                "Do you take anything for your restless legs now?",
                "A medicine, iron or anything else you take to ease your legs.",
            ),
            Question(
                "rls_treatment_meds",
                "Which of these do you take for your restless legs now?",
                "multi",
                (
                    (
                        "dopamine_agonist",
                        "Pramipexole, ropinirole or rotigotine (a skin patch), for example "
                        "Mirapexin, Requip or Neupro",
                    ),
                    ("levodopa", "Levodopa, for example co-beneldopa (Madopar) or Sinemet"),
                    ("gabapentinoid", "Gabapentin or pregabalin (Lyrica)"),
                    (
                        "opioid",
                        "An opioid painkiller, for example tramadol, codeine, oxycodone or "
                        "methadone",
                    ),
                    ("iron", "Iron: tablets, liquid or a drip"),
                    ("other", "Something else, or I am not sure what it is"),
                ),
                "Tick everything you take for your legs.",
                widget="checkboxes",
                show_if=TREATED,
            ),
            _yes_no_unsure(
                "rls_screen",
                "In the evening or at night, when you try to rest, do you get unpleasant, restless "
                "feelings in your legs that get better when you walk or move?",
                _without_treatment(),
            ),
            _yes_no_unsure(
                "rls_c1_urge",
                "Do you feel a need to move your legs, usually with unpleasant feelings in them?",
                _without_treatment(
                    "People describe crawling, pulling, aching, itching or fizzy feelings. The "
                    "need to move can also come on its own."
                ),
                show_if=RLS_DETAILS_ASKED,
            ),
            _yes_no_unsure(
                "rls_c2_rest",
                "Does it start, or get worse, when you sit or lie still?",
                _without_treatment(),
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_c3_movement_relief",
                "Does walking or stretching ease it, at least for as long as you keep moving?",
                "choice",
                (
                    ("yes", "Yes"),
                    ("previously_yes_now_constant", "It used to, but now it is there all the time"),
                    ("no", "No"),
                    ("unsure", "Not sure"),
                ),
                _without_treatment(),
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_c4_evening",
                "Does it happen only in the evening or at night, or is it worse then than "
                "during the day?",
                "choice",
                (
                    ("yes", "Yes"),
                    ("previously_yes_now_constant", "It used to, but now it is the same all day"),
                    ("no", "No"),
                    ("unsure", "Not sure"),
                ),
                _without_treatment(),
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "leg_main_problem",
                "Which description fits your main leg problem best?",
                "choice",
                (
                    ("urge_to_move", "A need to keep moving my legs"),
                    ("cramp", "Painful muscle cramps, with the muscle going hard"),
                    (
                        "position_discomfort",
                        "Discomfort from the position I am sitting or lying in",
                    ),
                    ("constant_numbness_burning", "Numbness or burning that is there all the time"),
                    ("joint_pain", "Pain in my joints"),
                    ("swelling_heaviness", "Swelling or heavy legs"),
                    ("habit_tapping", "Tapping or jiggling my feet out of habit"),
                    ("other_unsure", "Something else, or I am not sure"),
                ),
                _without_treatment(),
                show_if=RLS_DETAILS_ASKED,
            ),
            _yes_no_unsure(
                "position_shift_relief",
                "Does changing position just once make it stop completely, without needing to "
                "keep moving?",
                _without_treatment(),
                show_if=RLS_DETAILS_ASKED,
            ),
            Question(
                "rls_child_own_words",
                "In the child's own words: what do the legs feel like?",
                "text",
                help_text="Please write down how the child describes it, in their words.",
                required=False,
                widget="textarea",
                show_if=_both(is_child, RLS_DETAILS_ASKED),
            ),
        ),
    ),
    Step(
        "course",
        "How often and how much",
        "Some questions are about your legs without treatment, others about the past week as "
        "things are now: each question says which.",
        (
            Question(
                "rls_freq",
                "Over the past year, before any treatment, how often did it happen on average?",
                "choice",
                (
                    ("lt_2_per_week", "Less than 2 days a week"),
                    ("ge_2_per_week", "2 or more days a week"),
                ),
                WITHOUT_TREATMENT,
            ),
            _yes_no_unsure(
                "rls_lifetime_episodes_ge5",
                "Has it happened at least 5 times in your life?",
                WITHOUT_TREATMENT,
                show_if=_is("rls_freq", "lt_2_per_week"),
            ),
            Question(
                "rls_impact_level",
                "Over the past year, before any treatment, how much did it affect your sleep, "
                "energy, daily activities, concentration or mood?",
                "choice",
                (
                    ("none", "Not at all"),
                    ("mild", "A little"),
                    ("moderate", "Quite a lot"),
                    ("severe", "Very much"),
                ),
                WITHOUT_TREATMENT,
            ),
            Question(
                "rls_days_per_week",
                "In the past week, as things are now, on how many days did you have it?",
                "int",
                min_value=0,
                max_value=7,
                widget="number",
                help_text="A number from 0 to 7. If you take anything for your legs, count the "
                "days as they are now, with it.",
            ),
            Question(
                "rls_onset_time",
                "In the past week, as things are now, when in the day did it usually start?",
                "choice",
                (
                    ("bedtime_only", "Only at bedtime"),
                    ("evening", "In the evening"),
                    ("afternoon", "In the afternoon"),
                    ("morning_or_all_day", "In the morning, or all day"),
                ),
                "If you take anything for your legs, answer for how they are now, with it.",
            ),
        ),
        show_if=RLS_DETAILS_ASKED,
    ),
    Step(
        "treatment",
        "Your leg treatment",
        "Some leg treatments can, over time, make symptoms come earlier or spread. These "
        "questions are about your legs now, with your treatment.",
        (
            Question(
                "aug_earlier_onset_hours",
                "How many hours earlier in the day do the symptoms start now, compared with "
                "before treatment?",
                "int",
                min_value=0,
                max_value=24,
                widget="number",
                help_text="Enter 0 if they start at the same time.",
            ),
            _yes_no(
                "aug_spread_to_arms",
                "Since starting treatment, have the feelings spread to your arms or body?",
            ),
            _yes_no(
                "aug_dose_escalation_or_shorter_relief",
                "Do you need more of the medicine than before, or does its effect wear off sooner?",
            ),
        ),
        show_if=DOPAMINERGIC_FOR_RLS,
    ),
    Step(
        "severity-scale",
        "Leg symptom severity",
        "Think about the past week. The clinic uses a licensed rating scale for these questions.",
        (),
        show_if=_both(RLS_DETAILS_ASKED, lambda facts: facts.irls_licensed),
        kind=StepKind.IRLS,
    ),
    Step(
        "bowel",
        "Tummy and bowel symptoms",
        "Think about the last 3 months.",
        (
            Question(
                "abd_pain_freq",
                "On how many days have you had pain in your tummy (abdomen), on average, over "
                "the last 3 months?",
                "choice",
                DAYS_FREQUENCY,
                "Count days with pain only: bloating or discomfort on its own does not count here.",
                widget="select",
            ),
            _yes_no_unsure(
                "pain_related_to_bm",
                "Over the last 3 months, has the pain changed (got better or worse) around the "
                "time you open your bowels?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_freq_change",
                "Over the last 3 months, when the pain started, did how often you open your "
                "bowels change (more often or less often than usual)?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_form_change",
                "Over the last 3 months, when the pain started, did your stools change "
                "(becoming harder or looser than usual)?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _frequency(
                "bloating_freq",
                "Over the last 3 months, how often have you felt bloated (a full, tight or "
                "swollen tummy)?",
            ),
            _frequency(
                "gas_freq",
                "Over the last 3 months, how often have you been troubled by wind (gas)?",
            ),
            _yes_no(
                "loose_stools_4wk",
                "Over the last 3 months, have you had loose or watery stools on most days, for "
                "4 weeks or more?",
            ),
            _yes_no(
                "constipation_4wk",
                "Over the last 3 months, have you had hard or infrequent stools, or had to "
                "strain, on most days, for 4 weeks or more?",
            ),
            Question(
                "pain_resolves_with_constipation_treatment",
                "When the constipation has been treated, does the tummy pain go away?",
                "choice",
                (
                    ("yes", "Yes"),
                    ("no", "No"),
                    ("not_treated_yet", "It has not been treated yet"),
                    ("no_constipation", "My child is not constipated"),
                ),
                show_if=CHILD_MAY_BE_CONSTIPATED,
            ),
            Question(
                "gi_symptom_duration_months",
                "Up to today, how many months have you had bowel or tummy symptoms?",
                "int",
                min_value=0,
                max_value=1560,
                widget="number",
                help_text="Enter 0 if you have none. For 2 years, enter 24.",
            ),
            _yes_no(
                "greasy_floating_stools",
                "Over the last 3 months, have your stools been pale, greasy and floating, and "
                "hard to flush away?",
            ),
            _yes_no(
                "bowel_meds_current",
                "Do you take laxatives or medicine for diarrhoea at the moment?",
                show_if=GI_SYMPTOMATIC,
            ),
        ),
    ),
    Step(
        "stool-form",
        "Stool form",
        "Think about the last 3 months, and only about days when your bowel movements were not "
        "normal. The chart shows the seven stool types.",
        (
            _slider(
                "pct_bm_hard",
                "Over the last 3 months, on days when your bowel movements were not normal, how "
                "many of them were type 1 or 2 (hard), out of 100?",
                ("None of them", "Half of them", "All of them"),
                "A percentage: 25 means 1 in 4 bowel movements. Move it to 0 if none.",
            ),
            _slider(
                "pct_bm_loose",
                "Over the last 3 months, on those same days, how many were type 6 or 7 (loose or "
                "watery), out of 100?",
                ("None of them", "Half of them", "All of them"),
                "A percentage: 25 means 1 in 4 bowel movements. Move it to 0 if none. Hard and "
                "loose together cannot be more than 100.",
            ),
        ),
        show_if=GI_SYMPTOMATIC,
    ),
    Step(
        "gut-severity",
        "How much your tummy troubles you",
        "Think about the last 10 days. Move each slider to where you are, from 0 (not at all) "
        "to 100 (very severe); until you move it, the question is not answered.",
        (
            _slider(
                "ibssss_pain_severity",
                "In the last 10 days, how bad has your tummy pain been?",
                ("No pain", "Moderate pain", "Very severe pain"),
            ),
            Question(
                "ibssss_pain_days_of_10",
                "In the last 10 days, on how many days did you have tummy pain?",
                "int",
                min_value=0,
                max_value=10,
                widget="number",
                help_text="A number from 0 to 10.",
            ),
            _slider(
                "ibssss_distension",
                "In the last 10 days, how bad has bloating or a swollen tummy been?",
                ("None", "Moderate", "Very severe"),
            ),
            _slider(
                "ibssss_bowel_dissatisfaction",
                "In the last 10 days, how unhappy have you been with your bowel habits (how often "
                "you go and what your stools are like)?",
                ("Not unhappy at all", "Fairly unhappy", "Very unhappy"),
            ),
            _slider(
                "ibssss_life_interference",
                "In the last 10 days, how much have your tummy symptoms got in the way of your "
                "life (work, meals, going out, sleep)?",
                ("Not at all", "Quite a lot", "Completely"),
            ),
        ),
        show_if=PAIN_OR_BLOATING_WEEKLY,
    ),
    Step(
        "gut-risks",
        "Travel, antibiotics, gluten and family",
        "",
        (
            _yes_no(
                "travel_high_risk_12mo",
                "In the last 12 months, have you travelled to, or moved from, a place where "
                "stomach infections from food or water are common?",
            ),
            _yes_no("antibiotics_last_3mo", "Have you taken antibiotics in the last 3 months?"),
            _yes_no(
                "antibiotics_last_4wk",
                "Have you taken antibiotics in the last 4 weeks?",
                show_if=_is("antibiotics_last_3mo", "yes"),
            ),
            Question(
                "gluten_intake",
                "These days, how much gluten do you eat? (Gluten is in wheat, barley and rye: "
                "bread, pasta, most cereals.)",
                "choice",
                (
                    ("daily_gt1_meal", "In more than one meal every day, for at least 6 weeks"),
                    ("less_than_daily", "Less than that"),
                    ("gluten_free", "I eat gluten-free"),
                    ("unknown", "I don't know"),
                ),
                "Please do not start a gluten-free diet before your clinic has finished any tests.",
            ),
            Question(
                "fhx_crc",
                "Has a parent, brother, sister or child ever had bowel cancer?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_ibd",
                "Has a parent, brother, sister or child ever had Crohn's disease or ulcerative "
                "colitis?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_celiac",
                "Has a parent, brother, sister or child ever had coeliac disease?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_thyroid",
                "Has a parent, brother, sister or child ever had thyroid disease?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_rls",
                "Has a parent, brother, sister or child ever had restless legs?",
                "choice",
                FAMILY,
                OPTIONAL,
                required=False,
            ),
        ),
    ),
    Step(
        "history",
        "Health history and medicines",
        "Tick everything that applies. If nothing in a list applies, tick “None of these” at its "
        "end. The lists are in groups: open a group to see what is in it.",
        (
            Question(
                "conditions",
                "Has a doctor ever told you that you have any of these?",
                "multi",
                (
                    ("iron_deficiency_known", "Low iron (iron deficiency)"),
                    ("anemia_known", "Anaemia"),
                    ("celiac_known", "Coeliac disease"),
                    ("crohns", "Crohn's disease"),
                    ("ulcerative_colitis", "Ulcerative colitis"),
                    ("ibs_diagnosed", "Irritable bowel syndrome (IBS)"),
                    ("t1dm", "Type 1 diabetes"),
                    ("t2dm", "Type 2 diabetes"),
                    ("peripheral_neuropathy", "Nerve damage in the feet or legs (neuropathy)"),
                    ("ckd_dialysis", "Kidney failure treated with dialysis"),
                    ("ckd_non_dialysis", "Kidney disease, not on dialysis"),
                    ("ms", "Multiple sclerosis (MS)"),
                    ("parkinsons", "Parkinson's disease"),
                    ("rheumatoid_arthritis", "Rheumatoid arthritis"),
                    (
                        "sjogren",
                        "Sjögren's syndrome (dry eyes and dry mouth from the immune system)",
                    ),
                    ("scleroderma", "Scleroderma (hardening of the skin)"),
                    (
                        "other_autoimmune",
                        "Another autoimmune disease (the immune system attacks the body)",
                    ),
                    ("hypothyroid", "Underactive thyroid"),
                    ("hyperthyroid", "Overactive thyroid"),
                    ("autoimmune_thyroid", "Autoimmune thyroid disease (Hashimoto's or Graves')"),
                    ("gastroparesis", "Slow stomach emptying (gastroparesis)"),
                    (
                        "intestinal_pseudo_obstruction",
                        "Intestinal pseudo-obstruction (the bowel stops moving food along, as if "
                        "blocked)",
                    ),
                    ("other_motility_disorder", "Another gut movement (motility) disorder"),
                    ("prior_luminal_gi_surgery", "Surgery on the stomach or bowel"),
                    ("bariatric_surgery", "Weight-loss surgery"),
                    (
                        "chronic_pancreatitis",
                        "Chronic pancreatitis (long-lasting inflamed pancreas)",
                    ),
                    (
                        "iga_deficiency",
                        "IgA deficiency (too little of one of the body's antibodies, IgA)",
                    ),
                    ("neck_irradiation", "Radiotherapy to the neck"),
                    ("fibromyalgia", "Fibromyalgia (long-lasting pain all over the body)"),
                    (
                        "osa",
                        "Obstructive sleep apnoea (breathing stops and starts while asleep)",
                    ),
                    ("depression", "Depression"),
                    ("varicose_veins", "Varicose veins"),
                    ("arthritis", "Arthritis (wear and tear)"),
                ),
                required=False,
                widget="checkboxes",
                groups=(
                    ("Blood and iron", ("iron_deficiency_known", "anemia_known")),
                    (
                        "Stomach, bowel and pancreas",
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
                        "Diabetes and thyroid",
                        (
                            "t1dm",
                            "t2dm",
                            "hypothyroid",
                            "hyperthyroid",
                            "autoimmune_thyroid",
                            "neck_irradiation",
                        ),
                    ),
                    ("Nerves and brain", ("peripheral_neuropathy", "ms", "parkinsons")),
                    ("Kidneys", ("ckd_dialysis", "ckd_non_dialysis")),
                    (
                        "Joints, muscles and the immune system",
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
                    ("Sleep, mood and veins", ("osa", "depression", "varicose_veins")),
                ),
                none_choice="None of these",
            ),
            Question(
                "medications",
                "Do you take any of these medicines now?",
                "multi",
                (
                    (
                        "sedating_antihistamine",
                        "Antihistamines that cause drowsiness, including night-time sleep aids",
                    ),
                    (
                        "antiemetic_dopamine_antagonist",
                        "Anti-sickness medicine such as metoclopramide or prochlorperazine",
                    ),
                    (
                        "antipsychotic",
                        "Antipsychotic medicine (for example quetiapine, olanzapine, risperidone)",
                    ),
                    ("ssri", "SSRI antidepressant (for example sertraline, citalopram)"),
                    ("snri", "SNRI antidepressant (for example venlafaxine, duloxetine)"),
                    ("mirtazapine", "Mirtazapine (an antidepressant)"),
                    ("tca", "Tricyclic antidepressant (for example amitriptyline)"),
                    ("lithium", "Lithium (for mood)"),
                    ("bupropion", "Bupropion (to stop smoking, or for depression)"),
                    ("dopamine_agonist", "Pramipexole, ropinirole or rotigotine"),
                    ("levodopa", "Levodopa (for example co-beneldopa or co-careldopa)"),
                    ("gabapentinoid", "Gabapentin or pregabalin"),
                    ("opioid", "Opioid painkillers (for example codeine, tramadol)"),
                    ("ppi", "Stomach acid reducers such as omeprazole or lansoprazole"),
                    ("iron_supplement", "Iron tablets"),
                    ("levothyroxine", "Levothyroxine (thyroid hormone)"),
                    ("amiodarone", "Amiodarone (for an uneven heartbeat)"),
                ),
                required=False,
                widget="checkboxes",
                groups=(
                    (
                        "For sleep, allergies or sickness",
                        ("sedating_antihistamine", "antiemetic_dopamine_antagonist"),
                    ),
                    (
                        "For mood or mental health",
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
                        "For restless legs, nerves or pain",
                        ("dopamine_agonist", "levodopa", "gabapentinoid", "opioid"),
                    ),
                    (
                        "For the stomach, iron, thyroid or heart",
                        ("ppi", "iron_supplement", "levothyroxine", "amiodarone"),
                    ),
                ),
                none_choice="None of these",
            ),
            _yes_no_unsure(
                "iv_iron_last_12wk",
                "In the last 12 weeks, have you been given iron through a drip (into a vein)?",
                OPTIONAL,
                required=False,
            ),
            _yes_no(
                "blood_donor_regular",
                "These days, do you give blood more than twice a year?",
                OPTIONAL,
                required=False,
            ),
            _yes_no(
                "heavy_menstrual_bleeding",
                "Do you have heavy periods now?",
                "For example, needing to change a pad or tampon every 1 to 2 hours, passing large "
                f"clots, or bleeding for more than 7 days. {OPTIONAL}",
                required=False,
                show_if=SEX_NOT_MALE_FROM_10,
            ),
            _yes_no(
                "breastfeeding",
                "Are you breastfeeding now?",
                OPTIONAL,
                required=False,
                show_if=SEX_NOT_MALE_FROM_10,
            ),
            Question(
                "thyroid_symptoms",
                "In the last 3 months, have you noticed any of these?",
                "multi",
                (
                    ("cold_intolerance", "Feeling cold when others do not"),
                    ("heat_intolerance", "Feeling too hot when others do not"),
                    ("palpitations", "A racing or pounding heart"),
                    ("tremor", "Shaky hands"),
                    ("unexplained_weight_gain", "Weight gain without a reason"),
                    ("dry_skin_or_hair_loss", "Dry skin or hair loss"),
                    ("neck_swelling", "A swelling in the front of the neck"),
                ),
                required=False,
                widget="checkboxes",
                none_choice="None of these",
            ),
            Question(
                "caffeine_cups_per_day",
                "On a usual day these days, how many cups of coffee, tea, cola or energy drinks "
                "do you have?",
                "int",
                min_value=0,
                max_value=100,
                widget="number",
            ),
            Question(
                "alcohol_units_per_week",
                "In a usual week these days, how many units of alcohol do you drink?",
                "int",
                min_value=0,
                max_value=500,
                widget="number",
                help_text=ALCOHOL_UNITS,
                show_if=FROM_AGE_12,
            ),
            _yes_no(
                "nicotine",
                "These days, do you smoke, vape or use nicotine in any other way (patches, gum, "
                "pouches)?",
                show_if=FROM_AGE_12,
            ),
        ),
    ),
    Step(
        "warning-signs",
        "Important symptoms",
        "Please answer carefully: these help the clinic see who needs to be seen soon.",
        (
            _yes_no_unsure(
                "rectal_bleeding",
                "In the last 3 months, have you seen blood from your bottom or in your stools?",
            ),
            _yes_no_unsure(
                "black_stools",
                "In the last 3 months, have you had black, sticky, tar-like, bad-smelling stools? "
                "(Iron tablets and bismuth make stools dark but usually firm and not sticky. If "
                "you take them and are not sure, answer Not sure.)",
            ),
            _emergency(
                "bleeding_now_or_faint",
                "Is the bleeding or black stool happening in the last 48 hours, or do you feel "
                "faint or dizzy when you stand up?",
                show_if=_either(
                    _is("rectal_bleeding", *YES_OR_UNSURE), _is("black_stools", *YES_OR_UNSURE)
                ),
            ),
            _emergency(
                "vomiting_blood",
                "In the last 7 days, have you vomited blood, or something that looks like coffee "
                "grounds?",
            ),
            _yes_no_unsure(
                "unintentional_weight_loss",
                "Have you lost weight without trying in the last 6 months (about 1 in 20 of "
                "your body weight, or more)?",
            ),
            _yes_no_unsure(
                "nocturnal_diarrhea",
                "In the last 3 months, has diarrhoea woken you up at night?",
            ),
            _yes_no_unsure(
                "fever_with_gi",
                "In the last 3 months, have you had a fever (a temperature of 38 °C or more, or "
                "feeling hot and shivery) along with your tummy symptoms?",
            ),
            _yes_no_unsure(
                "persistent_vomiting",
                "At the moment, do you keep being sick (vomiting), again and again?",
            ),
            _emergency(
                "vomiting_green_or_no_fluids",
                "Is the vomit green, or have you (or your child) been unable to keep fluids down "
                "for 24 hours (12 hours in a child)?",
                show_if=_is("persistent_vomiting", *YES_OR_UNSURE),
            ),
            _yes_no_unsure(
                "dysphagia",
                "In the last 3 months, have you had difficulty swallowing, or food sticking on "
                "the way down?",
            ),
            _yes_no_unsure(
                "anemia_recent_unexplained",
                "In the last 12 months, has a blood test shown anaemia (a low blood count) whose "
                "cause has not been found? Answer yes even if you were given iron for it.",
            ),
            _emergency(
                "leg_weakness_progressive",
                "In the last 4 weeks, has weakness in one or both legs started or got worse "
                "(tripping, foot dragging, legs giving way)?",
            ),
            _emergency(
                "saddle_numbness",
                "Is there numbness or tingling, new in the last 4 weeks, between your legs, "
                "around your bottom or genitals?",
            ),
            _emergency(
                "new_bladder_bowel_control_loss",
                "In the last 4 weeks, have you had new trouble passing urine, or leaking of urine "
                "or stool that you cannot control?",
            ),
            _emergency(
                "new_spreading_numbness",
                "In the last 4 weeks, has numbness or weakness started and spread over days (for "
                "example from the feet upwards)?",
            ),
            _emergency(
                "unilateral_calf_swelling_pain",
                "In the last 2 weeks, has one calf or leg (not both) become swollen, painful or "
                "tender?",
            ),
            _emergency(
                "clot_chest_symptoms",
                "Any new breathlessness, chest pain, or coughing up blood?",
                show_if=_is("unilateral_calf_swelling_pain", *YES_OR_UNSURE),
            ),
        ),
        notice=(
            "Do not wait for your clinic if you have sudden weakness in your legs, new numbness "
            "around your bottom or between your legs, have just lost control of your bladder or "
            "bowels, have one swollen and painful calf, have new breathlessness or chest pain, "
            "are vomiting blood or are bleeding heavily: call your local emergency number or go "
            "to an emergency department now."
        ),
    ),
    Step(
        "mood",
        "Mood",
        "Nine questions about how you have felt in the last 2 weeks. If you prefer not to "
        "answer them, leave all nine blank and answer the one question after them instead.",
        (
            _yes_no_unsure(
                "self_harm_thoughts",
                "In the last 2 weeks, have you had thoughts that you would be better off dead, "
                "or of hurting yourself?",
            ),
        ),
        kind=StepKind.MOOD,
    ),
    Step(
        "labs",
        "Earlier test results",
        "Optional. If you have recent results of any of the tests below, add them here; if you "
        "do not have them or do not know, leave this page empty. Copy the value and unit "
        "exactly as on the report.",
        (
            _yes_no(
                "prior_celiac_test_on_gluten",
                "In the weeks before your coeliac blood test (tTG-IgA), were you eating gluten "
                "every day?",
            ),
        ),
        kind=StepKind.LABS,
    ),
    Step("consent", "Consent", "", (), kind=StepKind.CONSENT),
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
