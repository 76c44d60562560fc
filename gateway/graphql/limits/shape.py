"""The shape of a document, measured before validation: depth, aliases, directives, fields,
root fields, introspection; and fragment cycles.

Fragment spreads count as if expanded, but each fragment is measured once (memoized), so a
document that would expand exponentially is measured in linear time. The walk stops going
deeper than the limits allow, so a deep document costs no more than a shallow one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(slots=True)
class Shape:
    """What a document (or a fragment, relative to where it is spread) selects."""

    depth: int = 0
    """The deepest path outside introspection."""
    introspection_depth: int = 0
    """The deepest path through ``__schema`` or ``__type``."""
    aliases: int = 0
    directives: int = 0
    fields: int = 0
    root_fields: int = 0
    """Fields at the top level (of the deepest operation, for a document)."""
    introspection: bool = False
    cycles: list[str] = field(default_factory=list)
    """Each fragment cycle found, as ``A -> B -> A``."""


class _Walk:
    def __init__(self, document: DocumentNode, cutoff: int) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.cutoff = cutoff
        self.done: dict[str, Shape] = {}
        self.stack: list[str] = []
        self.cycles: list[str] = []

    def selections(self, node: SelectionSetNode, inside: bool, level: int) -> Shape:
        """``node`` at ``level`` (0: its fields are at level 1); ``inside`` introspection."""
        shape = Shape()
        if level >= self.cutoff:  # deeper than any limit: no need to look further
            if inside:
                shape.introspection_depth = level + 1
            else:
                shape.depth = level + 1
            return shape
        for selection in node.selections:
            shape.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                self.field(selection, inside, level, shape)
            elif isinstance(selection, InlineFragmentNode):
                self.add(shape, self.selections(selection.selection_set, inside, level))
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value)
                if part is not None:
                    self.add(shape, self.shift(part, inside, level))
        return shape

    def field(self, node: FieldNode, inside: bool, level: int, shape: Shape) -> None:
        shape.fields += 1
        shape.root_fields += 1
        shape.aliases += node.alias is not None
        here = inside or node.name.value in INTROSPECTION_ROOTS
        shape.introspection |= here
        if here:
            shape.introspection_depth = max(shape.introspection_depth, level + 1)
        else:
            shape.depth = max(shape.depth, level + 1)
        if node.selection_set is not None:
            below = self.selections(node.selection_set, here, level + 1)
            below.root_fields = 0
            self.add(shape, below)

    def fragment(self, name: str) -> Shape | None:
        """The fragment's shape at level 0 outside introspection; None if unknown or cyclic."""
        if name in self.stack:
            cycle = [*self.stack[self.stack.index(name) :], name]
            self.cycles.append(" -> ".join(cycle))
            return None
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None:
            return None
        self.stack.append(name)
        shape = self.selections(definition.selection_set, False, 0)
        shape.directives += len(definition.directives or ())
        self.stack.pop()
        self.done[name] = shape
        return shape

    @staticmethod
    def shift(part: Shape, inside: bool, level: int) -> Shape:
        """A fragment's shape as spread at ``level``; inside introspection every path is one."""
        if inside:
            deepest = max(part.depth, part.introspection_depth)
            depth, introspection = 0, level + deepest if deepest else 0
        else:
            depth = level + part.depth if part.depth else 0
            introspection = level + part.introspection_depth if part.introspection_depth else 0
        return Shape(
            depth=depth,
            introspection_depth=introspection,
            aliases=part.aliases,
            directives=part.directives,
            fields=part.fields,
            root_fields=part.root_fields,
            introspection=inside or part.introspection,
        )

    @staticmethod
    def add(total: Shape, part: Shape) -> None:
        total.depth = max(total.depth, part.depth)
        total.introspection_depth = max(total.introspection_depth, part.introspection_depth)
        total.aliases += part.aliases
        total.directives += part.directives
        total.fields += part.fields
        total.root_fields += part.root_fields
        total.introspection |= part.introspection


def measure(document: DocumentNode, cutoff: int = 64) -> Shape:
    """The shape of every operation of ``document``; paths deeper than ``cutoff`` stop there."""
    walk = _Walk(document, cutoff)
    total = Shape()
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        shape = walk.selections(definition.selection_set, False, 0)
        shape.directives += len(definition.directives or ())
        shape.directives += sum(
            len(v.directives or ()) for v in definition.variable_definitions or ()
        )
        roots = max(total.root_fields, shape.root_fields)
        _Walk.add(total, shape)
        total.root_fields = roots
    total.cycles = walk.cycles
    return total
