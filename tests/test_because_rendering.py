"""The answers behind a fired rule, in words (intake.explain_answers): one line per entry of
`because`, a derived fact with its own inputs under it, and stored data that is old or hostile
shown as it is, never as an error."""

from __future__ import annotations

import pytest

from intake import explain_answers, questionnaire
from intake.explain_answers import BecauseLine, because_lines, because_text, flatten
from intake.questionnaire import QUESTIONS

LOOSE = f"{QUESTIONS['loose_stools_4wk'].label} Yes"
FHX_THYROID = f"{QUESTIONS['fhx_thyroid'].label} Yes"


def _label(key: str) -> str:
    return QUESTIONS[key].label


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"key": "fhx_thyroid", "value": "yes"}, FHX_THYROID),
        ({"key": "loose_stools_4wk", "value": "yes"}, LOOSE),
        ({"key": "sex_at_birth", "value": "male"}, "Sex recorded at birth: Male"),
        (
            {"key": "bloating_freq", "value": "daily"},
            f"{QUESTIONS['bloating_freq'].label} Every day",
        ),
        ({"key": "fhx_thyroid", "value": None}, f"{_label('fhx_thyroid')} Not answered"),
        # A multi-select names the one ticked box that counted.
        ({"key": "conditions", "value": "t1dm"}, "Type 1 diabetes"),
        ({"key": "medications", "value": "iron_supplement"}, "Iron tablets"),
        # A lab result by the test's name.
        ({"key": "prior_labs.ferritin", "value": 30}, "Ferritin: 30"),
        ({"key": "prior_labs.ferritin", "value": 29.5}, "Ferritin: 29.5"),
        ({"key": "prior_labs.ferritin", "value": 30.0}, "Ferritin: 30"),
        ({"key": "prior_labs.ttg_iga", "value": "pos"}, "Coeliac blood test (tTG-IgA): Positive"),
        ({"key": "prior_labs.total_iga", "value": "low"}, "Total IgA: Low"),
        # Derived facts: a phrase, or a label and its value.
        ({"key": "chronic_diarrhea", "value": True}, "Chronic diarrhoea"),
        ({"key": "chronic_constipation", "value": True}, "Chronic constipation"),
        (
            {"key": "gi_symptomatic", "value": True},
            "Gut symptoms (weekly, or for 4 weeks or more)",
        ),
        (
            {"key": "sibo_symptoms", "value": True},
            "Symptoms that fit SIBO (abdominal pain, bloating, gas or diarrhoea)",
        ),
        ({"key": "iron_deficient_lab", "value": True}, "Ferritin below 30 on file"),
        ({"key": "autoimmune_risk", "value": True}, "An autoimmune condition"),
        ({"key": "pregnant_eff", "value": True}, "Pregnant"),
        ({"key": "gi_onset_age", "value": 52.75}, "Age when the gut symptoms began: 52"),
        ({"key": "gi_onset_age", "value": 50}, "Age when the gut symptoms began: 50"),
        ({"key": "ibs.status", "value": "met"}, "IBS criteria (Rome IV): met"),
        ({"key": "ibs.subtype", "value": "IBS-D"}, "IBS subtype: IBS-D"),
        ({"key": "rls.status", "value": "met"}, "RLS criteria: met"),
        ({"key": "rls.status", "value": "not_met"}, "RLS criteria: not met"),
        ({"key": "phq9_items[9]", "value": 2}, "PHQ-9 item 9: 2"),
        ({"key": "age_years", "value": 55}, "Age: 55"),
        # RF-5's default when the duration is missing (counted as late onset).
        (
            {"key": "gi_symptom_duration_months", "value": None},
            f"{_label('gi_symptom_duration_months')} Not answered (counted as onset at 50 or over)",
        ),
        (
            {"key": "gi_symptom_duration_months", "value": 24},
            f"{_label('gi_symptom_duration_months')} 24",
        ),
    ],
)
def test_because_lines_entry_reads_in_the_questionnaires_words(entry, expected):
    assert because_lines([entry]) == [BecauseLine(expected)]


def test_because_lines_derived_fact_has_its_own_inputs_under_it():
    because = [
        {"key": "sibo_symptoms", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
        {"key": "bloating_freq", "value": "daily"},
        {"key": "conditions", "value": "prior_luminal_gi_surgery"},
    ]

    assert flatten(because_lines(because)) == [
        (0, "Symptoms that fit SIBO (abdominal pain, bloating, gas or diarrhoea)"),
        (1, LOOSE),
        (
            1,
            f"{QUESTIONS['bloating_freq'].label} Every day",
        ),
        (0, "Surgery on the stomach or bowel"),
    ]


def test_because_lines_derived_fact_inside_a_derived_fact_nests_twice():
    because = [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "ibs.status", "value": "met"},
        {"key": "ibs.subtype", "value": "IBS-D"},
        {"key": "fhx_thyroid", "value": "yes"},
    ]

    assert flatten(because_lines(because)) == [
        (0, "Chronic diarrhoea"),
        (1, "IBS criteria (Rome IV): met"),
        (1, "IBS subtype: IBS-D"),
        (0, FHX_THYROID),
    ]


def test_because_lines_onset_age_with_its_inputs_after_gut_symptoms():
    because = [
        {"key": "gi_symptomatic", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
        {"key": "gi_onset_age", "value": 51},
        {"key": "age_years", "value": 53},
        {"key": "gi_symptom_duration_months", "value": 24},
    ]

    assert flatten(because_lines(because)) == [
        (0, "Gut symptoms (weekly, or for 4 weeks or more)"),
        (1, LOOSE),
        (0, "Age when the gut symptoms began: 51"),
        (1, "Age: 53"),
        (1, f"{_label('gi_symptom_duration_months')} 24"),
    ]


def test_because_lines_condition_outside_the_autoimmune_list_is_not_its_input():
    because = [
        {"key": "autoimmune_risk", "value": True},
        {"key": "conditions", "value": "t1dm"},
        {"key": "conditions", "value": "neck_irradiation"},
    ]

    assert flatten(because_lines(because)) == [
        (0, "An autoimmune condition"),
        (1, "Type 1 diabetes"),
        (0, "Radiotherapy to the neck"),
    ]


def test_because_lines_lab_under_iron_deficiency():
    because = [
        {"key": "iron_deficient_lab", "value": True},
        {"key": "prior_labs.ferritin", "value": 22},
    ]

    assert flatten(because_lines(because)) == [
        (0, "Ferritin below 30 on file"),
        (1, "Ferritin: 22"),
    ]


def test_because_text_puts_a_derived_facts_inputs_in_brackets():
    because = [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
        {"key": "fhx_thyroid", "value": "yes"},
    ]

    assert because_text(because) == f"Chronic diarrhoea ({LOOSE}); {FHX_THYROID}"


@pytest.mark.parametrize("because", [None, [], "fhx_thyroid", {"key": "fhx_thyroid"}, 3])
def test_because_lines_missing_or_not_a_list_shows_nothing(because):
    # Results stored before rules said why have no `because`.
    assert (because_lines(because), because_text(because)) == ([], "")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"key": "<script>alert(1)</script>", "value": "yes"}, "<script>alert(1)</script>: yes"),
        ({"key": "unknown_key", "value": True}, "unknown_key: yes"),
        ({"key": "prior_labs.<b>x</b>", "value": 5}, "prior_labs.<b>x</b>: 5"),
        ({"key": "conditions", "value": "<img src=x>"}, "<img src=x>"),
        ({"key": "fhx_thyroid", "value": "<i>maybe</i>"}, f"{_label('fhx_thyroid')} <i>maybe</i>"),
        ({"key": "fhx_thyroid", "value": ["yes"]}, f"{_label('fhx_thyroid')} ['yes']"),
        ({"key": "fhx_thyroid", "value": {"a": 1}}, f"{_label('fhx_thyroid')} {{'a': 1}}"),
        ({"key": "conditions", "value": [{"a": 1}]}, f"{_label('conditions')} [{{'a': 1}}]"),
        ({"key": "rls.status", "value": ["met"]}, "RLS criteria: ['met']"),
        ({"key": "gi_onset_age", "value": "old"}, "Age when the gut symptoms began: old"),
        ({"key": "chronic_diarrhea", "value": False}, "Chronic diarrhoea: no"),
        ({"value": "yes"}, "None: yes"),
        ("fhx_thyroid", f"{_label('fhx_thyroid')} Not answered"),
        (["x"], "['x']: not answered"),
    ],
)
def test_because_lines_unknown_or_hostile_entry_is_shown_as_it_is(entry, expected):
    # Plain text: the templates escape it (see the case page's hostile-data test).
    assert because_lines([entry]) == [BecauseLine(expected)]


def test_unsure_red_flag_names_the_question_and_asks_to_ask():
    assert explain_answers.unsure_red_flag("fever_with_gi") == (
        f"{QUESTIONS['fever_with_gi'].label} — answered Not sure: ask the patient"
    )
    assert explain_answers.unsure_red_flag("<b>odd</b>") == (
        "<b>odd</b> — answered Not sure: ask the patient"
    )


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "treat_constipation_first",
            "The constipation has not been treated yet: Rome IV asks whether the pain settles "
            "once it is",
        ),
        ("<b>new_note</b>", "<b>new_note</b>"),
        (None, "None"),
    ],
)
def test_ibs_note_in_words(note, expected):
    assert explain_answers.ibs_note(note) == expected


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (
            [
                "heavy_menstrual_bleeding",
                "blood_donor_regular",
                "breastfeeding",
                "iv_iron_last_12wk",
            ],
            "Also weigh: heavy periods, regular blood donation, breastfeeding, "
            "IV iron in the last 12 weeks",
        ),
        (["blood_donor_regular"], "Also weigh: regular blood donation"),
        (["<b>x</b>", 3], "Also weigh: <b>x</b>, 3"),
        ([], ""),
        (None, ""),
        ("breastfeeding", ""),
    ],
)
def test_iron_context_lists_what_to_weigh(ids, expected):
    assert explain_answers.iron_context(ids) == expected


@pytest.mark.parametrize(
    ("urgent", "expected"),
    [
        ({"value": True, "reasons": [], "crisis": False, "emergency": True}, True),
        ({"value": True, "reasons": [{"rule": "RF-U"}], "crisis": False, "emergency": False}, True),
        ({"value": True, "reasons": [{"rule": "RF-1"}], "crisis": True, "emergency": False}, False),
        # 2026.2: no emergency key.
        ({"value": True, "reasons": [{"rule": "RF-1"}], "crisis": False}, False),
        ({"value": True, "reasons": "RF-U", "emergency": "yes"}, False),
        (None, False),
    ],
)
def test_contact_today_for_an_emergency_or_a_not_sure_to_one(urgent, expected):
    assert explain_answers.contact_today(urgent) is expected


def test_because_lines_leave_out_the_patients_note_after_a_question(monkeypatch):
    question = questionnaire.Question(
        "black_stools",
        "Have you had black stools? (Iron tablets make stools dark. If unsure, answer Not sure.)",
        "choice",
        questionnaire.YES_NO_UNSURE,
    )
    monkeypatch.setitem(questionnaire.QUESTIONS, "black_stools", question)

    lines = because_lines([{"key": "black_stools", "value": "unsure"}])

    assert lines == [BecauseLine("Have you had black stools? Not sure")]


def test_because_lines_keep_brackets_inside_a_label(monkeypatch):
    question = questionnaire.Question(
        "weeks", "Weeks pregnant (if known)", "int", min_value=0, max_value=45
    )
    monkeypatch.setitem(questionnaire.QUESTIONS, "weeks_pregnant", question)

    lines = because_lines([{"key": "weeks_pregnant", "value": 12}])

    assert lines == [BecauseLine("Weeks pregnant (if known): 12")]


def test_because_brief_names_a_derived_fact_by_its_phrase_alone():
    because = [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
        {"key": "fhx_thyroid", "value": "yes"},
    ]

    assert explain_answers.because_brief(because) == f"Chronic diarrhoea; {FHX_THYROID}"


@pytest.mark.parametrize("because", [None, [], "x"])
def test_because_brief_nothing_to_say_is_empty(because):
    assert explain_answers.because_brief(because) == ""


def test_derived_facts_each_once_red_flags_first_then_flags_in_order():
    gut = [
        {"key": "gi_symptomatic", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
    ]
    diarrhoea = [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
    ]
    result = {
        "urgent": {
            "reasons": [{"rule": "RF-6", "because": [*gut, {"key": "fhx_crc", "value": "yes"}]}]
        },
        "flags": {
            "thyroid": {"rules_fired": [{"rule": "THY-1", "because": diarrhoea}]},
            "iron_panel": {"rules_fired": [{"rule": "IRON-2", "because": diarrhoea}]},
            "stool": {
                "rules_fired": [
                    {"rule": "STOOL-5", "because": [{"key": "rls.status", "value": "met"}, *gut]}
                ]
            },
        },
    }

    assert explain_answers.derived_facts(result) == [
        f"Gut symptoms (weekly, or for 4 weeks or more): {LOOSE}",
        f"Chronic diarrhoea: {LOOSE}",
    ]


@pytest.mark.parametrize(
    "result",
    [
        None,
        "x",
        {},
        {"urgent": None, "flags": None},
        {"urgent": {"reasons": "RF-1"}, "flags": {"thyroid": {"rules_fired": "THY-1"}}},
        {"urgent": {"reasons": ["RF-1"]}, "flags": {"thyroid": ["x"]}},
        # Stored under rules 2026.2: nothing says why.
        {
            "urgent": {"reasons": [{"rule": "RF-1", "reason": "x"}]},
            "flags": {"thyroid": {"rules_fired": [{"rule": "THY-1"}]}},
        },
    ],
)
def test_derived_facts_of_an_old_or_odd_result_are_none(result):
    assert explain_answers.derived_facts(result) == []


def test_flags_show_in_the_tests_order_whatever_the_stored_order():
    # PostgreSQL's jsonb returns keys by length, not as stored: the pages keep the spec's order.
    from intake.templatetags.intake_labels import flag_items, not_suggested

    stored = {
        name: {"value": "no", "rules_fired": []}
        for name in ("stool", "celiac", "thyroid", "iron_panel", "sibo_breath")
    }

    assert [name for name, _flag in flag_items(stored)] == [
        "thyroid",
        "iron_panel",
        "celiac",
        "stool",
        "sibo_breath",
    ]
    assert [name for name, _flag in not_suggested(stored)] == [
        "thyroid",
        "iron_panel",
        "celiac",
        "stool",
        "sibo_breath",
    ]


def test_derived_facts_follow_the_tests_order_whatever_the_stored_order():
    def rule(key):
        return {
            "rule": "X",
            "because": [{"key": key, "value": True}, {"key": "loose_stools_4wk", "value": "yes"}],
        }

    result = {
        "urgent": {"reasons": []},
        "flags": {
            "stool": {"rules_fired": [rule("gi_symptomatic")]},
            "thyroid": {"rules_fired": [rule("chronic_diarrhea")]},
        },
    }

    facts = explain_answers.derived_facts(result)

    assert [fact.split(":")[0] for fact in facts] == [
        "Chronic diarrhoea",
        explain_answers.DERIVED["gi_symptomatic"].words,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "label", "answer"),
    [
        ({"key": "bloating_freq", "value": "daily"}, QUESTIONS["bloating_freq"].label, "Every day"),
        ({"key": "fhx_thyroid", "value": "yes"}, QUESTIONS["fhx_thyroid"].label, "Yes"),
        ({"key": "fhx_thyroid", "value": None}, QUESTIONS["fhx_thyroid"].label, "Not answered"),
        (
            {"key": "prior_labs.ttg_iga", "value": "pos"},
            questionnaire.lab_name("ttg_iga"),
            "Positive",
        ),
    ],
)
def test_because_lines_answers_are_in_the_pages_language_as_their_questions_are(
    entry, label, answer
):
    # The staff pages' language may be Spanish (STAFF_LANGUAGE_CODE): a line in one language.
    from django.utils import translation

    with translation.override("es"):
        (line,) = because_lines([entry])
        spanish_answer = translation.gettext(answer)
        spanish_label = translation.gettext(label)

    assert spanish_answer != answer  # the catalogue has it
    assert spanish_label in line.text
    assert line.text.endswith(spanish_answer)
