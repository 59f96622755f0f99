"""Declarative import schemas: what each kind of sheet must contain.

A kind (`loans`, `applications`, …) is described by a TOML file in `schemas/import/`:
its table, natural key, and columns with the canonical Chinese header, aliases, type,
whether required, and named checks. Header aliases shared by all kinds live in
`_aliases.toml`; a bank's own spellings come from a mapping file (see `load_mapping`).
This module is pure data: no pandas, so header detection stays cheap.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError, file_format_reason



def _schema_dir() -> Path:
    """Where the import schemas are: inside the package in a wheel install (setup.py ships the
    top-level schemas/ as ledger/schemas/), else schemas/import/ of the source checkout."""
    package = Path(__file__).resolve().parent.parent
    for root in (package / "schemas", package.parent / "schemas"):
        if (root / "import" / "_aliases.toml").is_file():
            return root / "import"
    return package.parent / "schemas" / "import"


SCHEMA_DIR = _schema_dir()

TYPES = {"text", "id", "name", "code", "amount", "date", "rate", "bool", "int", "score"}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a kind: where it goes (`field`), how it is called, typed and checked."""

    field: str
    header: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    """One kind of sheet (放款明细, 贷款申报, …) and the table its rows go to."""

    kind: str
    title: str
    table: str
    programme: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    repeatable: bool = False  # identical rows may legitimately repeat: the key gets an occurrence counter
    headers: dict[str, ColumnSpec] = field(default_factory=dict, compare=False, repr=False)

    @property
    def required(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.required]

    def column(self, field_name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.field == field_name)

    def resolve(self, header: str, extra: dict[str, str] | None = None) -> ColumnSpec | None:
        """The column a normalised, unit-free header names in this kind, if any."""
        if extra and header in extra:
            header = extra[header]
        return self.headers.get(header)


@functools.cache
def common_aliases() -> dict[str, tuple[str, ...]]:
    """Aliases every kind accepts for shared headers such as 统一社会信用代码."""
    with open(SCHEMA_DIR / "_aliases.toml", "rb") as f:
        return {k: tuple(v) for k, v in tomllib.load(f).items()}


def _kind_from_toml(data: dict) -> KindSpec:
    shared = common_aliases()
    columns = []
    for c in data["columns"]:
        if c["type"] not in TYPES:
            raise ValueError(f"{data['kind']}: unknown column type {c['type']!r}")
        aliases = tuple(c.get("aliases", ())) + shared.get(c["header"], ())
        columns.append(
            ColumnSpec(
                field=c["field"],
                header=c["header"],
                type=c["type"],
                required=c.get("required", False),
                aliases=aliases,
                checks=tuple(c.get("checks", ())),
                choices=tuple(c.get("choices", ())),
            )
        )
    headers: dict[str, ColumnSpec] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            headers.setdefault(_base(name), col)
    return KindSpec(
        kind=data["kind"],
        title=data["title"],
        table=data["table"],
        programme=data["programme"],
        key=tuple(data["key"]),
        columns=tuple(columns),
        repeatable=data.get("repeatable", False),
        headers=headers,
    )


def _base(name: str) -> str:
    from .units import header_unit, normalize_header

    return header_unit(normalize_header(name))[0]


@functools.cache
def kinds() -> dict[str, KindSpec]:
    """Every import kind this installation knows, by name, in file order."""
    out = {}
    for path in sorted(SCHEMA_DIR.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        with open(path, "rb") as f:
            spec = _kind_from_toml(tomllib.load(f))
        out[spec.kind] = spec
    return out


def kind(name: str) -> KindSpec:
    """The kind called `name` (its English name or its Chinese title), or a usage error listing them."""
    for spec in kinds().values():
        if name in (spec.kind, spec.title):
            return spec
    known = "、".join(f"{s.kind}({s.title})" for s in kinds().values())
    raise UsageError(f"未知的导入类型: {name}", f"可用的类型: {known}")


def load_mapping(path: Path) -> dict[str, str]:
    """A bank's own header spellings, from a TOML file `[headers] "借款人证件号" = "统一社会信用代码"`.

    Mapped once per bank and reused every month; keys and values are normalised like headers.
    """
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"无法读取表头映射文件 {path}: {file_format_reason(exc)}", "映射文件格式: [headers] 下每行 \"银行表头\" = \"标准表头\"") from None
    headers = data.get("headers", {})
    return {_base(k): _base(v) for k, v in headers.items()}
