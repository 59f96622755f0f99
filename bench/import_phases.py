"""Where the time of one `ledger import` of the 100,000-row loan sheet goes, phase by phase.

bench_import.py gives the whole import beside the bare read; this splits one import into its
steps, so that what is left after the read can be weighed. It runs `ledger import` in a fresh
process (the sheet and registry of gen_loans.py, a fresh ledger holding the registry) with
the pipeline's steps wrapped by a timer, and prints when each began and how long it took:

    python bench/import_phases.py            # best (shortest) of --repeat runs
    python bench/import_phases.py --json

The wrapped process is this file run as `--child`: it patches the module attributes the
pipeline looks up at call time (nothing in `ledger` knows it is being timed), then calls
the command line's own `main`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

START = time.perf_counter()


# --- the timed child ---------------------------------------------------------------------------


def _time_steps(timed) -> None:
    """Wrap the steps that typing, validating and loading call (their modules are loaded by then)."""
    timed("ledger.importing.frame", "build", "typed columns (parse every cell)")
    timed("ledger.importing.validate", "to_frame", "pandas frame")
    timed("ledger.importing.validate", "validate", "pandera validation")
    timed("ledger.importing.load", "existing_keys", "natural keys already stored")
    timed("ledger.importing.load", "insert_sheet", "insert (with journal entry)")
    timed("ledger.journal", "content_hash", "journal content hash")


def _child(db: str, sheet: str) -> None:
    """Run `ledger import` with its steps timed; the steps go to stderr as JSON lines."""
    import contextlib
    import importlib

    marks: list[tuple[str, float, float]] = []

    def timed(module: str, name: str, label: str | None = None) -> None:
        mod = importlib.import_module(module)
        original = getattr(mod, name)

        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                marks.append((label or name, began - START, time.perf_counter() - began))

        setattr(mod, name, wrapper)

    import ledger.cli
    import ledger.programs as programs
    import ledger.store as store

    marks.append(("start-up: python and the command line", 0.0, time.perf_counter() - START))
    timed("ledger.store", "_connect", "open the ledger")
    timed("ledger.importing.pipeline", "file_sha256", "sha256 of the file")
    timed("ledger.importing.pipeline", "read_sheets", "read the sheet (calamine)")
    timed("ledger.importing.pipeline", "detect", "find the header")
    pipeline = importlib.import_module("ledger.importing.pipeline")
    warm_up, typed = pipeline._warm_up, pipeline._typed

    def timed_warm_up():
        thread = warm_up()
        join = thread.join

        def timed_join(*args, **kwargs):
            began = time.perf_counter()
            join(*args, **kwargs)
            marks.append(("wait for pandas and pandera (imported on a thread during the read)", began - START, time.perf_counter() - began))

        thread.join = timed_join
        return thread

    pipeline._warm_up = timed_warm_up

    def typed_timed(*args, **kwargs):
        if not wrapped:  # frame, validate and load are imported by now (the warm-up thread)
            wrapped.append(True)
            _time_steps(timed)
        began = time.perf_counter()
        try:
            return typed(*args, **kwargs)
        finally:
            marks.append(("typing and validating, in all", began - START, time.perf_counter() - began))

    wrapped: list[bool] = []
    pipeline._typed = typed_timed
    rules = programs.rules

    def timed_rules():
        out = {}
        for name, rule in rules().items():
            def run(*args, _rule=rule, _name=name, **kwargs):
                began = time.perf_counter()
                try:
                    return _rule(*args, **kwargs)
                finally:
                    marks.append((f"rule {_name}", began - START, time.perf_counter() - began))
            out[name] = run
        return out

    programs.rules = timed_rules
    transaction = store.Store.transaction

    @contextlib.contextmanager
    def timed_transaction(self):
        with transaction(self) as con:
            yield con
            began = time.perf_counter()
        marks.append(("commit", began - START, time.perf_counter() - began))

    store.Store.transaction = timed_transaction
    timed("ledger.importing.pipeline", "import_file", "import_file, in all")
    exit_now = os._exit

    def report_and_exit(code: int) -> None:  # the command line ends with os._exit, past any finally
        marks.append(("the whole run, until exit", 0.0, time.perf_counter() - START))
        sys.stderr.write("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in marks))
        sys.stderr.flush()
        exit_now(code)

    os._exit = report_and_exit
    sys.argv = ["ledger", "--db", db, "import", sheet, "--json"]
    ledger.cli.main()


# --- the parent ----------------------------------------------------------------------------------


def one_run(base: Path, sheet: Path, work: Path, i: int) -> tuple[float, list[tuple[str, float, float]]]:
    """Wall seconds of one timed import on a copy of `base`, and its marks."""
    db = work / f"run{i}.duckdb"
    shutil.copy(base, db)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", str(db), str(sheet)], capture_output=True, env=env)
    wall = time.perf_counter() - began
    marks = [tuple(json.loads(line)) for line in proc.stderr.decode().splitlines() if line.startswith("[")]
    if proc.returncode != 0 or not marks:
        raise SystemExit(f"the timed import failed ({proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
    return wall, marks


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return
    from bench_import import ledger_with_registry

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=40_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the one with the shortest wall time is shown")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with ledger_with_registry(args.out, args.rows, args.enterprises) as (sheet, base, work, _env):
        wall, marks = min((one_run(base, sheet, work, i) for i in range(args.repeat)), key=lambda r: r[0])
    marks.sort(key=lambda m: (m[0].startswith("the whole run"), m[1], -m[2]))
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "wall_s": round(wall, 3), "phases": [
            {"phase": name, "began_s": round(began, 3), "took_s": round(took, 3)} for name, began, took in marks
        ]}, ensure_ascii=False))
        return
    print(f"one `ledger import` of {sheet.name}: {wall:.2f} s wall, {os.cpu_count()} cores (best of {args.repeat})")
    print(f"  {'began':>7}  {'took':>7}  step")
    for name, began, took in marks:
        print(f"  {began:7.3f}  {took:7.3f}  {name}")


if __name__ == "__main__":
    main()
