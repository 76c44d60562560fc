"""Stored entities as the client asked: compacted with its @context, in one representation.

Normalized, concise or simplified (GS CIM 009 clause 4.5); ``options=sysAttrs`` adds
``createdAt`` / ``modifiedAt``; ``lang`` turns a LanguageProperty into a Property
holding one string and its ``lang`` (clause 4.15); ``datasetId`` keeps only the named
instances (``@none``: the default one); ``pick`` / ``omit`` keep or drop members by
name (``id``, ``type`` and attributes). An attribute with one instance is an object,
with several a list of them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_store import VALUE_MEMBER, StoredEntity
from citysim.ngsi_ld.params import ReadOptions
from citysim.ngsi_ld.projection import leaves

Form = Literal["normalized", "concise", "simplified"]
NO_DATASET = "@none"


@dataclass(frozen=True, slots=True)
class View:
    """How to render: form, system attributes, language, datasets, projection."""

    form: Form = "normalized"
    sys_attrs: bool = False
    lang: str | None = None
    datasets: frozenset[str] | None = None
    attrs: frozenset[str] | None = None
    """Attribute IRIs to keep (None: all)."""
    omit: frozenset[str] = frozenset()
    """Member IRIs (or ``id``/``type``) to drop."""


def render_entity(entity: StoredEntity, ctx: TermContext, view: View) -> dict[str, Any]:
    """The entity compacted with ``ctx``, without ``@context``."""
    out: dict[str, Any] = {}
    if "id" not in view.omit:
        out["id"] = entity.id
    if "type" not in view.omit:
        types = [ctx.compact(t) for t in entity.types]
        out["type"] = types[0] if len(types) == 1 else types
    if entity.scope is not None and "scope" not in view.omit:
        out["scope"] = entity.scope[0] if len(entity.scope) == 1 else entity.scope
    if view.sys_attrs and view.form != "simplified":
        out["createdAt"] = entity.created_at
        out["modifiedAt"] = entity.modified_at
    for iri, instances in entity.attrs.items():
        if (view.attrs is not None and iri not in view.attrs) or iri in view.omit:
            continue
        kept = [i for i in instances if _in_datasets(i, view.datasets)]
        if not kept:
            continue
        rendered = [render_instance(i, ctx, view) for i in kept]
        if view.form == "simplified" and len(rendered) > 1:
            datasets = {
                i.get("datasetId", NO_DATASET): r for i, r in zip(kept, rendered, strict=True)
            }
            out[ctx.compact(iri)] = {"dataset": datasets}
        else:
            out[ctx.compact(iri)] = rendered[0] if len(rendered) == 1 else rendered
    return out


def _in_datasets(instance: dict[str, Any], datasets: frozenset[str] | None) -> bool:
    if datasets is None:
        return True
    return instance.get("datasetId", NO_DATASET) in datasets


def render_instance(instance: dict[str, Any], ctx: TermContext, view: View) -> Any:
    """One attribute instance in the view's form."""
    kind = instance["type"]
    member = VALUE_MEMBER[kind]
    value = instance[member]
    original = member
    if kind == "LanguageProperty" and view.lang is not None:
        kind, member, value, lang = "Property", "value", *_pick_language(value, view.lang)
    else:
        lang = None
    if kind == "VocabProperty":
        value = _compact_vocab(value, ctx)
    if view.form == "simplified":
        if kind in ("LanguageProperty", "VocabProperty", "JsonProperty"):
            return {member: value}
        return value
    out: dict[str, Any] = {"type": kind, member: value}
    if lang is not None:
        out["lang"] = lang
    for key, sub in instance.items():
        if key in ("type", member, original, "lang"):
            continue
        if key in ("createdAt", "modifiedAt"):
            if view.sys_attrs:
                out[key] = sub
        elif isinstance(sub, dict) and "type" in sub and key.startswith(("http", "urn")):
            out[ctx.compact(key)] = render_instance(sub, ctx, view)
        elif key.startswith(("http://", "https://", "urn:")):
            out[ctx.compact(key)] = sub
        else:
            out[key] = sub
    if view.form == "concise":
        out.pop("type")
        if len(out) == 1 and member == "value" and not isinstance(value, dict):
            return value
    return out


def _pick_language(language_map: dict[str, Any], lang: str) -> tuple[Any, str]:
    """The value for the best language of ``lang`` and its tag (clause 4.15, RFC 4647 lookup).

    ``lang`` is a list of language ranges with optional ``;q=`` weights (``fr;q=0.2,nl``);
    tags compare case-insensitively, a range matches a tag it is a prefix of and a longer
    range falls back to its prefixes. Nothing matches (or ``*``): any language.
    """
    for wanted in _ranges(lang):
        if wanted == "*":
            break
        for tag in language_map:
            low = tag.lower()
            if low == wanted or low.startswith(wanted + "-"):
                return language_map[tag], tag
        parts = wanted.split("-")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = "-".join(parts[:cut])
            for tag in language_map:
                if tag.lower() == prefix:
                    return language_map[tag], tag
    if "@none" in language_map:
        return language_map["@none"], "@none"
    first = next(iter(language_map))
    return language_map[first], first


def _ranges(lang: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(lang.split(",")):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if name:
            weighted.append((-weight, position, name.strip().lower()))
    return [name for _, _, name in sorted(weighted)]


def _compact_vocab(value: Any, ctx: TermContext) -> Any:
    if isinstance(value, list):
        return [ctx.compact(v) if isinstance(v, str) else v for v in value]
    return ctx.compact(value) if isinstance(value, str) else value


def project(body: dict[str, Any], read: ReadOptions, ctx: TermContext) -> dict[str, Any]:
    """A rendered entity with ``pick`` / ``omit`` (``ReadOptions``) applied to its members."""
    if read.pick is None and read.omit is None:
        return body
    picked = names_of(read.pick, ctx) if read.pick is not None else None
    omitted = names_of(leaves(read.omit), ctx) if read.omit is not None else frozenset()

    def kept(key: str) -> bool:
        name = key if key in ("id", "type") else ctx.expand(key)
        return key == "@context" or (
            (picked is None or name in picked) and name not in (omitted or ())
        )

    return {k: v for k, v in body.items() if kept(k)}


def with_context(body: dict[str, Any], ctx: TermContext) -> dict[str, Any]:
    """``body`` with the client's ``@context`` (an ``application/ld+json`` answer)."""
    return {**body, "@context": ctx.document if ctx.document is not None else ctx.url}


def names_of(names: Collection[str] | None, ctx: TermContext) -> frozenset[str] | None:
    """Attribute names expanded (``id``, ``type`` kept as they are)."""
    if names is None:
        return None
    return frozenset(n if n in ("id", "type") else ctx.expand(n) for n in names)
