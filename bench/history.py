"""Speed of the ledger over time at city scale: `--known-at` reports and `report changes` since a close.

    python bench/history.py                # figures as JSON (bench/run.py prints them with the rest)

1. `--known-at`: `report summary|fund|leverage --json` on bench/out/city.duckdb as known at an
   entry in the middle of the city's corrections (later batches left out, some voids applied,
   others not), beside the same report without it: CLI wall and in-process time, and the ratio.
2. `report changes --since PERIOD`: a copy of the city ledger (bench/out/city_history.duckdb,
   built once) where the last month of the data was closed, then a bank resent one loan sheet
   corrected (void the batch, import the corrected sheet through the real importer, one loan
   10万 more) and three loans were cancelled; `report changes --since` that month, `--json`,
   wall and in-process. `report summary` on that copy is timed too: with a close, a summary
   also lists the adjustments to the closed period.

Targets (issue 14): known-at within 2x of the same report without it and under 1 s; `report
changes` since a close under 1 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import duckdb  # noqa: E402

from gen_city import DEFAULT_FILE, YEARS  # noqa: E402

HISTORY_FILE = DEFAULT_FILE.with_name("city_history.duckdb")
PERIOD = f"{YEARS[1]}-12"
LOAN_HEADER = ["贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "放款金额", "年利率(%)"]


def known_at_entry(con) -> int:
    """An entry amid the corrections: after the first resent sheet's void, before the last row voids."""
    first, last = con.execute("SELECT min(seq), max(seq) FROM journal WHERE action = 'void'").fetchone()
    return (first + last) // 2


def build_history(source: Path = DEFAULT_FILE, path: Path = HISTORY_FILE, year: int = YEARS[1]) -> Path:
    """The city ledger with a close of December of `year` (its last), then a corrected loan sheet and three cancelled loans."""
    if path.exists():
        return path
    from ledger.closing import close
    from ledger.corrections import void
    from ledger.importing.pipeline import import_file
    from ledger.store import Store

    tmp = path.with_name(path.name + ".building")
    shutil.copyfile(source, tmp)
    with Store.open(tmp) as store:
        close(store, f"{year}-12", "年末结账(基准测试)", user="bench")
        con = store.con
        batch = con.execute(
            "SELECT b.id FROM import_batches b WHERE b.kind = 'loans' AND b.file_name LIKE ? "
            "AND b.id NOT IN (SELECT batch_id FROM voids WHERE row_id IS NULL) ORDER BY b.row_count, b.id LIMIT 1",
            [f"%{year}年%"],
        ).fetchone()[0]
        rows = con.execute(
            "SELECT contract_no, credit_code, enterprise_name, bank, product, disbursed_on, maturity_on, amount, rate_pct "
            "FROM loans WHERE batch_id = ? ORDER BY source_row",
            [batch],
        ).fetchall()
        sheet = path.with_name("重报放款明细.csv")
        with open(sheet, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(LOAN_HEADER)
            for i, r in enumerate(rows):
                amount = r[7] + (100000 if i == 0 else 0)
                w.writerow([r[0], r[1], r[2], r[3], r[4], r[5].isoformat(), r[6].isoformat(), f"{amount:.2f}", "" if r[8] is None else f"{r[8]}"])
        void(store, str(batch), "银行重报年末放款明细,一笔金额有误", user="bench")
        result = import_file(store, sheet)
        if result.refused:
            raise SystemExit(f"bench/history: the corrected sheet was refused: {[p.message for p in result.problems][:3]}")
        for (row_id,) in con.execute(
            "SELECT id FROM v_loans WHERE disbursed_on BETWEEN ? AND ? ORDER BY id LIMIT 3", [dt.date(year, 11, 1), dt.date(year, 12, 31)]
        ).fetchall():
            void(store, f"loans:{row_id}", "合同已撤销(基准测试)", user="bench")
        con.execute("CHECKPOINT")
    sheet.unlink(missing_ok=True)
    tmp.rename(path)
    return path


def measure(repeat: int = 5, day: dt.date | None = None, db: Path = DEFAULT_FILE) -> dict:
    """The figures of this benchmark (CLI wall best/median, in-process best, ratios)."""
    from run import child, cli_figures, in_process, interleaved, ledger_argv

    from ledger import known_at
    from ledger.policy import load_policy
    from ledger.reports.changes import changes
    from ledger.reports.fund import fund_statement
    from ledger.reports.leverage import leverage
    from ledger.reports.summary import summary

    day = day or dt.date(YEARS[1], 12, 31)
    policy = load_policy()
    plain = duckdb.connect(str(db), read_only=True)
    shadowed = duckdb.connect(str(db), read_only=True)
    seq = known_at_entry(plain)
    known_at.shadow(shadowed, seq)
    out: dict = {"known_at_entry": seq, "as_of": day.isoformat(), "known_at": [], "changes": None}
    cases = [
        ("summary", lambda c: summary(c, day)),
        ("fund", lambda c: fund_statement(c, day, policy)),
        ("leverage", lambda c: leverage(c, day)),
    ]
    try:
        for name, fn in cases:
            fn(plain), fn(shadowed)  # warm
            args = ["report", name, "--as-of", day.isoformat(), "--json"]
            m = interleaved(
                {
                    "cli": lambda: child(ledger_argv(db, *args)),
                    "cli_known": lambda: child(ledger_argv(db, *args, "--known-at", str(seq))),
                    "lib": lambda: in_process(lambda: fn(plain)),
                    "lib_known": lambda: in_process(lambda: fn(shadowed)),
                },
                repeat,
            )
            out["known_at"].append(
                {
                    "report": f"report {name}",
                    "without_wall_s": round(m["cli"]["best"], 3),
                    **{k.replace("cli_", "known_at_"): v for k, v in cli_figures(m["cli_known"]).items()},
                    "without_in_process_s": round(m["lib"]["best"], 4),
                    "known_at_in_process_s": round(m["lib_known"]["best"], 4),
                    "ratio_wall": round(m["cli_known"]["best"] / m["cli"]["best"], 2),
                    "ratio_in_process": round(m["lib_known"]["best"] / m["lib"]["best"], 2),
                }
            )
    finally:
        plain.close()
        shadowed.close()
    hist = build_history(db, db.with_name(f"{db.stem}_history.duckdb"))
    con = duckdb.connect(str(hist), read_only=True)
    try:
        c = changes(con, PERIOD, None)
        args = ["report", "changes", "--since", PERIOD, "--json"]
        con2 = duckdb.connect(str(hist), read_only=True)
        m = interleaved(
            {
                "cli": lambda: child(ledger_argv(hist, *args)),
                "lib": lambda: in_process(lambda: changes(con2, PERIOD, None).to_json()),
                "summary": lambda: child(ledger_argv(hist, "report", "summary", "--as-of", day.isoformat(), "--json")),
            },
            repeat,
        )
        con2.close()
        loans = next(f for f in c.figures if f.key == "loans.amount")
        out["changes"] = {
            "since": PERIOD,
            "entries": len(c.entries),
            "rows_listed": sum(len(e.added) + len(e.removed) for e in c.entries),
            "loans_amount_difference": str(loans.difference),
            **cli_figures(m["cli"]),
            "in_process_s": round(m["lib"]["best"], 4),
            "summary_with_close_wall_s": round(m["summary"]["best"], 3),
        }
    finally:
        con.close()
    return out


def print_figures(r: dict, ok) -> None:
    """The figures as bench/run.py prints them."""
    print(f"\n--known-at (as known at entry {r['known_at_entry']}, as of {r['as_of']}; wall best of runs, median in brackets)")
    for x in r["known_at"]:
        print(
            f"  {x['report']:18} without {x['without_wall_s']:.3f} s, --known-at {x['known_at_wall_s']:.3f} ({x['known_at_wall_median_s']:.3f}) s "
            f"{x['known_at_peak_rss_mib']} MiB; in-process {x['without_in_process_s']:.4f} → {x['known_at_in_process_s']:.4f} s "
            f"({x['ratio_in_process']:.2f}x); target <= 2x and < 1 s: "
            f"{ok(x['ratio_wall'] <= 2 and x['known_at_wall_s'] < 1)}"
        )
    c = r["changes"]
    if c:
        print(
            f"  report changes --since {c['since']}: {c['entries']} entries, {c['rows_listed']} rows listed, 放款 {c['loans_amount_difference']} 元; "
            f"wall {c['cli_wall_s']:.3f} ({c['cli_wall_median_s']:.3f}) s {c['cli_peak_rss_mib']} MiB, in-process {c['in_process_s']:.4f} s; "
            f"< 1 s: {ok(c['cli_wall_s'] < 1)}; report summary on that ledger (lists the adjustments) {c['summary_with_close_wall_s']:.3f} s"
        )


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False))
