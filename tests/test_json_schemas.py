"""Every --json output has a JSON Schema (schemas/json/<command words>.schema.json) and fits it.

The objects validated are the real output of the real CLI on a ledger built from the bundled
sample sheets (`ledger demo`), after a void, and of imports accepted, refused and dry-run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from cli_tree import json_commands
from json_schemas import JSON_SCHEMAS, schema_path, validate

from conftest import Ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "imports" / "samples"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Ledger:
    """The demo ledger (every sample sheet imported), shared by the read-only cases."""
    led = Ledger(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    result = led.run("demo", "--json")
    assert result.exit_code == 0, result.output
    validate("demo", json.loads(result.stdout))
    return led


def output(led: Ledger, *args: str, code: int = 0) -> dict:
    result = led.run(*args, "--json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


READ_ONLY_CASES = [
    ("report-summary", ("report", "summary", "--as-of", "2021-12-31")),
    ("report-summary", ("report", "summary", "--month", "2021-10", "--by", "bank,district,grade,month")),
    ("report-summary", ("report", "summary", "--from", "2020-01-01", "--to", "2021-06-30", "--by", "month")),
    ("report-brief", ("report", "brief", "--as-of", "2023-06-30")),
    ("report-brief", ("report", "brief", "--as-of", "2020-06-30", "--unit", "万元")),
    ("report-fund", ("report", "fund", "--as-of", "2023-06-30")),
    ("report-fund", ("report", "fund", "--as-of", "2015-01-01")),
    ("report-leverage", ("report", "leverage", "--as-of", "2023-06-30")),
    ("report-leverage", ("report", "leverage", "--as-of", "2015-01-01")),
    ("report-outstanding", ("report", "outstanding", "--as-of", "2023-06-30", "--by", "loan")),
    ("report-outstanding", ("report", "outstanding", "--as-of", "2023-06-30", "--by", "enterprise")),
    ("report-outstanding", ("report", "outstanding", "--as-of", "2023-06-30", "--by", "bank")),
    ("report-targets", ("report", "targets", "--as-of", "2024-06-30")),
    ("audit-subsidies", ("audit", "subsidies")),
    ("audit-claims", ("audit", "claims")),
    ("audit-claims", ("audit", "claims", "--as-of", "2022-06-30")),
    ("policy-show", ("policy", "show")),
    ("log", ("log",)),
    ("log", ("log", "--batch", "3")),
]


@pytest.mark.parametrize(("name", "args"), READ_ONLY_CASES, ids=[" ".join(a) for _, a in READ_ONLY_CASES])
def test_report_json_fits_its_schema(demo: Ledger, name, args):
    validate(name, output(demo, *args))


def test_void_log_backup_export_json_fit_their_schemas(demo: Ledger, tmp_path):
    led = Ledger(tmp_path / "copy.duckdb")
    shutil.copy(demo.path, led.path)
    validate("void", output(led, "void", "3", "--reason", "农商行重报"))
    ((row,),) = led.sql("SELECT min(id) FROM loans WHERE batch_id <> 3")  # a loan outside the batch just voided
    validate("void", output(led, "void", f"loans:{row}", "--reason", "合同已撤销"))
    log = output(led, "log")
    assert {e["action"] for e in log["entries"]} == {"import", "void"}
    validate("log", log)
    validate("log", output(led, "log", "--batch", "3"))
    validate("backup", output(led, "backup", str(tmp_path / "备份.duckdb")))
    validate("export", output(led, "export", "--parquet", str(tmp_path / "导出"), "--xlsx", str(tmp_path / "导出.xlsx")))


def test_import_json_fits_its_schema_accepted_dry_run_and_refused(ledger: Ledger, tmp_path):
    registry = SAMPLES / "企业名录.xlsx"
    validate("import", output(ledger, "import", str(registry), "--dry-run"))
    validate("import", output(ledger, "import", str(registry)))
    again = output(ledger, "import", str(registry), code=1)
    assert again["refused"] and again["problems"][0]["code"] == "duplicate_file"
    validate("import", again)
    bad = tmp_path / "放款明细.csv"
    bad.write_text("贷款合同编号,统一社会信用代码\nHT-1,not-a-code\n", encoding="utf-8")
    refused = output(ledger, "import", str(bad), "--errors", str(tmp_path / "退回.xlsx"), code=1)
    assert refused["problems"]
    validate("import", refused)


def test_a_schema_refuses_what_the_contract_forbids(demo: Ledger):
    """The schemas are not vacuous: a float amount, a missing key or a bad date is refused."""
    fund = output(demo, "report", "fund", "--as-of", "2023-06-30")
    for broken in (
        {**fund, "capital": 100000000.0},
        {k: v for k, v in fund.items() if k != "balance"},
        {**fund, "as_of": "2023/06/30"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate("report-fund", broken)


@pytest.mark.parametrize("command", json_commands(), ids=lambda c: c.name)
def test_every_command_with_json_has_a_schema(command):
    assert schema_path(command.schema_name).is_file(), f"`ledger {command.name} --json` needs {schema_path(command.schema_name).relative_to(ROOT)}"


def test_every_schema_is_valid_draft_2020_12_and_names_a_command():
    names = {c.schema_name for c in json_commands()}
    files = sorted(JSON_SCHEMAS.glob("*.schema.json"))
    assert files
    for path in files:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        jsonschema.Draft202012Validator.check_schema(schema)
        name = path.name.removesuffix(".schema.json")
        assert name == "defs" or name in names, f"{path.name} names no command that takes --json"
