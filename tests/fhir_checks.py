"""Checks of FHIR output by the specification's own rules, for tests/test_fhir_*.py.

fhir.resources checks a resource's shape; these check what it does not: that a response follows
its Questionnaire (linkIds in place and order, answer types and options, enableWhen as R4
defines its operators, required items), and the transaction rules of a Bundle (urn:uuid full
URLs, references that resolve, request entries, the patient's conditional create).
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

ANSWER_KEYS = {
    "choice": "valueCoding",
    "integer": "valueInteger",
    "boolean": "valueBoolean",
    "text": "valueString",
    "decimal": "valueDecimal",
    "date": "valueDate",
}
COMPARISONS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


def model_of(resource: dict[str, Any]):
    """The resource constructed as its fhir.resources R4B model (raises when it is not one)."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _value(answer: dict[str, Any], prefix: str = "value") -> Any:
    [(key, value)] = [(k, v) for k, v in answer.items() if k.startswith(prefix)]
    if key.endswith("Coding"):
        return (value.get("system"), value["code"])
    return value


def _holds(when: dict[str, Any], known: dict[str, list[Any]]) -> bool:
    values = known.get(when["question"], [])
    if when["operator"] == "exists":
        return bool(values) == when["answerBoolean"]
    expected = _value(when, "answer")
    if when["operator"] == "=":
        return expected in values
    if when["operator"] == "!=":
        return expected not in values  # R4: true if no answer equals it
    compare = COMPARISONS[when["operator"]]
    return any(compare(value, expected) for value in values)


def enabled(item: dict[str, Any], known: dict[str, list[Any]]) -> bool:
    whens = item.get("enableWhen")
    if not whens:
        return True
    results = [_holds(when, known) for when in whens]
    return any(results) if item.get("enableBehavior") == "any" else all(results)


def check_response(
    questionnaire: dict[str, Any], items: list[dict[str, Any]], *, completed: bool = True
) -> tuple[list[str], dict[str, bool]]:
    """Problems of a QuestionnaireResponse's items against the Questionnaire, and whether each
    question item was enabled (an item inside a disabled group is disabled). Answers count for
    enableWhen only under enabled items, as R4 says; a repeating group's row sees its own.
    Required items are checked in a `completed` response only, as validators do."""
    problems: list[str] = []
    state: dict[str, bool] = {}
    _check_level(
        questionnaire["item"], items, {}, problems, state, parent_enabled=True, present=completed
    )
    return problems, state


def _check_level(
    q_items, r_items, known, problems, state, *, parent_enabled: bool, present: bool = True
) -> None:
    """One level of items. Under a group that is not in the response, or in a response that is
    not completed (`present` false), required items are not checked: a skipped optional
    group's items are not required."""
    order = {item["linkId"]: index for index, item in enumerate(q_items)}
    by_link: dict[str, list[dict]] = {}
    last = -1
    for r_item in r_items:
        link = r_item["linkId"]
        if link not in order:
            problems.append(f"{link}: not an item of the Questionnaire here")
            continue
        if order[link] < last:
            problems.append(f"{link}: out of the Questionnaire's order")
        last = order[link]
        by_link.setdefault(link, []).append(r_item)
    for q_item in q_items:
        link, kind = q_item["linkId"], q_item["type"]
        if kind == "display":
            continue
        is_enabled = parent_enabled and enabled(q_item, known)
        state[link] = is_enabled
        found = by_link.get(link, [])
        if found and not is_enabled:
            problems.append(f"{link}: answered, but its enableWhen disables it")
            continue
        if present and is_enabled and q_item.get("required") and not found:
            problems.append(f"{link}: required and enabled, but not answered")
        if len(found) > 1 and not q_item.get("repeats"):
            problems.append(f"{link}: repeated, but does not repeat")
        if kind == "group" and not found:
            _check_level(
                q_item["item"],
                [],
                dict(known),
                problems,
                state,
                parent_enabled=is_enabled,
                present=False,
            )
        for r_item in found:
            if kind == "group":
                row = known if not q_item.get("repeats") else dict(known)
                _check_level(
                    q_item["item"],
                    r_item.get("item", []),
                    row,
                    problems,
                    state,
                    parent_enabled=True,
                    present=present,
                )
                continue
            _check_answers(q_item, r_item, known, problems)


def _check_answers(q_item, r_item, known, problems) -> None:
    link = q_item["linkId"]
    answers = r_item.get("answer", [])
    if not answers:
        problems.append(f"{link}: an item without an answer")
    if len(answers) > 1 and not q_item.get("repeats"):
        problems.append(f"{link}: several answers, but does not repeat")
    expected_key = ANSWER_KEYS[q_item["type"]]
    options = [_value(option) for option in q_item.get("answerOption", [])]
    for answer in answers:
        if expected_key not in answer:
            problems.append(f"{link}: answer {answer} is not a {expected_key}")
            continue
        value = _value(answer)
        if options and value not in options:
            problems.append(f"{link}: {value} is not one of its answer options")
        known.setdefault(link, []).append(value)
    if r_item.get("text") not in (None, q_item.get("text")):
        problems.append(f"{link}: text differs from the Questionnaire's")


def references(data: Any) -> Iterator[str]:
    """Every Reference.reference inside `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(data, list):
        for value in data:
            yield from references(value)


def check_transaction(bundle: dict[str, Any]) -> list[str]:
    """Problems with a transaction Bundle by FHIR's rules for one."""
    problems = []
    if bundle.get("type") != "transaction":
        problems.append(f"type is {bundle.get('type')!r}")
    full_urls = [entry.get("fullUrl", "") for entry in bundle["entry"]]
    if len(set(full_urls)) != len(full_urls):
        problems.append("full URLs repeat")
    for full_url in full_urls:
        if not full_url.startswith("urn:uuid:"):
            problems.append(f"{full_url}: not a urn:uuid")
        else:
            uuid.UUID(full_url.removeprefix("urn:uuid:"))
    for entry in bundle["entry"]:
        resource, request = entry["resource"], entry.get("request") or {}
        kind = resource["resourceType"]
        if "id" in resource:
            problems.append(f"{kind}: has an id, which the server assigns")
        if request.get("method") not in ("POST", "PUT") or not request.get("url"):
            problems.append(f"{kind}: request {request}")
        identifiers = resource.get("identifier")
        identifier = identifiers[0] if isinstance(identifiers, list) else identifiers
        search = f"identifier={identifier['system']}|{identifier['value']}"
        if kind == "Patient":
            if request != {"method": "POST", "url": "Patient", "ifNoneExist": search}:
                problems.append(f"Patient: not a conditional create on its identifier: {request}")
        elif request != {"method": "PUT", "url": f"{kind}?{search}"}:
            problems.append(f"{kind}: not a conditional update on its identifier: {request}")
        for reference in references(resource):
            if reference not in full_urls:
                problems.append(f"{kind}: reference {reference} is not in the bundle")
    return problems
