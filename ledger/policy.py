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
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import UsageError, os_words
from .policy_spec import FILE_KEYS, SECTIONS, VERSION_KEYS, check_table

DEFAULT_POLICY = Path(__file__).resolve().parent / "policies" / "default.toml"

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


def load_policy(path: Path | None = None, needs: tuple[str, ...] = ()) -> Policy:
    """The policy in use (see `policy_path`), read and checked once per file per process.

    A file that cannot be read, is not TOML, or breaks any rule of `policy_spec` is a
    `UsageError` (exit 2) naming the file and listing every problem; an empty file names
    the sections the command at hand `needs` (all known sections when it names none).
    """
    return _load(policy_path(path), needs)


@functools.cache
def _load(path: Path, needs: tuple[str, ...] = ()) -> Policy:
    raw, data = _read(path)
    problems = _problems(data)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise UsageError(
            f"政策文件 {path} 有 {len(problems)} 处问题:\n{lines}",
            "请按提示改正后重试;各节各参数的写法与含义见内置的 ledger/policies/default.toml(`ledger policy show` 可查看)。",
        )
    sections = {name: _versions(name, entries) for name, entries in data.items() if name in SECTIONS}
    if not sections:
        wanted = needs or tuple(SECTIONS)
        raise UsageError(
            f"政策文件 {path} 中没有任何政策节({'空文件' if not raw.strip() else '只有文件名称等,没有参数'})",
            f"本命令需要的节: {'、'.join(f'[[{n}]]({SECTIONS[n].title})' for n in wanted)};写法见内置的 ledger/policies/default.toml。",
        )
    return Policy(data.get("name", path.stem), path, hashlib.sha256(raw).hexdigest(), sections)


def _read(path: Path) -> tuple[bytes, dict]:
    """The file's bytes and its TOML, or a Chinese `UsageError` saying why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"无法读取政策文件 {path}: {os_words(exc)}", "请检查 --policy 或 $LEDGER_POLICY 所指的文件路径。", detail=str(exc)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"政策文件 {path} 不是 UTF-8 编码(第 {exc.start + 1} 个字节起无法识别)",
            "请用 UTF-8 编码另存该文件(如记事本“另存为”时选择 UTF-8)。",
            detail=str(exc),
        ) from None
    try:
        return raw, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        if where:
            line_no, column = int(where.group(1)), int(where.group(2))
            lines = text.splitlines()
            shown = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
            at = f"第 {line_no} 行第 {column} 列: {shown.strip()!r}"
        else:
            at = "(位置不明)"
        raise UsageError(
            f"政策文件 {path} 不是有效的 TOML,{at}",
            "常见原因: 文字未加引号、引号不成对、键名重复、日期写法不对(应为 2021-01-01,不加引号)。",
            detail=str(exc),
        ) from None


def _problems(data: dict) -> list[str]:
    """Every problem of the file against `policy_spec`, each naming its section, version and key."""
    out = []
    for name, value in data.items():
        if name in SECTIONS:
            if not isinstance(value, list):
                out.append(f"{name}: 应写作 [[{name}]](每个版本一节),而不是 [{name}] 或 {name} = …")
                continue
            out.extend(_section_problems(name, value))
        elif name in FILE_KEYS:
            out.extend(f"{name}: {reason}" for _, reason in FILE_KEYS[name].kind.problems(value))
        else:
            known = "、".join([*FILE_KEYS, *(f"[[{n}]]" for n in SECTIONS)])
            out.append(f"{name}: 未知的节或参数(可用的有: {known};拼写有误的内容不会被当作默认值)")
    return out


def _section_problems(name: str, entries: list) -> list[str]:
    out = []
    keys = {**VERSION_KEYS, **SECTIONS[name].keys}
    previous = None
    for i, entry in enumerate(entries, 1):
        start = entry.get("effective_from") if isinstance(entry, dict) else None
        version = f"[[{name}]] 第 {i} 版" + (f"({start}起)" if isinstance(start, dt.date) else "")
        out.extend(f"{version} {key}: {reason}".replace(" : ", ": ") for key, reason in check_table(entry, keys))
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            continue
        end = entry.get("effective_to")
        if isinstance(end, dt.date) and end <= start:
            out.append(f"{version} effective_to: {end} 不晚于 effective_from,版本不会生效")
        if previous is not None and start <= previous:
            out.append(f"{version} effective_from: {start} 不晚于上一版的 {previous};同一节的各版本须按生效日期从早到晚排列,且日期不得重复")
        previous = start
    return out


def _versions(name: str, entries: list[dict]) -> tuple[Version, ...]:
    """The checked versions of a section, each in force until its effective_to or the next one's start."""
    versions = []
    for i, entry in enumerate(entries):
        following = entries[i + 1]["effective_from"] if i + 1 < len(entries) else None
        end = entry.get("effective_to")
        end = following if end is None or (following is not None and end > following) else end
        params = {k: v for k, v in entry.items() if k not in VERSION_KEYS}
        versions.append(Version(name, entry["effective_from"], end, entry.get("source", ""), params, entry.get("source_district", "")))
    return tuple(versions)
