"""孵化载体补助: carrier recognitions, subsidy payments, and the rules an auditor checks them by.

Import side: the `carriers` (孵化载体认定) and `subsidies` (补助拨付) kinds. Their free-text
columns are folded to a small controlled vocabulary when imported (载体类型, 级别, 补助项目),
and a value outside it refuses the file with the accepted spellings as the hint.

Audit side: each rule is a plain function `rule(payments, recognitions, policy) -> list[Finding]`,
beancount style. It judges every payment by the `[[incubator]]` policy version in force on the
payment's date, and each finding names the rule, the parameter in force that day
(`Version.cite`) and the evidence (the payment's and the recognition's file, sheet, row, sha256).
A payment with no finding is eligible.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..money import yuan
from ..problems import WARNING, Problem
from . import ImportContext, KindHooks, PendingSheet

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


# --- vocabulary -------------------------------------------------------------------------


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


def _compact(text) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)) if isinstance(text, str) else ""


def canonical_type(text) -> str | None:
    """载体类型 as stored, from the ways incubators write it; None when it is neither kind."""
    t = _compact(text)
    if "众创空间" in t:
        return MAKER_SPACE
    if "孵化器" in t:
        return INCUBATOR
    return None


def canonical_level(level, carrier_type=None) -> str | None:
    """级别 as stored. 国家备案众创空间 and 国家级孵化器 are 国家级 whatever the 级别 cell says."""
    kind = _compact(carrier_type)
    if "国家" in kind:
        return NATIONAL
    t = _compact(level)
    if "国家" in t:
        return NATIONAL
    if "市" in t or "省" in t:
        return MUNICIPAL
    return None


def performance_categories(policy=None) -> list[str]:
    """Every performance category the vocabulary knows: the built-in ones and the policy's own."""
    from ..policy import load_policy, policy_path

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
    t = _compact(text)
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
    from ..importing.values import credit_code_valid

    if not isinstance(text, str):
        return None
    found = {c for c in _CODE_IN_TEXT.findall(unicodedata.normalize("NFKC", text).upper()) if credit_code_valid(c)}
    return found.pop() if len(found) == 1 else None


# --- import hooks and rules -----------------------------------------------------------------


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
    rest = _AWARD_WORDS.sub("", _compact(text)).strip(_AWARD_SEPARATORS)
    return rest or None


def subsidy_item_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """补助项目 is one of 能力建设补助, 国家级配套补助, 绩效奖励-<类别> with a category the policy lists.

    A performance award whose category is written but not listed is told apart from one
    that names no category, and the accepted categories are named: the clerk either
    corrects the spelling or has the district's policy file list the new category.
    """
    from ..policy import load_policy, policy_path

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


# --- audit facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a fact was read: the file, its sheet, the 1-based Excel row, and the file's sha256."""

    file: str
    sheet: str
    row: int
    sha256: str

    def to_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "sha256": self.sha256}

    def __str__(self) -> str:
        return f"{self.file}[{self.sheet}]第{self.row}行"


@dataclass(frozen=True)
class Payment:
    """One subsidy payment as stored (补助拨付)."""

    id: int
    payment_no: str
    operator_code: str
    carrier_name: str
    item: str
    programme: str
    category: str | None
    amount: Decimal
    paid_on: dt.date
    basis_doc: str | None
    matter: str | None
    matter_code: str | None
    source: Source

    @property
    def label(self) -> str:
        return item_label(self.programme, self.category)

    @property
    def order(self) -> tuple:
        """Payments of one carrier are taken in date order, then in the order they were imported."""
        return (self.paid_on, self.id)


@dataclass(frozen=True)
class Recognition:
    """One recognition of a carrier as stored (孵化载体认定)."""

    carrier_name: str
    operator_code: str
    carrier_type: str
    level: str
    recognized_on: dt.date
    doc_no: str
    source: Source

    def __str__(self) -> str:
        return f"{self.level}{self.carrier_type}认定({self.doc_no},{self.recognized_on:%Y-%m-%d})"


@dataclass(frozen=True)
class Finding:
    """Why one payment was not allowed: the rule, what is wrong, the parameter in force, the recognition."""

    payment: Payment
    rule: str
    detail: str
    parameter: str = ""
    recognition: Recognition | None = None

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]


Rule = Callable[[list[Payment], list[Recognition], "object"], list[Finding]]


class Carriers(list):
    """The recognitions, indexed: each carrier's recognitions by name, in date order.

    It is the recognitions list itself, so `judge` builds it once and hands it to every rule
    as their `recognitions`; a rule given a plain list indexes it with `carriers_of`.
    """

    def __init__(self, recognitions: Iterable[Recognition]):
        super().__init__(recognitions)
        self.by_name: dict[str, list[Recognition]] = defaultdict(list)
        for r in sorted(self, key=lambda r: (r.recognized_on, r.level)):
            self.by_name[name_key(r.carrier_name)].append(r)
        self._bases: dict[tuple[int, int], Basis] = {}

    def of(self, p: Payment) -> list[Recognition]:
        return self.by_name.get(name_key(p.carrier_name), [])

    def standing(self, p: Payment, level: str | None = None) -> list[Recognition]:
        """Recognitions in force on the payment date (of one level, if given)."""
        return [r for r in self.of(p) if r.recognized_on <= p.paid_on and (level is None or r.level == level)]

    def basis(self, p: Payment, policy) -> Basis:
        """`basis` of a payment under `policy`, worked out once: several rules and the verdict ask for it."""
        key = (p.id, id(policy))
        if key not in self._bases:
            self._bases[key] = _basis(p, self, policy)
        return self._bases[key]


def carriers_of(recognitions: Iterable[Recognition]) -> Carriers:
    """The recognitions indexed by carrier; the same object when they already are."""
    return recognitions if isinstance(recognitions, Carriers) else Carriers(recognitions)


def version_ref(version) -> str:
    """How a finding cites a whole policy version when no single parameter is at stake."""
    return f"{version.section}({version.since},{version.source})"


def _cite(version, name: str) -> str:
    return version.cite(name) if version is not None and name in version.params else ""


def _cite_category(version, category: str) -> str:
    awards = version.params.get("performance_awards", {})
    if category not in awards:
        return f"{version.section}.performance_awards(未列「{category}」)({version.since})"
    return f"{version.section}.performance_awards.{category}={awards[category]}({version.since})"


def _in_force(policy, p: Payment):
    return policy.in_force(SECTION, p.paid_on)


def grounding(p: Payment, carriers: Carriers) -> Recognition | None:
    """The recognition a payment rests on.

    能力建设补助: the carrier's 市级 recognition; 国家级配套补助: its 国家级 recognition;
    绩效奖励: the latest recognition standing on the payment date. Earliest first within a level;
    a recognition after the payment date only when there is none before it.
    """
    recs = carriers.of(p)
    if not recs:
        return None
    level = GROUND_LEVEL.get(p.programme)
    if level is None:
        standing = carriers.standing(p)
        return standing[-1] if standing else recs[0]
    of_level = [r for r in recs if r.level == level]
    before = [r for r in of_level if r.recognized_on <= p.paid_on]
    return (before or of_level or [None])[0]


@dataclass(frozen=True)
class Basis:
    """What the policy in force allowed for a payment: the amount, the parameters it comes from."""

    expected: Decimal | None
    parameters: tuple[str, ...]
    recognition: Recognition | None
    version: object | None
    why_none: str = ""  # when there is no expected amount and the policy is the reason


def basis(p: Payment, carriers: Carriers, policy) -> Basis:
    """The amount the version in force on the payment date sets for this payment, and its citation.

    One-time awards take the municipal amount of the carrier's type (times national_match_ratio
    for the national match); a performance award takes its category's amount.
    """
    return carriers.basis(p, policy)


def _basis(p: Payment, carriers: Carriers, policy) -> Basis:
    version = _in_force(policy, p)
    rec = grounding(p, carriers)
    if version is None:
        return Basis(None, (), rec, None)
    if p.programme == PERFORMANCE:
        awards = version.params.get("performance_awards", {})
        cite = _cite_category(version, p.category or "")
        if p.category not in awards:
            return Basis(None, (cite,), rec, version, f"拨付日有效的政策未规定「{p.category}」类绩效奖励的金额")
        return Basis(yuan(Decimal(str(awards[p.category]))), (cite,), rec, version)
    kind_rec = rec or (carriers.of(p) or [None])[0]
    if kind_rec is None:
        return Basis(None, (), None, version)
    name = "municipal_incubator_award" if kind_rec.carrier_type == INCUBATOR else "municipal_maker_space_award"
    if name not in version.params:
        return Basis(None, (), rec, version, f"拨付日有效的政策未规定 {version.section}.{name}")
    amount = version.money(name)
    cites = [version.cite(name)]
    if p.programme == MATCH:
        if "national_match_ratio" not in version.params:
            return Basis(None, tuple(cites), rec, version, f"拨付日有效的政策未规定 {version.section}.national_match_ratio")
        amount *= version.money("national_match_ratio")
        cites.append(version.cite("national_match_ratio"))
    return Basis(yuan(amount), tuple(cites), rec, version)


def _yuan_text(value: Decimal) -> str:
    return f"{yuan(value):,.2f}元"


# --- audit rules ------------------------------------------------------------------------------


def policy_in_force(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A payment made on a day no version of the incubator policy was in force was not allowed."""
    versions = policy.versions(SECTION)
    first = f"{SECTION}(最早版本 {versions[0].effective_from:%Y-%m-%d} 起)" if versions else f"{SECTION}(政策文件中没有此节)"
    return [
        Finding(p, "policy_in_force", f"拨付日 {p.paid_on:%Y-%m-%d} 没有生效的孵化载体补助政策", first)
        for p in payments
        if _in_force(policy, p) is None
    ]


def recognised_carrier(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """The recipient is a recognised carrier on the payment date, paid to the operator recognised."""
    carriers = carriers_of(recognitions)
    by_operator: dict[str, set[str]] = defaultdict(set)
    for r in recognitions:
        by_operator[r.operator_code].add(r.carrier_name)
    out = []
    for p in payments:
        version = _in_force(policy, p)
        ref = version_ref(version) if version else ""
        recs = carriers.of(p)
        if not recs:
            others = sorted(by_operator.get(p.operator_code, ()))
            also = f";该运营主体已认定的载体为「{'」「'.join(others)}」" if others else ""
            out.append(Finding(p, "recognised_carrier", f"载体「{p.carrier_name}」没有认定记录,不是已认定的孵化载体{also}", ref))
            continue
        standing = carriers.standing(p)
        if not standing:
            first = recs[0]
            detail = f"拨付日 {p.paid_on:%Y-%m-%d} 早于该载体最早的认定日 {first.recognized_on:%Y-%m-%d}({first.doc_no}),拨付时尚未认定"
            out.append(Finding(p, "recognised_carrier", detail, ref, first))
            continue
        if all(r.operator_code != p.operator_code for r in standing):
            r = standing[-1]
            detail = f"收款运营主体 {p.operator_code} 不是该载体认定的运营主体 {r.operator_code}"
            out.append(Finding(p, "recognised_carrier", detail, ref, r))
    return out


def recognition_level(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A one-time award rests on the recognition of its level, made before the payment.

    能力建设补助 needs a 市级 recognition; 国家级配套补助 needs a 市级 recognition and a 国家级
    one, both on or before the payment date. A carrier with no recognition at all is left to
    `recognised_carrier`, which says so once.
    """
    carriers = carriers_of(recognitions)
    out = []
    for p in payments:
        recs = carriers.of(p)
        if p.programme not in ONE_TIME or not recs:
            continue
        version = _in_force(policy, p)
        ref = version_ref(version) if version else ""
        if not carriers.standing(p, MUNICIPAL):
            what = "能力建设补助以市级认定为依据" if p.programme == CAPACITY else "国家级配套补助须以市级认定为前提"
            later = [r for r in recs if r.level == MUNICIPAL]
            if later:
                m = later[0]
                detail = f"{what},拨付日 {p.paid_on:%Y-%m-%d} 早于该载体的市级认定日 {m.recognized_on:%Y-%m-%d}({m.doc_no})"
            else:
                detail = f"{what},该载体没有市级认定记录"
            out.append(Finding(p, "recognition_level", detail, ref, later[0] if later else recs[0]))
        if p.programme == MATCH:
            national = [r for r in recs if r.level == NATIONAL]
            if not national:
                out.append(Finding(p, "recognition_level", "国家级配套补助须以国家级认定(含国家备案众创空间)为依据,该载体没有国家级认定记录", ref, recs[-1]))
            elif national[0].recognized_on > p.paid_on:
                n = national[0]
                detail = f"拨付日 {p.paid_on:%Y-%m-%d} 早于国家级认定日 {n.recognized_on:%Y-%m-%d}({n.doc_no})"
                out.append(Finding(p, "recognition_level", detail, ref, n))
    return out


def one_time_once(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A one-time award (能力建设补助, 国家级配套补助) is paid to a carrier once; later ones are repeats.

    The award is the first payment made while the carrier held the recognition it rests on
    (市级 for 能力建设补助, 国家级 for the match). A payment made before that recognition is
    not the award: `recognition_level` / `recognised_carrier` say why it was not allowed, and
    it does not make the payment the carrier was entitled to a repeat.
    """
    carriers = carriers_of(recognitions)
    seen: dict[tuple[str, str], Payment] = {}
    out = []
    for p in sorted((p for p in payments if p.programme in ONE_TIME), key=lambda p: p.order):
        if not carriers.standing(p, GROUND_LEVEL[p.programme]):
            continue
        key = (name_key(p.carrier_name), p.programme)
        first = seen.setdefault(key, p)
        if first is p:
            continue
        b = basis(p, carriers, policy)
        parameter = "; ".join(b.parameters) or (version_ref(b.version) if b.version else "")
        detail = f"{p.programme}为一次性补助,已于 {first.paid_on:%Y-%m-%d} 向该载体拨付(拨付编号 {first.payment_no},{first.source}),本笔为重复拨付"
        out.append(Finding(p, "one_time_once", detail, parameter, b.recognition))
    return out


def amount_matches(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """The amount paid equals the amount the policy in force on the payment date sets.

    Payments whose carrier is unknown (no type to price) or with no policy in force are left to
    the rules that say so.
    """
    carriers = carriers_of(recognitions)
    out = []
    for p in payments:
        b = basis(p, carriers, policy)
        if b.expected is None:
            if b.why_none:
                out.append(Finding(p, "amount_matches", b.why_none, "; ".join(b.parameters) or version_ref(b.version), b.recognition))
            continue
        if p.amount != b.expected:
            diff = p.amount - b.expected
            typ = f"({b.recognition.level}{b.recognition.carrier_type})" if b.recognition and p.programme in ONE_TIME else ""
            detail = f"拨付金额 {_yuan_text(p.amount)}与政策规定的 {_yuan_text(b.expected)}{typ}不符,{'多' if diff > 0 else '少'}{_yuan_text(abs(diff))}"
            out.append(Finding(p, "amount_matches", detail, "; ".join(b.parameters), b.recognition))
    return out


def recognition_window(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A one-time award is for a new recognition: dated within the policy's window, paid in time.

    The recognition it rests on must be on or after `recognised_on_or_after` of the version in
    force on the payment date, and the payment made within `recognition_window_days` of it.
    A district's file may leave either parameter out; that check is then not made.
    """
    carriers = carriers_of(recognitions)
    out = []
    for p in payments:
        version = _in_force(policy, p)
        if p.programme not in ONE_TIME or version is None:
            continue
        rec = grounding(p, carriers)
        if rec is None or rec.recognized_on > p.paid_on:
            continue
        since = version.params.get("recognised_on_or_after")
        if isinstance(since, dt.date) and rec.recognized_on < since:
            detail = f"所依据的{rec}早于本版政策适用的认定起始日 {since:%Y-%m-%d},不属于政策所指的新认定载体"
            out.append(Finding(p, "recognition_window", detail, version.cite("recognised_on_or_after"), rec))
        window = version.params.get("recognition_window_days")
        days = (p.paid_on - rec.recognized_on).days
        if isinstance(window, int) and days > window:
            detail = f"拨付日距所依据的{rec}已 {days} 天,超过政策规定的 {window} 天"
            out.append(Finding(p, "recognition_window", detail, version.cite("recognition_window_days"), rec))
    return out


def _event_keys(p: Payment) -> set[tuple[str, str]]:
    keys = set()
    if p.matter_code:
        keys.add(("code", p.matter_code))
    if p.matter and p.matter.strip():
        keys.add(("text", name_key(p.matter)))
    return keys


def _award_parameter(p: Payment, policy) -> str:
    version = _in_force(policy, p)
    return _cite_category(version, p.category or "") if version else ""


def performance_evidence(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A performance award names the enterprise or event it rewards (事项 or its credit code)."""
    carriers = carriers_of(recognitions)
    return [
        Finding(
            p, "performance_evidence",
            f"绩效奖励({p.category})未写明所奖励的企业或事项(事项与事项统一社会信用代码均为空),无从核实",
            _award_parameter(p, policy), grounding(p, carriers),
        )
        for p in payments
        if p.programme == PERFORMANCE and not _event_keys(p)
    ]


def performance_once(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A performance award is paid once per event: same category and same enterprise (by code or 事项)."""
    carriers = carriers_of(recognitions)
    seen: dict[tuple[str | None, tuple[str, str]], Payment] = {}
    out = []
    for p in sorted((p for p in payments if p.programme == PERFORMANCE), key=lambda p: p.order):
        keys = [(p.category, k) for k in sorted(_event_keys(p))]
        first = next((seen[k] for k in keys if k in seen), None)
        for k in keys:
            seen.setdefault(k, p)
        if first is None:
            continue
        what = p.matter or p.matter_code
        where = "向该载体" if name_key(first.carrier_name) == name_key(p.carrier_name) else f"向「{first.carrier_name}」"
        detail = f"同一事项(「{what}」,{p.category})已于 {first.paid_on:%Y-%m-%d} {where}奖励过(拨付编号 {first.payment_no},{first.source}),本笔为重复奖励"
        out.append(Finding(p, "performance_once", detail, _award_parameter(p, policy), grounding(p, carriers)))
    return out


# Every audit rule, in the order its findings are listed for a payment, with its Chinese title.
RULES: dict[str, tuple[Rule, str]] = {
    "policy_in_force": (policy_in_force, "拨付日有生效政策"),
    "recognised_carrier": (recognised_carrier, "收款方为已认定载体"),
    "recognition_level": (recognition_level, "补助所依据的认定级别与时间"),
    "one_time_once": (one_time_once, "一次性补助不重复拨付"),
    "amount_matches": (amount_matches, "金额与政策规定一致"),
    "recognition_window": (recognition_window, "认定在政策窗口内"),
    "performance_evidence": (performance_evidence, "绩效奖励有事项依据"),
    "performance_once": (performance_once, "同一事项只奖励一次"),
}
RULE_TITLES = {name: title for name, (_, title) in RULES.items()}


def judge(payments: list[Payment], recognitions: list[Recognition], policy) -> dict[int, list[Finding]]:
    """Run every rule; the findings of each payment (by payment id), in rule order. Empty = eligible."""
    found: dict[int, list[Finding]] = {p.id: [] for p in payments}
    carriers = carriers_of(recognitions)
    for rule, _ in RULES.values():
        for f in rule(payments, carriers, policy):
            found[f.payment.id].append(f)
    return found
