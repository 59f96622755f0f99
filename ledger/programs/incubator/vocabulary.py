"""孵化载体补助 vocabulary: 载体类型, 级别 and 补助项目 as stored, and how written values fold to them.

Incubators write these free-text columns many ways (国家备案众创空间, 重庆市级, 高企奖励); the
functions here fold them to the small controlled vocabulary the ledger stores and the audit
rules compare, and key carrier names so that two spellings of one carrier meet.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

SECTION = "incubator"

# 载体类型 and 级别 as stored.
INCUBATOR = "科技企业孵化器"
MAKER_SPACE = "众创空间"
MUNICIPAL = "市级"
NATIONAL = "国家级"
CARRIER_TYPES = (INCUBATOR, MAKER_SPACE)
LEVELS = (MUNICIPAL, NATIONAL)

# 补助项目 as stored (`programme`), with `category` for performance awards.
CAPACITY = "能力建设补助"
MATCH = "国家级配套补助"
PERFORMANCE = "绩效奖励"
ONE_TIME = (CAPACITY, MATCH)
# The recognition each one-time award rests on.
GROUND_LEVEL = {CAPACITY: MUNICIPAL, MATCH: NATIONAL}

# Spellings of the performance categories the shipped policy names; a district's own
# categories (keys of performance_awards in its policy file) are accepted as written.
CATEGORY_WORDS = {
    "上市挂牌": ("上市挂牌", "上市", "挂牌"),
    "高新技术企业": ("高新技术企业", "高新企业", "高企"),
    "市级重点实验室": ("市级重点实验室", "重点实验室"),
    "市级技术创新中心": ("市级技术创新中心", "技术创新中心"),
    "入库企业": ("入库企业", "科技型企业入库", "入库"),
}

_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_SPACE = re.compile(r"\s+")


def clean_name(name):
    """A carrier name as stored: NFKC (full-width brackets and letters made half-width), no stray spaces.

    Spaces are kept only between two Latin letters or digits ("Tech Space"), so that
    "两江 创新港" and "两江创新港" name the same carrier.
    """
    if not isinstance(name, str):
        return name
    text = unicodedata.normalize("NFKC", name).strip()

    def keep(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""

    return _SPACE.sub(keep, text)


@functools.lru_cache(maxsize=65536)
def name_key(name: str | None) -> str:
    """What two spellings of one carrier name have in common: cleaned, no spaces, case-folded.

    Cached: every rule looks up each payment's carrier by this key, and a city's payments
    name a few hundred carriers thousands of times.
    """
    return _SPACE.sub("", clean_name(name) or "").casefold()


def compact(text) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)) if isinstance(text, str) else ""


def canonical_type(text) -> str | None:
    """载体类型 as stored, from the ways incubators write it; None when it is neither kind."""
    t = compact(text)
    if "众创空间" in t:
        return MAKER_SPACE
    if "孵化器" in t:
        return INCUBATOR
    return None


def canonical_level(level, carrier_type=None) -> str | None:
    """级别 as stored. 国家备案众创空间 and 国家级孵化器 are 国家级 whatever the 级别 cell says."""
    kind = compact(carrier_type)
    if "国家" in kind:
        return NATIONAL
    t = compact(level)
    if "国家" in t:
        return NATIONAL
    if "市" in t or "省" in t:
        return MUNICIPAL
    return None


def performance_categories(policy=None) -> list[str]:
    """Every performance category the vocabulary knows: the built-in ones and the policy's own."""
    from ...policy import load_policy, policy_path

    policy = policy or load_policy(policy_path())  # the path, not None: $LEDGER_POLICY read now
    names = list(CATEGORY_WORDS)
    for version in policy.versions(SECTION):
        for name in version.params.get("performance_awards", {}):
            if name not in names:
                names.append(name)
    return names


def _category(text: str, categories: Iterable[str]) -> str | None:
    words = [(w, c) for c in categories for w in (c, *CATEGORY_WORDS.get(c, ()))]
    for word, cat in sorted(words, key=lambda wc: -len(wc[0])):
        if word in text:
            return cat
    return None


# What may stand before 认定补助/认定奖励 when it is the carrier's own award for being recognised.
_CARRIER_WORDS = re.compile(r"(?:新|首次|认定|市级|重庆市|科技企业|孵化器|众创空间|孵化载体|载体|一次性)*")


def _recognition_award(t: str) -> bool:
    """认定补助/认定奖励 of the carrier itself (市级孵化器认定奖励), not of an enterprise (专精特新认定奖励)."""
    for word in ("认定补助", "认定奖励"):
        at = t.find(word)
        if at >= 0 and _CARRIER_WORDS.fullmatch(t[:at]):
            return True
    return False


def classify_item(text, categories: Iterable[str]) -> tuple[str | None, str | None]:
    """(programme, category) of a 补助项目 as written; (None, None) when it is none of them.

    能力建设补助 / 国家级配套补助 / 绩效奖励-<类别>; a performance award without a
    recognisable category comes back as (绩效奖励, None).
    """
    t = compact(text)
    if not t:
        return None, None
    category = _category(t, categories)
    if "绩效" in t or (category and "能力建设" not in t and "配套" not in t):
        return PERFORMANCE, category
    if "配套" in t or "国家" in t:
        return MATCH, None
    if "能力建设" in t or _recognition_award(t):
        return CAPACITY, None
    if "奖励" in t:
        return PERFORMANCE, category
    return None, None


def item_label(programme: str, category: str | None) -> str:
    """The canonical 补助项目: 能力建设补助, 国家级配套补助 or 绩效奖励-<类别>."""
    return f"{programme}-{category}" if category else programme


def code_in_text(text) -> str | None:
    """A valid 统一社会信用代码 written inside a 事项 text, if there is exactly one."""
    from ...importing.credit_code import credit_code_valid

    if not isinstance(text, str):
        return None
    found = {c for c in _CODE_IN_TEXT.findall(unicodedata.normalize("NFKC", text).upper()) if credit_code_valid(c)}
    return found.pop() if len(found) == 1 else None
