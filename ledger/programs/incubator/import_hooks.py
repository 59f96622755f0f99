"""孵化载体补助 at import: the derive hooks of the `carriers` and `subsidies` kinds and their named checks.

Derive hooks fold the free-text columns to the stored vocabulary; the checks refuse a value
outside it, by cell, with the accepted spellings as the hint, and warn of a payment to a
carrier the ledger has no recognition of.
"""

from __future__ import annotations

import re

from ...problems import WARNING, Problem
from .. import ImportContext, KindHooks, PendingSheet
from .vocabulary import (
    CAPACITY,
    CARRIER_TYPES,
    LEVELS,
    MATCH,
    PERFORMANCE,
    canonical_level,
    canonical_type,
    classify_item,
    clean_name,
    code_in_text,
    compact,
    name_key,
    performance_categories,
)


def _derive_carriers(frame):
    """Fold 载体名称, 载体类型 and 级别 to their stored spelling (unknown values stay, for the rules)."""
    frame["carrier_name"] = frame["carrier_name"].map(clean_name)
    types = frame["carrier_type"].tolist()
    levels = frame["level"].tolist()
    frame["level"] = pd_object([canonical_level(lv, ty) or lv for lv, ty in zip(levels, types)], frame.index)
    frame["carrier_type"] = pd_object([canonical_type(ty) or ty for ty in types], frame.index)
    return frame


def _derive_subsidies(frame):
    """Classify 补助项目 into programme and category; take a 事项's credit code from its text."""
    frame["carrier_name"] = frame["carrier_name"].map(clean_name)
    categories = performance_categories()
    classified = [classify_item(v, categories) for v in frame["item"]]
    frame["programme"] = pd_object([p for p, _ in classified], frame.index)
    frame["category"] = pd_object([c for _, c in classified], frame.index)
    if "matter" in frame.columns:
        written = frame["matter_code"].tolist() if "matter_code" in frame.columns else [None] * len(frame)
        frame["matter_code"] = pd_object([w if isinstance(w, str) and w else code_in_text(m) for w, m in zip(written, frame["matter"])], frame.index)
    return frame


def pd_object(values: list, index):
    """A text column that keeps None as None (not NaN), the way the loader expects text."""
    import pandas as pd

    return pd.Series(values, index=index, dtype="object")


def _outside(sheet: PendingSheet, column: str, allowed, code: str, what: str, hint: str) -> list[Problem]:
    """A problem at each filled cell of `column` whose value is not one of `allowed`."""
    frame = sheet.frame
    bad = frame.index[frame[column].notna() & ~frame[column].isin(allowed)]
    return [sheet.problem(column, i, code, f"{what}「{frame.at[i, column]}」无法识别", hint) for i in bad]


def carrier_type_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """载体类型 is 科技企业孵化器 or 众创空间 (in one of their spellings)."""
    return _outside(
        sheet, "carrier_type", CARRIER_TYPES, "bad_carrier_type", "载体类型",
        "载体类型请填写「科技企业孵化器」或「众创空间」(国家备案众创空间亦可)。",
    )


def carrier_level_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """级别 is 市级 or 国家级 (国家备案 counts as 国家级)."""
    return _outside(
        sheet, "level", LEVELS, "bad_carrier_level", "级别",
        "级别请填写「市级」或「国家级」;国家备案众创空间按国家级填写。",
    )


_AWARD_WORDS = re.compile(r"绩效奖励|绩效|奖励")
_AWARD_SEPARATORS = "-—–－_·:：()（）[]【】<>《》/、,，"


def written_category(text) -> str | None:
    """What a 补助项目 names besides 绩效奖励: '绩效奖励-专精特新' -> '专精特新'; None when nothing."""
    rest = _AWARD_WORDS.sub("", compact(text)).strip(_AWARD_SEPARATORS)
    return rest or None


def subsidy_item_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """补助项目 is one of 能力建设补助, 国家级配套补助, 绩效奖励-<类别> with a category the policy lists.

    A performance award whose category is written but not listed is told apart from one
    that names no category, and the accepted categories are named: the clerk either
    corrects the spelling or has the district's policy file list the new category.
    """
    from ...policy import load_policy, policy_path

    frame = sheet.frame
    policy = load_policy(policy_path())
    listed = "、".join(performance_categories(policy))
    hint = f"补助项目请填写「{CAPACITY}」「{MATCH}」或「{PERFORMANCE}-类别」,类别为: {listed}。"
    unlisted_hint = (
        f"可填写的绩效奖励类别: {listed}(所用政策「{policy.name}」);请写作「{PERFORMANCE}-类别」,如「{PERFORMANCE}-高新技术企业」。"
        "如本区政策另设了这一类别,请先在政策文件的 performance_awards 中列明,再导入。"
    )
    problems = []
    for i in frame.index:
        item = frame.at[i, "item"]
        if not isinstance(item, str):
            continue
        programme, category = frame.at[i, "programme"], frame.at[i, "category"]
        if programme is None:
            problems.append(sheet.problem("item", i, "bad_subsidy_item", f"补助项目「{item}」无法识别", hint))
        elif programme == PERFORMANCE and category is None:
            written = written_category(item)
            if written is None:
                problems.append(sheet.problem("item", i, "bad_award_category", f"绩效奖励「{item}」没有写明奖励类别", hint))
            else:
                message = f"补助项目「{item}」的奖励类别「{written}」不是所用政策列出的绩效奖励类别"
                problems.append(sheet.problem("item", i, "unlisted_award_category", message, unlisted_hint))
    return problems


def carrier_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """Warn (not refuse) when a payment's carrier has no recognition in the ledger or this import.

    The payment is still imported: whether it was allowed is the audit's question, and the
    audit will find it paid to an unrecognised carrier unless the recognition is imported.
    """
    frame = sheet.frame
    names = {name_key(n) for n in frame["carrier_name"].dropna()}
    if not names:
        return []
    known = {name_key(r[0]) for r in ctx.con.execute("SELECT DISTINCT carrier_name FROM v_carriers").fetchall()}
    for other in ctx.pending_of("carriers"):
        known.update(name_key(n) for n in other.frame["carrier_name"].dropna())
    return [
        sheet.problem(
            "carrier_name",
            i,
            "unknown_carrier",
            f"载体「{frame.at[i, 'carrier_name']}」不在孵化载体认定名录中;本行仍导入,审计时将判为收款方未经认定",
            "如该载体已认定,请先导入其孵化载体认定记录(载体名称、运营主体统一社会信用代码、载体类型、级别、认定日期、认定文号),或核对载体名称。",
            severity=WARNING,
        )
        for i in frame.index
        if isinstance(frame.at[i, "carrier_name"], str) and name_key(frame.at[i, "carrier_name"]) not in known
    ]


KINDS = {
    "carriers": KindHooks(derive=_derive_carriers),
    "subsidies": KindHooks(derive=_derive_subsidies),
}

IMPORT_RULES = {
    "carrier_type": carrier_type_known,
    "carrier_level": carrier_level_known,
    "subsidy_item": subsidy_item_known,
    "carrier_known": carrier_known,
}
