"""Running the clinical engine and reading its output, for the table-driven clinical tests.
The answers they give it are in tests/answer_sets.py."""

from intake.clinical import evaluate


def assess(answers, **settings):
    """evaluate(...).as_dict() with the spec's default settings unless overridden."""
    return evaluate(answers, **settings).as_dict()


def fired(d, flag):
    """The (rule, tier) pairs of one flag, sorted by rule id (the spec fixes no order)."""
    return sorted((entry["rule"], entry["tier"]) for entry in d["flags"][flag]["rules_fired"])


def red_flag_ids(d):
    """The RF ids in urgent.reasons, sorted (the spec fixes no order)."""
    return sorted(entry["rule"] for entry in d["urgent"]["reasons"])
