"""Speed at city scale, in one run: start-up, reports over a million loans, the 100,000-row import.

    python bench/run.py                    # builds bench/out/city.duckdb on first use (about a minute)
    python bench/run.py --skip-import      # without the import benchmark (bench/bench_import.py)
    python bench/run.py --json             # one JSON object instead of the tables

What it prints, each figure the best of `--repeat` runs (the median beside it), with the
machine's core count:

1. start-up: wall time of `python -c pass`, `ledger --help` and `ledger report summary --json`
   on the city-scale ledger, each in a fresh process; the overhead over bare Python, and the
   part of it that is start-up (the overhead less the report's own work, measured in-process);
   and the heavy modules (pandas, pandera, the ORM, openpyxl, pydantic) each command imported.
2. reports: `report summary`, `report fund`, `report leverage`, `audit subsidies` and
   `audit claims` (all `--json`) on the city-scale ledger: the command's wall time and peak memory, the report's
   own time in-process, and the bare DuckDB query that computes the same headline figures over
   the base tables (voided rows left out the way the `v_` views do); the figures of the two are
   compared, so a fast report cannot be a wrong one.
3. verify: `ledger verify` on the city-scale ledger (every batch's rows re-hashed), wall and memory;
   `ledger rows loans` with a filter returning about 10,000 rows (bank and dates), as a table and --json.
4. import: bench/bench_import.py (a 100,000-row loan sheet imported beside the bare read of it).
5. history (bench/history.py): reports `--known-at` an earlier entry beside the same reports without
   it, and `report changes --since` a close on a copy of the city ledger with later corrections.

Targets (issue 8): start-up at most 0.25 s over `python -c pass`; every report within 2x of
its bare query and under 1 s wall (`audit claims`: under 2 s, issue 16); memory under 1 GiB; `ledger verify` under 10 s.
Issue 14: `--known-at` reports within 2x of the same report without it and under 1 s; `report changes`
since a close under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import duckdb  # noqa: E402

import bare_audit  # noqa: E402
import bare_claims  # noqa: E402
import history  # noqa: E402
from gen_city import DEFAULT_FILE, counts, generate  # noqa: E402

STARTUP_TARGET = 0.25
RATIO_TARGET = 2.0
WALL_TARGET = 1.0
WALL_TARGETS = {"audit claims": 2.0}  # issue 16: the compensation audit under 2 s; the others under WALL_TARGET
VERIFY_TARGET = 10.0
MEMORY_LIMIT = 1 << 30
HEAVY = ("pandas", "pandera", "sqlmodel", "sqlalchemy", "openpyxl", "pydantic", "numpy", "rich")


# ------------------------------------------------------------------------------------------------
# Processes


def ledger_argv(db: Path, *args: str) -> list[str]:
    """The `ledger` console script next to this Python (as users run it), else `python -m ledger`."""
    script = Path(sys.executable).parent / "ledger"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]
    return [*head, "--db", str(db), *args]


# Starts one command and reports its wall time and peak RSS. It runs as a small process of its
# own because Linux counts, in a child's peak RSS, the memory of the process that started it
# (the address space it had until exec), and this benchmark's own process grows as it runs.
LAUNCHER = r"""
import json, os, sys, time
out, err, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
actions = [(os.POSIX_SPAWN_DUP2, os.open(out, flags), 1), (os.POSIX_SPAWN_DUP2, os.open(err, flags), 2)]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, dict(os.environ), file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss": usage.ru_maxrss * 1024, "code": os.waitstatus_to_exitcode(status)}))
"""


def child(argv: list[str]) -> tuple[float, tuple[int, str]]:
    """Wall seconds of one fresh process (which must succeed), with its own peak RSS in bytes and its stdout."""
    import tempfile

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        launched = subprocess.run([sys.executable, "-c", LAUNCHER, str(out), str(err), *argv], capture_output=True, env=env)
        if launched.returncode != 0:
            raise SystemExit(f"launcher failed:\n{launched.stderr.decode()[-2000:]}")
        m = json.loads(launched.stdout)
        if m["code"] != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({m['code']}):\n{err.read_text(errors='replace')[-2000:]}")
        return m["wall"], (m["rss"], out.read_text())


def in_process(fn) -> tuple[float, object]:
    """Seconds of one call of fn() in this process, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(tasks: dict, repeat: int) -> dict[str, dict]:
    """Run every task once per round, `repeat` rounds, so that a busy machine slows them alike.

    Each task returns (seconds, extra); the answer holds, per task, the best and median
    seconds and every extra.
    """
    times: dict[str, list[float]] = {k: [] for k in tasks}
    extras: dict[str, list] = {k: [] for k in tasks}
    for _ in range(repeat):
        for name, task in tasks.items():
            seconds, extra = task()
            times[name].append(seconds)
            extras[name].append(extra)
    return {
        k: {"best": min(v), "median": sorted(v)[len(v) // 2], "extras": extras[k]}
        for k, v in times.items()
    }


def cli_figures(m: dict) -> dict:
    """A command's wall time (best, median) and largest peak RSS, from `interleaved` runs of `child`."""
    return {
        "cli_wall_s": round(m["best"], 3),
        "cli_wall_median_s": round(m["median"], 3),
        "cli_peak_rss_mib": round(max(rss for rss, _ in m["extras"]) / 2**20),
    }


def imported_heavy(argv: list[str]) -> list[str]:
    """Which of the heavy top-level modules a command imports (from `python -X importtime`)."""
    if Path(argv[0]).name == "ledger":
        argv = [sys.executable, "-m", "ledger", *argv[1:]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, env=env)
    names = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if line.startswith("import time:")}
    return sorted(n for n in names if n in HEAVY)


# ------------------------------------------------------------------------------------------------
# The bare queries: the same headline figures, straight from the base tables.


def live(table: str, alias: str) -> str:
    """The rows of `table` no void reversed, written out (what the `v_` views do)."""
    return (
        f"{alias}.batch_id NOT IN (SELECT batch_id FROM voids WHERE batch_id IS NOT NULL AND row_id IS NULL) "
        f"AND {alias}.id NOT IN (SELECT row_id FROM voids WHERE table_name = '{table}' AND row_id IS NOT NULL)"
    )


BARE_SUMMARY = f"""
SELECT a.*, l.* FROM
(SELECT count(DISTINCT credit_code), count(*), sum(amount) FROM applications a
 WHERE applied_on <= $day AND {live('applications', 'a')}) a,
(SELECT count(DISTINCT bank) FILTER (WHERE is_programme), count(DISTINCT credit_code) FILTER (WHERE is_programme),
        count(*) FILTER (WHERE is_programme), sum(amount) FILTER (WHERE is_programme),
        count(DISTINCT credit_code) FILTER (WHERE NOT is_programme), sum(amount) FILTER (WHERE NOT is_programme)
 FROM loans l WHERE disbursed_on <= $day AND {live('loans', 'l')}) l
"""

# Claims, first claims and the fund's pro-rata share of recoveries in integer fen (half-up).
FUND_CTES = f"""
WITH c AS (SELECT * FROM claims c WHERE {live('claims', 'c')}),
first AS (
    SELECT contract_no, arg_min(overdue_principal, (claimed_on, id)) AS loss, arg_min(approved_amount, (claimed_on, id)) AS approved,
           arg_min_null(paid_on, (claimed_on, id)) AS paid_on
    FROM c WHERE claimed_on <= $day GROUP BY contract_no
),
rec AS (
    SELECT r.amount, CAST(r.amount * 100 AS HUGEINT) AS a, CASE WHEN f.paid_on <= $day THEN CAST(f.approved * 100 AS HUGEINT) END AS b,
           nullif(CAST(f.loss * 100 AS HUGEINT), 0) AS d
    FROM recoveries r LEFT JOIN first f USING (contract_no) WHERE r.recovered_on <= $day AND {live('recoveries', 'r')}
),
cap AS (
    SELECT sum(amount) FILTER (WHERE contributor = '市级') AS city, sum(amount) FILTER (WHERE contributor = '区级') AS district,
           sum(amount) FILTER (WHERE contributor = '其他') AS other
    FROM contributions k WHERE paid_on <= $day AND {live('contributions', 'k')}
)
"""

BARE_FUND = [
    FUND_CTES
    + """
SELECT cap.city, cap.district, cap.other,
       (SELECT sum(approved_amount) FROM c WHERE paid_on <= $day),
       (SELECT sum(amount) FROM rec), (SELECT sum((2 * a * b + d) // (2 * d)) FROM rec),
       (SELECT count(*) FROM c WHERE claimed_on <= $day), (SELECT count(*) FROM c WHERE paid_on <= $day),
       (SELECT count(*) FROM c WHERE claimed_on <= $day AND (paid_on IS NULL OR paid_on > $day)),
       (SELECT sum(approved_amount) FROM c WHERE claimed_on <= $day AND (paid_on IS NULL OR paid_on > $day))
FROM cap
""",
    f"""
WITH c AS (SELECT * FROM claims c WHERE {live('claims', 'c')}),
first AS (SELECT contract_no, arg_min(overdue_principal, (claimed_on, id)) AS loss FROM c WHERE claimed_on <= $day GROUP BY contract_no),
lo AS (SELECT * FROM loans l WHERE {live('loans', 'l')}),
paid AS (SELECT lo.bank, sum(c.approved_amount) AS paid FROM c JOIN lo USING (contract_no) WHERE c.paid_on <= $day GROUP BY 1)
SELECT lo.bank, count(*), sum(lo.amount), coalesce(sum(first.loss), 0), count(first.contract_no), coalesce(any_value(paid.paid), 0)
FROM lo LEFT JOIN first USING (contract_no) LEFT JOIN paid USING (bank)
WHERE lo.is_programme AND lo.disbursed_on <= $day
GROUP BY lo.bank ORDER BY sum(lo.amount) DESC, lo.bank
""",
]

BARE_LEVERAGE = (
    FUND_CTES
    + f"""
SELECT l.programme, l.guided, coalesce(cap.city, 0) + coalesce(cap.district, 0) + coalesce(cap.other, 0),
       (SELECT sum(approved_amount) FROM c WHERE paid_on <= $day), (SELECT sum((2 * a * b + d) // (2 * d)) FROM rec)
FROM cap, (SELECT sum(amount) FILTER (WHERE is_programme) AS programme, sum(amount) FILTER (WHERE NOT is_programme) AS guided
           FROM loans l WHERE disbursed_on <= $day AND {live('loans', 'l')}) l
"""
)

def bare(con, statements, day: dt.date) -> list:
    """Run the bare statement(s), fetching every row; the results, one list per statement."""
    if isinstance(statements, str):
        statements = [statements]
    out = []
    for sql in statements:
        params = {"day": day} if "$day" in sql else None
        out.append(con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall())
    return out


def _d(v) -> Decimal:
    return Decimal(v or 0).quantize(Decimal("0.01"))


def agree(name: str, report, got: list) -> bool:
    """Whether the report's headline figures equal the bare query's."""
    if name == "summary":
        r = got[0][0]
        s = report
        mine = (s.applications.enterprises, s.applications.count, s.applications.amount, s.loans.banks, s.loans.enterprises,
                s.loans.count, s.loans.amount, s.guided.enterprises, s.guided.amount)
        return mine == (r[0], r[1], _d(r[2]), r[3], r[4], r[5], _d(r[6]), r[7], _d(r[8]))
    if name == "fund":
        r, banks = got[0][0], got[1]
        f = report.flows
        mine = (f.capital_by_source["市级"], f.capital_by_source["区级"], f.capital_by_source["其他"], f.compensation_paid,
                f.recovered, f.recoveries_returned, report.claim_count, report.paid_count, report.pending_count, report.pending)
        theirs = (_d(r[0]), _d(r[1]), _d(r[2]), _d(r[3]), _d(r[4]), _d(Decimal(int(r[5] or 0)).scaleb(-2)), r[6], r[7], r[8], _d(r[9]))
        mine_banks = [(b.bank, b.loan_count, b.loans, b.losses, b.defaults, b.compensation_paid) for b in report.banks]
        theirs_banks = [(b[0], b[1], _d(b[2]), _d(b[3]), b[4], _d(b[5])) for b in banks]
        return mine == theirs and mine_banks == theirs_banks
    if name == "leverage":
        r = got[0][0]
        lev = report
        net = _d(r[3]) - _d(Decimal(int(r[4] or 0)).scaleb(-2))
        mine = (lev.fund_leverage.numerator, lev.guided_ratio.numerator, lev.fund_leverage.denominator, lev.net_loss_rate.numerator)
        return mine == (_d(r[0]), _d(r[1]), _d(r[2]), net)
    if name == "claims":
        mine = [
            (t.name, t.count, t.amount, t.eligible, t.ineligible, t.amount_ineligible, t.amount_excess)
            for t in (*report.by_bank, report.total)
        ]
        theirs = [(r[1], r[2], _d(r[3]), r[4], r[5], _d(r[6]), _d(r[7])) for r in got[0]]
        return mine == theirs
    if name == "audit":
        rows = got[0]
        mine = [
            (t.name, t.count, t.amount, t.eligible, t.ineligible, t.amount_ineligible, t.amount_excess)
            for t in (*report.by_programme, *report.by_carrier, report.total)
        ]
        theirs = [(r[1], r[2], _d(r[3]), r[4], r[5], _d(r[6]), _d(r[7])) for r in rows]
        return mine == theirs
    return False


# ------------------------------------------------------------------------------------------------


def audit(con, policy):
    """The subsidy audit with its JSON built, as `audit subsidies --json` does (the JSON is most of the output)."""
    from ledger.reports.subsidy_audit import subsidy_audit

    result = subsidy_audit(con, policy)
    result.to_json()
    return result


def claims_audit(con, policy):
    """The compensation audit with its JSON built, as `audit claims --json` does."""
    from ledger.reports.claim_audit import claim_audit

    result = claim_audit(con, policy)
    result.to_json()
    return result


def reports(db: Path, day: dt.date, repeat: int) -> list[dict]:
    """Each report: CLI wall and memory, in-process time, bare query time, and whether they agree."""
    from ledger.policy import load_policy
    from ledger.reports.fund import fund_statement
    from ledger.reports.leverage import leverage
    from ledger.reports.summary import summary

    policy = load_policy()
    con = duckdb.connect(str(db), read_only=True)
    cases = [
        ("summary", ["report", "summary", "--json"], lambda: summary(con, day), BARE_SUMMARY),
        ("fund", ["report", "fund", "--json"], lambda: fund_statement(con, day, policy), BARE_FUND),
        ("leverage", ["report", "leverage", "--json"], lambda: leverage(con, day), BARE_LEVERAGE),
        ("audit", ["audit", "subsidies", "--json"], lambda: audit(con, policy), bare_audit.statements(policy, live)),
        ("claims", ["audit", "claims", "--json"], lambda: claims_audit(con, policy), bare_claims.statements(policy, live)),
    ]
    out = []
    try:
        for name, args, fn, sql in cases:
            fn()  # warm: the first query of a connection reads the blocks it needs from disk
            dated = ["--as-of", day.isoformat()] if name in ("summary", "fund", "leverage") else []
            argv = ledger_argv(db, *args, *dated)
            m = interleaved(
                {"cli": lambda: child(argv), "lib": lambda: in_process(fn), "bare": lambda: in_process(lambda: bare(con, sql, day))},
                repeat,
            )
            cli, lib, raw = m["cli"], m["lib"], m["bare"]
            out.append(
                {
                    "report": " ".join(args[:2]),
                    **cli_figures(cli),
                    "in_process_s": round(lib["best"], 4),
                    "in_process_median_s": round(lib["median"], 4),
                    "bare_query_s": round(raw["best"], 4),
                    "bare_query_median_s": round(raw["median"], 4),
                    "ratio": round(lib["best"] / raw["best"], 2),
                    "figures_agree": agree(name, lib["extras"][-1], raw["extras"][-1]),
                    "json_bytes": len(cli["extras"][-1][1].encode()),
                }
            )
    finally:
        con.close()
    return out


def startup(db: Path, repeat: int) -> dict:
    """`python -c pass`, `ledger --help` and `ledger report summary --json` on the city file."""
    from ledger.reports.summary import summary

    day = dt.date.today()
    con = duckdb.connect(str(db), read_only=True)
    try:
        summary(con, day)
        m = interleaved(
            {
                "pass": lambda: child([sys.executable, "-c", "pass"]),
                "help": lambda: child(ledger_argv(db, "--help")),
                "summary": lambda: child(ledger_argv(db, "report", "summary", "--json")),
                "compute": lambda: in_process(lambda: summary(con, day)),
            },
            repeat,
        )
    finally:
        con.close()
    bare, help_, report, compute = m["pass"]["best"], m["help"]["best"], m["summary"]["best"], m["compute"]["best"]
    return {
        "python_pass_s": round(bare, 3),
        "help_s": round(help_, 3),
        "help_over_python_s": round(help_ - bare, 3),
        "summary_json_s": round(report, 3),
        "summary_json_median_s": round(m["summary"]["median"], 3),
        "summary_json_over_python_s": round(report - bare, 3),
        "summary_compute_s": round(compute, 3),
        "summary_startup_s": round(report - bare - compute, 3),
        "help_imports": imported_heavy(ledger_argv(db, "--help")),
        "summary_json_imports": imported_heavy(ledger_argv(db, "report", "summary", "--json")),
    }


OTHER_COMMANDS = (
    ("report", "outstanding", "--json"),
    ("report", "brief", "--json"),
    ("report", "targets", "--json"),
    ("log", "--json"),
)


def other_commands(db: Path, day: dt.date, repeat: int) -> list[dict]:
    """Wall time and peak memory of the other reading commands on the city-scale ledger (no bare query)."""
    out = []
    for args in OTHER_COMMANDS:
        dated = ["--as-of", day.isoformat()] if args[:2] in (("report", "outstanding"), ("report", "brief")) else []  # targets: today's
        m = interleaved({"cli": lambda: child(ledger_argv(db, *args, *dated))}, repeat)["cli"]
        out.append({"command": " ".join(a for a in args if a != "--json"), **cli_figures(m)})
    return out


def verify_timing(db: Path, repeat: int) -> dict:
    """Wall time and peak memory of `ledger verify` on the city-scale ledger (it must pass)."""
    return cli_figures(interleaved({"cli": lambda: child(ledger_argv(db, "verify"))}, repeat)["cli"])


ROWS_WANTED = 10_000


def rows_filter(db: Path) -> list[str]:
    """`ledger rows loans` options selecting about ROWS_WANTED loans: the busiest bank, from its first loan to the day the ten-thousandth falls on."""
    with duckdb.connect(str(db), read_only=True) as con:
        bank = con.execute("SELECT bank FROM v_loans GROUP BY bank ORDER BY count(*) DESC, bank LIMIT 1").fetchone()[0]
        first, last = con.execute(
            "SELECT min(disbursed_on), max(disbursed_on) FROM (SELECT disbursed_on FROM v_loans WHERE bank = ? "
            "ORDER BY disbursed_on LIMIT ?)",
            [bank, ROWS_WANTED],
        ).fetchone()
    return ["--bank", bank, "--from", first.isoformat(), "--to", last.isoformat()]


def rows_timing(db: Path, repeat: int) -> list[dict]:
    """Wall time and peak memory of `ledger rows loans` with a filter returning about ROWS_WANTED rows (table and --json)."""
    options = rows_filter(db)
    out = []
    for extra in ((), ("--json",)):
        argv = ledger_argv(db, "rows", "loans", *options, *extra)
        m = interleaved({"cli": lambda: child(argv)}, repeat)["cli"]
        _, text = m["extras"][0]
        n = json.loads(text)["total"]["rows"] if extra else text.count("\n") - 3
        out.append({"command": " ".join(["rows", "loans", *options, *extra]), "rows": n, **cli_figures(m)})
    return out


def import_bench(skip: bool) -> dict | None:
    """bench/bench_import.py's figures (it owns the 100,000-row import benchmark), or None."""
    script = HERE / "bench_import.py"
    if skip or not script.exists():
        return None
    proc = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        return {"error": proc.stderr.decode()[-1000:]}
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_FILE, help="the city-scale ledger (built by gen_city.py if missing)")
    parser.add_argument("--scale", type=float, default=1.0, help="row counts of a ledger built now (1.0 = one million loans)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement; the best is reported")
    parser.add_argument("--as-of", default=None, help="date of the reports (default today, as the commands use)")
    parser.add_argument("--skip-import", action="store_true", help="leave out the 100,000-row import benchmark")
    parser.add_argument("--skip-history", action="store_true", help="leave out --known-at and report changes (bench/history.py)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    built = None
    if not args.db.exists():
        t = time.perf_counter()
        generate(args.db, args.scale, quiet=args.json)
        built = round(time.perf_counter() - t, 1)
    day = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    rows = counts(args.db)
    result = {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
        "ledger_file": str(args.db),
        "ledger_mib": round(args.db.stat().st_size / 2**20),
        "generated_s": built,
        "rows": rows,
        "as_of": day.isoformat(),
        "startup": startup(args.db, args.repeat),
        "reports": reports(args.db, day, args.repeat),
        "other_commands": other_commands(args.db, day, args.repeat),
        "verify": verify_timing(args.db, args.repeat),
        "rows_command": rows_timing(args.db, args.repeat),
        "import": import_bench(args.skip_import),
        "history": None if args.skip_history else history.measure(args.repeat, day, args.db),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print_result(result)


def print_result(r: dict) -> None:
    """The figures as a reader wants them: machine, start-up, reports, import, and each target."""
    rows = r["rows"]
    print(f"machine: {r['cores']} cores, Python {r['python']}, DuckDB {r['duckdb']}")
    made = f", generated in {r['generated_s']} s" if r["generated_s"] is not None else ""
    print(
        f"ledger: {r['ledger_file']} ({r['ledger_mib']} MiB{made}): {rows.get('enterprises', 0):,} enterprises, "
        f"{rows.get('loans', 0):,} loans, {rows.get('repayments', 0):,} repayments, {rows.get('applications', 0):,} applications, "
        f"{rows.get('claims', 0):,} claims, {rows.get('subsidies', 0):,} subsidies, {rows.get('import_batches', 0):,} batches, "
        f"{rows.get('voids', 0):,} voids"
    )
    s = r["startup"]
    print("\nstart-up (fresh process each, best of runs)")
    print(f"  python -c pass                     {s['python_pass_s']:6.3f} s")
    print(f"  ledger --help                      {s['help_s']:6.3f} s   +{s['help_over_python_s']:.3f} s over python   imports: {', '.join(s['help_imports']) or 'none of ' + '/'.join(HEAVY)}")
    print(
        f"  ledger report summary --json       {s['summary_json_s']:6.3f} s   +{s['summary_json_over_python_s']:.3f} s over python "
        f"(report's own work {s['summary_compute_s']:.3f} s, start-up {s['summary_startup_s']:.3f} s)   imports: {', '.join(s['summary_json_imports']) or 'none of the heavy ones'}"
    )
    print(
        f"  target: start-up <= {STARTUP_TARGET} s over python: --help {_ok(s['help_over_python_s'] <= STARTUP_TARGET)}, "
        f"summary --json {_ok(s['summary_startup_s'] <= STARTUP_TARGET)} "
        f"(with its work on {rows.get('loans', 0):,} loans: {_ok(s['summary_json_over_python_s'] <= STARTUP_TARGET)})"
    )
    print(f"\nreports on the city-scale ledger, as of {r['as_of']} (best of runs; median in brackets)")
    print(f"  {'command':24} {'wall':>14} {'peak RSS':>9} {'in-process':>17} {'bare query':>17} {'ratio':>6}  figures")
    for x in r["reports"]:
        print(
            f"  {x['report']:24} {x['cli_wall_s']:6.3f} ({x['cli_wall_median_s']:.3f}) {x['cli_peak_rss_mib']:5d} MiB "
            f"{x['in_process_s']:7.4f} ({x['in_process_median_s']:.4f}) {x['bare_query_s']:7.4f} ({x['bare_query_median_s']:.4f}) "
            f"{x['ratio']:5.2f}x  {'agree' if x['figures_agree'] else 'DIFFER'}"
        )
    for x in r["reports"]:
        print(
            f"  target {x['report']}: ratio <= {RATIO_TARGET}x {_ok(x['ratio'] <= RATIO_TARGET)}, wall < {WALL_TARGETS.get(x['report'], WALL_TARGET)} s "
            f"{_ok(x['cli_wall_s'] < WALL_TARGETS.get(x['report'], WALL_TARGET))}, memory < 1 GiB {_ok(x['cli_peak_rss_mib'] < 1024)}"
        )
    print("\nother reading commands (--json; wall, best of runs)")
    for x in r["other_commands"]:
        print(
            f"  {x['command']:24} {x['cli_wall_s']:6.3f} ({x['cli_wall_median_s']:.3f}) {x['cli_peak_rss_mib']:5d} MiB   "
            f"< {WALL_TARGET} s: {_ok(x['cli_wall_s'] < WALL_TARGET)}"
        )
    v = r["verify"]
    print("\nledger verify (the hash chain and every batch's rows; wall, best of runs)")
    print(
        f"  {'verify':24} {v['cli_wall_s']:6.3f} ({v['cli_wall_median_s']:.3f}) {v['cli_peak_rss_mib']:5d} MiB   "
        f"< {VERIFY_TARGET:.0f} s: {_ok(v['cli_wall_s'] < VERIFY_TARGET)}, < 1 GiB: {_ok(v['cli_peak_rss_mib'] < 1024)}"
    )
    print(f"\nledger rows (the rows behind a figure; a filter returning about {ROWS_WANTED:,} loans; wall, best of runs)")
    for x in r["rows_command"]:
        print(
            f"  {x['command']}: {x['rows']:,} rows  {x['cli_wall_s']:6.3f} ({x['cli_wall_median_s']:.3f}) {x['cli_peak_rss_mib']:5d} MiB   "
            f"< {WALL_TARGET} s: {_ok(x['cli_wall_s'] < WALL_TARGET)}"
        )
    if r.get("history"):
        history.print_figures(r["history"], _ok)
    imp = r["import"]
    print("\nimport of a 100,000-row loan sheet (bench/bench_import.py)")
    if imp is None:
        print("  skipped (--skip-import, or bench/bench_import.py not present)")
    elif "error" in imp:
        print(f"  failed: {imp['error']}")
    else:
        print(
            f"  bare read {imp['bare_read_s']:.2f} s, ledger import {imp['import_s']:.2f} s, ratio {imp['ratio']:.2f}x "
            f"(target <= {imp['target_ratio']}x: {_ok(imp['ratio'] <= imp['target_ratio'])}); peak RSS import "
            f"{imp['import_peak_rss_mib']} MiB (< 1 GiB: {_ok(imp['import_peak_rss_mib'] < 1024)}); {imp['rows_added']:,} rows added"
        )


if __name__ == "__main__":
    main()
