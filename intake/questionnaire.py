"""The intake's steps and questions, in the app's own words.

One place defines what a patient is asked: each question's key (a key of clinical-spec §2),
label, help text, choices and when it is shown. The step forms, the review page, the case
page's answer list and the server-side "only when it applies" checks are all built from it.

Wording is our own paraphrase: nothing here reproduces the IRLS, the Rome IV questionnaire or
the CH-RLSq. The PHQ-9 is free to use and is shown verbatim.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

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
LAB_TESTS = (
    ("ferritin", "Ferritin", ("ng/mL", "µg/L")),
    ("tsat", "Transferrin saturation (TSAT)", ("%",)),
    ("tsh", "TSH (thyroid)", ("mIU/L",)),
    ("calprotectin", "Faecal calprotectin", ("µg/g",)),
    ("ttg_iga", "Coeliac blood test (tTG-IgA)", ()),
    ("total_iga", "Total IgA", ()),
)
QUALITATIVE_LAB_CHOICES = {
    "ttg_iga": (("neg", "Negative"), ("pos", "Positive")),
    "total_iga": (("normal", "Normal"), ("low", "Low")),
}
MAX_LAB_ROWS = 8
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = (
    "I confirm that the answers I gave are true to the best of my knowledge. I agree that the "
    "clinic stores them and that its practitioners use them to prepare my care. I understand "
    "that this questionnaire does not give a diagnosis: a practitioner reviews my answers and "
    "decides on any tests. If my answers suggest I may be at risk, the clinic may contact me "
    "promptly. I can ask the clinic for a copy of what it holds about me, or for it to be "
    "erased, at any time."
)


@dataclass(frozen=True)
class Facts:
    """What a show-condition may look at: the answers so far and facts the clinic holds."""

    answers: Mapping[str, Any]
    age_years: int
    irls_licensed: bool = False

    def answer(self, key: str) -> Any:
        return self.answers.get(key)

    @property
    def child(self) -> bool:
        return self.age_years < 18


Condition = Callable[[Facts], bool]


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str  # choice | multi | int | bool | text
    choices: tuple[tuple[Any, str], ...] = ()
    help_text: str = ""
    required: bool = True
    min_value: int | None = None
    max_value: int | None = None
    show_if: Condition | None = None
    widget: str = "radio"  # radio | select | checkboxes | number | textarea | checkbox

    def shown(self, facts: Facts) -> bool:
        return self.show_if is None or self.show_if(facts)

    def display(self, value: Any) -> str:
        """The patient's answer in words, for the review and case pages."""
        if value is None:
            return "Not answered"
        if self.kind == "multi":
            labels = dict(self.choices)
            return ", ".join(labels.get(item, str(item)) for item in value) or "None of these"
        if self.kind == "choice":
            return dict(self.choices).get(value, str(value))
        if self.kind == "bool":
            return "Yes" if value else "No"
        return str(value)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    show_if: Condition | None = None
    kind: str = "questions"  # questions | irls | mood | labs | consent
    notice: str = ""  # shown to everyone in a box under the intro, e.g. when to seek urgent care

    def shown(self, facts: Facts) -> bool:
        return self.show_if is None or self.show_if(facts)

    def visible_questions(self, facts: Facts) -> list[Question]:
        return [question for question in self.questions if question.shown(facts)]


@dataclass(frozen=True)
class AnswerIn:
    """Shown when an earlier answer is one of `values` (or, negated, answered and not one)."""

    key: str
    values: tuple[Any, ...]
    negate: bool = False

    def __call__(self, facts: Facts) -> bool:
        value = facts.answer(self.key)
        if self.negate:
            return value is not None and value not in self.values
        return value in self.values

    def html_attrs(self) -> dict[str, str]:
        """For static/js/show-if.js, which hides the question in the browser (the server
        enforces the same condition on its own)."""
        rule = "data-show-if-not" if self.negate else "data-show-if-in"
        return {"data-show-if-field": self.key, rule: ",".join(str(v) for v in self.values)}

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        """An answer asked on the same page is the browser's to check (it may still change)."""
        return self.key in on_page or self(facts)


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def __call__(self, facts: Facts) -> bool:
        return all(condition(facts) for condition in self.conditions)

    def html_attrs(self) -> dict[str, str]:
        attrs: dict[str, str] = {}
        for condition in self.conditions:
            attrs.update(getattr(condition, "html_attrs", dict)())
        return attrs

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        return all(holds_off_page(condition, facts, on_page) for condition in self.conditions)


def holds_off_page(condition: Condition, facts: Facts, on_page: Collection[str]) -> bool:
    """Whether the parts of a condition the server decides hold: facts the clinic holds (age,
    settings) and answers from earlier steps. Answers to the keys in `on_page` count as
    holding, since the patient may still choose them on that page. A plain function such as
    `_child` is a server fact through and through."""
    method = getattr(condition, "holds_off_page", None)
    return method(facts, on_page) if method else condition(facts)


def _is(key: str, *values: Any) -> AnswerIn:
    return AnswerIn(key, values)


def _is_not(key: str, *values: Any) -> AnswerIn:
    return AnswerIn(key, values, negate=True)


def _both(*conditions: Condition) -> AllOf:
    return AllOf(conditions)


def _any_gut_trouble(facts: Facts) -> bool:
    # The severity questions only make sense to someone with tummy pain or bloating.
    return any(
        facts.answer(key) not in (None, "never") for key in ("abd_pain_freq", "bloating_freq")
    )


def _child(facts: Facts) -> bool:
    return facts.child


def _yes_no(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", YES_NO, help_text, **kwargs)


def _yes_no_unsure(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", YES_NO_UNSURE, help_text, **kwargs)


def _frequency(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(key, label, "choice", FREQUENCY, help_text, widget="select", **kwargs)


def _percent(key: str, label: str, help_text: str = "", **kwargs: Any) -> Question:
    return Question(
        key,
        label,
        "int",
        help_text=help_text,
        min_value=0,
        max_value=100,
        widget="number",
        **kwargs,
    )


_SCREEN_OPEN = _is_not("rls_screen", "no")  # details follow a yes or a not-sure screen

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
            _yes_no_unsure(
                "pregnant", "Are you pregnant?", show_if=_is_not("sex_at_birth", "male")
            ),
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
                "Is a parent or guardian filling in this form with the child?",
                "bool",
                ((True, "Yes"), (False, "No")),
                "For anyone under 18, a parent or guardian should help.",
                show_if=_child,
            ),
        ),
    ),
    Step(
        "legs",
        "Leg symptoms",
        "These questions are about uncomfortable feelings in your legs.",
        (
            _yes_no_unsure(
                "rls_screen",
                "In the evening or at night, when you try to rest, do you get unpleasant, restless "
                "feelings in your legs that get better when you walk or move?",
            ),
            _yes_no_unsure(
                "rls_c1_urge",
                "Do you feel a need to move your legs, usually with unpleasant feelings in them?",
                "People describe crawling, pulling, aching, itching or fizzy feelings. The need "
                "to move can also come on its own.",
                show_if=_SCREEN_OPEN,
            ),
            _yes_no_unsure(
                "rls_c2_rest",
                "Does it start, or get worse, when you sit or lie still?",
                show_if=_SCREEN_OPEN,
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
                show_if=_SCREEN_OPEN,
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
                show_if=_SCREEN_OPEN,
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
                show_if=_SCREEN_OPEN,
            ),
            _yes_no_unsure(
                "position_shift_relief",
                "Does changing position just once make it stop completely, without needing to "
                "keep moving?",
                show_if=_SCREEN_OPEN,
            ),
            Question(
                "rls_child_own_words",
                "In the child's own words: what do the legs feel like?",
                "text",
                help_text="Please write down how the child describes it, in their words.",
                required=False,
                widget="textarea",
                show_if=_both(_child, _SCREEN_OPEN),
            ),
        ),
    ),
    Step(
        "course",
        "How often and how much",
        "If you take anything for your legs, answer for how it was before treatment.",
        (
            _yes_no("rls_on_treatment", "Do you take any medicine or supplement for your legs?"),
            Question(
                "rls_freq",
                "Over the past year, before any treatment, how often did it happen on average?",
                "choice",
                (
                    ("lt_2_per_week", "Less than 2 days a week"),
                    ("ge_2_per_week", "2 or more days a week"),
                ),
            ),
            _yes_no_unsure(
                "rls_lifetime_episodes_ge5",
                "Has it happened at least 5 times in your life?",
                show_if=_is("rls_freq", "lt_2_per_week"),
            ),
            Question(
                "rls_impact_level",
                "How much does it affect your sleep, energy, daily activities, concentration "
                "or mood?",
                "choice",
                (
                    ("none", "Not at all"),
                    ("mild", "A little"),
                    ("moderate", "Quite a lot"),
                    ("severe", "Very much"),
                ),
            ),
            Question(
                "rls_days_per_week",
                "In the past week, on how many days did you have it?",
                "int",
                min_value=0,
                max_value=7,
                widget="number",
                help_text="A number from 0 to 7.",
            ),
            Question(
                "rls_onset_time",
                "When in the day does it usually start?",
                "choice",
                (
                    ("bedtime_only", "Only at bedtime"),
                    ("evening", "In the evening"),
                    ("afternoon", "In the afternoon"),
                    ("morning_or_all_day", "In the morning, or all day"),
                ),
            ),
        ),
        show_if=_SCREEN_OPEN,
    ),
    Step(
        "treatment",
        "Your leg treatment",
        "Some leg treatments can, over time, make symptoms come earlier or spread.",
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
        show_if=_both(_SCREEN_OPEN, _is("rls_on_treatment", "yes")),
    ),
    Step(
        "severity-scale",
        "Leg symptom severity",
        "Think about the past week. The clinic uses a licensed rating scale for these questions.",
        (),
        show_if=_both(_SCREEN_OPEN, lambda facts: facts.irls_licensed),
        kind="irls",
    ),
    Step(
        "bowel",
        "Tummy and bowel symptoms",
        "Think about the last 3 months.",
        (
            _frequency(
                "abd_pain_freq",
                "How often have you had pain in your tummy (abdomen)?",
                "Count pain only: bloating or discomfort on its own does not count here.",
            ),
            _yes_no_unsure(
                "pain_related_to_bm",
                "Does the pain change (get better or worse) around the time you open your bowels?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_freq_change",
                "When the pain starts, does how often you open your bowels change (more often "
                "or less often than usual)?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _yes_no_unsure(
                "pain_with_stool_form_change",
                "When the pain starts, do your stools change (becoming harder or looser than "
                "usual)?",
                show_if=_is_not("abd_pain_freq", "never"),
            ),
            _frequency("bloating_freq", "How often do you feel bloated?"),
            _frequency("gas_freq", "How often are you troubled by wind (gas)?"),
            _yes_no(
                "loose_stools_4wk",
                "For 4 weeks or more, have you had loose or watery stools on most days?",
            ),
            _yes_no(
                "constipation_4wk",
                "For 4 weeks or more, have you had hard or infrequent stools, or had to strain, "
                "on most days?",
            ),
            Question(
                "pain_resolves_with_constipation_treatment",
                "When the constipation was treated, did the tummy pain go away?",
                "choice",
                (("yes", "Yes"), ("no", "No"), ("na", "It has not been treated")),
                show_if=_both(_child, _is("constipation_4wk", "yes")),
            ),
            Question(
                "gi_symptom_duration_months",
                "How many months have you had bowel or tummy symptoms?",
                "int",
                min_value=0,
                max_value=1560,
                widget="number",
                help_text="Enter 0 if you have none. For 2 years, enter 24.",
            ),
            _yes_no(
                "greasy_floating_stools",
                "Are your stools pale, greasy and floating, and hard to flush away?",
            ),
            _yes_no(
                "bowel_meds_current",
                "Do you take laxatives or medicine for diarrhoea at the moment?",
            ),
        ),
    ),
    Step(
        "stool-form",
        "Stool form",
        "Think only about days when your bowel movements were not normal. The chart shows the "
        "seven stool types.",
        (
            _percent(
                "pct_bm_hard",
                "On those days, what percentage of bowel movements were type 1 or 2 (hard)?",
                "A number from 0 to 100. Enter 0 if none.",
            ),
            _percent(
                "pct_bm_loose",
                "On those days, what percentage were type 6 or 7 (loose or watery)?",
                "A number from 0 to 100. Enter 0 if none.",
            ),
        ),
    ),
    Step(
        "gut-severity",
        "How much your tummy troubles you",
        "Rate each from 0 (not at all) to 100 (very severe), thinking about the last 10 days.",
        (
            _percent(
                "ibssss_pain_severity",
                "How bad is your tummy pain?",
                "0 = no pain, 100 = very severe.",
            ),
            Question(
                "ibssss_pain_days_of_10",
                "On how many of the last 10 days did you have tummy pain?",
                "int",
                min_value=0,
                max_value=10,
                widget="number",
                help_text="A number from 0 to 10.",
            ),
            _percent(
                "ibssss_distension",
                "How bad is bloating or a swollen tummy?",
                "0 = none, 100 = very severe.",
            ),
            _percent(
                "ibssss_bowel_dissatisfaction",
                "How unhappy are you with your bowel habits?",
                "0 = not at all, 100 = very unhappy.",
            ),
            _percent(
                "ibssss_life_interference",
                "How much do your tummy symptoms get in the way of your life?",
                "0 = not at all, 100 = completely.",
            ),
        ),
        show_if=_any_gut_trouble,
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
                "How much gluten do you eat? (Gluten is in wheat, barley and rye: bread, pasta, "
                "most cereals.)",
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
                "Has a parent, brother, sister or child had bowel cancer?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_ibd",
                "Has a parent, brother, sister or child had Crohn's disease or ulcerative colitis?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_celiac",
                "Has a parent, brother, sister or child had coeliac disease?",
                "choice",
                FAMILY,
            ),
            Question(
                "fhx_thyroid",
                "Has a parent, brother, sister or child had thyroid disease?",
                "choice",
                FAMILY,
            ),
        ),
    ),
    Step(
        "history",
        "Health history and medicines",
        "Tick everything that applies. Leave a list empty if none apply.",
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
                    ("ms", "Multiple sclerosis"),
                    ("parkinsons", "Parkinson's disease"),
                    ("rheumatoid_arthritis", "Rheumatoid arthritis"),
                    ("sjogren", "Sjögren's syndrome"),
                    ("scleroderma", "Scleroderma"),
                    ("other_autoimmune", "Another autoimmune disease"),
                    ("hypothyroid", "Underactive thyroid"),
                    ("hyperthyroid", "Overactive thyroid"),
                    ("autoimmune_thyroid", "Autoimmune thyroid disease (Hashimoto's or Graves')"),
                    ("gastroparesis", "Slow stomach emptying (gastroparesis)"),
                    ("intestinal_pseudo_obstruction", "Intestinal pseudo-obstruction"),
                    ("other_motility_disorder", "Another gut movement (motility) disorder"),
                    ("prior_luminal_gi_surgery", "Surgery on the stomach or bowel"),
                    ("bariatric_surgery", "Weight-loss surgery"),
                    ("chronic_pancreatitis", "Chronic pancreatitis"),
                    ("iga_deficiency", "IgA deficiency"),
                    ("neck_irradiation", "Radiotherapy to the neck"),
                    ("fibromyalgia", "Fibromyalgia"),
                    ("osa", "Obstructive sleep apnoea"),
                    ("depression", "Depression"),
                    ("varicose_veins", "Varicose veins"),
                    ("arthritis", "Arthritis (wear and tear)"),
                ),
                required=False,
                widget="checkboxes",
            ),
            Question(
                "medications",
                "Do you take any of these medicines?",
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
                    ("antipsychotic", "Antipsychotic medicine"),
                    ("ssri", "SSRI antidepressant (for example sertraline, citalopram)"),
                    ("snri", "SNRI antidepressant (for example venlafaxine, duloxetine)"),
                    ("mirtazapine", "Mirtazapine"),
                    ("tca", "Tricyclic antidepressant (for example amitriptyline)"),
                    ("lithium", "Lithium"),
                    ("bupropion", "Bupropion"),
                    ("dopamine_agonist", "Pramipexole, ropinirole or rotigotine"),
                    ("levodopa", "Levodopa"),
                    ("gabapentinoid", "Gabapentin or pregabalin"),
                    ("opioid", "Opioid painkillers (for example codeine, tramadol)"),
                    ("ppi", "Stomach acid reducers such as omeprazole or lansoprazole"),
                    ("iron_supplement", "Iron tablets"),
                    ("levothyroxine", "Levothyroxine (thyroid hormone)"),
                    ("amiodarone", "Amiodarone"),
                ),
                required=False,
                widget="checkboxes",
            ),
            Question(
                "thyroid_symptoms",
                "Have you noticed any of these?",
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
            ),
            Question(
                "caffeine_cups_per_day",
                "How many cups of coffee, tea, cola or energy drinks do you have a day?",
                "int",
                min_value=0,
                max_value=100,
                widget="number",
            ),
            Question(
                "alcohol_units_per_week",
                "How many units of alcohol do you drink in a week?",
                "int",
                min_value=0,
                max_value=500,
                widget="number",
                help_text="A small glass of wine or half a pint of beer is about 1 to 1.5 units.",
            ),
            _yes_no("nicotine", "Do you smoke, vape or use nicotine?"),
        ),
    ),
    Step(
        "warning-signs",
        "Important symptoms",
        "Please answer carefully: these help the clinic see who needs to be seen soon.",
        (
            _yes_no_unsure(
                "rectal_bleeding", "Have you seen blood from your bottom or in your stools?"
            ),
            _yes_no_unsure("black_stools", "Have your stools been black, like tar?"),
            _yes_no_unsure(
                "unintentional_weight_loss",
                "Have you lost weight without trying in the last 6 months (about 1 in 20 of "
                "your body weight, or more)?",
            ),
            _yes_no_unsure("nocturnal_diarrhea", "Does diarrhoea wake you up at night?"),
            _yes_no_unsure("fever_with_gi", "Have you had a fever along with your tummy symptoms?"),
            _yes_no_unsure("persistent_vomiting", "Do you keep being sick (vomiting)?"),
            _yes_no_unsure("dysphagia", "Do you have difficulty swallowing?"),
            _yes_no_unsure("leg_weakness_progressive", "Are your legs getting weaker?"),
            _yes_no_unsure(
                "saddle_numbness",
                "Do you have numbness between your legs or around your bottom?",
            ),
            _yes_no_unsure(
                "new_bladder_bowel_control_loss",
                "Have you recently lost control of your bladder or bowels?",
            ),
            _yes_no_unsure(
                "new_spreading_numbness", "Do you have numbness that is new and spreading?"
            ),
            _yes_no_unsure(
                "unilateral_calf_swelling_pain",
                "Is one calf swollen and painful?",
            ),
        ),
        notice=(
            "Do not wait for your clinic if you have sudden weakness in your legs, new numbness "
            "around your bottom or between your legs, have just lost control of your bladder or "
            "bowels, have one swollen and painful calf, or are bleeding heavily: call your local "
            "emergency number or go to an emergency department now."
        ),
    ),
    Step(
        "mood",
        "Mood",
        "Over the last 2 weeks, how often have you been bothered by any of the following "
        "problems? If you prefer not to answer these nine questions, leave them all blank.",
        (
            _yes_no(
                "self_harm_thoughts",
                "In the last 2 weeks, have you had thoughts that you would be better off dead, "
                "or of hurting yourself?",
            ),
        ),
        kind="mood",
    ),
    Step(
        "labs",
        "Earlier test results",
        "Optional. If you have recent results of these blood or stool tests, add them here. "
        "Copy the value and unit exactly as on the report.",
        (
            _yes_no(
                "prior_celiac_test_on_gluten",
                "When you had the coeliac blood test, were you eating gluten every day?",
            ),
        ),
        kind="labs",
    ),
    Step("consent", "Consent", "", (), kind="consent"),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
QUESTIONS = {question.key: question for step in STEPS for question in step.questions}

# Keys the questionnaire collects outside plain questions: PHQ-9 items on the mood step and lab
# rows on the labs step; age comes from the date of birth the clinic holds.
DERIVED_KEYS = frozenset({"age_years"})
# The list answer each kind of step collects beside (or instead of) its plain questions.
GROUP_KEY_BY_KIND = {"irls": "irls_items", "mood": "phq9_items", "labs": "prior_labs"}
GROUP_KEYS = frozenset(GROUP_KEY_BY_KIND.values())
IRLS_ITEM_COUNT = 10


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


def step_keys(step: Step) -> set[str]:
    """Every answer key a step can hold, whether or not it applies now."""
    keys = {question.key for question in step.questions}
    if step.kind in GROUP_KEY_BY_KIND:
        keys.add(GROUP_KEY_BY_KIND[step.kind])
    return keys


def phq9_answered(answers: Mapping[str, Any]) -> bool:
    return answers.get("phq9_items") is not None


def has_ttg_result(answers: Mapping[str, Any]) -> bool:
    return any(row.get("test") == "ttg_iga" for row in answers.get("prior_labs") or ())


def mood_question_shown(question: Question, facts: Facts) -> bool:
    # self_harm_thoughts is asked only when the PHQ-9 is not used (spec §2.4).
    return not phq9_answered(facts.answers)


def labs_question_shown(question: Question, facts: Facts) -> bool:
    # Only relevant when a tTG-IgA result is on file (spec §2.3).
    return has_ttg_result(facts.answers)


def may_show_on_page(step: Step, question: Question, facts: Facts) -> bool:
    """Whether the question belongs on its step's page for this patient at all. False when a
    fact the server holds rules it out whatever is chosen on the page (the child's own words
    for an adult): such a question is never sent to the browser."""
    if question.show_if is None:
        return True
    return holds_off_page(question.show_if, facts, {other.key for other in step.questions})


def field_shown(step: Step, question: Question, facts: Facts) -> bool:
    if step.kind == "mood":
        return mood_question_shown(question, facts)
    if step.kind == "labs":
        return labs_question_shown(question, facts)
    return question.shown(facts)
