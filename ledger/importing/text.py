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


# --- identifiers and names as a person reads them --------------------------------------------
# An identifier (contract, application, claim, payment number) and a name (enterprise, bank,
# carrier) mean what a person reads: the same visible text is the same key. `identifier_key`
# and `name_key` are that definition, written once: the import stores what they give, and
# the stored cells of older ledgers are compared through them too (see `store` migration 2).

IDENTIFIER_MAX = 64  # characters of a contract number, a credit code …
NAME_MAX = 200  # characters of an enterprise, bank or carrier name
CELL_MAX = 2000  # characters of any text cell

# Refused wherever they stand (a line break only inside free text): C0 and C1 controls, DEL,
# and the bidi embeddings, overrides and isolates, which reorder what a terminal shows.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
REFUSED = frozenset(map(chr, (*range(0x00, 0x20), *range(0x7F, 0xA0)))) | frozenset(_BIDI)
_LINE_BREAKS = frozenset("\n\r")
# What is trimmed at either end and counted as a space inside: Unicode spaces and the ASCII
# white space a cell picks up from copy and paste (tab, line breaks), U+0085 and U+2028/9.
SPACE_CHARS = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_RUN = re.compile(f"[{SPACE_CHARS}]+")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL", 0x202E: "RLO", 0x202D: "LRO"}


# Unicode format characters (category Cf, Unicode 14) but the bidi controls: zero-width space and
# joiners, LRM/RLM, word joiner and invisible operators, BOM, soft hyphen, tags. They are removed.
_FORMAT_CLASS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_FORMAT = re.compile(f"[{_FORMAT_CLASS}]+")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def plain(text: str) -> bool:
    """Whether `text` holds only characters a person sees, plain spaces included: no control (not even
    a line break), format, bidi or other space character. C-level: one pass over a whole column's text."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.isprintable()


def char_label(c: str) -> str:
    """A character as a message names it: U+001B (ESC)."""
    name = _CONTROL_NAMES.get(ord(c))
    return f"U+{ord(c):04X}" + (f"({name})" if name else "")


def refused_chars(text: str, line_breaks: bool = False) -> list[str]:
    """The control characters of `text` that no cell may hold, in order of first appearance.

    `line_breaks`: a line break inside the text is allowed (free text, not an identifier).
    Ends are not trimmed here: call it on the trimmed text where trailing breaks are harmless.
    """
    if text.isprintable():  # C-level: no control, format or non-ASCII space character at all
        return []
    found = dict.fromkeys(c for c in text if c in REFUSED and not (line_breaks and c in _LINE_BREAKS))
    return list(found)


def visible(text: str) -> str:
    """`text` with every control character (a line break too) shown as ⟨U+001B⟩: one line, safe to print in a message."""
    if text.isprintable():
        return text
    return "".join(f"⟨U+{ord(c):04X}⟩" if c in REFUSED else c for c in text)


def cell_text(value, limit: int = 200) -> str:
    """A cell as a problem quotes it: as written, cut after `limit` characters, control characters shown as ⟨U+…⟩."""
    text = str(value)
    return visible(text if len(text) <= limit else text[:limit] + "…")


def _normal(text: str) -> str:
    """NFKC, format characters removed, every run of spaces one plain space, ends trimmed."""
    import unicodedata

    text = _FORMAT.sub("", unicodedata.normalize("NFKC", text))
    return _SPACE_RUN.sub(" ", text).strip(" ")


def name_key(text: str) -> str:
    """A name (企业名称, 贷款银行, 载体名称) as stored and compared: see `_normal`; case kept."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip(" ")
    return _normal(text)


def identifier_key(text: str) -> str:
    """An identifier (合同编号, 申报编号 …) as stored and compared: `name_key`, then upper case (gbk3 is GBK3)."""
    return name_key(text).upper()
