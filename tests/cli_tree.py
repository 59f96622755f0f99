"""The real command tree of `ledger` (typer's click commands), walked for the docs and schema tests."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from ledger.cli import app


@dataclass(frozen=True)
class Command:
    """One command a user can type: its words after `ledger`, its options, and its arguments."""

    words: tuple[str, ...]
    options: tuple[str, ...]  # every spelling, e.g. ("--json",)
    arguments: tuple[str, ...]
    is_group: bool

    @property
    def name(self) -> str:
        """`report summary`; the root is `ledger`."""
        return " ".join(self.words) or "ledger"

    @property
    def schema_name(self) -> str:
        """The JSON Schema file of its --json output: the words joined by '-' (`report-summary`)."""
        return "-".join(self.words)


def root():
    """The click command behind `ledger`."""
    return typer.main.get_command(app)


def commands() -> list[Command]:
    """Every command and group of the CLI, the root first, in the order --help lists them."""
    out: list[Command] = []

    def walk(cmd, words: tuple[str, ...]) -> None:
        options = tuple(o for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts))
        arguments = tuple(p.name for p in cmd.params if p.param_type_name == "argument")
        subs = getattr(cmd, "commands", None)
        out.append(Command(words, options, arguments, subs is not None))
        for name, sub in (subs or {}).items():
            if not sub.hidden:
                walk(sub, (*words, name))

    walk(root(), ())
    return out


def json_commands() -> list[Command]:
    """The commands that take --json."""
    return [c for c in commands() if "--json" in c.options]
