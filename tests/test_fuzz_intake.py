"""Property-based fuzzing of every intake step (hypothesis): no server error, nothing lost.

For each step a patient is brought to that step once, then hypothesis posts forms to it in the
same browser: the questionnaire's own choices mixed with arbitrary text and numbers, missing
keys, extra keys and repeated keys. Whatever is posted:
- the answer is a page (200) or a redirect (302), never a server error;
- a page shows what was wrong, and every value posted for a field on the page comes back in
  that field, so nothing typed is lost;
- after a redirect, the stored answers pass the clinical engine's validation, the answers to
  this step's questions are the ones posted, and the browser goes on to the next step.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.forms import CheckboxInput, CheckboxSelectMultiple
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from intake import forms, questionnaire, services
from intake.clinical.answers import parse_answers
from intake.models import Intake, LicensedInstrument
from tests.factories import PatientLink, answer_steps

pytestmark = pytest.mark.django_db

FUZZ = fuzz_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Printable text, including markup, quotes, NUL and other scripts; no lone surrogates (a
# browser cannot send them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
JUNK = st.one_of(
    TEXT,
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", " ", "None", "null", "true", "1e3", "-0", "0x10", "٣", "<b>x</b>"]),
)
SLUGS = [step.slug for step in questionnaire.STEPS]
# How the browser gets to a step that only some patients see.
REACH = {
    "treatment": {"legs": {"rls_on_treatment": "yes", "rls_treatment_meds": ["levodopa"]}},
}


def _choices(question: questionnaire.Question) -> list[str]:
    if question.kind == "bool":
        return ["yes", "no"]
    none = [questionnaire.NONE_OF_THESE] if question.none_choice else []
    return [str(value) for value, _label in question.choices] + none


def _valid(question: questionnaire.Question) -> st.SearchStrategy[str | list[str]]:
    """An answer the question accepts."""
    if question.kind == "multi":
        return st.lists(st.sampled_from(_choices(question)), unique=True, max_size=4)
    if question.kind in ("choice", "bool"):
        return st.sampled_from(_choices(question))
    if question.kind == "int":
        return st.integers(question.min_value, question.max_value).map(str)
    return TEXT


def _posted(value: st.SearchStrategy[str]) -> st.SearchStrategy[str | list[str]]:
    """One value, or (as a tampered form could send) the key repeated."""
    return st.one_of(value, value, value, st.lists(value, max_size=3))


def _anything(question: questionnaire.Question) -> st.SearchStrategy[str | list[str]]:
    """A valid answer, a near miss (a number just out of range), junk, or a repeated key."""
    near = st.just("")
    if question.kind == "int":
        low, high = question.min_value, question.max_value
        near = st.integers(low - 3, high + 3).map(str)
    return st.one_of(_valid(question), _posted(st.one_of(near, JUNK)))


def _items(prefix: str, count: int, scores: range) -> dict[str, st.SearchStrategy[str]]:
    """Numbered radio items (PHQ-9, IRLS), each answered with a valid score."""
    return {
        f"{prefix}{n}": st.sampled_from([str(score) for score in scores])
        for n in range(1, count + 1)
    }


LAB_TESTS = [key for key, _label in forms.LAB_TEST_CHOICES if key]
LAB_UNITS = [unit for unit, _label in forms.UNIT_CHOICES]
LAB_VALUES = ["42", "3.5", "0,8", "negative", "Positive", "normal", "low", "-1", "1e9", "nan"]
GOOD_LAB_ROWS = [
    {"test": "ferritin", "value": "42", "unit": "ng/mL"},
    {"test": "ferritin", "value": "12,5", "unit": "µg/L"},
    {"test": "tsat", "value": "20", "unit": "%"},
    {"test": "tsh", "value": "2.5", "unit": "mIU/L"},
    {"test": "calprotectin", "value": "30", "unit": "µg/g"},
    {"test": "ttg_iga", "value": "negative", "unit": ""},
    {"test": "total_iga", "value": "Low", "unit": ""},
]


def _date() -> st.SearchStrategy[str]:
    today = timezone.localdate()
    return st.one_of(
        st.dates(dt.date(1890, 1, 1), today + dt.timedelta(days=400)).map(dt.date.isoformat),
        JUNK,
    )


def _as_formset(rows: list[dict[str, Any]], total: str | None) -> dict[str, Any]:
    data = {
        f"labs-{n}-{key}": value for n, fields in enumerate(rows) for key, value in fields.items()
    }
    data["labs-INITIAL_FORMS"] = "0"
    if total is not None:
        data["labs-TOTAL_FORMS"] = total
    return data


def _good_lab_rows() -> st.SearchStrategy[dict[str, Any]]:
    past = st.dates(dt.date(2000, 1, 1), timezone.localdate()).map(dt.date.isoformat)
    row = st.builds(
        lambda fields, day: {**fields, "taken_on": day}, st.sampled_from(GOOD_LAB_ROWS), past
    )
    return st.lists(row, max_size=3).map(lambda rows: _as_formset(rows, str(len(rows))))


def _any_lab_rows() -> st.SearchStrategy[dict[str, Any]]:
    row = st.fixed_dictionaries(
        {},
        optional={
            "test": st.one_of(st.sampled_from(LAB_TESTS), JUNK),
            "value": st.one_of(st.sampled_from(LAB_VALUES), JUNK),
            "unit": st.one_of(st.sampled_from(LAB_UNITS), JUNK),
            "taken_on": _date(),
        },
    )
    rows = st.lists(row, max_size=questionnaire.MAX_LAB_ROWS + 1)
    # Mostly the management form a browser sends; sometimes a tampered or missing one.
    return rows.flatmap(
        lambda chosen: st.sampled_from(
            [str(len(chosen))] * 4 + [None, "", "x", "999", str(len(chosen) + 1)]
        ).map(lambda total: _as_formset(chosen, total))
    )


def _valid_form(step: questionnaire.Step) -> st.SearchStrategy[dict[str, Any]]:
    """What a patient filling the page in properly could send."""
    if step.kind == "consent":
        name = st.tuples(
            st.sampled_from(["Ann Example", "Łukasz Nowak", "María-José O'Neil"]), TEXT
        )
        return st.fixed_dictionaries({"agree": st.just("on"), "full_name": name.map(" ".join)})
    required = {q.key: _valid(q) for q in step.questions if q.required}
    optional = {q.key: _valid(q) for q in step.questions if not q.required}
    parts = [st.fixed_dictionaries(required, optional=optional)]
    if step.kind == "mood":
        parts.append(st.one_of(st.fixed_dictionaries(_items("phq9_", 9, range(4))), st.just({})))
    if step.kind == "irls":
        parts.append(
            st.fixed_dictionaries(_items("irls_", questionnaire.IRLS_ITEM_COUNT, range(5)))
        )
    if step.kind == "labs":
        parts.append(_good_lab_rows())
    return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})


def _tampered_form(step: questionnaire.Step) -> st.SearchStrategy[dict[str, Any]]:
    """Anything at all for each field, each one possibly missing."""
    if step.kind == "consent":
        fields = {
            "agree": _posted(st.one_of(st.sampled_from(["on", "true", "false", ""]), JUNK)),
            "full_name": _posted(st.one_of(st.just("Ann Example"), TEXT)),
        }
        return st.fixed_dictionaries({}, optional=fields)
    fields = {q.key: _anything(q) for q in step.questions}
    if step.kind == "mood":
        fields.update(
            {k: _posted(st.one_of(v, JUNK)) for k, v in _items("phq9_", 9, range(4)).items()}
        )
    if step.kind == "irls":
        items = _items("irls_", questionnaire.IRLS_ITEM_COUNT, range(5))
        fields.update({k: _posted(st.one_of(v, JUNK)) for k, v in items.items()})
    parts = [st.fixed_dictionaries({}, optional=fields)]
    if step.kind == "labs":
        parts.append(_any_lab_rows())
    return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})


def _perturbed(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A proper form with one or two fields dropped or replaced with junk."""

    def change(form: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        if not form:
            return st.just(form)
        edits = st.dictionaries(
            st.sampled_from(sorted(form)),
            st.one_of(st.none(), _posted(JUNK)),
            min_size=1,
            max_size=2,
        )
        return edits.map(
            lambda edit: {
                **{k: v for k, v in form.items() if edit.get(k, "") is not None},
                **{k: v for k, v in edit.items() if v is not None},
            }
        )

    return valid.flatmap(change)


EXTRA_KEYS = st.dictionaries(
    st.text(st.characters(categories=("Ll", "Nd", "Pc")), min_size=1, max_size=12),
    _posted(JUNK),
    max_size=3,
)


def _step_data(step: questionnaire.Step) -> st.SearchStrategy[dict[str, Any]]:
    """The form posted for the step: proper, slightly off, or tampered with; plus keys the
    step does not know."""
    valid = _valid_form(step)
    form = st.one_of(valid, _perturbed(valid), _tampered_form(step))
    return st.tuples(EXTRA_KEYS, form).map(lambda parts: {**parts[0], **parts[1]})


@dataclass
class AtStep:
    link: PatientLink
    step: questionnaire.Step


@pytest.fixture
def at_step(request, patient_link, settings) -> AtStep:
    """The patient's browser, with every step before `request.param` answered."""
    slug = request.param
    if slug == "severity-scale":
        settings.IRLS_LICENSED = True
        LicensedInstrument.objects.create(
            name="IRLS",
            version="test",
            licence_ref="TEST-ONLY",
            items=[f"Placeholder item {n}" for n in range(1, 11)],  # not the licensed wording
            choice_labels=["none", "a little", "some", "a lot", "very much"],
        )
    answer_steps(patient_link.client, REACH.get(slug, {}), stop_at=slug)
    assert patient_link.client.get(_page(slug)).status_code == 200
    return AtStep(patient_link, questionnaire.STEPS_BY_SLUG[slug])


def _page(slug: str) -> str:
    # Consent is signed on the check page, as the answers are sent.
    return "/intake/review/" if slug == "consent" else f"/intake/step/{slug}/"


def _revision(intake: Intake, slug: str) -> int:
    intake.refresh_from_db()
    return int(intake.step_revisions.get(slug, 0))


def _sent(data: dict[str, Any], name: str, widget) -> Any:
    """What the form gets for `name` from the posted data, as the browser's field holds it."""
    value = data[name]
    values = value if isinstance(value, list) else [value]
    if isinstance(widget, CheckboxSelectMultiple):
        return [str(item) for item in values]
    last = str(values[-1]) if values else None
    if isinstance(widget, CheckboxInput):
        # An unticked box sends nothing; a ticked one anything but "false".
        return last is not None and {"true": True, "false": False}.get(last.lower(), bool(last))
    return last


def _visible_fields(response) -> list:
    """The form fields on the page the patient sees."""
    context = response.context
    form = context["form"]
    if "step" not in context:  # the check page: the consent form
        return list(form)
    step = context["step"]
    fields = [field for field, _attrs, _hidden in context["rows"]]
    if step.kind == "mood":
        fields += form.phq9_fields()
    if step.kind == "irls":
        fields += form.item_fields()
    if step.kind == "labs":
        fields += [field for row in form.rows.forms for field in row]
    return fields


def _expected_answer(question: questionnaire.Question, sent: Any) -> Any:
    """The stored answer for a posted value the form accepted."""
    if question.none_choice and sent == [questionnaire.NONE_OF_THESE]:
        return []  # "None of these" is an answer: nothing applies
    if question.kind == "bool":
        return sent == "yes"
    if question.kind == "int":
        return int(re.sub(r"\.0*\s*$", "", sent))  # "7.0" is 7, as Django's IntegerField reads it
    if question.kind == "text":
        return sent.strip()
    return sent


def _next_url(intake: Intake, slug: str) -> str:
    steps = questionnaire.applicable_steps(services.facts_for(intake))
    slugs = [step.slug for step in steps if step.kind != "consent"]
    position = slugs.index(slug)
    if position + 1 < len(slugs):
        return f"/intake/step/{slugs[position + 1]}/"
    return "/intake/review/"


def _has_errors(form) -> bool:
    rows = getattr(form, "rows", None)
    return bool(form.errors) or (rows is not None and rows.total_error_count() > 0)


def _check_page(response, data: dict[str, Any], stale: bool) -> None:
    form = response.context["form"]
    assert _has_errors(form) or (stale and response.context.get("stale_message"))
    echoed = {
        field.html_name: (field.value(), _sent(data, field.html_name, field.field.widget))
        for field in _visible_fields(response)
        if field.html_name in data
    }
    assert {name: got for name, (got, _sent_) in echoed.items()} == {
        name: sent for name, (_got, sent) in echoed.items()
    }


def _check_saved(
    response, intake: Intake, step: questionnaire.Step, data: dict, signed_before: str
) -> None:
    intake.refresh_from_db()
    parse_answers(services.engine_answers(intake, on=dt.date.today()))
    if step.kind == "consent":
        # Signed and sent at once; sent before, it keeps the first signature.
        assert response["Location"] == "/intake/done/"
        signed = signed_before or " ".join(_sent(data, "full_name", None).split())
        assert (intake.is_draft, intake.consent_name) == (False, signed)
        return
    if response["Location"] == "/intake/support/":
        # Answers that need help now (crisis, emergency, "Not sure" to one of those).
        assert services.contact_alert(intake) is not None
    else:
        assert response["Location"] == _next_url(intake, step.slug)
    facts = services.facts_for(intake)
    for question in step.questions:
        if question.key not in data or not questionnaire.field_shown(step, question, facts):
            continue
        if question.kind == "multi":
            sent = _sent(data, question.key, CheckboxSelectMultiple())
            if question.none_choice and sent == []:
                # Nothing ticked is no answer (only "None of these" says none apply).
                assert question.key not in intake.answers, question.key
                continue
        else:
            sent = _sent(data, question.key, None)
        if sent in ("", None) or (question.kind == "text" and not sent.strip()):
            continue
        assert intake.answers.get(question.key) == _expected_answer(question, sent), question.key


REVISIONS = st.sampled_from(["missing", "current", "current", "stale", "", "x", "-1", "1e9"])


@pytest.mark.parametrize("at_step", SLUGS, indirect=True)
@FUZZ
@given(fuzz=st.data())
def test_fuzz_step_post_never_fails_and_loses_nothing(at_step, fuzz):
    link, step = at_step.link, at_step.step
    # A browser always sends the CSRF token field (checks are off in this client), so the POST
    # is never empty: the view reads an empty one as a first visit.
    data = {"csrfmiddlewaretoken": "token", **fuzz.draw(_step_data(step), label="form")}
    revision = _revision(link.intake, step.slug)
    sent_revision = fuzz.draw(REVISIONS, label="base_revision") if step.kind != "consent" else None
    if sent_revision == "current":
        data["base_revision"] = str(revision)
    elif sent_revision == "stale":
        data["base_revision"] = str(revision + 1)
    elif sent_revision not in (None, "missing"):
        data["base_revision"] = sent_revision

    link.intake.refresh_from_db()
    signed_before = "" if link.intake.is_draft else link.intake.consent_name

    response = link.client.post(_page(step.slug), data)

    assert response.status_code in (200, 302)
    event(f"{response.status_code}")
    if response.status_code == 200:
        _check_page(response, data, stale=sent_revision == "stale")
    else:
        _check_saved(response, link.intake, step, data, signed_before)


AUTOSAVED = [
    step.slug for step in questionnaire.STEPS if step.kind in ("questions", "labs", "irls")
]


@pytest.mark.parametrize("at_step", AUTOSAVED, indirect=True)
@FUZZ
@given(fuzz=st.data())
def test_fuzz_autosave_never_fails_and_keeps_only_valid_answers(at_step, fuzz):
    link, step = at_step.link, at_step.step
    data = fuzz.draw(_step_data(step), label="form")
    revision = _revision(link.intake, step.slug)
    sent_revision = fuzz.draw(REVISIONS, label="base_revision")
    if sent_revision == "current":
        data["base_revision"] = str(revision)
    elif sent_revision == "stale":
        data["base_revision"] = str(revision + 1)
    elif sent_revision != "missing":
        data["base_revision"] = sent_revision
    before = dict(Intake.objects.get(pk=link.intake.pk).answers)

    response = link.client.post(f"/intake/step/{step.slug}/autosave/", data)

    # A JSON answer either way: saved, or refused with a message (stale or unreadable revision).
    body = response.json()
    assert (response.status_code, body["ok"]) in ((200, True), (400, False), (409, False))
    event(f"{response.status_code}")
    link.intake.refresh_from_db()
    if "sex_at_birth" in link.intake.answers:  # the engine needs it; a first step may lack it
        parse_answers(services.engine_answers(link.intake, on=dt.date.today()))
    if body["ok"]:
        assert body["revision"] == revision + 1
    else:
        assert type(body["message"]) is str and body["message"] != ""
        assert link.intake.answers == before  # a refused autosave changes nothing
