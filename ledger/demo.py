"""The built-in demo: sample bank and registry sheets, and a ledger built from them.

The samples imitate what a district finance office really receives: a registry of
enterprises, an application list, and three banks' 放款明细 in their own layouts (one in
万元 under a title and a "单位:万元" line with a 合计 row, one with its own header names).
They are generated deterministically; `python -m ledger.demo imports/samples` writes the
copies shipped in the repository.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from decimal import Decimal
from pathlib import Path

DISTRICT = ("巴南区", "500113")
OTHER_DISTRICTS = [("江北区", "500105"), ("渝北区", "500112"), ("九龙坡区", "500107")]
BANKS = ["重庆农村商业银行", "中国建设银行重庆分行", "重庆银行"]
CONTRACT_PREFIX = {"重庆农村商业银行": "CQRCB", "中国建设银行重庆分行": "CCB", "重庆银行": "BOCQ"}
OTHER_PRODUCTS = ["流动资金贷款", "科技型企业商业价值信用贷款", "知识产权质押贷款"]
WORDS = ["智联", "渝芯", "云帆", "数智", "华创", "博远", "精工", "睿科", "天极", "鑫盛", "巴渝", "锐达",
         "中科", "新材", "光电", "微纳", "慧眼", "金桥", "龙腾", "长江", "山城", "晨星", "卓越", "恒通"]
TRADES = ["科技", "智能装备", "生物医药", "新材料", "软件", "电子", "信息技术", "环保科技", "汽车零部件", "检测技术"]
GRADES = ["A", "A", "B", "B", "B", "C"]

SAMPLE_FILES = [
    "企业名录.xlsx",
    "贷款申报.xlsx",
    "农商行放款明细.xlsx",
    "建行放款明细.xlsx",
    "重庆银行放款明细.xlsx",
    "风险补偿基金出资.xlsx",
    "还款明细.xlsx",
    "风险补偿申请.xlsx",
    "追偿回收.xlsx",
    "孵化载体认定.xlsx",
    "补助拨付.xlsx",
]
AS_OF = dt.date(2023, 6, 30)  # the demo's reporting date
# Loans from January 2021 to June 2023, one about every 24 days: every month up to AS_OF has
# lending (so `report summary --month 2023-05` has figures), loans of 2021 fall due in 2022.
FIRST_LOAN = dt.date(2021, 1, 11)
LOAN_EVERY = 24
FUND = "巴南区知识价值信用贷款风险补偿基金"


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(chars[:10] if i < 2 else chars) for i in range(8))
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, region: str) -> str:
    """A unified social credit code (GB 32100-2015) with valid check characters."""
    from .importing.credit_code import credit_code_check_digit

    first17 = "91" + region + org_code(rng)
    return first17 + credit_code_check_digit(first17)


def _enterprises(rng: random.Random, n: int) -> list[dict]:
    names = set()
    out = []
    while len(out) < n:
        name = f"重庆{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
        if name in names:
            continue
        names.add(name)
        district, region = DISTRICT if rng.random() < 0.85 else rng.choice(OTHER_DISTRICTS)
        hnte = rng.random() < 0.35
        out.append(
            {
                "code": credit_code(rng, region),
                "name": name,
                "district": district,
                "tech_no": f"2021{region}{len(out) + 1:05d}",
                "hnte": hnte,
                "hnte_no": f"GR2021510{rng.randint(10000, 99999)}" if hnte else None,
            }
        )
    return out


def _wan(rng: random.Random, low: int, high: int) -> Decimal:
    """A round amount in 万元, as banks lend (multiples of 10万, sometimes 5万)."""
    return Decimal(rng.randrange(low, high + 1, 5))


def sample_data(seed: int = 20211231) -> dict:
    """The demo's facts: enterprises, applications and loans per bank, all in 元 or 万元 Decimals."""
    rng = random.Random(seed)
    ents = _enterprises(rng, 60)
    lent = 38  # the first 38 applications get a loan, one every LOAN_EVERY days from FIRST_LOAN
    applications = []
    for i, e in enumerate(ents[:50]):
        if i < lent:  # applied 10–30 days before its loan, so every month up to AS_OF has lending
            loan_day = FIRST_LOAN + dt.timedelta(days=i * LOAN_EVERY + rng.randrange(0, 5))
            day = loan_day - dt.timedelta(days=rng.randrange(10, 30))
        else:  # applications not (yet) lent on, spread over the same months
            loan_day = None
            day = FIRST_LOAN + dt.timedelta(days=rng.randrange(0, (AS_OF - FIRST_LOAN).days))
        applications.append(
            {
                "no": f"BN-ZSJZ-{day:%Y}-{i + 1:04d}",
                "ent": e,
                "date": day,
                "wan": _wan(rng, 50, 1000),
                "bank": rng.choice(BANKS),
                "grade": rng.choice(GRADES),
                "score": Decimal(rng.randrange(6000, 9600)) / 100,
                "loan_day": loan_day,
            }
        )
    loans = {b: [] for b in BANKS}
    for a in applications[:lent]:
        bank = a["bank"]
        day = a.pop("loan_day")
        amount = min(a["wan"], _wan(rng, 50, 500))
        term = rng.choice([12, 12, 24, 36])
        loans[bank].append(
            {
                "contract": f"{CONTRACT_PREFIX[bank]}{day:%Y%m}ZS{len(loans[bank]) + 1:04d}",
                "ent": a["ent"],
                "bank": bank,
                "product": "知识价值信用贷款",
                "start": day,
                "end": day + dt.timedelta(days=term * 365 // 12),
                "wan": amount,
                "rate": Decimal(rng.choice(["3.85", "4.00", "4.35", "4.50", "4.75"])),
            }
        )
        if rng.random() < 0.4:
            other_day = min(day + dt.timedelta(days=rng.randrange(5, 25)), AS_OF)
            loans[bank].append(
                {
                    "contract": f"{CONTRACT_PREFIX[bank]}{other_day:%Y%m}QT{len(loans[bank]) + 1:04d}",
                    "ent": a["ent"],
                    "bank": bank,
                    "product": rng.choice(OTHER_PRODUCTS),
                    "start": other_day,
                    "end": other_day + dt.timedelta(days=365),
                    "wan": _wan(rng, 50, 300),
                    "rate": Decimal(rng.choice(["4.35", "4.60", "5.00"])),
                }
            )
    for a in applications[lent:]:
        a.pop("loan_day")
    fund = _fund(rng, [lo for rows in loans.values() for lo in rows])
    return {"enterprises": ents, "applications": applications, "loans": loans, **fund, **_incubators(rng, ents)}


def _fund(rng: random.Random, loans: list[dict]) -> dict:
    """Capital paid in, repayments to `AS_OF`, two defaults with their claims, one recovery.

    Loans due by `AS_OF` are repaid at maturity, except the smallest programme loan of each of
    two banks due in 2022: those default, the bank claims 100 days after maturity and the fund
    approves 80% of the unpaid principal; one claim is paid and part of that loss recovered.
    """
    capital = [
        {"fund": FUND, "source": "市级", "date": dt.date(2020, 6, 30), "wan": Decimal(4000)},
        {"fund": FUND, "source": "区级", "date": dt.date(2020, 7, 15), "wan": Decimal(6000)},
    ]
    due_2022 = [lo for lo in loans if lo["product"] == "知识价值信用贷款" and lo["end"].year == 2022]
    defaulted = []
    for bank in BANKS[::2]:
        mine = sorted((lo for lo in due_2022 if lo["bank"] == bank), key=lambda lo: (lo["wan"], lo["contract"]))
        defaulted.append(mine[0])
    repayments = []
    for lo in loans:
        if lo["end"] > AS_OF:
            continue
        if lo in defaulted:
            repayments.append({"loan": lo, "date": lo["start"] + dt.timedelta(days=180), "wan": lo["wan"] / 5})
        else:
            repayments.append({"loan": lo, "date": lo["end"], "wan": lo["wan"]})
    claims = []
    for i, lo in enumerate(defaulted, 1):
        overdue = lo["wan"] - lo["wan"] / 5
        applied = lo["end"] + dt.timedelta(days=100)
        claims.append(
            {
                "no": f"BN-FXBC-{applied:%Y}-{i:03d}",
                "loan": lo,
                "date": applied,
                "overdue_wan": overdue,
                "approved_wan": overdue * Decimal("0.8"),
                "paid": applied + dt.timedelta(days=45) if i == 1 else None,
            }
        )
    paid = claims[0]
    recoveries = [{"loan": paid["loan"], "date": paid["paid"] + dt.timedelta(days=30), "wan": Decimal(10)}]
    return {"capital": capital, "repayments": repayments, "claims": claims, "recoveries": recoveries}


def _incubators(rng: random.Random, ents: list[dict]) -> dict:
    """Two carriers recognised by the city (one later by the state) and the subsidies paid to them.

    One payment is planted for the auditor: the maker space's capacity-building award paid twice.
    """
    incubator = {"name": "巴南区科创孵化器", "code": credit_code(rng, DISTRICT[1]), "type": "科技企业孵化器"}
    space = {"name": "巴南区青创众创空间", "code": credit_code(rng, DISTRICT[1]), "type": "众创空间"}
    carriers = [
        {**incubator, "level": "市级", "date": dt.date(2021, 3, 1), "doc": "渝科局发〔2021〕12号"},
        {**space, "level": "市级", "date": dt.date(2021, 6, 1), "doc": "渝科局发〔2021〕35号"},
        {**incubator, "level": "国家级", "date": dt.date(2022, 11, 1), "doc": "国科发区〔2022〕301号"},
    ]
    hnte = next(e for e in ents if e["hnte"])
    payments = [
        (incubator, "能力建设补助", Decimal(20), dt.date(2021, 5, 10), "", None),
        (space, "能力建设补助", Decimal(10), dt.date(2021, 8, 2), "", None),
        (incubator, "国家级配套补助", Decimal(20), dt.date(2023, 1, 16), "", None),
        (incubator, "绩效奖励-高新技术企业", Decimal(2), dt.date(2023, 3, 20), f"在孵企业{hnte['name']}获认定高新技术企业", hnte["code"]),
        (space, "能力建设补助", Decimal(10), dt.date(2022, 4, 18), "", None),
    ]
    subsidies = [
        {"no": f"BN-FHBZ-{day:%Y}-{i:03d}", "carrier": c, "item": item, "wan": wan, "date": day, "matter": matter, "matter_code": code}
        for i, (c, item, wan, day, matter, code) in enumerate(payments, 1)
    ]
    return {"carriers": carriers, "subsidies": subsidies}


def _sheet(wb, title: str):
    ws = wb.active
    ws.title = title
    return ws


def write_samples(folder: Path, seed: int = 20211231) -> list[Path]:
    """Write the demo's spreadsheets into `folder`, in the order they are to be imported."""
    from openpyxl import Workbook

    data = sample_data(seed)
    folder.mkdir(parents=True, exist_ok=True)

    wb = Workbook()
    ws = _sheet(wb, "企业名录")
    ws.append(["统一社会信用代码", "企业名称", "所属区县", "科技型企业入库编号", "是否高新技术企业", "高新技术企业证书编号"])
    for e in data["enterprises"]:
        ws.append([e["code"], e["name"], e["district"], e["tech_no"], "是" if e["hnte"] else "否", e["hnte_no"]])
    wb.save(folder / SAMPLE_FILES[0])

    wb = Workbook()
    ws = _sheet(wb, "申报清单")
    ws.append(["申报编号", "统一社会信用代码", "企业名称", "申报日期", "申报金额(万元)", "意向银行", "评价等级", "知识价值评价分"])
    for a in data["applications"]:
        ws.append([a["no"], a["ent"]["code"], a["ent"]["name"], a["date"], a["wan"], a["bank"], a["grade"], a["score"]])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "yyyy-mm-dd"
    wb.save(folder / SAMPLE_FILES[1])

    # 农商行: title, a unit line, amounts in 万元 and a 合计 row.
    wb = Workbook()
    ws = _sheet(wb, "放款明细")
    ws.append(["巴南区知识价值信用贷款放款明细表(2021年1月—2023年6月)"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位:重庆农村商业银行巴南支行", None, None, None, None, None, None, None, "单位:万元"])
    ws.append(["序号", "贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "放款金额", "年利率(%)"])
    rows = data["loans"][BANKS[0]]
    for i, lo in enumerate(rows, 1):
        ws.append([i, lo["contract"], lo["ent"]["code"], lo["ent"]["name"], lo["bank"], lo["product"], lo["start"], lo["end"], lo["wan"], lo["rate"]])
    ws.append(["合计", None, None, None, None, None, None, None, sum(lo["wan"] for lo in rows), None])
    wb.save(folder / SAMPLE_FILES[2])

    # 建行: amounts in 元 with their own header names, dates as text.
    wb = Workbook()
    ws = _sheet(wb, "Sheet1")
    ws.append(["合同编号", "借款人统一社会信用代码", "借款人名称", "经办银行", "贷款产品", "发放日期", "到期日", "发放金额(元)", "执行利率(%)"])
    for lo in data["loans"][BANKS[1]]:
        ws.append([lo["contract"], lo["ent"]["code"], lo["ent"]["name"], lo["bank"], lo["product"], f"{lo['start']:%Y/%m/%d}", f"{lo['end']:%Y/%m/%d}", f"{lo['wan'] * 10000:,.2f}", lo["rate"]])
    wb.save(folder / SAMPLE_FILES[3])

    # 重庆银行: a plain sheet in 万元 via the header.
    wb = Workbook()
    ws = _sheet(wb, "放款")
    ws.append(["贷款合同编号", "统一社会信用代码", "客户名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "贷款金额(万元)", "利率(%)"])
    for lo in data["loans"][BANKS[2]]:
        ws.append([lo["contract"], lo["ent"]["code"], lo["ent"]["name"], lo["bank"], lo["product"], lo["start"], lo["end"], lo["wan"], lo["rate"]])
    wb.save(folder / SAMPLE_FILES[4])

    tables = {
        SAMPLE_FILES[5]: (
            ["基金名称", "出资方", "到位日期", "出资金额(万元)"],
            [[c["fund"], c["source"], c["date"], c["wan"]] for c in data["capital"]],
        ),
        SAMPLE_FILES[6]: (
            ["贷款合同编号", "还款日期", "归还本金(万元)"],
            [[r["loan"]["contract"], r["date"], r["wan"]] for r in data["repayments"]],
        ),
        SAMPLE_FILES[7]: (
            ["补偿申请编号", "贷款合同编号", "申请日期", "逾期本金(万元)", "核定补偿金额(万元)", "拨付日期"],
            [[c["no"], c["loan"]["contract"], c["date"], c["overdue_wan"], c["approved_wan"], c["paid"]] for c in data["claims"]],
        ),
        SAMPLE_FILES[8]: (
            ["贷款合同编号", "回收日期", "回收金额(万元)"],
            [[r["loan"]["contract"], r["date"], r["wan"]] for r in data["recoveries"]],
        ),
        SAMPLE_FILES[9]: (
            ["载体名称", "运营主体统一社会信用代码", "载体类型", "级别", "认定日期", "认定文号"],
            [[c["name"], c["code"], c["type"], c["level"], c["date"], c["doc"]] for c in data["carriers"]],
        ),
        SAMPLE_FILES[10]: (
            ["拨付编号", "运营主体统一社会信用代码", "载体名称", "补助项目", "金额(万元)", "拨付日期", "事项", "事项统一社会信用代码"],
            [[p["no"], p["carrier"]["code"], p["carrier"]["name"], p["item"], p["wan"], p["date"], p["matter"], p["matter_code"]] for p in data["subsidies"]],
        ),
    }
    for name, (header, rows) in tables.items():
        wb = Workbook()
        ws = _sheet(wb, Path(name).stem)
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(folder / name)
    return [folder / name for name in SAMPLE_FILES]


def shipped_samples() -> Path | None:
    """The sample folder of a source checkout (`imports/samples`), if it is there and complete."""
    folder = Path(__file__).resolve().parent.parent / "imports" / "samples"
    return folder if all((folder / n).exists() for n in SAMPLE_FILES) else None


def build_demo(db: Path | None = None):
    """Create a ledger (in a temp dir unless `db`) from the samples; return (path, results, summary, brief) as of `AS_OF`."""
    from .importing.pipeline import import_file
    from .policy import load_policy
    from .reports.brief import brief
    from .reports.summary import summary
    from .store import Store

    work = Path(tempfile.mkdtemp(prefix="ledger-demo-"))
    path = db or work / "demo.duckdb"
    folder = shipped_samples()
    files = [folder / n for n in SAMPLE_FILES] if folder else write_samples(work / "samples")
    with Store.create(path) as store:
        results = [import_file(store, f) for f in files]
        return path, results, summary(store.con, AS_OF), brief(store.con, AS_OF, load_policy())


def monthly_routine(db: Path, as_of: dt.date) -> list[str]:
    """The demo's closing hint: the clerk's monthly routine, as commands on the demo ledger.

    import → return refused sheets (--errors) → replace a resubmission (--replaces) →
    meeting pack (report / --xlsx) → close the month; then the other reports.
    """
    month = f"{as_of:%Y-%m}"
    ledger = f'ledger --db "{db}"'
    return [
        f"每月例行 (the monthly routine),可在本演示账本上试 ({month}):",
        f"  1. 导入本月各行报表:      {ledger} import 放款明细.xlsx 还款明细.xlsx",
        f"  2. 退回有问题的表:        {ledger} import 建行放款明细.xlsx --errors 退回建行.xlsx",
        f"  3. 替换银行重报的表:      {ledger} import 建行放款明细(更正).xlsx --replaces 批次号 --reason 银行更正重报",
        f"  4. 会议材料:              {ledger} report summary --month {month} --by bank --xlsx {as_of:%Y年%m月}会议材料.xlsx",
        f"  5. 月末结账:              {ledger} close {month}",
        f"  其他: {ledger} report fund --as-of {as_of:%Y-%m-%d}  (report leverage / brief / targets、audit subsidies、log、verify)",
    ]


if __name__ == "__main__":
    import sys

    for p in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "imports/samples")):
        print(p)
