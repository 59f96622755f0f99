"""`--help` as a clerk reads it: no `<bool>` beside a switch, every description whole.

typer 0.29 prints a type beside every option, `<bool>` beside switches such as `--json`
that take no value (a clerk reads it as "give a value"), and lays the commands'
descriptions in a column that cuts a long one with … (`registry agains…`) when a run of
Chinese without spaces fills a line. `install` drops the type of switches and folds long
descriptions onto more lines instead of cutting them. typer's help module (which imports
rich) is patched only when help is being printed, so start-up stays as lean as before; a
typer without these parts is left as it is.
"""

from __future__ import annotations

from typer import core


def _switch_has_no_type(original):
    def display_type_rich(self, ctx):
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        return original(self, ctx)

    display_type_rich._ledger_help = True
    return display_type_rich


def _fold_descriptions() -> None:
    """Make typer's command and option descriptions fold onto more lines, never end in …."""
    from typer import rich_utils

    for name in ("_make_command_help", "_get_parameter_help"):
        original = getattr(rich_utils, name, None)
        if original is None or getattr(original, "_ledger_help", False):
            continue

        def folded(*args, _original=original, **kwargs):
            rendered = _original(*args, **kwargs)
            if hasattr(rendered, "overflow"):
                rendered.overflow = "fold"
            for item in getattr(rendered, "renderables", ()):  # an option's help is a Columns of Texts
                if hasattr(item, "overflow"):
                    item.overflow = "fold"
            return rendered

        folded._ledger_help = True
        setattr(rich_utils, name, folded)


def _patched_format_help(original):
    def format_help(self, ctx, formatter):
        try:
            _fold_descriptions()
        except ImportError:  # pragma: no cover - typer without rich help
            pass
        return original(self, ctx, formatter)

    format_help._ledger_help = True
    return format_help


def install() -> None:
    """Patch typer's help rendering (switch types, folded descriptions); a no-op where the parts are missing."""
    option = getattr(core, "TyperOption", None)
    if option is not None and hasattr(option, "display_type_rich") and not getattr(option.display_type_rich, "_ledger_help", False):
        option.display_type_rich = _switch_has_no_type(option.display_type_rich)
    for cls_name in ("TyperCommand", "TyperGroup"):
        cls = getattr(core, cls_name, None)
        if cls is not None and not getattr(cls.format_help, "_ledger_help", False):
            cls.format_help = _patched_format_help(cls.format_help)
