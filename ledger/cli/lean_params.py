"""Keep pydantic out of the command line's start-up.

Typer 0.29 converts every option value (even an absent `--db`) through a pydantic
`TypeAdapter`, so any command that takes an option imports pydantic: some 60 ms of each
`ledger report …`, a quarter of the start-up budget. The options of `ledger` are plain
`str`, `int`, `bool`, `Path` and `list[str]`; `install` gives typer a converter that handles those
values directly and hands everything else — and every value it does not take at once, such
as `--batch abc` — to typer's own converter, so the result and any error message are
typer's. Older typer versions (no pydantic, no `typer.core.build_runtime_param`) are left as
they are; so is any parameter with a custom parser, choices, bounds or a file type.
"""

from __future__ import annotations

import re
from pathlib import Path

_INT = re.compile(r"\s*[+-]?\d+\s*")


def _plain(descriptor) -> bool:
    """Whether typer's parameter is one this module converts (plain type, no extra behaviour)."""
    try:
        info = descriptor.parameter_info
        if descriptor.file_annotation is not None or getattr(info, "parser", None) is not None:
            return False
        if descriptor.is_choice or descriptor.is_ranged:
            return False
        if descriptor.annotation is Path:
            return getattr(info, "path_type", None) in (None, Path)
        return descriptor.annotation in (str, int, bool, list[str])
    except AttributeError:  # a typer whose descriptors look otherwise: leave them all to typer
        return False


def install() -> None:
    """Route plain parameters of typer ≥ 0.29 around pydantic; a no-op on typer without it."""
    try:
        from typer import _coercion, core
        from typer._param_types import coerce_cli_path
    except ImportError:
        return
    original = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if original is None or base is None or getattr(original, "_ledger_lean", False):
        return

    class Lean(base):
        """Converts the values it recognises; anything else goes to typer's converter."""

        def _coerce_value(self, value, param, ctx):
            annotation = self.annotation
            if annotation in (str, int, bool) and type(value) is annotation:
                return value
            if annotation is int and isinstance(value, str) and _INT.fullmatch(value):
                return int(value)
            if annotation is Path and isinstance(value, (str, Path)):
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            if annotation == list[str] and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return list(value)
            full = original(_coercion.TypeDescriptor(self.annotation, self.parameter_info, None))
            return full._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor):
        if _plain(descriptor):
            return Lean(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        return original(descriptor)

    build_runtime_param._ledger_lean = True
    core.build_runtime_param = build_runtime_param
