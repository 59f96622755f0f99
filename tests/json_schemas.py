"""Validate a command's --json output against its JSON Schema in schemas/json/ (draft 2020-12).

The schemas refer to shared definitions by relative path (`defs.schema.json#/$defs/yuan`), so
they are loaded into one registry under their file URIs, as a tool reading them from disk would.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

JSON_SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "json"


def schema_path(name: str) -> Path:
    """schemas/json/<name>.schema.json, e.g. name `report-summary`."""
    return JSON_SCHEMAS / f"{name}.schema.json"


@functools.cache
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (p.as_uri(), Resource.from_contents(json.loads(p.read_text(encoding="utf-8")), default_specification=DRAFT202012))
        for p in sorted(JSON_SCHEMAS.glob("*.schema.json"))
    )


def validator(name: str):
    """A draft 2020-12 validator of the schema `name`, its relative $refs resolved."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": schema_path(name).as_uri()}, registry=_registry())


def validate(name: str, instance) -> None:
    """Raise jsonschema.ValidationError (the best match) unless `instance` fits the schema `name`."""
    import jsonschema.exceptions

    error = jsonschema.exceptions.best_match(validator(name).iter_errors(instance))
    if error is not None:
        raise error


def validate_def(name: str, instance) -> None:
    """Raise jsonschema.ValidationError unless `instance` fits the shared definition defs.schema.json#/$defs/<name>."""
    from jsonschema import Draft202012Validator

    Draft202012Validator({"$ref": f"{schema_path('defs').as_uri()}#/$defs/{name}"}, registry=_registry()).validate(instance)
