"""Strict YAML reading: safe types only, duplicate keys refused, lines kept for ordering."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(slots=True)
class Document:
    """A parsed YAML document, what was wrong with its keys, and the line of each key."""

    data: object
    duplicates: list[tuple[str, int, str]] = field(default_factory=list)
    """``(dotted key, line, message)`` for each key given again in one mapping."""
    lines: dict[str, int] = field(default_factory=dict)
    """The 1-based line of each dotted key (its last occurrence, whose value counts)."""


def read_yaml(text: str) -> Document:
    """Parse one YAML document with the safe types; raises ``yaml.YAMLError`` on a syntax error.

    Duplicate keys are found on the composed node tree (so each comes with its
    path and lines) and reported; the constructed data keeps the last value.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        document = Document(data=None)
        if node is not None:
            _walk(node, "", document, set())
            document.data = loader.construct_document(node)
        return document
    finally:
        loader.dispose()


def describe_error(exc: yaml.YAMLError) -> str:
    """A one-line description with line and column, without quoting the file's text."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = "; ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is not None:
            return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
        return f"YAML syntax error: {what}"
    return f"YAML error: {exc}"


def _walk(node: Node, path: str, document: Document, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: checked where its anchor is
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{path}[{index}]", document, seen)
    elif isinstance(node, MappingNode):
        first_line: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            line = key_node.start_mark.line + 1
            identity = (key_node.tag, key_node.value)
            if identity in first_line:
                message = (
                    f"duplicate key (first at line {first_line[identity]}, again at line {line})"
                )
                document.duplicates.append((child, line, message))
            else:
                first_line[identity] = line
            document.lines[child] = line
            _walk(value_node, child, document, seen)
