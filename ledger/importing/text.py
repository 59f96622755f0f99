"""Text as cells hold it: the character tables and helpers every reader of a cell shares.

Full-width ASCII made half-width, the blanks banks type (ideographic and non-breaking spaces,
line breaks inside a cell), and any cell's text form. The cell parsers (`values`) and the
header and unit grammar (`units`) both build on these.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from decimal import Decimal

# Full-width ASCII (！..～) to half-width, plus the ideographic space, the full-width yen,
# the minus sign and the non-breaking space that appear in typed-in Chinese figures.
HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
HALF_WIDTH.update({0x3000: 0x20, 0xFFE5: 0xA5, 0x2212: 0x2D, 0xA0: 0x20})

BLANKS = "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200E))) + (
    "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
BLANK_RUN = re.compile(f"[{BLANKS}]+")

def half_width(text: str) -> str:
    """`text` with full-width ASCII and odd spaces made plain, blanks trimmed (how typed figures are read)."""
    return text.translate(HALF_WIDTH).strip(BLANKS)


def native(value):
    """A number of a foreign type (numpy's int64, float64…) as a plain int or float; anything else as is."""
    tp = type(value)
    if tp is int or tp is float or tp is bool or tp is Decimal:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def text_of(v) -> str | None:
    """Any cell as trimmed text (None when blank): whole numbers as '123', dates as 2021-03-05."""
    tp = type(v)
    if tp is str:
        return v.strip(BLANKS) or None
    if v is None:
        return None
    if tp is bool:
        return "TRUE" if v else "FALSE"
    if tp is float:
        return str(int(v)) if v.is_integer() else repr(v)
    if tp is int:
        return str(v)
    if (n := native(v)) is not v:
        return text_of(n)
    if isinstance(v, str):
        return str(v).strip(BLANKS) or None
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)
