"""Clinical engine throughput: evaluate a large batch of varied generated answer sets.

    .venv/bin/python bench/engine.py [--count 50000] [--seed 1]

Prints evaluations per second (evaluate() plus as_dict(), one process, so one core) and the
peak memory the batch adds (tracemalloc, measured in a second pass so it does not slow the
timed one). Figures and the command that produced them live in bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake.clinical import evaluate  # noqa: E402
from intake.clinical.answers import (  # noqa: E402
    CONDITIONS,
    FREQ,
    MEDICATIONS,
    RLS_TREATMENT_MEDS,
    SCHEMA,
    THYROID_SYMPTOMS,
)


def generate(rng: random.Random) -> dict[str, object]:
    """One plausible answer set: each question answered with probability 0.9, so that missing
    answers, every branch of the tri-state logic and the data-quality paths all get exercised."""
    answers: dict[str, object] = {
        "age_years": rng.choice((4, 9, 15, 17, 18, 30, 45, 52, 67, 80)),
        "sex_at_birth": rng.choice(("female", "male", "other")),
    }
    for key, field in SCHEMA.items():
        if key in answers or rng.random() < 0.1:
            continue
        if field.kind == "choice":
            answers[key] = rng.choice(field.choices)
        elif field.kind == "int":
            answers[key] = rng.randint(field.low, min(field.high, 120))
        elif field.kind == "bool":
            answers[key] = rng.random() < 0.5
        elif field.kind == "text":
            answers[key] = "legs feel fizzy"
    answers["abd_pain_freq"] = rng.choice(FREQ)
    answers["conditions"] = rng.sample(CONDITIONS, rng.randint(0, 3))
    answers["medications"] = rng.sample(MEDICATIONS, rng.randint(0, 3))
    answers["thyroid_symptoms"] = rng.sample(THYROID_SYMPTOMS, rng.randint(0, 2))
    answers["rls_treatment_meds"] = rng.sample(RLS_TREATMENT_MEDS, rng.randint(0, 2))
    answers["phq9_items"] = [rng.randint(0, 3) for _ in range(9)]
    answers["irls_items"] = [rng.randint(0, 4) for _ in range(10)]
    answers["prior_labs"] = [
        {
            "test": "ferritin",
            "value": rng.randint(5, 300),
            "unit": "ng/mL",
            "days_ago": rng.randint(0, 400),
        },
        {"test": "tsat", "value": rng.randint(5, 50), "unit": "%", "days_ago": rng.randint(0, 400)},
        {"test": "tsh", "value": 2.1, "unit": "mIU/L", "days_ago": rng.randint(0, 400)},
    ][: rng.randint(0, 3)]
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    batch = [generate(rng) for _ in range(args.count)]

    started = time.perf_counter()
    statuses: dict[str, int] = {}
    for answers in batch:
        result = evaluate(answers, irls_licensed=True).as_dict()
        statuses[result["assessment_status"]] = statuses.get(result["assessment_status"], 0) + 1
    elapsed = time.perf_counter() - started

    tracemalloc.start()
    for answers in batch[:5_000]:
        evaluate(answers, irls_licensed=True).as_dict()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"answer sets:           {args.count} (seed {args.seed})")
    print(f"statuses:              {dict(sorted(statuses.items()))}")
    per_second, micros = args.count / elapsed, elapsed * 1e6 / args.count
    print(f"evaluations per second: {per_second:,.0f} ({micros:.1f} µs each)")
    print(f"peak memory added:     {peak / 1024:,.0f} KiB over 5,000 evaluations")


if __name__ == "__main__":
    main()
