"""Packages of the wheel (the rest of the metadata is in pyproject.toml).

The top-level schemas/ directory is shipped as the package data of `ledger.schemas`, so a
wheel install holds it at ledger/schemas/ (ledger.importing.schema.SCHEMA_DIR finds either).
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["ledger", "ledger.*"]), "ledger.schemas"],
    package_dir={"ledger.schemas": "schemas"},
)
