"""A policy file is checked when it is loaded: every problem listed at once, by section, version and key; exit 2.

Each case is a real TOML file given to the real commands; the rules come from
`ledger/policy_spec.py` (shares in [0, 1], amounts ≥ 0 to the fen, whole day counts ≥ 0,
required keys, strictly increasing `effective_from`, no unknown keys).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trust_support import loans

from conftest import Ledger, runner
from ledger.cli import app
from ledger.policy import DEFAULT_POLICY

GOOD_FUND = """
[[risk_fund]]
effective_from = 2019-01-01
source = "测试"
fund_share = "0.8"
claim_after_overdue_days = 90
single_enterprise_cap = "5000000.00"
loss_ratio_ceiling = "0.05"
"""

ENGLISH = ("Error", "Errno", "codec", "Invalid", "Expected", "line ", "Traceback")


def write(tmp_path, text: str, name: str = "区县政策.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(result, path) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit)
    err = result.stderr
    assert str(path) in err, err
    assert not any(word in err for word in ENGLISH), err
    return err


def show(path, *more):
    return runner.invoke(app, ["policy", "show", "--policy", str(path), *more])


@pytest.mark.parametrize(
    "line, words",
    [
        ('fund_share = "8"', "fund_share: '8' 超出范围"),
        ('fund_share = "NaN"', "fund_share: 'NaN' 不是有限的数"),
        ("fund_share = nan", "fund_share: nan 不是有限的数"),
        ('fund_share = "八成"', "fund_share: '八成' 不是数字"),
        ("fund_share = true", "fund_share: True 不是数字"),
        ('single_enterprise_cap = "-5000000.00"', "single_enterprise_cap: '-5000000.00' 超出范围"),
        ('single_enterprise_cap = "5000000.001"', "single_enterprise_cap: '5000000.001' 不是精确到分的金额"),
        ("claim_after_overdue_days = -1", "claim_after_overdue_days: -1 超出范围"),
        ("claim_after_overdue_days = 90.5", "claim_after_overdue_days: 90.5 不是整数"),
        ('claim_after_overdue_day = 90', "claim_after_overdue_day: 未知的参数"),
    ],
)
def test_a_bad_value_or_an_unknown_key_is_refused_naming_section_version_and_key(tmp_path, line, words):
    key = line.split(" =")[0]
    body = "\n".join(ln for ln in GOOD_FUND.splitlines() if not ln.startswith(f"{key} ="))
    path = write(tmp_path, body + "\n" + line + "\n")
    err = refused(show(path), path)
    assert f"[[risk_fund]] 第 1 版(2019-01-01起) {words}" in err, err


def test_every_problem_of_the_file_is_listed_at_once(tmp_path):
    path = write(
        tmp_path,
        """
name = "问题很多的政策"
[[risk_fund]]
effective_from = 2020-01-01
fund_share = "8"
single_enterprise_cap = "-1.00"
[[risk_fund]]
effective_from = 2020-01-01
fund_share = "0.8"
[[incubator]]
effective_from = 2020-01-01
municipal_incubator_award = "-200000.00"
performance_awards = { "高新技术企业" = "-20000.00", "入库企业" = "abc" }
[[targets]]
effective_from = 2023-01-01
milestones = [ { year = 2025, hnte = -80 } ]
[[targest]]
effective_from = 2023-01-01
""",
    )
    err = refused(show(path), path)
    expected = [
        "有 8 处问题",
        "[[risk_fund]] 第 1 版(2020-01-01起) fund_share: '8' 超出范围",
        "[[risk_fund]] 第 1 版(2020-01-01起) single_enterprise_cap: '-1.00' 超出范围",
        "[[risk_fund]] 第 2 版(2020-01-01起) effective_from: 2020-01-01 不晚于上一版的 2020-01-01",
        "[[incubator]] 第 1 版(2020-01-01起) municipal_incubator_award: '-200000.00' 超出范围",
        "[[incubator]] 第 1 版(2020-01-01起) performance_awards.高新技术企业: '-20000.00' 超出范围",
        "[[incubator]] 第 1 版(2020-01-01起) performance_awards.入库企业: 'abc' 不是数字",
        "[[targets]] 第 1 版(2023-01-01起) milestones[1].hnte: -80 超出范围",
        "targest: 未知的节或参数",
    ]
    for words in expected:
        assert words in err, (words, err)


def test_versions_must_be_written_in_order_of_their_effective_dates(tmp_path):
    path = write(tmp_path, GOOD_FUND.replace("2019-01-01", "2023-01-01") + GOOD_FUND)
    err = refused(show(path), path)
    assert "[[risk_fund]] 第 2 版(2019-01-01起) effective_from: 2019-01-01 不晚于上一版的 2023-01-01" in err


def test_a_required_key_missing_and_a_section_written_as_a_single_table(tmp_path):
    path = write(tmp_path, '[[risk_fund]]\nsource = "无日期"\nclaim_after_overdue_days = 90\n[targets]\nmilestones = []\n')
    err = refused(show(path), path)
    assert "[[risk_fund]] 第 1 版 effective_from: 缺少参数" in err
    assert "[[risk_fund]] 第 1 版 fund_share: 缺少参数" in err
    assert "targets: 应写作 [[targets]]" in err


@pytest.mark.parametrize(
    "args, needs",
    [
        (("report", "fund"), "[[risk_fund]](风险补偿基金)"),
        (("audit", "claims"), "[[risk_fund]](风险补偿基金)"),
        (("audit", "subsidies"), "[[incubator]](孵化载体补助)"),
        (("report", "targets"), "[[targets]](“双倍增”目标)"),
    ],
)
@pytest.mark.parametrize("text", ["", 'name = "只有名称"\n'])
def test_an_empty_or_section_less_file_says_which_sections_the_command_needs(ledger: Ledger, tmp_path, args, needs, text):
    path = write(tmp_path, text)
    err = refused(ledger.run(*args, "--policy", path), path)
    assert "没有任何政策节" in err and f"本命令需要的节: {needs}" in err, err


@pytest.mark.parametrize(
    "args",
    [
        ("policy", "show"),
        ("report", "fund"),
        ("report", "brief"),
        ("report", "targets"),
        ("report", "summary", "--xlsx", "会议.xlsx"),
        ("audit", "subsidies"),
        ("audit", "claims"),
    ],
    ids=" ".join,
)
def test_a_bad_policy_file_is_exit_2_for_every_command_that_reads_it(ledger: Ledger, tmp_path, args):
    path = write(tmp_path, GOOD_FUND.replace('"0.8"', '"8"'))
    args = tuple(str(tmp_path / a) if a.endswith(".xlsx") else a for a in args)
    err = refused(ledger.run(*args, "--policy", path), path)
    assert "fund_share: '8' 超出范围" in err


def test_a_bad_policy_file_from_the_environment_stops_an_import(ledger: Ledger, tmp_path):
    path = write(tmp_path, GOOD_FUND.replace('"5000000.00"', '"-5000000.00"'))
    result = runner.invoke(app, ["--db", str(ledger.path), "import", str(loans(tmp_path))], env={"LEDGER_POLICY": str(path)})
    err = refused(result, path)
    assert "single_enterprise_cap: '-5000000.00' 超出范围" in err
    assert ledger.sql("SELECT count(*) FROM loans") == [(0,)]


def test_unreadable_files_are_told_in_chinese_with_the_library_words_in_json_detail(tmp_path):
    cases = {
        "不存在.toml": (None, "无法读取政策文件", "文件或目录不存在"),
        "gbk.toml": ('name = "江北区"\n'.encode("gbk"), "不是 UTF-8 编码", "另存"),
        "坏.toml": ('name = "x"\nfund_share = \n'.encode(), "不是有效的 TOML,第 2 行第 14 列", "常见原因"),
    }
    for name, (content, message, hint) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        err = refused(show(path), path)
        assert message in err and hint in err, err
        told = json.loads(show(path, "--json").stderr)
        assert message in told["error"] and told["exit_code"] == 2 and told["detail"]
    directory = tmp_path / "目录.toml"
    directory.mkdir()
    assert "这是一个目录" in refused(show(directory), directory)


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "带BOM.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_FUND.encode())
    result = show(path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sections"]["risk_fund"][0]["params"]["fund_share"] == "0.8"


def test_the_shipped_default_and_a_version_with_an_end_date_pass(tmp_path):
    assert show(DEFAULT_POLICY).exit_code == 0
    path = write(tmp_path, GOOD_FUND.replace('source = "测试"', 'source = "测试"\neffective_to = 2020-06-30'))
    data = json.loads(show(path, "--json").stdout)
    assert data["sections"]["risk_fund"][0]["effective_to"] == "2020-06-30"
    bad = write(tmp_path, GOOD_FUND.replace('source = "测试"', 'source = "测试"\neffective_to = 2018-06-30'), "倒序.toml")
    assert "effective_to: 2018-06-30 不晚于 effective_from" in refused(show(bad), bad)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans()))
def test_a_share_is_accepted_exactly_when_it_is_a_number_from_0_to_1(value):
    """The SHARE kind against its own definition, over any TOML scalar."""
    from decimal import Decimal, InvalidOperation

    from ledger.policy_spec import SHARE

    try:
        number = None if isinstance(value, bool) else Decimal(str(value).strip())
        ok = number is not None and number.is_finite() and 0 <= number <= 1
    except InvalidOperation:
        ok = False
    assert (SHARE.problems(value) == []) == ok
