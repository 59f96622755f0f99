"""The ledger's tables, declared once as SQLModel models.

The store creates its schema from these declarations (see `store.create_schema`); the
import path and the reports talk to DuckDB in bulk SQL and never instantiate rows one by
one. Every fact table carries the import batch it came from and its source row, so each
figure traces back to a cell of a file whose sha256 is in `import_batches`.

Money columns are DECIMAL(18,2) 元; rates are DECIMAL(9,4) percent (4.35 = 4.35%).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import TIMESTAMP, Column, ForeignKey, Integer, Numeric, Sequence, text
from sqlmodel import Field, SQLModel

MONEY = Numeric(18, 2)
RATE = Numeric(9, 4)


def _id(table: str):
    """A sequence-backed integer primary key (DuckDB has no autoincrement)."""
    seq = Sequence(f"{table}_id_seq")
    return Field(
        default=None,
        sa_column=Column(Integer, seq, primary_key=True, server_default=text(f"nextval('{table}_id_seq')")),
    )


def _money(nullable: bool = False):
    return Field(default=None, sa_column=Column(MONEY, nullable=nullable))


def _rate():
    return Field(default=None, sa_column=Column(RATE, nullable=True))


def _when():
    """A naive UTC timestamp (DuckDB's TIMESTAMPTZ would need pytz to read back)."""
    return Field(sa_column=Column(TIMESTAMP(timezone=False), nullable=False))


def _batch():
    return Field(sa_column=Column(Integer, ForeignKey("import_batches.id"), nullable=False, index=True))


class Meta(SQLModel, table=True):
    """Key/value facts about the ledger file itself, e.g. `schema_version`."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class ImportBatch(SQLModel, table=True):
    """One sheet of one imported file: what was read, from where, by whom, when."""

    __tablename__ = "import_batches"
    id: Optional[int] = _id("import_batches")
    kind: str
    file_name: str
    file_sha256: str = Field(index=True)
    sheet: str
    header_row: int
    row_count: int
    os_user: str
    imported_at: dt.datetime = _when()


class JournalEntry(SQLModel, table=True):
    """An append-only, hash-chained record of every change to the ledger."""

    __tablename__ = "journal"
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    recorded_at: dt.datetime = _when()
    os_user: str
    action: str  # import | void
    batch_id: Optional[int] = None
    detail: str  # canonical JSON
    content_hash: str
    prev_hash: str
    entry_hash: str


class Void(SQLModel, table=True):
    """A reversal: a whole batch, or one row of a fact table, taken out of every figure."""

    __tablename__ = "voids"
    id: Optional[int] = _id("voids")
    batch_id: Optional[int] = None
    table_name: Optional[str] = None
    row_id: Optional[int] = None
    reason: str
    os_user: str
    recorded_at: dt.datetime = _when()


class Bank(SQLModel, table=True):
    """A cooperating bank (合作银行) as named in the sheets it sends."""

    __tablename__ = "banks"
    id: Optional[int] = _id("banks")
    name: str = Field(unique=True)
    batch_id: int = _batch()


class Enterprise(SQLModel, table=True):
    """企业名录: a registered enterprise, keyed by its 统一社会信用代码."""

    __tablename__ = "enterprises"
    id: Optional[int] = _id("enterprises")
    batch_id: int = _batch()
    source_row: int
    credit_code: str = Field(index=True)
    name: str
    district: str
    tech_sme_no: Optional[str] = None
    is_hnte: Optional[bool] = None
    hnte_cert_no: Optional[str] = None


class Application(SQLModel, table=True):
    """贷款申报: an enterprise's application for a knowledge-value credit loan."""

    __tablename__ = "applications"
    id: Optional[int] = _id("applications")
    batch_id: int = _batch()
    source_row: int
    application_no: str = Field(index=True)
    credit_code: str
    enterprise_name: str
    applied_on: dt.date
    amount: Decimal = _money()
    intended_bank: str
    grade: Optional[str] = None
    score: Optional[Decimal] = Field(default=None, sa_column=Column(Numeric(9, 2), nullable=True))


class Loan(SQLModel, table=True):
    """放款明细: one disbursed loan; `is_programme` marks 知识价值信用贷款, the rest is guided lending."""

    __tablename__ = "loans"
    id: Optional[int] = _id("loans")
    batch_id: int = _batch()
    source_row: int
    contract_no: str = Field(index=True)
    credit_code: str
    enterprise_name: str
    bank: str
    product: str
    is_programme: bool
    disbursed_on: dt.date
    maturity_on: dt.date
    amount: Decimal = _money()
    rate_pct: Optional[Decimal] = _rate()


class CarrierRecognition(SQLModel, table=True):
    """孵化载体认定: one recognition of an incubation carrier, 市级 or 国家级 (one row per recognition).

    A carrier first recognised 市级 and later 国家级 has two rows; 国家备案众创空间 is stored as
    level 国家级. Type and level are stored in their canonical spelling (see programs/incubator.py).
    """

    __tablename__ = "carriers"
    id: Optional[int] = _id("carriers")
    batch_id: int = _batch()
    source_row: int
    carrier_name: str = Field(index=True)
    operator_code: str
    carrier_type: str  # 科技企业孵化器 | 众创空间
    level: str  # 市级 | 国家级
    recognized_on: dt.date
    doc_no: str


class SubsidyPayment(SQLModel, table=True):
    """补助拨付: one subsidy paid to a carrier's operator; `programme`/`category` are the 补助项目 classified."""

    __tablename__ = "subsidies"
    id: Optional[int] = _id("subsidies")
    batch_id: int = _batch()
    source_row: int
    payment_no: str = Field(index=True)
    operator_code: str
    carrier_name: str
    item: str  # 补助项目 as written
    programme: str  # 能力建设补助 | 国家级配套补助 | 绩效奖励
    category: Optional[str] = None  # 绩效奖励的类别, e.g. 高新技术企业
    amount: Decimal = _money()
    paid_on: dt.date
    basis_doc: Optional[str] = None
    matter: Optional[str] = None
    matter_code: Optional[str] = None


class Contribution(SQLModel, table=True):
    """基金出资: capital paid into the risk-compensation fund by one source on one day."""

    __tablename__ = "contributions"
    id: Optional[int] = _id("contributions")
    batch_id: int = _batch()
    source_row: int
    fund_name: str
    contributor: str  # 市级 | 区级 | 其他
    paid_on: dt.date
    amount: Decimal = _money()
    occurrence: int  # identical contributions on one day are counted, not merged


class Repayment(SQLModel, table=True):
    """还款明细: principal (and interest) a bank reports repaid on a loan; rows may legitimately repeat."""

    __tablename__ = "repayments"
    id: Optional[int] = _id("repayments")
    batch_id: int = _batch()
    source_row: int
    contract_no: str = Field(index=True)
    repaid_on: dt.date
    principal: Decimal = _money()
    interest: Optional[Decimal] = _money(nullable=True)
    occurrence: int


class Claim(SQLModel, table=True):
    """风险补偿: a bank's claim on the fund for a bad loan, the amount approved, and when it was paid."""

    __tablename__ = "claims"
    id: Optional[int] = _id("claims")
    batch_id: int = _batch()
    source_row: int
    claim_no: str = Field(index=True)
    contract_no: str = Field(index=True)
    claimed_on: dt.date
    overdue_principal: Decimal = _money()  # 逾期本金: the unpaid principal the bank lost
    approved_amount: Decimal = _money()  # 核定补偿金额: what the fund agreed to pay
    paid_on: Optional[dt.date] = None  # 拨付日期: empty while unpaid


class Recovery(SQLModel, table=True):
    """追偿回收: what a bank recovered on a loan after its claim; the fund gets its pro-rata share back."""

    __tablename__ = "recoveries"
    id: Optional[int] = _id("recoveries")
    batch_id: int = _batch()
    source_row: int
    contract_no: str = Field(index=True)
    recovered_on: dt.date
    amount: Decimal = _money()
    occurrence: int
