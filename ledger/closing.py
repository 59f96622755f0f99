"""Closing a period: a journal entry that fixes what the ledger said about it (`ledger close 2021-10`).

The entry (action "close", no batch) holds the period, the headline figures of summary, fund
and leverage as of the period's end (`reports.headline`), their digest (also the entry's
content hash) and the head of the journal it was made on. `journal.verify` checks all three.
A closed period's figures are reproduced exactly by any report with `--as-of` the period's
end and `--known-at` the recorded head; later imports and voids that touch the period are
adjustments (`reports.closes`), never refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import journal
from .errors import Refused, UsageError
from .reports.closes import CLOSE, Close, find_close
from .store import Store

MAX_NOTE = 200


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """"2021-10" (or 2021/10, 2021年10月) → ("2021-10", first day, last day); a usage error otherwise."""
    from .reports.summary import month_bounds

    try:
        start, end = month_bounds(text or "")
    except ValueError:
        raise UsageError(f"无法识别的结账期间: {text}", "期间按月写作 2021-10(或 2021年10月),例如 `ledger close 2021-10`。") from None
    return f"{start:%Y-%m}", start, end


@dataclass(frozen=True)
class Closed:
    """What `close` did: the close as recorded."""

    close: Close

    def to_json(self) -> dict:
        return self.close.to_json()


def close(store: Store, period_text: str, note: str = "", today: dt.date | None = None, user: str | None = None) -> Closed:
    """Record the close of a month: its headline figures as of its end, their digest and the journal's head.

    Refused when the month has not ended yet (usage error), or is already closed (exit 1).
    """
    from .reports.headline import digest, headline, values_json

    period, start, end = parse_period(period_text)
    today = today or dt.date.today()
    if end >= today:
        raise UsageError(f"期间 {period} 尚未结束(截至 {end:%Y-%m-%d}),不能结账", "结账须在期末之后进行,例如本月结束后再结上月。")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise UsageError(f"结账说明过长({len(note)} 字)", f"请控制在 {MAX_NOTE} 字以内。")
    with store.transaction() as con:
        done = find_close(con, period)
        if done is not None:
            raise Refused(
                f"期间 {period} 已于第 {done.seq} 条日志结账,不能重复结账",
                f"结账后的更正会作为以前期间调整列出;查看差异用 `ledger report changes --since {period}`。",
            )
        head_seq, head_hash = journal.last(con)
        figures = headline(con, end)
        values = values_json(figures)
        content = digest(figures)
        detail = {
            "period": period,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "note": note,
            "figures": values,
            "digest": content,
            "head": {"entry": head_seq, "hash": head_hash},
        }
        entry = journal.append(con, CLOSE, detail, None, content, user=user)
    return Closed(find_close_entry(store, entry.seq))


def find_close_entry(store: Store, seq: int) -> Close:
    """The close recorded by entry `seq`."""
    from .reports.closes import closes

    return next(c for c in closes(store.con, seq) if c.seq == seq)
