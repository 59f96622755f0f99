"""The wheel carries what a non-editable install needs: the top-level schemas/ as ledger/schemas/.

The wheel's layout is built here from the packaging configuration itself (setup.py and
pyproject.toml, read by setuptools): every package's modules and package data copied where
the wheel puts them. `ledger` then runs from that layout, outside the source tree, and must
find its import schemas there. (Building a real wheel needs the build backend from an index;
`pip wheel . --no-deps -w DIR` into a throwaway venv was checked by hand, see docs/design.md.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def distribution():
    """The setuptools Distribution of this project, configured but not built."""
    from setuptools._distutils.core import run_setup

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run_setup(str(ROOT / "setup.py"), stop_after="config")
    finally:
        os.chdir(cwd)


def wheel_layout(dest: Path) -> list[str]:
    """Copy each package's modules and package data to where the wheel holds them; return the data files."""
    dist = distribution()
    data = []
    for package in dist.packages:
        source = ROOT / dist.package_dir.get(package, package.replace(".", "/"))
        target = dest / package.replace(".", "/")
        target.mkdir(parents=True, exist_ok=True)
        for module in source.glob("*.py"):
            shutil.copy(module, target / module.name)
        for pattern in dist.package_data.get(package, []):
            for path in source.glob(pattern):
                (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target / path.relative_to(source))
                data.append(f"{package.replace('.', '/')}/{path.relative_to(source).as_posix()}")
    return data


def test_every_schema_file_is_package_data():
    dist = distribution()
    assert dist.package_dir.get("ledger.schemas") == "schemas"
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "schemas").rglob("*") if p.is_file()}
    data = set()
    for pattern in dist.package_data["ledger.schemas"]:
        data |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "schemas").glob(pattern)}
    assert shipped == data, "files under schemas/ that the wheel would leave out"
    assert any(p.startswith("schemas/import/") for p in data) and any(p.startswith("schemas/json/") for p in data)


def test_ledger_from_the_wheel_layout_finds_its_schemas(tmp_path):
    site = tmp_path / "site"
    data = wheel_layout(site)
    assert "ledger/schemas/import/loans.toml" in data and "ledger/policies/default.toml" in data
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("LEDGER_DB", None)

    def ledger(*args: str) -> subprocess.CompletedProcess:
        code = "import sys; from ledger.cli import main; sys.argv[0] = 'ledger'; main()"
        return subprocess.run([sys.executable, "-c", code, *args], cwd=work, env=env, capture_output=True, text=True, encoding="utf-8")

    where = subprocess.run(
        [sys.executable, "-c", "import ledger.importing.schema as s; print(s.SCHEMA_DIR)"], cwd=work, env=env, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()) == site / "ledger" / "schemas" / "import", where.stderr
    made = ledger("template", "loans", "--out", str(work / "放款模板.xlsx"))
    assert made.returncode == 0 and (work / "放款模板.xlsx").is_file(), made.stderr
    assert ledger("--db", "台账.duckdb", "init").returncode == 0
    imported = ledger("--db", "台账.duckdb", "import", str(ROOT / "imports" / "samples" / "企业名录.xlsx"))
    assert imported.returncode == 0 and "60 行" in imported.stdout, imported.stdout + imported.stderr
