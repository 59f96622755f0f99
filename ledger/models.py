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
