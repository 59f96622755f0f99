"""District policy parameters as effective-dated data.

Amounts, shares, caps and windows differ by district and change by year, so they are
not constants in code: a district keeps them in a TOML policy file (the shipped default
is `ledger/policies/default.toml`; another file is chosen with `--policy` or
$LEDGER_POLICY). Each section (`risk_fund`, `incubator`, `targets`, …) is a list of
versions, each in force from its `effective_from` until the next one starts; a rule
judges a fact by the version in force on the fact's date, and cites it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import UsageError

DEFAULT_POLICY = Path(__file__).resolve().parent / "policies" / "default.toml"

# Keys of a version that say when and whence, not parameters of a rule.
VERSION_KEYS = ("effective_from", "effective_to", "source", "source_district")


def origin(source: str, district: str) -> str:
    """A source with its district in front, `【江北区】江北区科技企业孵化载体扶持政策`: whose document it is, said plainly."""
    return f"【{district}】{source}" if district else source


@dataclass(frozen=True)
class Version:
    """One version of a section's parameters, in force on [effective_from, effective_to)."""

    section: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str  # the public document the figures come from
    params: dict = field(default_factory=dict)
    source_district: str = ""  # whose document it is (江北区, 黔江区, 重庆市): a policy file may borrow sections

    @property
    def origin(self) -> str:
        """The source with its district in front (see `origin`)."""
        return origin(self.source, self.source_district)

    def money(self, name: str) -> Decimal:
        """A parameter that is an amount in 元 or a share, exactly (TOML strings or numbers)."""
        value = self.params[name]
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise UsageError(f"政策参数 {self.section}.{name} 不是数字: {value!r}", "请检查政策文件。") from None

    @functools.cached_property
    def since(self) -> str:
        """`2019-01-01起`: how a citation dates the version (cached: audits cite it per payment)."""
        return f"{self.effective_from:%Y-%m-%d}起"

    def cite(self, name: str) -> str:
        """How a finding names the parameter in force: `risk_fund.fund_share=0.8(2019-01-01起)`."""
        return f"{self.section}.{name}={self.params[name]}({self.since})"

    def __getitem__(self, name: str):
        return self.params[name]


@dataclass(frozen=True)
class Policy:
    """A district's policy file: its name, where it came from, and its sections' versions."""

    name: str
    path: Path
    sha256: str
    sections: dict[str, tuple[Version, ...]]

    def in_force(self, section: str, day: dt.date) -> Version | None:
        """The version of `section` in force on `day`, or None before the first one."""
        for v in self.sections.get(section, ()):
            if v.effective_from <= day and (v.effective_to is None or day < v.effective_to):
                return v
        return None

    def versions(self, section: str) -> tuple[Version, ...]:
        return self.sections.get(section, ())

    def districts(self) -> str:
        """Whose documents each section's versions come from: `risk_fund 重庆市;incubator 江北区;targets 黔江区`."""
        return ";".join(
            f"{name} {'、'.join(dict.fromkeys(v.source_district or '未注明' for v in versions))}"
            for name, versions in self.sections.items()
        )


def policy_path(explicit: Path | None = None) -> Path:
    """The policy file in use: --policy, else $LEDGER_POLICY, else the shipped default."""
    if explicit:
        return explicit
    env = os.environ.get("LEDGER_POLICY")
    return Path(env) if env else DEFAULT_POLICY


def load_policy(path: Path | None = None) -> Policy:
    """The policy in use (see `policy_path`), read once per file per process."""
    return _load(policy_path(path))


@functools.cache
def _load(path: Path) -> Policy:
    """Read and check a policy file; every section's versions sorted by effective date."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"无法读取政策文件 {path}: {exc}", "政策文件为 UTF-8 编码的 TOML,格式见 ledger/policies/default.toml。") from None
    sections: dict[str, tuple[Version, ...]] = {}
    for name, entries in data.items():
        if not isinstance(entries, list):
            continue
        ordered = sorted(entries, key=lambda e: e.get("effective_from", dt.date.min))
        versions = []
        for i, entry in enumerate(ordered):
            start = entry.get("effective_from")
            if not isinstance(start, dt.date):
                raise UsageError(f"政策文件 {path} 的 [[{name}]] 缺少 effective_from 日期", "例如 effective_from = 2021-01-01")
            end = ordered[i + 1]["effective_from"] if i + 1 < len(ordered) else entry.get("effective_to")
            params = {k: v for k, v in entry.items() if k not in VERSION_KEYS}
            versions.append(Version(name, start, end, entry.get("source", ""), params, entry.get("source_district", "")))
        sections[name] = tuple(versions)
    return Policy(data.get("name", path.stem), path, hashlib.sha256(raw).hexdigest(), sections)
