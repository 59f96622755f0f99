"""Fuzz (issue 13): identifiers and names carrying every kind of Unicode control, format and space
character, through the real import. Never a traceback, never two rows for one visible identifier
or bank, and the ledger verifies."""

from __future__ import annotations

import csv
import re
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, write_xlsx

INVISIBLE = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"], exclude_characters="\x00")
BASES = ["HX0001", "HX0002", "gbk3"]
BANKS = ["建设银行", "重庆银行"]


def _disguised(base: str):
    """`base` with invisible characters scattered through it (and its letters in either case or width)."""
    chars = st.lists(st.tuples(st.integers(0, len(base)), INVISIBLE), max_size=4)
    width = st.sampled_from([str, str.swapcase, lambda s: s.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})])
    return st.tuples(chars, width).map(lambda t: _insert(t[1](base), t[0]))


def _insert(text: str, inserts) -> str:
    for at, c in sorted(inserts, reverse=True):
        text = text[:at] + c + text[at:]
    return text


def visible(text: str) -> str:
    """What a person reads: compatibility forms folded, invisible characters gone, spaces as one, any case."""
    text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in ("Cc", "Cf"))
    return re.sub(r"\s+", " ", text).strip().upper()


ROW = st.tuples(st.sampled_from(range(len(BASES))), st.sampled_from(range(len(BANKS)))).flatmap(
    lambda ix: st.tuples(_disguised(BASES[ix[0]]), _disguised(BANKS[ix[1]]))
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=4))
def test_invisible_characters_never_double_a_loan_or_a_bank(rows):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ledger = Ledger(tmp / "fuzz.duckdb")
        assert ledger.run("init").exit_code == 0
        c = codes(1)[0]
        assert ledger.run("import", write_xlsx(tmp / "r.xlsx", [ENTERPRISE_HEADER, [c, "重庆甲科技有限公司", "巴南区"]])).exit_code == 0
        for n, (contract, bank) in enumerate(rows):
            path = tmp / f"{n}.csv"
            with open(path, "w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows([LOAN_HEADER, [contract, c, "重庆甲科技有限公司", bank, "知识价值信用贷款", "2024-01-05", "2024-12-05", "1000", "4.35"]])
            result = ledger.run("import", path)
            assert result.exit_code in (0, 1), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            assert "Traceback" not in result.output
        contracts = Counter(visible(r[0]) for r in ledger.sql("SELECT contract_no FROM v_loans"))
        assert all(n == 1 for n in contracts.values()), contracts
        banks = Counter(visible(r[0]) for r in ledger.sql("SELECT name FROM banks"))
        assert all(n == 1 for n in banks.values()), banks
        assert ledger.run("verify").exit_code == 0
