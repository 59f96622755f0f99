"""The programme summary: applications, programme loans and guided lending as of a date.

A pure function of what is stored (the void-aware `v_` views): computed in DuckDB, returned
as plain data, drawn elsewhere as a table or JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..money import json_yuan, yuan


@dataclass(frozen=True)
class Applications:
    enterprises: int
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Loans:
    banks: int
    enterprises: int
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Guided:
    enterprises: int
    amount: Decimal


@dataclass(frozen=True)
class Summary:
    """Cumulative programme figures up to and including `as_of`."""

    as_of: dt.date
    applications: Applications
    loans: Loans
    guided: Guided

    def to_json(self) -> dict:
        """The `--json` object: counts as numbers, amounts as strings in 元."""
        return {
            "as_of": self.as_of.isoformat(),
            "applications": {
                "enterprises": self.applications.enterprises,
                "count": self.applications.count,
                "amount": json_yuan(self.applications.amount),
            },
            "loans": {
                "banks": self.loans.banks,
                "enterprises": self.loans.enterprises,
                "count": self.loans.count,
                "amount": json_yuan(self.loans.amount),
            },
            "guided": {"enterprises": self.guided.enterprises, "amount": json_yuan(self.guided.amount)},
        }


SUMMARY_SQL = """
WITH l AS (SELECT * FROM v_loans WHERE disbursed_on <= $as_of AND disbursed_on >= $since)
SELECT
  (SELECT count(DISTINCT credit_code) FROM v_applications WHERE applied_on <= $as_of AND applied_on >= $since),
  (SELECT count(*) FROM v_applications WHERE applied_on <= $as_of AND applied_on >= $since),
  (SELECT sum(amount) FROM v_applications WHERE applied_on <= $as_of AND applied_on >= $since),
  (SELECT count(DISTINCT bank) FROM l WHERE is_programme),
  (SELECT count(DISTINCT credit_code) FROM l WHERE is_programme),
  (SELECT count(*) FROM l WHERE is_programme),
  (SELECT sum(amount) FROM l WHERE is_programme),
  (SELECT count(DISTINCT credit_code) FROM l WHERE NOT is_programme),
  (SELECT sum(amount) FROM l WHERE NOT is_programme)
"""


def summary(con: duckdb.DuckDBPyConnection, as_of: dt.date, since: dt.date = dt.date.min) -> Summary:
    """Programme figures for dates in [since, as_of]; with no `since`, cumulative to `as_of`.

    Guided lending (引导/撬动) is every loan of another product that the cooperating banks
    report: the office counts it beside the programme's own loans.
    """
    r = con.execute(SUMMARY_SQL, {"as_of": as_of, "since": since}).fetchone()
    return Summary(
        as_of=as_of,
        applications=Applications(r[0], r[1], yuan(r[2])),
        loans=Loans(r[3], r[4], r[5], yuan(r[6])),
        guided=Guided(r[7], yuan(r[8])),
    )
