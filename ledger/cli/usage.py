"""Command-line usage errors in Chinese: an unknown option or command, a missing or bad value.

typer reports these in English inside a box ("No such option: --foo"). Clerks and auditors
read Chinese, and the contract says a usage error is exit 2 with a Chinese message and a hint.
`ChineseUsageGroup` is the top-level command group: it runs the command line the way typer
does and words the usage errors itself; every other outcome (help, exit codes, the commands'
own errors) is left exactly as typer gives it. On a typer without the parts this relies on,
the group is typer's own.
"""

from __future__ import annotations

import re
import sys

from typer import Abort
from typer.core import TyperGroup

try:  # typer ≥ 0.20 vendors click as typer._click
    from typer._click import exceptions as _errors
except ImportError:  # pragma: no cover - older typer: its own (English) messages stay
    _errors = None

_NO_COMMAND = re.compile(r"No such command '(?P<name>[^']*)'\.?(?: Did you mean (?P<close>.*)\?)?")
_NO_VALUE = re.compile(r"Option '(?P<option>[^']+)' does not take a value")
_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)")
_REASONS = (
    (re.compile(r"'(?P<v>.*)' is not a valid integer"), "「{v}」不是整数"),
    (re.compile(r"'(?P<v>.*)' is not a valid float"), "「{v}」不是数字"),
    (re.compile(r"'(?P<v>.*)' is not a valid boolean"), "「{v}」不是 是/否 取值"),
    (re.compile(r"(?:File|Path|Directory) '(?P<v>.*)' does not exist"), "「{v}」不存在"),
    (re.compile(r"(?:File|Path) '(?P<v>.*)' is a directory"), "「{v}」是一个目录"),
    (re.compile(r"'(?P<v>.*)' is not one of (?P<c>.*)\.?"), "「{v}」不是可选值之一: {c}"),
    (re.compile(r"Input should be a valid integer"), "应为整数"),
    (re.compile(r"Input should be a valid (?:number|decimal)"), "应为数字"),
)


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _reason(message: str) -> str:
    """A click/typer reason in Chinese where it is a common one; else the reason as given."""
    for pattern, words in _REASONS:
        m = pattern.search(message)
        if m:
            return words.format(**m.groupdict())
    return message.rstrip(".")


def _name(exc) -> str:
    param = getattr(exc, "param", None)
    if param is not None:
        opts = getattr(param, "opts", None) or []
        if getattr(param, "param_type_name", "") == "option" and opts:
            return f"选项 {max(opts, key=len)}"
        return f"参数 {(getattr(param, 'human_readable_name', '') or param.name or '').upper()}"
    hint = getattr(exc, "param_hint", None)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return f"参数 {hint}" if hint else "参数"


def usage_words(exc) -> str:
    """The Chinese message for one usage error (the hint is `usage_hint`)."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if isinstance(exc, _errors.NoSuchOption):
        close = "、".join(getattr(exc, "possibilities", None) or [])
        return f"没有选项 {exc.option_name}" + (f";是否要用 {close}?" if close else "")
    if isinstance(exc, _errors.MissingParameter):
        return f"缺少{_name(exc)}"
    if isinstance(exc, _errors.BadParameter):
        return f"{_name(exc)} 的取值无效: {_reason(exc.message)}"
    if isinstance(exc, _errors.BadOptionUsage) and "requires an argument" in message:
        return f"选项 {exc.option_name} 需要一个取值"
    m = _NO_VALUE.search(message)
    if m:
        return f"选项 {m.group('option')} 是开关,不带取值(只写 {m.group('option')} 即可)"
    m = _NO_COMMAND.search(message)
    if m:
        close = "、".join(_quoted(m.group("close") or ""))
        return f"没有命令「{m.group('name')}」" + (f";是否要用 {close}?" if close else "")
    m = _EXTRA.search(message)
    if m:
        return f"多余的参数: {m.group('args')}"
    if message.startswith("Missing command"):
        return "缺少命令"
    return f"命令行用法有误: {message}"


def usage_hint(exc) -> str:
    """Where to look: the help of the command the error is about."""
    ctx = getattr(exc, "ctx", None)
    sub = ctx.command_path.split(" ", 1)[1:] if ctx is not None else []  # without the program's own name
    return f"运行 `{' '.join(['ledger', *sub])} --help` 查看用法。"


class ChineseUsageGroup(TyperGroup):
    """typer's top-level group, with usage errors worded in Chinese (exit 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if _errors is None:  # pragma: no cover
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _errors.NoArgsIsHelpError as exc:  # typer has printed the help already
            if not standalone_mode:
                raise
            sys.exit(exc.exit_code)
        except _errors.UsageError as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(f"错误: {usage_words(exc)}\n提示: {usage_hint(exc)}\n")
            sys.exit(exc.exit_code)
        except _errors.ClickException as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(f"错误: {exc.format_message()}\n")
            sys.exit(exc.exit_code)
        except Abort:
            if not standalone_mode:
                raise
            sys.stderr.write("已中止。\n")
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)
