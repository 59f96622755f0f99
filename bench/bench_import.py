"""Import of a 100,000-row loan sheet beside the bare read of the same sheet, in one run.

Prints, for the sheet written by gen_loans.py:
  (a) the bare read: a fresh Python process that opens the file with python-calamine (the
      fastest reader we ship, the one the importer uses) and turns every cell into a Python
      value — nothing else;
  (b) the full `ledger import` in a fresh process, on a fresh ledger that already holds the
      enterprise registry the loans need;
and the ratio b / a, with the peak resident memory of each process (from wait4's rusage).
The in-process time of the read alone is printed too, for reference.

    python bench/bench_import.py                 # generates bench/out/ on first use
    python bench/bench_import.py --rows 20000 --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_loans import generate  # noqa: E402

TARGET_RATIO = 1.5
MEMORY_LIMIT = 1 << 30

BARE_READ = """
import sys, time
t = time.perf_counter()
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)
print(len(rows), sum(map(len, rows)), time.perf_counter() - t)
"""


def run(argv: list[str], env: dict | None = None) -> tuple[float, int, str, float]:
    """Wall seconds, peak RSS in bytes, stdout and CPU seconds of one child process (which must succeed)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} … failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return wall, usage.ru_maxrss * 1024, out.decode(), usage.ru_utime + usage.ru_stime


def ledger(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ledger", "--db", str(db), *args]


@contextlib.contextmanager
def ledger_with_registry(out: Path, rows: int, enterprises: int):
    """The loan sheet of gen_loans.py and a fresh ledger holding its registry, in a folder removed afterwards.

    Yields (sheet, ledger file, the folder for copies of it, the environment to run `ledger` in).
    """
    registry, sheet = generate(out, rows, enterprises)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        base = work / "base.duckdb"
        run(ledger(base, "init"), env)
        run(ledger(base, "import", str(registry)), env)
        yield sheet, base, work, env
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=40_000, help="size of the registry the loans draw on")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    with ledger_with_registry(args.out, args.rows, args.enterprises) as (sheet, base, work, env):
        reads, imports = [], []
        for i in range(args.repeat):
            wall, rss, out, cpu = run([sys.executable, "-c", BARE_READ, str(sheet)], env)
            rows, cells, inner = out.split()
            reads.append((wall, rss, float(inner), cpu))
            db = work / f"run{i}.duckdb"
            shutil.copy(base, db)
            wall, rss, out, cpu = run(ledger(db, "import", str(sheet), "--json"), env)
            report = json.loads(out)
            imports.append((wall, rss, report, cpu))
        read_wall, read_rss, read_inner, read_cpu = min(reads, key=lambda r: r[0])
        import_wall, import_rss, report, import_cpu = min(imports, key=lambda r: r[0])

    added = sum(s["added"] for s in report["sheets"])
    result = {
        "rows": args.rows,
        "columns": 15,
        "cores": os.cpu_count(),
        "bare_read_s": round(read_wall, 3),
        "bare_read_in_process_s": round(read_inner, 3),
        "import_s": round(import_wall, 3),
        "ratio": round(import_wall / read_wall, 2),
        "bare_read_cpu_s": round(read_cpu, 3),
        "import_cpu_s": round(import_cpu, 3),
        "target_ratio": TARGET_RATIO,
        "read_peak_rss_mib": round(read_rss / 2**20),
        "import_peak_rss_mib": round(import_rss / 2**20),
        "rows_added": added,
        "warnings": len(report["problems"]),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"sheet: {sheet.name} ({args.rows:,} rows x 15 columns, {sheet.stat().st_size / 2**20:.1f} MiB), {os.cpu_count()} cores")
    print(f"(a) bare read, python-calamine:  {read_wall:6.2f} s wall  {read_cpu:5.2f} s CPU  ({read_inner:.2f} s in process)  peak RSS {read_rss / 2**20:,.0f} MiB")
    print(f"(b) full ledger import:          {import_wall:6.2f} s wall  {import_cpu:5.2f} s CPU  peak RSS {import_rss / 2**20:,.0f} MiB  ({added:,} rows added, {len(report['problems'])} warnings)")
    ok_ratio = import_wall / read_wall <= TARGET_RATIO
    ok_mem = import_rss < MEMORY_LIMIT
    print(f"ratio b/a: {import_wall / read_wall:.2f}x (target <= {TARGET_RATIO}x: {'met' if ok_ratio else 'NOT met'}); memory < 1 GiB: {'met' if ok_mem else 'NOT met'}")


if __name__ == "__main__":
    main()
