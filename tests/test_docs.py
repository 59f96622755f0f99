"""The docs tell the truth about the CLI (in the manner of sqlite-utils' tests/test_docs.py).

- every command and option of the real command tree has its section in docs/reference.md;
- every `ledger …` line of README.md and docs/*.md parses with the real CLI (nothing runs);
- the README's monthly checklist runs end to end on the bundled sample sheets in a temp dir.

Lines and steps that use commands of branches not yet merged are marked xfail through
PENDING below; the integrator removes an entry once its branch has landed.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_tree import Command, commands, root

from conftest import runner
from ledger.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
REFERENCE = ROOT / "docs" / "reference.md"
SAMPLES = ROOT / "imports" / "samples"

# (command words, option or None) → the branch that brings it. Remove entries as branches land.
PENDING: dict = {}


# ---------------------------------------------------------------- parsing a line


def parse(argv: list[str]):
    """Parse `ledger ARGV…` with the real command tree, down to the leaf command, without running it.

    Returns the words of the command reached. Raises click's UsageError (wrong command, unknown
    option, missing argument, bad value) as the CLI would. `--help` (which every command has, and
    which would print) is taken out first; a line asking for help may stop at a group.
    """
    asks_help = "--help" in argv
    argv = [a for a in argv if a != "--help"]
    cmd = root()
    ctx = cmd.make_context("ledger", argv, resilient_parsing=asks_help)
    words: list[str] = []
    while getattr(cmd, "commands", None) is not None:
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            if asks_help:
                break
            raise AssertionError(f"`ledger {' '.join(argv)}` names no command")
        name, cmd, rest = cmd.resolve_command(ctx, rest)
        words.append(name)
        ctx = cmd.make_context(name, rest, parent=ctx, resilient_parsing=asks_help)
    return tuple(words)


def pending_reason(tokens: list[str]) -> str | None:
    """The branch a line waits for, if it uses a command or option not merged yet."""
    words = tuple(t for t in tokens[:2] if not t.startswith("-"))
    for (cmd_words, option), branch in PENDING.items():
        if words[: len(cmd_words)] == cmd_words and (option is None or option in tokens):
            return f"lands with branch {branch}"
    return None


# ---------------------------------------------------------------- the lines of the docs

FENCE = re.compile(r"^\s*```")
INLINE = re.compile(r"`(ledger [^`]+)`")


def ledger_lines(path: Path) -> list[tuple[str, int, str]]:
    """Every `ledger …` command of a markdown file: in code blocks (a line, `$ ` allowed) and inline code."""
    out = []
    in_code = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            text = line.strip().removeprefix("$ ")
            if text.startswith("ledger "):
                out.append((path.name, number, text))
        elif not line.startswith("#"):  # a heading names a command, it is no command line
            out.extend((path.name, number, m.group(1)) for m in INLINE.finditer(line))
    return out


def doc_lines():
    cases = []
    for path in [README, *DOCS]:
        for name, number, text in ledger_lines(path):
            tokens = shlex.split(text, comments=True)
            reason = pending_reason(tokens[1:])
            marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
            cases.append(pytest.param(tokens, id=f"{name}:{number}", marks=marks))
    return cases


def test_the_docs_hold_ledger_lines():
    assert len(doc_lines()) > 60
    assert {p.id.split(":")[0] for p in doc_lines()} >= {"README.md", "clerk.md", "auditor.md", "reference.md"}


@pytest.mark.parametrize("tokens", doc_lines())
def test_every_ledger_line_in_the_docs_parses(tokens):
    assert tokens[0] == "ledger"
    parse(tokens[1:])


def test_parse_refuses_what_the_cli_refuses():
    from typer._click.exceptions import UsageError

    assert parse(["--db", "巴南.duckdb", "report", "summary", "--month", "2021-10"]) == ("report", "summary")
    assert parse(["--help"]) == () and parse(["report", "--help"]) == ("report",)
    for wrong in (["report", "sumary"], ["import"], ["import", "a.xlsx", "--jsn"], ["log", "--batch", "十二"]):
        with pytest.raises(UsageError):
            parse(wrong)


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_links_between_the_docs_point_at_files_that_exist(path: Path):
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))
    missing = [t for t in targets if "://" not in t and not (path.parent / t).exists()]
    assert targets and missing == []


# ---------------------------------------------------------------- the reference


def reference_sections() -> dict[str, str]:
    """docs/reference.md split at its headings `### `ledger …``: command → the text of its section."""
    sections: dict[str, str] = {}
    current = None
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#{2,4} `(ledger(?: [a-z-]+)*)`", line)
        if m:
            current = m.group(1)
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    return sections


def leaf_or_root(c: Command) -> bool:
    return not c.is_group or not c.words


@pytest.mark.parametrize("command", [c for c in commands() if leaf_or_root(c)], ids=lambda c: c.name)
def test_every_command_and_option_is_in_the_reference(command: Command):
    heading = "ledger" if not command.words else f"ledger {command.name}"
    sections = reference_sections()
    assert heading in sections, f"docs/reference.md has no section ### `{heading}`"
    text = sections[heading]
    for option in command.options:
        assert re.search(rf"`{re.escape(option)}(?![\w-])", text), f"`{heading}`: option {option} not in its section of docs/reference.md"
    for argument in command.arguments:
        assert argument.upper() in text, f"`{heading}`: argument {argument.upper()} not in its section of docs/reference.md"


def test_the_reference_names_no_command_the_cli_lacks():
    known = {"ledger"} | {f"ledger {c.name}" for c in commands() if c.words}
    waiting = {f"ledger {' '.join(w)}" for (w, option), _ in PENDING.items() if option is None}
    assert set(reference_sections()) - known - waiting == set()


def policy_keys(value, prefix="") -> set[str]:
    """Every key of a policy file's TOML, nested ones included (not the category names of a table of amounts)."""
    keys = set()
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(k)
            if not (isinstance(v, dict) and all(isinstance(x, str) for x in v.values())):
                keys |= policy_keys(v)
    elif isinstance(value, list):
        for v in value:
            keys |= policy_keys(v)
    return keys


def test_every_key_of_the_default_policy_is_in_policy_md():
    import tomllib

    from ledger.policy import DEFAULT_POLICY

    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    keys = policy_keys(tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8")))
    assert {"fund_share", "milestones", "hnte", "performance_awards"} <= keys
    assert {k for k in keys if f"`{k}`" not in text} == set()


# ---------------------------------------------------------------- the README's monthly checklist


def checklist() -> dict[int, list[str]]:
    """The README's numbered monthly checklist: step number → its `ledger …` lines, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 每月操作", 1)[1].split("\n## ", 1)[0]
    steps: dict[int, list[str]] = {}
    step = None
    in_code = False
    for line in section.splitlines():
        m = re.match(r"^(\d)\. ", line)
        if m and not in_code:
            step = int(m.group(1))
            steps[step] = []
        elif FENCE.match(line):
            in_code = not in_code
        elif in_code and step and line.strip().startswith("ledger "):
            steps[step].append(line.strip())
    return steps


# Exit codes the checklist expects where not 0: step 1 refuses the bank sheet with a bad
# code, and step 2's first line lists its problems while writing the marked copy.
EXPECTED_EXIT = {(1, 0): 1, (2, 0): 1}

STEP_PENDING: dict = {}


def month_folder(tmp_path: Path) -> None:
    """The month's sheets as a clerk has them: the samples, one bank's sheet with a bad credit
    code (refused, returned, resent as 更正/), and a bank's resubmission with one amount changed (重报/)."""
    from openpyxl import load_workbook

    month = tmp_path / "2021年10月"
    (month / "更正").mkdir(parents=True)
    (month / "重报").mkdir()
    for name in ("企业名录.xlsx", "贷款申报.xlsx", "农商行放款明细.xlsx", "建行放款明细.xlsx", "重庆银行放款明细.xlsx",
                 "风险补偿基金出资.xlsx", "孵化载体认定.xlsx", "补助拨付.xlsx"):
        shutil.copy(SAMPLES / name, month / name)
    shutil.copy(SAMPLES / "建行放款明细.xlsx", month / "更正" / "建行放款明细.xlsx")
    wb = load_workbook(month / "建行放款明细.xlsx")
    wb.active["B3"] = "91500107109TPE3A6X"  # the check character no longer fits
    wb.save(month / "建行放款明细.xlsx")
    wb = load_workbook(SAMPLES / "农商行放款明细.xlsx")
    ws = wb.active
    ws["I4"] = ws["I4"].value + 10  # 放款金额(万元) of the first loan, as the bank corrected it
    for row in ws.iter_rows():
        if any(isinstance(c.value, str) and "合计" in c.value for c in row[:8]):
            row[8].value += 10
    wb.save(month / "重报" / "农商行放款明细.xlsx")


def shell_words(line: str) -> list[str]:
    """The words a POSIX shell hands `ledger` for a line: quotes removed, `*` expanded."""
    out = []
    for word in shlex.split(line, comments=True)[1:]:
        out.extend(sorted(glob.glob(word)) or [word] if "*" in word else [word])
    return out


@pytest.mark.parametrize(
    "upto", [pytest.param(s, id=f"step{s}", marks=pytest.mark.xfail(strict=False, reason=f"lands with branch {r}")) if r else s
             for s, r in ((s, STEP_PENDING.get(s)) for s in range(1, 6))]
)
def test_the_monthly_checklist_runs_on_the_sample_sheets(tmp_path, monkeypatch, upto):
    """Steps 1…upto of the README's checklist, line by line, in a folder holding the month's sheets."""
    steps = checklist()
    assert sorted(steps) == [1, 2, 3, 4, 5] and all(steps.values())
    monkeypatch.chdir(tmp_path)
    for var in ("LEDGER_DB", "LEDGER_POLICY", "LEDGER_MAPPINGS"):
        monkeypatch.delenv(var, raising=False)
    month_folder(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    for step in range(1, upto + 1):
        for i, line in enumerate(steps[step]):
            result = runner.invoke(app, shell_words(line))
            assert result.exit_code == EXPECTED_EXIT.get((step, i), 0), f"step {step}: {line}\n{result.output}"
        if step == 1:
            batches = {e["file_name"]: e["batch_id"] for e in _json("log")["entries"]}
            assert "建行放款明细.xlsx" not in batches  # refused: nothing of it written
        if step == 2:
            assert list(tmp_path.glob("*退回*.xlsx")), "step 2 writes the marked workbook to return"
        if step == 3:
            replaced = re.search(r"--replaces (\d+)", " ".join(steps[3]))
            assert replaced, "step 3 names the batch it replaces"
            (entry,) = [e for e in _json("log")["entries"] if e["batch_id"] == int(replaced.group(1)) and e["action"] == "import"]
            assert entry["file_name"] == "农商行放款明细.xlsx", "the README's batch number is the 农商行 sheet's"
        if step == 4:
            assert list(tmp_path.glob("*会议材料*.xlsx")), "step 4 writes the meeting workbook"
    assert runner.invoke(app, ["verify"]).exit_code == 0


def _json(*args: str) -> dict:
    import json

    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
