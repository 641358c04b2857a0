"""docs/clinical-rules.md shows the very table the engine runs on."""

from pathlib import Path

from intake.clinical import RULESET_VERSION
from intake.clinical.catalogue import RULES, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "clinical-rules.md"


def test_rules_doc_table_matches_catalogue():
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index("<!-- rules:start -->\n"), text.index("<!-- rules:end -->")
    table = text[start + len("<!-- rules:start -->\n") : end]
    assert table == render_markdown(), "docs/clinical-rules.md is stale: run make docs"


def test_rules_doc_names_the_ruleset_version():
    assert f"Ruleset version: **{RULESET_VERSION}**" in DOC.read_text(encoding="utf-8")


def test_catalogue_rule_ids_are_unique_and_every_flag_rule_has_a_reason():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    silent = [
        r.id
        for r in RULES
        if r.id.split("-")[0] in {"IRON", "THY", "CEL", "STOOL", "SIBO", "RF"}
        and r.tier != "-"
        and r.id not in {"SIBO-X", "SIBO-M"}
        and not r.reason
    ]
    assert silent == []
