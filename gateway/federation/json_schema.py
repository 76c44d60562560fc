"""The JSON Schema of the federation file (``federation.schema.json`` beside it, published
as docs/federation.schema.json): for editors, and a second opinion in ``caap check``.

The typed loader stays the judge, with its precise messages; the schema is
checked against a file the loader accepted, so the two cannot drift apart unseen.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_PATH = Path(__file__).with_name("federation.schema.json")


@cache
def federation_schema() -> dict[str, Any]:
    """The schema as a JSON document."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def schema_problems(document: object) -> list[str] | None:
    """``path: message`` for each way ``document`` breaks the schema; None without jsonschema."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return None
    validator = Draft202012Validator(federation_schema())
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
        problems.append(f"{where.lstrip('.') or '(top level)'}: {error.message}")
    return problems


def file_schema_problems(path: str | Path) -> list[str] | None:
    """``schema_problems`` of the YAML file at ``path`` (anchors and aliases resolved)."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return schema_problems(document)
