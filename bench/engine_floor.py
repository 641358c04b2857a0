"""The clinical engine's speed floor, for CI: instructions per evaluation under callgrind.

    .venv/bin/python bench/engine_floor.py [--evaluations 300] [--floor N]

Counts the instructions (valgrind --tool=callgrind) of one small script run twice, with 0 and
with N evaluations of `generate()` answer sets (bench/engine.py, seed 1), each followed by
`evaluate(...).as_dict()`; the difference divided by N is the cost of one evaluation, Python's
start-up and the imports cancelled out. Unlike a time, the count does not move with whatever
else the machine runs, so CI can hold it. It exits 1 when the count is above FLOOR, 0 below,
and 0 with a loud notice when valgrind is missing and cannot be installed from Debian's
packages. bench/README.md says where the floor comes from.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Instructions per evaluation (generate + evaluate + as_dict). Measured at 2.31 million on
# 2026-12-04 (bench/README.md, round 5); the floor leaves 20% for the interpreter's build and
# small changes to the rules. Raise it only on purpose, with the reason in bench/README.md.
FLOOR = 2_800_000

DRIVER = """
import random, sys
sys.path[:0] = [{root!r}, {bench!r}]
from engine import generate
from intake.clinical import evaluate
rng = random.Random(1)
for _ in range(int(sys.argv[1])):
    evaluate(generate(rng), irls_licensed=True).as_dict()
"""


def ensure_valgrind() -> str | None:
    found = shutil.which("valgrind")
    if found or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    print("valgrind is missing: installing Debian's package", flush=True)
    for command in (
        ["apt-get", "-o", "DPkg::Lock::Timeout=120", "update", "-qq"],
        ["apt-get", "-o", "DPkg::Lock::Timeout=120", "install", "-y", "-qq", "valgrind"],
    ):
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)  # noqa: S603
    return shutil.which("valgrind")


def instructions(valgrind: str, driver: Path, evaluations: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # a repeatable count
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            [
                valgrind,
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                str(driver),
                str(evaluations),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--floor", type=int, default=FLOOR, help="instructions per evaluation")
    args = parser.parse_args()

    valgrind = ensure_valgrind()
    if valgrind is None:
        print("=" * 72)
        print("SKIPPED: the engine's speed floor was NOT checked: valgrind is not installed")
        print("(apt-get install valgrind) and could not be installed here.")
        print("=" * 72)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp) / "driver.py"
        driver.write_text(DRIVER.format(root=str(ROOT), bench=str(ROOT / "bench")))
        base = instructions(valgrind, driver, 0)
        loaded = instructions(valgrind, driver, args.evaluations)
    per_evaluation = (loaded - base) / args.evaluations
    verdict = "within" if per_evaluation <= args.floor else "ABOVE"
    print(
        f"engine: {per_evaluation:,.0f} instructions per evaluation "
        f"({args.evaluations} evaluations), {verdict} the floor of {args.floor:,}"
    )
    if per_evaluation > args.floor:
        print(
            "FAIL: the clinical engine got slower than its floor (bench/engine_floor.py); "
            "find the change with bench/README.md's callgrind method, or raise FLOOR on purpose.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
