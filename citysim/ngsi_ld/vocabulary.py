"""The IRIs a city stored its entities under, and their names in a client's @context.

A city created its entities with one @context (``ContextStyle``): the expanded
type and attribute IRIs are what queries match against, and what answers are
compacted from with the client's context.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from citysim.jsonld import UNIFIED_CONTEXT_URL, TermContext, domain_context_url, term_context
from citysim.settings import ContextStyle
from citysim.world.catalog import BY_TYPE
from citysim.world.model import EntityModel


@dataclass(frozen=True, slots=True)
class Stored:
    """The expanded names of one entity type, as stored by a city."""

    type_iri: str
    iri: Mapping[str, str]
    """Attribute name (as in the Smart Data Models example) -> IRI."""
    name: Mapping[str, str]
    """IRI -> attribute name."""

    def select(self, terms: Iterable[str], ctx: TermContext) -> frozenset[str]:
        """The attribute names that ``terms`` (of ``ctx``) designate; others are left out."""
        return frozenset(self.name[iri] for iri in map(ctx.expand, terms) if iri in self.name)


def storage_context(model: EntityModel, style: ContextStyle) -> TermContext:
    """The @context ``model``'s entities were created with."""
    if style == "unified":
        return term_context(UNIFIED_CONTEXT_URL)
    return term_context(domain_context_url(model.domain))


@functools.cache
def stored(type_name: str, style: ContextStyle) -> Stored:
    """The stored IRIs of ``type_name`` under ``style``."""
    model = BY_TYPE[type_name]
    ctx = storage_context(model, style)
    iri = {spec.name: ctx.expand(spec.name) for spec in model.attributes}
    return Stored(ctx.expand(type_name), iri, {v: k for k, v in iri.items()})


@functools.lru_cache(maxsize=512)
def output_names(
    type_name: str, style: ContextStyle, context_url: str
) -> tuple[str, Mapping[str, str]]:
    """(type, attribute name -> member name) of ``type_name`` compacted with ``context_url``."""
    names = stored(type_name, style)
    ctx = term_context(context_url)
    return ctx.compact(names.type_iri), {k: ctx.compact(v) for k, v in names.iri.items()}
