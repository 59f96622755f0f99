"""The city-scale benchmark's ledger and its reports, checked on a small slice of the city.

bench/gen_city.py fills a ledger in bulk without spreadsheets; the file must still be a ledger
(`ledger verify` passes, voids and corrected sheets included), and the reports the benchmark
times must give the figures of the straightforward queries it times them against.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import duckdb
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import gen_city  # noqa: E402
import run as bench_run  # noqa: E402

from conftest import Ledger  # noqa: E402
from test_subsidies import EXPECTED, planted  # noqa: E402,F401  (the ledger with a payment planted per rule)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """Three districts over two years at a thousandth of the city's rows: every table, voids, a resent sheet."""
    path = tmp_path_factory.mktemp("city") / "city.duckdb"
    sizes = gen_city.Sizes(districts=3, years=(2020, 2021))
    return gen_city.generate(path, scale=0.002, quiet=True, sizes=sizes)


def test_generated_ledger_verifies(city):
    result = Ledger(city).run("verify")
    assert result.exit_code == 0, result.output
    assert "核验通过" in result.output


def test_generated_ledger_holds_every_kind_with_voids(city):
    rows = gen_city.counts(city)
    for table in ("enterprises", "applications", "loans", "repayments", "contributions", "claims", "carriers", "subsidies", "banks"):
        assert rows[table] > 0, table
    con = duckdb.connect(str(city), read_only=True)
    try:
        whole, single = con.execute(
            "SELECT count(*) FILTER (WHERE row_id IS NULL), count(*) FILTER (WHERE row_id IS NOT NULL) FROM voids"
        ).fetchone()
        resent = con.execute("SELECT count(*) FROM import_batches WHERE file_name LIKE '%(更正)%'").fetchone()[0]
        live_keys = con.execute("SELECT count(*), count(DISTINCT contract_no) FROM v_loans").fetchone()
        journal = con.execute("SELECT count(*) FROM journal").fetchone()[0]
        batches = con.execute("SELECT count(*) FROM import_batches").fetchone()[0]
    finally:
        con.close()
    assert whole >= 1 and single >= 2 and resent == whole
    assert live_keys[0] == live_keys[1]  # a corrected sheet replaces the voided one, contract by contract
    assert journal == batches + whole + single  # an entry per batch and per void


def test_generator_is_deterministic(city, tmp_path):
    again = gen_city.generate(tmp_path / "again.duckdb", scale=0.002, quiet=True, sizes=gen_city.Sizes(districts=3, years=(2020, 2021)))
    query = "SELECT count(*), sum(amount), min(contract_no), max(contract_no), sum(hash(credit_code, bank)) FROM v_loans"
    figures = []
    for path in (city, again):
        con = duckdb.connect(str(path), read_only=True)
        try:
            figures.append(con.execute(query).fetchall())
        finally:
            con.close()
    assert figures[0] == figures[1]


@pytest.mark.parametrize("name", ["summary", "fund", "leverage", "audit", "claims"])
def test_reports_agree_with_bare_queries(city, name):
    from ledger.policy import load_policy
    from ledger.reports.fund import fund_statement
    from ledger.reports.leverage import leverage
    from ledger.reports.summary import summary

    day = dt.date(2021, 12, 31)
    policy = load_policy()
    con = duckdb.connect(str(city), read_only=True)
    try:
        report = {
            "summary": lambda: summary(con, day),
            "fund": lambda: fund_statement(con, day, policy),
            "leverage": lambda: leverage(con, day),
            "audit": lambda: bench_run.audit(con, policy),
            "claims": lambda: bench_run.claims_audit(con, policy),
        }[name]()
        sql = {
            "summary": bench_run.BARE_SUMMARY,
            "fund": bench_run.BARE_FUND,
            "leverage": bench_run.BARE_LEVERAGE,
            "audit": bench_run.bare_audit.statements(policy, bench_run.live),
            "claims": bench_run.bare_claims.statements(policy, bench_run.live),
        }[name]
        assert bench_run.agree(name, report, bench_run.bare(con, sql, day))
    finally:
        con.close()


def test_summary_of_a_period_counts_what_the_period_holds(city):
    """The one-pass summary query against counting each figure on its own, for a period and to a date."""
    from ledger.reports.summary import summary

    con = duckdb.connect(str(city), read_only=True)
    try:
        for since, until in ((dt.date(2021, 1, 1), dt.date(2021, 6, 30)), (dt.date.min, dt.date(2020, 12, 31)), (dt.date.min, dt.date(2019, 1, 1))):
            s = summary(con, until, since)
            p = {"since": since, "until": until}
            loans = "FROM v_loans WHERE disbursed_on BETWEEN $since AND $until"
            apps = "FROM v_applications WHERE applied_on BETWEEN $since AND $until"

            def one(sql):
                return con.execute(sql, p).fetchone()[0]

            assert s.applications.enterprises == one(f"SELECT count(DISTINCT credit_code) {apps}")
            assert s.applications.count == one(f"SELECT count(*) {apps}")
            assert s.loans.banks == one(f"SELECT count(DISTINCT bank) {loans} AND is_programme")
            assert s.loans.enterprises == one(f"SELECT count(DISTINCT credit_code) {loans} AND is_programme")
            assert s.loans.count == one(f"SELECT count(*) {loans} AND is_programme")
            assert s.loans.amount == (one(f"SELECT sum(amount) {loans} AND is_programme") or 0)
            assert s.guided.enterprises == one(f"SELECT count(DISTINCT credit_code) {loans} AND NOT is_programme")
            assert s.guided.amount == (one(f"SELECT sum(amount) {loans} AND NOT is_programme") or 0)
    finally:
        con.close()


def test_benchmark_prints_every_figure(city, tmp_path):
    """`bench/run.py --json` on the small city: start-up, each report with its bare query, and the targets' inputs."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(BENCH.parent)}
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--db", str(city), "--repeat", "1", "--skip-import", "--skip-history", "--as-of", "2021-12-31", "--json"],
        capture_output=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    result = json.loads(proc.stdout)
    assert result["cores"] == os.cpu_count()
    assert {"python_pass_s", "help_s", "summary_json_s", "summary_startup_s"} <= set(result["startup"])
    assert result["startup"]["summary_json_imports"] == []
    assert [r["report"] for r in result["reports"]] == ["report summary", "report fund", "report leverage", "audit subsidies", "audit claims"]
    for r in result["reports"]:
        assert r["figures_agree"], r
        assert r["cli_wall_s"] > 0 and r["bare_query_s"] > 0 and r["cli_peak_rss_mib"] > 0


ANOTHER_POLICY = """
name = "另一区(测试)"
[[incubator]]
effective_from = 2020-06-01
source = "旧标准"
municipal_incubator_award = "200000.00"
municipal_maker_space_award = "100000.00"
national_match_ratio = "1.0"
recognised_on_or_after = 2020-01-01
performance_awards = { "高新技术企业" = "20000.00", "入库企业" = "5000.00" }
[[incubator]]
effective_from = 2022-07-01
source = "新标准"
municipal_incubator_award = "150000.00"
municipal_maker_space_award = "100000.00"
national_match_ratio = "0.75"
recognition_window_days = 400
recognised_on_or_after = 2021-02-01
performance_awards = { "高新技术企业" = "20000.00", "市级重点实验室" = "80000.00" }
"""


@pytest.mark.parametrize("policy_text", [None, ANOTHER_POLICY], ids=["default", "two-versions"])
def test_bare_audit_query_agrees_with_the_audit_on_every_planted_rule(planted, tmp_path, policy_text):
    """The bench's SQL statement of the eight rules against the audit, on a payment planted per rule.

    Under another policy (a later version with other figures and window, awards left out) the
    verdicts change, and the two must still agree.
    """
    from ledger.policy import load_policy

    ledger, _, _ = planted
    path = None
    if policy_text:
        path = tmp_path / "policy.toml"
        path.write_text(policy_text, encoding="utf-8")
    policy = load_policy(path)
    con = duckdb.connect(str(ledger.path), read_only=True)
    try:
        report = bench_run.audit(con, policy)
        got = bench_run.bare(con, bench_run.bare_audit.statements(policy, bench_run.live), dt.date.today())
    finally:
        con.close()
    ineligible = {v.payment.payment_no for v in report.ineligible}
    planted_ones = {no for no, rules in EXPECTED.items() if rules}
    if policy_text is None:
        assert ineligible == planted_ones
    else:  # the match at 0.75 and a 150,000 incubator award from 2022-07-01; no window and no lab award before it
        assert ineligible == planted_ones - {"BF-103", "BF-106"} | {"BF-002", "BF-004", "BF-007"}
    assert bench_run.agree("audit", report, got)
    (total,) = [r for r in got[0] if r[1] == "合计"]
    assert total[7] == report.total.amount_excess > 0  # amount_excess compared too, and not trivially
    assert report.total.amount_excess < report.total.amount_ineligible


def test_history_benchmark_ledger_explains_its_correction(city, tmp_path):
    """bench/history.py's ledger: a close, then a resent loan sheet and cancelled loans; it verifies and `report changes` adds up."""
    from decimal import Decimal

    import history as bench_history

    path = bench_history.build_history(city, tmp_path / "history.duckdb", year=2021)
    led = Ledger(path)
    assert led.run("verify").exit_code == 0
    c = led.json("report", "changes", "--since", "2021-12")
    assert [e["action"] for e in c["entries"]] == ["void", "import", "void", "void", "void"]
    figures = {f["key"]: f for f in c["figures"]}
    by_product = c["net"]["loans"]["by_product"]
    for key, part in (("loans.amount", "programme"), ("guided.amount", "other")):
        assert Decimal(figures[key]["difference"]) == Decimal(by_product[part].get("amount", "0.00")), key
