"""Strict YAML reading: safe types only, duplicate keys refused, lines kept for ordering.

The document is bounded before anything walks it: nesting at most ``MAX_DEPTH``
deep (checked on the event stream, so a deep file cannot exhaust the stack,
Finding L8) and at most ``MAX_NODES`` values once every alias is expanded (an
alias bomb is refused instead of walked again and again, Finding M6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.error import Mark
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_DEPTH = 64
"""Mappings and lists nested deeper than this are refused."""
MAX_NODES = 100_000
"""Values in the document with every alias expanded; a federation file has a few thousand."""


class YamlTooLarge(yaml.MarkedYAMLError):
    """The document nests too deeply or expands to too many values."""


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
    _check_depth(text)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        document = Document(data=None)
        if node is not None:
            _check_expanded_size(node)
            _walk(node, "", document, set())
            document.data = loader.construct_document(node)
        return document
    finally:
        loader.dispose()


def describe_error(exc: yaml.YAMLError) -> str:
    """A one-line description with line and column, without quoting the file's text."""
    if isinstance(exc, YamlTooLarge) and exc.problem_mark is not None:
        at = exc.problem_mark
        return f"YAML refused at line {at.line + 1}, column {at.column + 1}: {exc.problem}"
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = "; ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is not None:
            return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
        return f"YAML syntax error: {what}"
    return f"YAML error: {exc}"


def _check_depth(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlTooLarge(
                    problem=f"mappings and lists nest more than {MAX_DEPTH} deep",
                    problem_mark=_mark(event),
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _check_expanded_size(root: Node) -> None:
    """Count the values of ``root`` with aliases expanded, each shared node counted once."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in entered:  # an ancestor of itself
                raise YamlTooLarge(
                    problem="an alias refers to a mapping or list that contains it",
                    problem_mark=_mark(node),
                )
            entered.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        size = 1 + sum(sizes.get(id(child), 0) for child in children)
        if size > MAX_NODES:
            raise YamlTooLarge(
                problem=f"expands to more than {MAX_NODES} values (aliases repeat anchors)",
                problem_mark=_mark(node),
            )
        sizes[id(node)] = size


def _mark(node: Node | CollectionStartEvent) -> Mark | None:
    return node.start_mark if isinstance(node.start_mark, Mark) else None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
