"""The programmes: what each kind of sheet means beyond its columns.

Each programme module (`credit_loan`, …) declares, for the kinds it owns, hooks that
the importer calls (derived columns, rows to add beside the batch) and named import
rules that need the ledger itself (e.g. "the enterprise is in the registry"). A rule is
a plain function `rule(sheet, ctx) -> list[Problem]`, like a beancount check: it takes
the facts and what is already stored and returns findings that point at a cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from ..importing.frame import TypedSheet
    from ..problems import Problem


@dataclass
class PendingSheet:
    """A validated sheet of the current import, not yet written."""

    file: str
    sheet: str
    typed: "TypedSheet"
    frame: "pd.DataFrame"

    @property
    def kind(self) -> str:
        return self.typed.layout.kind.kind

    def problem(self, field: str, i: int, code: str, message: str, hint: str, severity: str = "error") -> "Problem":
        """A problem at the cell of `field` in the sheet's `i`-th parsed row, quoting the cell as written."""
        from ..problems import Problem

        placed = self.typed.layout.placed[field]
        raw = self.typed.raw[field][i]
        if raw is None:
            value = ""
        elif isinstance(raw, float) and raw.is_integer():
            value = str(int(raw))
        else:
            from ..importing.text import cell_text

            value = cell_text(str(raw).strip())
        return Problem(
            code=code,
            message=message,
            hint=hint,
            file=self.file,
            sheet=self.sheet,
            row=self.typed.source_rows[i],
            col=placed.col,
            column=placed.header,
            value=value,
            severity=severity,
        )


@dataclass
class ImportContext:
    """What a rule may look at: the ledger (read-only use) and the other sheets of this import."""

    con: "duckdb.DuckDBPyConnection"
    pending: list[PendingSheet] = field(default_factory=list)

    def pending_of(self, kind: str) -> list[PendingSheet]:
        return [p for p in self.pending if p.kind == kind]

    def known(self, values, table: str, column: str, kind: str) -> set:
        """Which of `values` the ledger's live `table` holds in `column`, or this import's `kind` sheets do."""
        import pandas as pd

        wanted = {v for v in values if isinstance(v, str)}
        if not wanted:
            return set()
        # Sent as a registered frame, not a list parameter: DuckDB converts a list of tens of
        # thousands of strings value by value, at twice the cost of the whole lookup.
        from ..store import registered

        from ..importing.legacy_keys import keyed_rows

        frame = pd.DataFrame({"v": pd.Series(list(wanted), dtype="object")})
        with registered(self.con, "known_values", frame), keyed_rows(self.con, table) as stored:
            rows = self.con.execute(f"SELECT DISTINCT {column} FROM {stored} t WHERE {column} IN (SELECT v FROM known_values)").fetchnumpy()
        found = set(rows[column].tolist())
        for other in self.pending_of(kind):
            found.update(other.frame[column].dropna())
        return found


Rule = Callable[[PendingSheet, ImportContext], "list[Problem]"]


@dataclass(frozen=True)
class KindHooks:
    """Programme behaviour of one import kind."""

    derive: Callable[["pd.DataFrame"], "pd.DataFrame"] | None = None
    # Called after the batch's rows are inserted; returns the other tables it wrote rows of this batch to.
    after_load: Callable[["duckdb.DuckDBPyConnection", int], list[str]] | None = None


# Kinds are validated and loaded in this order within one import, so that an enterprise
# registered in a workbook's 企业名录 sheet is known to its 放款明细 sheet.
LOAD_ORDER = ["enterprises", "carriers", "applications", "loans", "contributions", "repayments", "claims", "recoveries", "subsidies"]


def _modules():
    """Every programme module of this package (each adding a programme is enough to register it)."""
    import importlib
    import pkgutil

    return [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]


def hooks(kind: str) -> KindHooks:
    """The programme hooks of a kind (empty hooks when no programme adds any)."""
    for module in _modules():
        if kind in getattr(module, "KINDS", {}):
            return module.KINDS[kind]
    return KindHooks()


def rules() -> dict[str, Rule]:
    """Every named import rule of every programme."""
    out: dict[str, Rule] = {}
    for module in _modules():
        out.update(getattr(module, "IMPORT_RULES", {}))
    return out


def load_rank(kind: str) -> int:
    return LOAD_ORDER.index(kind) if kind in LOAD_ORDER else len(LOAD_ORDER)
