"""The allow-list of persisted documents: a JSON file, sha256 -> GraphQL document.

Two shapes are read: a plain object ``{"<sha256 hex>": "<document>", ...}``, and Apollo's
persisted query manifest ``{"format": "apollo-persisted-query-manifest", "version": 1,
"operations": [{"id": "<sha256 hex>", "body": "<document>", ...}]}``. Every id must be the
SHA-256 of its document (what APQ clients send), so a listed id cannot run another text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from gateway.federation.report import Report

APOLLO_MANIFEST = "apollo-persisted-query-manifest"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(document: str) -> str:
    """The id of ``document``: SHA-256 of its UTF-8 bytes, lower-case hex."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def read_allow_list(report: Report, path: Path, key: str) -> Mapping[str, str]:
    """The documents of the file at ``path``; problems are reported at ``key``."""
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        report.add(key, f"file {path} not found")
        return {}
    except OSError as exc:
        report.add(key, f"file {path} cannot be read: {exc.strerror or exc}")
        return {}
    except orjson.JSONDecodeError as exc:
        report.add(key, f"file {path} is not JSON: {exc}")
        return {}
    pairs = _pairs(report, data, key)
    documents: dict[str, str] = {}
    for name, (sha, body) in pairs.items():
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            report.add(key, f"{name}: the id must be 64 lower-case hex digits (SHA-256)")
        elif not isinstance(body, str) or not body.strip():
            report.add(key, f"{name}: the document must be a non-empty string")
        elif sha256_hex(body) != sha:
            report.add(key, f"{name}: the id is not the SHA-256 of the document")
        else:
            documents[sha] = body
    return documents


def _pairs(report: Report, data: Any, key: str) -> dict[str, tuple[object, object]]:
    """Entry name (for messages) -> (id, document)."""
    if isinstance(data, dict) and data.get("format") == APOLLO_MANIFEST:
        operations = data.get("operations")
        if data.get("version") != 1 or not isinstance(operations, list):
            report.add(key, "an Apollo manifest needs version 1 and a list of operations")
            return {}
        return {
            f"operations[{i}]": (op.get("id"), op.get("body"))
            if isinstance(op, dict)
            else (None, None)
            for i, op in enumerate(operations)
        }
    if isinstance(data, dict):
        return {f"entry {str(sha)[:16]}": (sha, body) for sha, body in data.items()}
    report.add(key, "must hold a JSON object of sha256 -> document, or an Apollo manifest")
    return {}
