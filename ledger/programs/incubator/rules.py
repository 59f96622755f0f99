"""孵化载体补助 audit rules: each a plain function `rule(payments, recognitions, policy) -> list[Finding]`.

Beancount style: a rule judges every payment by the `[[incubator]]` policy version in force on
the payment's date, and each finding names the rule, the parameter in force that day
(`Version.cite`) and the recognition it rests on. A payment with no finding is eligible.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .facts import (
    Payment,
    Recognition,
    basis,
    carriers_of,
    cite_category,
    grounding,
    in_force,
    version_ref,
    yuan_text,
)
from .vocabulary import (
    CAPACITY,
    GROUND_LEVEL,
    MATCH,
    MUNICIPAL,
    NATIONAL,
    ONE_TIME,
    PERFORMANCE,
    SECTION,
    name_key,
)


@dataclass(frozen=True)
class Finding:
    """Why one payment was not allowed: the rule, what is wrong, the parameter in force, the recognition.

    `allowed` is what the policy still allows for the payment despite the finding (an amount
    paid above the policy's figure is allowed up to that figure); None when nothing of it is.
    """

    payment: Payment
    rule: str
    detail: str
    parameter: str = ""
    recognition: Recognition | None = None
    allowed: Decimal | None = None

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]

    @property
    def excess(self) -> Decimal:
        """The part of the payment beyond what the policy allows, by this finding."""
        return self.payment.amount - min(self.allowed, self.payment.amount) if self.allowed is not None else self.payment.amount


Rule = Callable[[list[Payment], list[Recognition], "object"], list[Finding]]


def policy_in_force(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """A payment made on a day no version of the incubator policy was in force was not allowed."""
    versions = policy.versions(SECTION)
    first = f"{SECTION}(最早版本 {versions[0].effective_from:%Y-%m-%d} 起)" if versions else f"{SECTION}(政策文件中没有此节)"
    return [
        Finding(p, "policy_in_force", f"拨付日 {p.paid_on:%Y-%m-%d} 没有生效的孵化载体补助政策", first)
        for p in payments
        if in_force(policy, p) is None
    ]


def recognised_carrier(payments: list[Payment], recognitions: list[Recognition], policy) -> list[Finding]:
    """The recipient is a recognised carrier on the payment date, paid to the operator recognised."""
    carriers = carriers_of(recognitions)
    by_operator: dict[str, set[str]] = defaultdict(set)
    for r in recognitions:
        by_operator[r.operator_code].add(r.carrier_name)
    out = []
    for p in payments:
        version = in_force(policy, p)
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
        version = in_force(policy, p)
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
            detail = f"拨付金额 {yuan_text(p.amount)}与政策规定的 {yuan_text(b.expected)}{typ}不符,{'多' if diff > 0 else '少'}{yuan_text(abs(diff))}"
            out.append(Finding(p, "amount_matches", detail, "; ".join(b.parameters), b.recognition, allowed=b.expected))
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
        version = in_force(policy, p)
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
    version = in_force(policy, p)
    return cite_category(version, p.category or "") if version else ""


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
