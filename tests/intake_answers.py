"""Form data that walks a patient through the whole questionnaire, step by step."""

from __future__ import annotations

from typing import Any

from intake.questionnaire import STEPS_BY_SLUG

# Every question of the warning-signs step answered "no", taken from the step itself so that a
# question added there is answered here too. The follow-ups ("is the bleeding happening now?")
# are sent as well: the server drops them while they do not apply, and a test that answers
# "yes" to a red flag gets its follow-up answered "no".
NO_RED_FLAGS = {question.key: "no" for question in STEPS_BY_SLUG["warning-signs"].questions}

# POST data per step for an adult woman with RLS and IBS-D symptoms; tests override keys.
STEP_DATA: dict[str, dict[str, Any]] = {
    "about-you": {"sex_at_birth": "female", "pregnant": "no"},
    "legs": {
        "rls_on_treatment": "no",
        "rls_screen": "yes",
        "rls_c1_urge": "yes",
        "rls_c2_rest": "yes",
        "rls_c3_movement_relief": "yes",
        "rls_c4_evening": "yes",
        "leg_main_problem": "urge_to_move",
        "position_shift_relief": "no",
    },
    "course": {
        "rls_freq": "ge_2_per_week",
        "rls_impact_level": "moderate",
        "rls_days_per_week": "5",
        "rls_onset_time": "evening",
    },
    "treatment": {
        "aug_earlier_onset_hours": "0",
        "aug_spread_to_arms": "no",
        "aug_dose_escalation_or_shorter_relief": "no",
    },
    "severity-scale": {f"irls_{n}": "1" for n in range(1, 11)},
    "bowel": {
        "abd_pain_freq": "2_3_per_week",
        "pain_related_to_bm": "yes",
        "pain_with_stool_freq_change": "yes",
        "pain_with_stool_form_change": "no",
        "bloating_freq": "daily",
        "gas_freq": "1_per_week",
        "loose_stools_4wk": "no",
        "constipation_4wk": "no",
        "gi_symptom_duration_months": "24",
        "greasy_floating_stools": "no",
        "bowel_meds_current": "no",
    },
    "stool-form": {"pct_bm_hard": "10", "pct_bm_loose": "40"},
    "gut-severity": {
        "ibssss_pain_severity": "50",
        "ibssss_pain_days_of_10": "5",
        "ibssss_distension": "40",
        "ibssss_bowel_dissatisfaction": "60",
        "ibssss_life_interference": "30",
    },
    "gut-risks": {
        "travel_high_risk_12mo": "no",
        "antibiotics_last_3mo": "no",
        "gluten_intake": "daily_gt1_meal",
        "fhx_crc": "no",
        "fhx_ibd": "no",
        "fhx_celiac": "no",
        "fhx_thyroid": "no",
        "fhx_rls": "no",
    },
    "history": {
        "conditions": ["none"],
        "medications": ["ppi"],
        "thyroid_symptoms": ["none"],
        "iv_iron_last_12wk": "no",
        "blood_donor_regular": "no",
        "heavy_menstrual_bleeding": "no",
        "breastfeeding": "no",
        "caffeine_cups_per_day": "2",
        "alcohol_units_per_week": "3",
        "nicotine": "no",
    },
    "warning-signs": dict(NO_RED_FLAGS),
    "mood": {f"phq9_{n}": "0" for n in range(1, 10)},
    "labs": {"labs-TOTAL_FORMS": "0", "labs-INITIAL_FORMS": "0"},
}
# Consent, signed on the check page as the answers are sent.
CONSENT = {"agree": "on", "full_name": "Ann Example"}


def step_slug(url: str) -> str | None:
    parts = url.strip("/").split("/")
    return parts[2] if len(parts) >= 3 and parts[1] == "step" else None


def first_step_url(client) -> str:
    """Where the patient's way in leads: past the welcome page, as its button does."""
    url = client.get("/intake/")["Location"]
    if url == "/intake/welcome/":
        url = client.get(url).context["first_step_url"]
    return url


def send_answers(client, **consent: Any):
    """Sign the consent on the check page and send the answers, as its button does."""
    return client.post("/intake/review/", {**CONSENT, **consent})


def answer_steps(client, overrides: dict[str, dict[str, Any]] | None = None, *, stop_at=None):
    """Answer each step the app asks for until the review page (or `stop_at`). Returns the
    slugs visited, in order."""
    overrides = overrides or {}
    visited = []
    url = first_step_url(client)
    while (slug := step_slug(url)) is not None:
        if slug == stop_at:
            break
        visited.append(slug)
        data = {**STEP_DATA[slug], **overrides.get(slug, {})}
        page = client.get(url)
        if "revision" in page.context:
            data.setdefault("base_revision", page.context["revision"])
        response = client.post(url, data)
        errors = response.context["form"].errors if response.context else None
        assert response.status_code == 302, (slug, errors)
        url = response["Location"]
        if url.endswith("/support/"):
            url = first_step_url(client)
    return visited
