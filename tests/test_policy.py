"""`ledger policy show`: which policy file is in use, its hash, and every section's versions."""

from __future__ import annotations

import hashlib
import json

from conftest import runner

from ledger.cli import app
from ledger.policy import DEFAULT_POLICY

DISTRICT = """
name = "江北区政策"

[[risk_fund]]
effective_from = 2020-01-01
source = "江北区风险补偿基金管理办法(2020)"
fund_share = "0.7"
claim_after_overdue_days = 60
single_enterprise_cap = "3000000.00"
loss_ratio_ceiling = "0.04"

[[risk_fund]]
effective_from = 2023-07-01
source = "江北区风险补偿基金管理办法(2023修订)"
fund_share = "0.8"
claim_after_overdue_days = 90
single_enterprise_cap = "5000000.00"
loss_ratio_ceiling = "0.05"
"""


def show(*args, env=None):
    return runner.invoke(app, ["policy", "show", *args], env=env)


def test_default_policy_is_shown_with_name_path_hash_and_sources(monkeypatch):
    monkeypatch.delenv("LEDGER_POLICY", raising=False)
    result = show("--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == str(DEFAULT_POLICY)
    assert data["sha256"] == hashlib.sha256(DEFAULT_POLICY.read_bytes()).hexdigest()
    assert data["name"] == "默认政策(示例区县)"
    (fund,) = data["sections"]["risk_fund"]
    assert fund["effective_from"] == "2017-01-01" and fund["effective_to"] is None
    assert fund["params"] == {
        "fund_share": "0.8",
        "claim_after_overdue_days": 90,
        "single_enterprise_cap": "5000000.00",
        "loss_ratio_ceiling": "0.05",
    }
    assert "80%" in fund["source"] and "重庆市地方金融监督管理局" in fund["source"]
    assert {"risk_fund", "incubator"} <= set(data["sections"])

    table = show()
    assert table.exit_code == 0
    assert str(DEFAULT_POLICY.name) in table.stdout and data["sha256"] in table.stdout
    assert "[[risk_fund]]" in table.stdout and "2017-01-01 起" in table.stdout and "fund_share = 0.8" in table.stdout


def test_district_file_from_env_and_option(tmp_path, monkeypatch):
    path = tmp_path / "江北区.toml"
    path.write_text(DISTRICT, encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for args, env in (((), {"LEDGER_POLICY": str(path)}), (("--policy", str(path)), None)):
        if env is None:
            monkeypatch.delenv("LEDGER_POLICY", raising=False)
        result = show(*args, "--json", env=env)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["name"], data["path"], data["sha256"]) == ("江北区政策", str(path), digest)
        versions = data["sections"]["risk_fund"]
        # a version is in force until the next one starts
        assert [(v["effective_from"], v["effective_to"]) for v in versions] == [("2020-01-01", "2023-07-01"), (("2023-07-01", None))]
        assert versions[0]["params"]["fund_share"] == "0.7"
    table = show("--policy", str(path))
    assert "至 2023-06-30" in table.stdout and "至今" in table.stdout and "江北区风险补偿基金管理办法(2023修订)" in table.stdout


def test_broken_policy_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[risk_fund]]\nfund_share = 0.8\n", encoding="utf-8")
    result = show("--policy", str(bad))
    assert result.exit_code == 2
    assert "effective_from" in result.stderr
    missing = show("--policy", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "无法读取政策文件" in missing.stderr


def test_a_version_missing_a_parameter_stops_the_import_with_a_clear_message(tmp_path, monkeypatch, ledger):
    from conftest import ENTERPRISE_HEADER, LOAN_HEADER, codes, write_xlsx
    import datetime as dt

    path = tmp_path / "缺参数.toml"
    path.write_text('[[risk_fund]]\neffective_from = 2019-01-01\nfund_share = "0.8"\n', encoding="utf-8")
    monkeypatch.setenv("LEDGER_POLICY", str(path))
    (code,) = codes(1, seed=3)
    book = write_xlsx(
        tmp_path / "放款.xlsx",
        [ENTERPRISE_HEADER, [code, "重庆某科技有限公司", "江北区"]],
        more={"放款": [LOAN_HEADER, ["X-1", code, "重庆某科技有限公司", "重庆银行", "知识价值信用贷款", dt.date(2021, 1, 1), dt.date(2022, 1, 1), 100000, 4]]},
    )
    result = ledger.run("import", book)
    assert result.exit_code == 2
    assert "single_enterprise_cap" in result.stderr and "缺少参数" in result.stderr
    assert ledger.sql("SELECT count(*) FROM loans") == [(0,)]
