"""A city-scale ledger file for the benchmarks: 38 districts, 10 years, 30,000 enterprises, 1,000,000 loans.

Importing a million rows through spreadsheets would take far longer than a benchmark should,
so the file is built directly: `Store.create`, then every table filled in bulk inside DuckDB
(`INSERT … SELECT … FROM range(…)`) with values drawn from `hash()` of the row number, so
the same arguments always give the same figures. The ledger is still a ledger: the rows come
in batches the way a city receives them (one sheet per district, year and kind), each batch
has its `import_batches` row and a journal entry made by `ledger.journal` with the content
hash of its rows, some batches and rows are voided through `ledger.corrections` and a
corrected sheet re-imported, so `ledger verify` passes and the `v_*` views have real voids
to leave out.

What is in it (defaults; `--scale 0.1` gives a tenth of every row count):
- enterprises 30,000 (valid credit codes), one registry batch per district;
- applications 300,000, loans 1,000,000 (about 65% 知识价值信用贷款), repayments about
  1,000,000, per district and year, from 16 cooperating banks;
- the risk-compensation fund: contributions (市级 : 区级 = 4 : 6) per district and year,
  claims on about 2% of programme loans, recoveries on 40% of the claims;
- incubator carriers recognised 市级 from 2020 (16 per district, a quarter later 国家级) and
  about 5,400 subsidy payments, some 3% of them deliberately not allowed by the default policy;
- voids: about one loan sheet in fifty resent (voided, then imported corrected), one loan in
  5,000 and one repayment in 10,000 voided on their own.

It takes about 35 s and stays under 1 GiB (staging tables spill to disk).

    python bench/gen_city.py                   # bench/out/city.duckdb (reused if already there)
    python bench/gen_city.py /tmp/city.duckdb --force
    python bench/gen_city.py /tmp/small.duckdb --scale 0.01 --districts 3 --years 2020 2021
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import journal  # noqa: E402
from ledger.importing.credit_code import credit_code_check_digit  # noqa: E402
from ledger.programs import LOAD_ORDER  # noqa: E402
from ledger.store import Store  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "out" / "city.duckdb"

# The 38 districts and counties of Chongqing with their administrative codes; the weight says
# how much of the city's lending each one does (central districts most).
DISTRICTS = [
    ("万州区", "500101", 3), ("涪陵区", "500102", 2), ("渝中区", "500103", 3), ("大渡口区", "500104", 2),
    ("江北区", "500105", 3), ("沙坪坝区", "500106", 3), ("九龙坡区", "500107", 3), ("南岸区", "500108", 3),
    ("北碚区", "500109", 2), ("綦江区", "500110", 2), ("大足区", "500111", 2), ("渝北区", "500112", 3),
    ("巴南区", "500113", 3), ("黔江区", "500114", 1), ("长寿区", "500115", 2), ("江津区", "500116", 2),
    ("合川区", "500117", 2), ("永川区", "500118", 2), ("南川区", "500119", 1), ("璧山区", "500120", 2),
    ("铜梁区", "500151", 2), ("潼南区", "500152", 1), ("荣昌区", "500153", 2), ("开州区", "500154", 1),
    ("梁平区", "500155", 1), ("武隆区", "500156", 1), ("城口县", "500229", 1), ("丰都县", "500230", 1),
    ("垫江县", "500231", 1), ("忠县", "500233", 1), ("云阳县", "500235", 1), ("奉节县", "500236", 1),
    ("巫山县", "500237", 1), ("巫溪县", "500238", 1), ("石柱土家族自治县", "500240", 1),
    ("秀山土家族苗族自治县", "500241", 1), ("酉阳土家族苗族自治县", "500242", 1), ("彭水苗族土家族自治县", "500243", 1),
]
BANKS = [
    "重庆农村商业银行", "中国建设银行重庆分行", "重庆银行", "中国工商银行重庆分行", "中国农业银行重庆分行",
    "中国银行重庆分行", "交通银行重庆分行", "招商银行重庆分行", "中信银行重庆分行", "浦发银行重庆分行",
    "兴业银行重庆分行", "民生银行重庆分行", "光大银行重庆分行", "平安银行重庆分行", "重庆三峡银行",
    "中国邮政储蓄银行重庆分行",
]
OTHER_PRODUCTS = ["流动资金贷款", "科技型企业商业价值信用贷款", "知识产权质押贷款", "高新技术企业增信贷款"]
WORDS = ["智联", "渝芯", "云帆", "数智", "华创", "博远", "精工", "睿科", "天极", "鑫盛", "巴渝", "锐达",
         "中科", "新材", "光电", "微纳", "慧眼", "金桥", "龙腾", "长江", "山城", "晨星", "卓越", "恒通"]
TRADES = ["科技", "智能装备", "生物医药", "新材料", "软件", "电子", "信息技术", "环保科技", "汽车零部件", "检测技术"]
CARRIER_WORDS = ["创新港", "科创园", "智谷", "创业工场", "双创基地", "数字港", "青创汇", "众创谷"]
AWARD_CATEGORIES = ["入库企业", "入库企业", "入库企业", "高新技术企业", "高新技术企业", "上市挂牌", "市级重点实验室", "市级技术创新中心"]

YEARS = (2015, 2024)  # first and last year of the ledger
HEADER_ROW = 3  # every generated sheet: a title, a 单位 line, then the header
TITLES = {
    "enterprises": "企业名录", "applications": "贷款申报", "loans": "放款明细", "repayments": "还款明细",
    "contributions": "基金出资", "claims": "风险补偿", "recoveries": "追偿回收", "carriers": "孵化载体认定",
    "subsidies": "补助拨付",
}
DIGEST_CHUNK = 40  # batches whose rows are digested in one query
# Kinds whose import also registers banks (the credit_loan programme's after_load hook).
WITH_BANKS = ("applications", "loans")


@dataclass(frozen=True)
class Sizes:
    """What the generated ledger holds: how many districts and years, and how many rows."""

    districts: int = len(DISTRICTS)
    years: tuple[int, int] = YEARS
    enterprises: int = 30_000
    applications: int = 300_000
    loans: int = 1_000_000
    carriers_per_district: int = 16
    awards_per_carrier: int = 12

    @property
    def year_range(self) -> range:
        return range(self.years[0], self.years[1] + 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.years[1], 12, 31)

    def scaled(self, factor: float) -> "Sizes":
        """Every row count times `factor` (districts and years unchanged)."""
        cells = self.districts * len(self.year_range)
        return Sizes(
            districts=self.districts,
            years=self.years,
            enterprises=max(self.districts * 4, round(self.enterprises * factor)),
            applications=max(cells, round(self.applications * factor)),
            loans=max(cells, round(self.loans * factor)),
            carriers_per_district=max(2, round(self.carriers_per_district * min(1.0, factor * 4))),
            awards_per_carrier=self.awards_per_carrier,
        )


def split(total: int, weights: list[float]) -> list[int]:
    """`total` shared out in proportion to `weights` (largest remainders), summing exactly to `total`."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def year_weight(year: int, first: int) -> float:
    """The programme grows year by year: its tenth year lends about 2.4 times its first."""
    return 1 + 0.15 * (year - first)


def plan(total: int, sizes: Sizes) -> list[tuple[int, int, int, int]]:
    """(district, year, rows, first row number) of every district-year sheet of a kind."""
    cells = [(d, y) for y in sizes.year_range for d in range(sizes.districts)]
    counts = split(total, [DISTRICTS[d][2] * year_weight(y, sizes.years[0]) for d, y in cells])
    out, start = [], 0
    for (d, y), n in zip(cells, counts):
        out.append((d, y, n, start))
        start += n
    return out


def credit_code(region: str, n: int) -> str:
    """A valid unified social credit code (GB 32100-2015 check character), distinct for each n."""
    first17 = f"91{region}{(n * 104729 + 13579) % 10**8:08d}3"
    return first17 + credit_code_check_digit(first17)


def enterprise_name(n: int) -> str:
    """Distinct names for n < 138,240 (a mixed-radix reading of a permutation of n)."""
    m = (n * 7919) % (len(WORDS) ** 3 * len(TRADES))
    a, m = m % len(WORDS), m // len(WORDS)
    b, m = m % len(WORDS), m // len(WORDS)
    c, m = m % len(WORDS), m // len(WORDS)
    return f"重庆{WORDS[a]}{WORDS[b]}{WORDS[c]}{TRADES[m]}有限公司"


# ------------------------------------------------------------------------------------------------
# Staging: every kind's rows, with the district `d`, year `y` and order `k` that place them in a sheet.


def _macros(con, sizes: Sizes) -> None:
    con.execute(f"CREATE OR REPLACE TEMP MACRO city_end() AS DATE '{sizes.end.isoformat()}'")
    con.execute(f"CREATE OR REPLACE TEMP MACRO registry_year() AS {sizes.years[0] - 1}")
    # u(i, salt): a uniform integer in [0, 2^32) drawn from row i; pick(i, salt, n): one of n.
    con.execute("CREATE OR REPLACE TEMP MACRO u(i, salt) AS hash(CAST(i AS BIGINT) * 1000003 + salt) % 4294967296")
    con.execute("CREATE OR REPLACE TEMP MACRO pick(i, salt, n) AS CAST(u(i, salt) % n AS BIGINT)")


def _reference_tables(con, sizes: Sizes) -> None:
    con.execute("CREATE TEMP TABLE district (d INTEGER, name VARCHAR, region VARCHAR, weight INTEGER)")
    con.executemany("INSERT INTO district VALUES (?, ?, ?, ?)", [(d, n, r, w) for d, (n, r, w) in enumerate(DISTRICTS[: sizes.districts])])
    con.execute("CREATE TEMP TABLE bank (b INTEGER, name VARCHAR)")
    con.executemany("INSERT INTO bank VALUES (?, ?)", list(enumerate(BANKS)))
    con.execute("CREATE TEMP TABLE product (p INTEGER, name VARCHAR)")
    con.executemany("INSERT INTO product VALUES (?, ?)", list(enumerate(OTHER_PRODUCTS)))
    counts = split(sizes.enterprises, [w for _, _, w in DISTRICTS[: sizes.districts]])
    rows, n = [], 0
    for d, count in enumerate(counts):
        for j in range(count):
            rows.append((n, d, j, credit_code(DISTRICTS[d][1], n), enterprise_name(n)))
            n += 1
    con.execute("CREATE TEMP TABLE ent (n INTEGER, d INTEGER, j INTEGER, credit_code VARCHAR, name VARCHAR)")
    con.execute(
        "INSERT INTO ent SELECT * FROM (SELECT unnest($n) n, unnest($d) d, unnest($j) j, unnest($c) c, unnest($m) m)",
        {"n": [r[0] for r in rows], "d": [r[1] for r in rows], "j": [r[2] for r in rows], "c": [r[3] for r in rows], "m": [r[4] for r in rows]},
    )
    con.execute("CREATE TEMP TABLE ent_count AS SELECT d, count(*) AS n FROM ent GROUP BY d")


def _plan_table(con, name: str, total: int, sizes: Sizes) -> None:
    con.execute(f"CREATE TEMP TABLE {name} (d INTEGER, y INTEGER, n INTEGER, start BIGINT)")
    con.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?)", plan(total, sizes))


def _stage_enterprises(con) -> None:
    con.execute(
        """
        CREATE TEMP TABLE s_enterprises AS
        SELECT e.d, registry_year() AS y, e.j AS k, e.credit_code, e.name, ds.name AS district,
               CASE WHEN pick(e.n, 11, 10) < 7 THEN 'KJ' || ds.region || lpad(CAST(e.j AS VARCHAR), 5, '0') END AS tech_sme_no,
               pick(e.n, 12, 10) < 3 AS is_hnte,
               CASE WHEN pick(e.n, 12, 10) < 3 THEN 'GR20' || (18 + pick(e.n, 13, 6)) || '51' || lpad(CAST(e.n AS VARCHAR), 6, '0') END AS hnte_cert_no
        FROM ent e JOIN district ds USING (d)
        """
    )


def _stage_applications(con) -> None:
    con.execute(
        """
        CREATE TEMP TABLE s_applications AS
        SELECT p.d, p.y, p.k AS k,
               'SQ' || ds.region || p.y || lpad(CAST(p.k AS VARCHAR), 6, '0') AS application_no,
               e.credit_code, e.name AS enterprise_name,
               make_date(p.y, 1, 1) + CAST(pick(i, 21, 365) AS INTEGER) AS applied_on,
               CAST((20 + pick(i, 22, 481)) * 10000 AS DECIMAL(18,2)) AS amount,
               b.name AS intended_bank,
               ['A', 'A', 'B', 'B', 'B', 'C'][1 + pick(i, 23, 6)] AS grade,
               CAST((6000 + pick(i, 24, 3900)) / 100 AS DECIMAL(9,2)) AS score
        FROM (SELECT p.d, p.y, r.k, p.start + r.k AS i FROM plan_applications p, range(p.n) r(k)) p
        JOIN district ds ON ds.d = p.d
        JOIN ent_count ec ON ec.d = p.d
        JOIN ent e ON e.d = p.d AND e.j = pick(i, 20, ec.n)
        JOIN bank b ON b.b = (p.d * 5 + pick(i, 25, 3)) % 16
        """
    )


def _stage_loans(con) -> None:
    # Most of a district's loans come from its three cooperating banks, one in ten from another bank.
    con.execute(
        """
        CREATE TEMP TABLE s_loans AS
        SELECT p.d, p.y, p.k AS k,
               'HT' || ds.region || p.y || lpad(CAST(p.k AS VARCHAR), 6, '0') AS contract_no,
               e.credit_code, e.name AS enterprise_name, b.name AS bank,
               CASE WHEN pick(i, 33, 100) < 65 THEN '知识价值信用贷款' ELSE o.name END AS product,
               pick(i, 33, 100) < 65 AS is_programme,
               make_date(p.y, 1, 1) + CAST(pick(i, 34, 365) AS INTEGER) AS disbursed_on,
               CAST(make_date(p.y, 1, 1) + CAST(pick(i, 34, 365) AS INTEGER)
                   + to_months([6, 12, 12, 12, 24, 36][1 + pick(i, 35, 6)]) AS DATE) AS maturity_on,
               CAST((10 + pick(i, 36, 291)) * 10000 AS DECIMAL(18,2)) AS amount,
               CAST((350 + pick(i, 37, 270)) / 100 AS DECIMAL(9,4)) AS rate_pct,
               i
        FROM (SELECT p.d, p.y, r.k, p.start + r.k AS i FROM plan_loans p, range(p.n) r(k)) p
        JOIN district ds ON ds.d = p.d
        JOIN ent_count ec ON ec.d = p.d
        JOIN ent e ON e.d = p.d AND e.j = pick(i, 30, ec.n)
        JOIN bank b ON b.b = CASE WHEN pick(i, 31, 10) = 0 THEN pick(i, 32, 16) ELSE (p.d * 5 + pick(i, 31, 3)) % 16 END
        JOIN product o ON o.p = pick(i, 38, 4)
        """
    )


def _stage_risk_fund(con) -> None:
    """Repayments, claims and recoveries follow from the loans; contributions from each district's fund."""
    # About 2% of programme loans go bad: they repay at most their interim instalment, then
    # the bank claims 100-200 days after maturity for what is unpaid.
    con.execute(
        """
        CREATE TEMP TABLE s_loan_fate AS
        SELECT l.*, maturity_on AS due,
               is_programme AND pick(i, 40, 1000) < 20 AS defaulted,
               date_diff('month', disbursed_on, maturity_on) >= 12 AND pick(i, 41, 10) < 4 AS has_interim,
               disbursed_on + CAST(date_diff('day', disbursed_on, maturity_on) / 2 AS INTEGER) AS interim_on,
               round(amount * 0.3, 0) AS interim
        FROM s_loans l
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_repayments_all AS
        SELECT d, contract_no, interim_on AS repaid_on, interim AS principal,
               round(interim * rate_pct / 100 / 2, 2) AS interest, i, 0 AS part
        FROM s_loan_fate WHERE has_interim AND interim_on <= city_end()
        UNION ALL
        SELECT d, contract_no, due - CAST(pick(i, 42, 5) AS INTEGER) AS repaid_on,
               amount - CASE WHEN has_interim THEN interim ELSE 0 END AS principal,
               round(amount * rate_pct / 100 / 4, 2) AS interest, i, 1 AS part
        FROM s_loan_fate WHERE NOT defaulted AND due - 4 <= city_end()
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_repayments AS
        SELECT d, year(repaid_on) AS y,
               row_number() OVER (PARTITION BY d, year(repaid_on) ORDER BY repaid_on, i, part) - 1 AS k,
               contract_no, repaid_on, principal, interest, 1 AS occurrence
        FROM s_repayments_all WHERE repaid_on <= city_end()
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_claims_all AS
        SELECT d, i, contract_no,
               due + CAST(100 + pick(i, 43, 100) AS INTEGER) AS claimed_on,
               amount - CASE WHEN has_interim AND interim_on < due THEN interim ELSE 0 END AS overdue_principal
        FROM s_loan_fate WHERE defaulted
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_claims AS
        SELECT d, year(claimed_on) AS y,
               row_number() OVER (PARTITION BY d, year(claimed_on) ORDER BY claimed_on, i) - 1 AS k,
               'BC' || ds.region || year(claimed_on) || lpad(CAST(row_number() OVER (PARTITION BY d, year(claimed_on) ORDER BY claimed_on, i) AS VARCHAR), 5, '0') AS claim_no,
               contract_no, claimed_on, overdue_principal,
               round(overdue_principal * 0.8, 2) AS approved_amount,
               CASE WHEN claimed_on + CAST(30 + pick(i, 44, 60) AS INTEGER) <= city_end()
                    THEN claimed_on + CAST(30 + pick(i, 44, 60) AS INTEGER) END AS paid_on,
               i
        FROM s_claims_all JOIN district ds USING (d)
        WHERE claimed_on <= city_end()
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_recoveries AS
        SELECT d, year(recovered_on) AS y,
               row_number() OVER (PARTITION BY d, year(recovered_on) ORDER BY recovered_on, i) - 1 AS k,
               contract_no, recovered_on, amount, 1 AS occurrence
        FROM (
            SELECT d, i, contract_no, claimed_on + CAST(180 + pick(i, 45, 220) AS INTEGER) AS recovered_on,
                   round(overdue_principal * (10 + pick(i, 46, 40)) / 100, 2) AS amount
            FROM s_claims WHERE pick(i, 47, 10) < 4
        ) WHERE recovered_on <= city_end()
        """
    )
    # Each district's fund is paid in every year, 市级 : 区级 = 4 : 6, sized at a tenth of its programme lending.
    con.execute(
        """
        CREATE TEMP TABLE s_contributions AS
        SELECT d, y, k, ds.name || '知识价值信用贷款风险补偿基金' AS fund_name, contributor,
               make_date(y, 3, 1) + CAST(pick(d * 100 + y, 50 + k, 60) AS INTEGER) AS paid_on,
               CAST(round(lent / 10 / 1000000 * share, 0) * 1000000 AS DECIMAL(18,2)) AS amount, 1 AS occurrence
        FROM (SELECT d, y, sum(amount) AS lent FROM s_loans WHERE is_programme GROUP BY d, y) l
        JOIN district ds USING (d)
        CROSS JOIN (VALUES (0, '市级', 0.4), (1, '区级', 0.6)) c(k, contributor, share)
        """
    )


def _stage_incubators(con, sizes: Sizes) -> None:
    """Carriers recognised 市级 from 2020 (a quarter later 国家级) and the subsidies paid to them."""
    con.execute(
        f"""
        CREATE TEMP TABLE carrier AS
        SELECT x.d, x.c, x.i, x.name AS district,
               x.name || ['{"','".join(CARRIER_WORDS)}'][1 + x.c % {len(CARRIER_WORDS)}]
                   || CASE WHEN x.c >= {len(CARRIER_WORDS)} THEN CAST(x.c // {len(CARRIER_WORDS)} + 1 AS VARCHAR) ELSE '' END
                   || CASE WHEN pick(x.i, 60, 2) = 0 THEN '科技企业孵化器' ELSE '众创空间' END AS carrier_name,
               CASE WHEN pick(x.i, 60, 2) = 0 THEN '科技企业孵化器' ELSE '众创空间' END AS carrier_type,
               e.credit_code AS operator_code,
               DATE '2020-01-01' + CAST(pick(x.i, 61, 1640) AS INTEGER) AS municipal_on,
               pick(x.i, 62, 4) = 0 AS goes_national,
               DATE '2020-01-01' + CAST(pick(x.i, 61, 1640) AS INTEGER) + CAST(300 + pick(x.i, 63, 400) AS INTEGER) AS national_on
        FROM (SELECT ds.d, ds.name, r.c, ds.d * 1000 + r.c AS i FROM district ds CROSS JOIN range({sizes.carriers_per_district}) r(c)) x
        JOIN ent_count ec ON ec.d = x.d
        JOIN ent e ON e.d = x.d AND e.j = pick(x.i, 64, ec.n)
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE s_carriers AS
        SELECT d, year(recognized_on) AS y,
               row_number() OVER (PARTITION BY d, year(recognized_on) ORDER BY recognized_on, carrier_name, level) - 1 AS k,
               carrier_name, operator_code, carrier_type, level, recognized_on, doc_no
        FROM (
            SELECT d, carrier_name, operator_code, carrier_type, '市级' AS level, municipal_on AS recognized_on,
                   '渝科局发〔' || year(municipal_on) || '〕' || (10 + c) || '号' AS doc_no
            FROM carrier WHERE municipal_on <= city_end()
            UNION ALL
            SELECT d, carrier_name, operator_code, carrier_type, '国家级', national_on,
                   '国科火字〔' || year(national_on) || '〕' || (100 + c) || '号'
            FROM carrier WHERE goes_national AND national_on <= city_end()
        )
        """
    )
    # One capacity-building subsidy per recognition (within 30-120 days), the national match for
    # national ones, and performance awards to enterprises of the district. About 3% are not
    # allowed: a one-time award paid twice, an amount off by 10,000 元, an award repeated.
    con.execute(
        f"""
        CREATE TEMP TABLE s_subsidies_all AS
        SELECT d, i * 100 AS i, carrier_name, operator_code, '能力建设补助' AS item,
               CASE WHEN carrier_type = '科技企业孵化器' THEN 200000 ELSE 100000 END
                   + CASE WHEN pick(i, 70, 50) = 0 THEN 10000 ELSE 0 END AS amount,
               municipal_on + CAST(30 + pick(i, 71, 90) AS INTEGER) AS paid_on,
               NULL AS matter, NULL AS matter_code
        FROM carrier
        UNION ALL
        SELECT d, i * 100 + 1, carrier_name, operator_code, '能力建设补助',
               CASE WHEN carrier_type = '科技企业孵化器' THEN 200000 ELSE 100000 END,
               municipal_on + CAST(130 + pick(i, 72, 90) AS INTEGER), NULL, NULL
        FROM carrier WHERE pick(i, 73, 40) = 0
        UNION ALL
        SELECT d, i * 100 + 2, carrier_name, operator_code, '国家级配套补助',
               CASE WHEN carrier_type = '科技企业孵化器' THEN 200000 ELSE 100000 END,
               national_on + CAST(30 + pick(i, 74, 90) AS INTEGER), NULL, NULL
        FROM carrier WHERE goes_national
        UNION ALL
        SELECT c.d, c.i * 100 + 10 + a.k, c.carrier_name, c.operator_code,
               '绩效奖励-' || cat.name,
               CASE cat.name WHEN '上市挂牌' THEN 100000 WHEN '高新技术企业' THEN 20000 WHEN '入库企业' THEN 5000 ELSE 50000 END,
               c.municipal_on + CAST(60 + pick(c.i * 100 + a.k, 75, 1400) AS INTEGER),
               e.name, e.credit_code
        FROM carrier c CROSS JOIN range({sizes.awards_per_carrier}) a(k)
        JOIN ent_count ec ON ec.d = c.d
        JOIN ent e ON e.d = c.d AND e.j = CASE WHEN pick(c.i * 100 + a.k, 77, 60) = 0 AND a.k > 0
                                              THEN pick(c.i * 100 + a.k - 1, 76, ec.n)
                                              ELSE pick(c.i * 100 + a.k, 76, ec.n) END
        JOIN (SELECT unnest($cats) AS name, generate_subscripts($cats, 1) - 1 AS ci) cat
             ON cat.ci = pick(c.i * 100 + a.k, 78, {len(AWARD_CATEGORIES)})
        """,
        {"cats": AWARD_CATEGORIES},
    )
    con.execute(
        """
        CREATE TEMP TABLE s_subsidies AS
        SELECT s.d, year(paid_on) AS y,
               row_number() OVER (PARTITION BY s.d, year(paid_on) ORDER BY paid_on, i) - 1 AS k,
               'BZ' || ds.region || year(paid_on) || lpad(CAST(row_number() OVER (PARTITION BY s.d, year(paid_on) ORDER BY paid_on, i) AS VARCHAR), 4, '0') AS payment_no,
               operator_code, carrier_name, item,
               CASE WHEN item LIKE '绩效奖励%' THEN '绩效奖励' ELSE item END AS programme,
               CASE WHEN item LIKE '绩效奖励-%' THEN substr(item, 6) END AS category,
               CAST(amount AS DECIMAL(18,2)) AS amount, paid_on,
               '渝' || ds.name || '科发〔' || year(paid_on) || '〕号' AS basis_doc, matter, matter_code
        FROM s_subsidies_all s JOIN district ds USING (d)
        WHERE paid_on <= city_end()
        """
    )


# ------------------------------------------------------------------------------------------------
# Loading: batches, rows, banks, journal entries.


def _batches(con, kinds: list[str], suffix: str = "", when: dt.datetime | None = None) -> dict[tuple[str, int, int], int]:
    """One `import_batches` row per district-year sheet of each kind, in the order a city imports them.

    Sheets of year y are imported in January of y+1 (the registry before everything, in 2015),
    district by district, kinds in the importer's load order.
    """
    sheets = []
    for kind in kinds:
        for d, y, n in con.execute(f"SELECT d, y, count(*) FROM s_{kind} GROUP BY d, y").fetchall():
            sheets.append((y, d, LOAD_ORDER.index(kind), kind, n))
    sheets.sort()
    ids = {}
    for y, d, rank, kind, n in sheets:
        name = DISTRICTS[d][0]
        period = "" if kind == "enterprises" else f"{y}年"
        file_name = f"{name}{period}{TITLES[kind]}{suffix}.xlsx"
        sha = hashlib.sha256(f"city|{kind}|{d}|{y}|{suffix}".encode()).hexdigest()
        at = when or dt.datetime(y + 1, 1, 5 + d // 2, 9 + rank, d % 2 * 30)
        ids[(kind, d, y)] = con.execute(
            "INSERT INTO import_batches (kind, file_name, file_sha256, sheet, header_row, row_count, os_user, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [kind, file_name, sha, TITLES[kind], HEADER_ROW, n, "bench", at],
        ).fetchone()[0]
    return ids


def _insert_rows(con, kind: str, batch_ids: dict) -> int:
    """Insert a kind's staged rows under their batches, ids in batch order; the id sequence moves past them."""
    table = kind
    columns = [c for c in journal.table_columns(con, table) if c not in ("id", "batch_id", "source_row")]
    sheets = [(d, y, b) for (k, d, y), b in batch_ids.items() if k == kind]
    if not sheets:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE bmap (d INTEGER, y INTEGER, batch_id INTEGER)")
    con.executemany("INSERT INTO bmap VALUES (?, ?, ?)", sheets)
    base = con.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    cols = ", ".join(columns)
    n = con.execute(
        f"""
        INSERT INTO {table} (id, batch_id, source_row, {cols})
        SELECT {base} + row_number() OVER (ORDER BY m.batch_id, s.k), m.batch_id, s.k + {HEADER_ROW + 1}, {", ".join(f"s.{c}" for c in columns)}
        FROM s_{kind} s JOIN bmap m USING (d, y)
        """
    ).fetchone()[0]
    con.execute(f"SELECT max(nextval('{table}_id_seq')) FROM range({n})")
    return n


def _register_banks(con) -> None:
    """Banks named for the first time, under the first batch naming them (what the loans hook does)."""
    con.execute(
        """
        INSERT INTO banks (name, batch_id)
        SELECT name, min(batch_id) FROM (
            SELECT bank AS name, batch_id FROM loans UNION ALL SELECT intended_bank, batch_id FROM applications
        ) WHERE name NOT IN (SELECT name FROM banks) GROUP BY name ORDER BY min(batch_id), name
        """
    )


def _digests(con, table: str, columns: list[str], batch_ids: list[int]) -> dict[int, tuple[str, dict]]:
    """Per batch: the rows digest and the stored totals of one table, for many batches in one pass.

    The same text `journal.rows_digest` and `journal.batch_totals` compute batch by batch (which
    would take minutes over a million rows); `_journal` checks a sample against them.
    """
    cells = ", ".join(f"coalesce(CAST(t.{c} AS VARCHAR), '\\N')" for c in columns)
    money = journal.money_columns(con, table)
    sums = "".join(f", CAST(coalesce(sum(t.{c}), 0) AS VARCHAR)" for c in money)
    con.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?::INTEGER[]) AS batch_id", [batch_ids])
    rows = con.execute(
        f"""
        SELECT w.batch_id, count(t.id),
               sha256(coalesce(string_agg(concat_ws(chr(31), {cells}), chr(30) ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '')){sums}
        FROM wanted w LEFT JOIN {table} t ON t.batch_id = w.batch_id
        GROUP BY w.batch_id
        """
    ).fetchall()
    return {r[0]: (f"{r[1]}:{r[2]}", {"rows": r[1], "sums": dict(zip(money, r[3:]))}) for r in rows}


def _journal(con, batch_ids: dict) -> None:
    """An import entry per batch, in batch order, as `importing.load.insert_sheet` writes it.

    The content hash and stored totals come from `_digests`; for a sample of batches they are
    recomputed with `journal.content_hash` and `journal.batch_totals`, and any difference stops
    the generator (`ledger verify` would fail on the file).
    """
    order = sorted(batch_ids.items(), key=lambda kv: kv[1])
    columns = {t: journal.table_columns(con, t) for t in {k for k, _, _ in batch_ids} | {"banks"}}
    tables_of: dict[int, dict[str, list[str]]] = {}
    for (kind, _d, _y), batch_id in order:
        tables_of[batch_id] = {kind: columns[kind]}
        if kind in WITH_BANKS:
            tables_of[batch_id]["banks"] = columns["banks"]
    per_table: dict[str, list[int]] = {}
    for batch_id, tables in tables_of.items():
        for t in tables:
            per_table.setdefault(t, []).append(batch_id)
    digests: dict[str, dict] = {}
    for t, ids in per_table.items():  # a few dozen batches at a time keeps the row text in memory small
        digests[t] = {}
        for i in range(0, len(ids), DIGEST_CHUNK):
            digests[t].update(_digests(con, t, columns[t], ids[i : i + DIGEST_CHUNK]))
    sample = {order[0][1], order[-1][1], *(b for i, (_, b) in enumerate(order) if i % 97 == 0)}
    for _key, batch_id in order:
        tables = tables_of[batch_id]
        parts = {t: digests[t][batch_id][0] for t in sorted(tables)}
        content = hashlib.sha256(journal.canonical(parts).encode("utf-8")).hexdigest()
        totals = {t: digests[t][batch_id][1] for t in sorted(tables)}
        if batch_id in sample and (
            content != journal.content_hash(con, tables, batch_id) or totals != journal.batch_totals(con, tables, batch_id)
        ):
            raise SystemExit(f"gen_city: the digest of batch {batch_id} differs from ledger.journal's; update _digests")
        record = journal.batch_record(con, batch_id)
        detail = {"batch": record, "tables": tables, "added": record["row_count"], "totals": totals}
        when = dt.datetime.fromisoformat(record["imported_at"])
        journal.append(con, "import", detail, batch_id, content, when=when, user="bench")


def _load(store: Store, kinds: list[str], suffix: str = "", when: dt.datetime | None = None) -> dict:
    con = store.con
    with store.transaction():
        ids = _batches(con, kinds, suffix, when)
        for kind in kinds:
            _insert_rows(con, kind, ids)
        if any(k in WITH_BANKS for k in kinds):
            _register_banks(con)
        _journal(con, ids)
    return ids


def _corrections(store: Store, batch_ids: dict) -> list[str]:
    """Void a few loan sheets (then re-imported corrected) and some single rows, through `ledger.corrections`.

    One loan sheet in about fifty is resent (at least one), one loan in 5,000 is cancelled and
    one repayment in 10,000 was reported twice (at least one of each).
    """
    from ledger.corrections import void

    con = store.con
    done = []
    sheets = sorted((d, y) for (k, d, y) in batch_ids if k == "loans")
    resent = [(d, y) for d, y in sheets if (d * 7 + y) % 53 == 0] or sheets[-1:]
    for d, y in resent:
        void(store, str(batch_ids[("loans", d, y)]), f"{DISTRICTS[d][0]}{y}年放款明细重报,原表部分金额有误", user="bench")
        done.append(f"batch {batch_ids[('loans', d, y)]}")
    # The corrected sheets: the same contracts, one in fifty with its amount changed by 10,000 元.
    con.execute("CREATE OR REPLACE TEMP TABLE resent (d INTEGER, y INTEGER)")
    con.executemany("INSERT INTO resent VALUES (?, ?)", resent)
    con.execute("CREATE OR REPLACE TEMP TABLE s_loans_resent AS SELECT * FROM s_loans SEMI JOIN resent USING (d, y)")
    con.execute("UPDATE s_loans_resent SET amount = amount + 10000 WHERE pick(i, 90, 50) = 0")
    con.execute("ALTER TABLE s_loans RENAME TO s_loans_original")
    con.execute("ALTER TABLE s_loans_resent RENAME TO s_loans")
    _load(store, ["loans"], suffix="(更正)", when=journal.now().replace(microsecond=0))
    con.execute("DROP TABLE s_loans")
    con.execute("ALTER TABLE s_loans_original RENAME TO s_loans")
    # Single rows: loans cancelled after disbursement, repayments reported twice by mistake.
    rows = []
    for table, salt, one_in in (("loans", 91, 5000), ("repayments", 92, 10000)):
        rows += con.execute(
            f"""
            SELECT '{table}', id FROM (
                SELECT id FROM {table}
                WHERE batch_id NOT IN (SELECT batch_id FROM voids WHERE batch_id IS NOT NULL AND row_id IS NULL)
                ORDER BY pick(id, {salt}, 4294967296), id
                LIMIT greatest(1, (SELECT count(*) FROM {table}) // {one_in})
            ) ORDER BY id
            """
        ).fetchall()
    for table, row_id in rows:
        reason = "合同已撤销,银行来函更正" if table == "loans" else "银行重复报送,以更正表为准"
        void(store, f"{table}:{row_id}", reason, user="bench")
        done.append(f"{table}:{row_id}")
    return done


def generate(path: Path, scale: float = 1.0, force: bool = False, quiet: bool = False, sizes: Sizes | None = None) -> Path:
    """Build the city-scale ledger at `path` (kept when it is already there, unless `force`).

    `sizes` (default: the whole city) says which districts and years and how many rows;
    `scale` multiplies its row counts.
    """
    if path.exists() and not force:
        return path
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    sizes = sizes or Sizes()
    if scale != 1.0:
        sizes = sizes.scaled(scale)
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    store = Store.create(path)
    try:
        con = store.con
        # Staging tables spill to disk past this, so that building the city stays under 1 GiB.
        con.execute("SET memory_limit = '600MB'")
        con.execute(f"SET temp_directory = '{path.parent / (path.name + '.tmp')}'")
        _macros(con, sizes)
        _reference_tables(con, sizes)
        _plan_table(con, "plan_applications", sizes.applications, sizes)
        _plan_table(con, "plan_loans", sizes.loans, sizes)
        _stage_enterprises(con)
        _stage_applications(con)
        _stage_loans(con)
        _stage_risk_fund(con)
        _stage_incubators(con, sizes)
        say(f"staged in {time.perf_counter() - t0:.1f} s")
        kinds = [k for k in LOAD_ORDER if k in TITLES]
        ids = _load(store, kinds)
        say(f"loaded {len(ids)} batches in {time.perf_counter() - t0:.1f} s")
        voided = _corrections(store, ids)
        say(f"{len(voided)} voids and corrected sheets in {time.perf_counter() - t0:.1f} s")
        con.execute("CHECKPOINT")
    finally:
        store.close()
    say(f"{path} built in {time.perf_counter() - t0:.1f} s")
    return path


def counts(path: Path) -> dict[str, int]:
    """Rows per table of a ledger file (read-only), for the benchmark's header line."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, nargs="?", default=DEFAULT_FILE)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every row count (0.01 for a quick check)")
    parser.add_argument("--districts", type=int, default=len(DISTRICTS), help="only the first N districts")
    parser.add_argument("--years", type=int, nargs=2, default=YEARS, metavar=("FIRST", "LAST"), help="first and last year")
    parser.add_argument("--force", action="store_true", help="rebuild even if the file is there")
    args = parser.parse_args()
    sizes = Sizes(districts=args.districts, years=tuple(args.years))
    generate(args.path, args.scale, args.force, sizes=sizes)
    for table, n in counts(args.path).items():
        print(f"{table:16} {n:>10,}")


if __name__ == "__main__":
    main()
