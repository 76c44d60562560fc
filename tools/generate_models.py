"""Write the typed GraphQL models from the Smart Data Models JSON Schemas (ADR 0021).

``python -m tools.generate_models`` (``make models``) reads every
``gateway/graphql/schema/models/sources/<Type>/schema.json`` (with the shared
definitions they ``$ref`` from ``sources/remote/``) and writes
``gateway/graphql/schema/models/generated.py``: per type a node type, a connection,
a typed ``where`` input and a root field. ``--check`` exits 1 when the file differs
from what the schemas give (the test does the same).
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.sdk.models import MODEL_UNITS

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "gateway" / "graphql" / "schema" / "models"
SOURCES = MODELS / "sources"
OUTPUT = MODELS / "generated.py"

GENERIC = frozenset({"id", "type", "location"})
"""Attributes every node has as generic fields (``id``, ``location``) or implies (``type``)."""

BASE_FIELDS = frozenset({"id", "city", "location", "observed_at", "attributes"})

PINNED: Mapping[tuple[str, str], str] = {
    ("AirQualityObserved", "airQualityIndex"): "number",
}
"""Compatibility (ADR 0021): typed fields that existed before generation keep their type.
``airQualityIndex`` was a Float; the schema says integer."""


class SchemaError(Exception):
    """A schema the generator cannot turn into fields; the message names the type."""


@dataclass(frozen=True, slots=True)
class Field:
    """One attribute of a model as a typed field."""

    attribute: str
    """The Smart Data Models name, e.g. ``relativeHumidity``."""
    python: str
    """The Python name, snake_case, e.g. ``relative_humidity``."""
    graphql: str | None
    """The GraphQL name when strawberry's camelCase of ``python`` would be wrong."""
    kind: str
    """number, integer, string, boolean, date-time, enum, texts or json."""
    description: str
    enum: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Model:
    """One Smart Data Models type."""

    name: str
    description: str
    fields: tuple[Field, ...]

    @property
    def snake(self) -> str:
        return snake_case(self.name)


def snake_case(name: str) -> str:
    """``relativeHumidity`` -> ``relative_humidity``, ``uVIndexMax`` -> ``u_v_index_max``,
    ``NO3`` -> ``no3``, ``Cr-III`` -> ``cr_iii``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"[^0-9A-Za-z]+", "_", spaced).strip("_").lower()


def camel_case(snake: str) -> str:
    """What strawberry names a Python field in GraphQL."""
    first, *rest = snake.split("_")
    return first + "".join(part.capitalize() for part in rest)


def enum_member(value: str) -> str:
    """An enum value's GraphQL name: ``blueFlag`` -> ``BLUE_FLAG``."""
    return snake_case(value).upper()


class Resolver:
    """``$ref`` resolution within a schema and into the local copies of the remote documents."""

    def __init__(self, sources: Path) -> None:
        self.sources = sources
        self._documents: dict[str, Any] = {}

    def document(self, url: str) -> Any:
        local = url.rsplit("/", 1)[-1]
        if not url.startswith("https://") or not (self.sources / "remote" / local).is_file():
            raise SchemaError(f"$ref to {url}: no local copy in sources/remote/")
        if local not in self._documents:
            self._documents[local] = json.loads((self.sources / "remote" / local).read_text())
        return self._documents[local]

    def resolve(self, node: Any, base: Any) -> tuple[Any, Any]:
        """``node`` with its ``$ref`` followed (siblings of ``$ref`` win), and its document."""
        while isinstance(node, dict) and "$ref" in node:
            url, _, pointer = node["$ref"].partition("#")
            document = self.document(url) if url else base
            target = document
            for part in filter(None, pointer.split("/")):
                target = target[part]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node, base = {**target, **siblings}, document
        return node, base

    def properties(self, schema: Any, base: Any) -> dict[str, Any]:
        """Every property of ``schema`` and of its ``allOf`` parts, in order, resolved."""
        schema, base = self.resolve(schema, base)
        found: dict[str, Any] = {}
        for part in schema.get("allOf", ()):
            found.update(self.properties(part, base))
        for name, value in schema.get("properties", {}).items():
            found[name] = self.resolve(value, base)[0]
        return found


def kind_of(model: str, attribute: str, spec: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The field kind of a property, and its enum values for kind ``enum``."""
    pinned = PINNED.get((model, attribute))
    if pinned is not None:
        return pinned, ()
    alternatives = spec.get("oneOf") or spec.get("anyOf")
    if alternatives and "type" not in spec:
        kinds = {kind_of(model, attribute, alt)[0] for alt in alternatives}
        if kinds == {"string"} or kinds == {"number"}:
            return kinds.pop(), ()
        return "json", ()
    match spec.get("type"):
        case "number":
            return "number", ()
        case "integer":
            return "integer", ()
        case "boolean":
            return "boolean", ()
        case "string" if spec.get("format") == "date-time":
            return "date-time", ()
        case "string" if spec.get("enum"):
            values = tuple(str(v) for v in spec["enum"])
            members = [enum_member(v) for v in values]
            valid = all(re.fullmatch(r"[A-Z_][A-Z0-9_]*", m) for m in members)
            return (
                ("enum", values) if valid and len(set(members)) == len(members) else ("string", ())
            )
        case "string":
            return "string", ()
        case "array" if spec.get("items", {}).get("type") == "string":
            return "texts", ()
    return "json", ()


def clean(description: str) -> str:
    """A schema description without the NGSI kind prefix and ``Model:'...'`` references."""
    text = re.sub(r"^(Property|Relationship|GeoProperty)\.\s*", "", description.strip())
    text = re.sub(r"Model:\s*'[^']*'\.?\s*", "", text)
    text = re.sub(r"Units?:\s*'[^']*'\.?\s*", "", text)
    text = re.sub(r"Enum:\s*'[^']*'\.?\s*", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if not text or text.endswith(".") else text + "."


def describe(model: str, attribute: str, spec: Mapping[str, Any], enum: tuple[str, ...]) -> str:
    """The field's description: the schema's words, its range, the gateway's unit."""
    parts = [clean(str(spec.get("description", ""))) or f"Smart Data Models `{attribute}`."]
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None and high is not None:
        parts.append(f"Range: {low}..{high}.")
    unit = MODEL_UNITS.get(model, {}).get(attribute)
    found = re.search(r"Units?:\s*'([^']*)'", str(spec.get("description", "")))
    stated = found.group(1).strip() if found else None
    if unit == "1":
        unit = "a fraction (1 = 100 %)"
    if unit is not None and stated:
        parts.append(f"Unit: {unit} (schema: {stated}).")
    elif unit is not None or stated:
        parts.append(f"Unit: {unit or stated}.")
    items = spec.get("items", {}).get("enum")
    if items:
        parts.append("One or more of: " + ", ".join(map(str, items)) + ".")
    if enum:
        parts.append("From the values: " + ", ".join(enum) + "; null for any other value.")
    return " ".join(parts)


def read_model(resolver: Resolver, name: str) -> Model:
    """One type's fields from ``sources/<name>/schema.json``."""
    schema = json.loads((resolver.sources / name / "schema.json").read_text())
    fields: list[Field] = []
    seen: dict[str, str] = {}
    for attribute, spec in resolver.properties(schema, schema).items():
        if attribute in GENERIC:
            continue
        kind, enum = kind_of(name, attribute, spec)
        python = snake_case(attribute)
        graphql = None
        if keyword.iskeyword(python) or python in BASE_FIELDS:
            python, graphql = python + "_", camel_case(python)
        if python in seen:
            raise SchemaError(f"{name}: {attribute!r} and {seen[python]!r} both become {python}")
        seen[python] = attribute
        fields.append(
            Field(attribute, python, graphql, kind, describe(name, attribute, spec, enum), enum)
        )
    return Model(name, clean(str(schema.get("description", ""))), tuple(fields))


def read_models(sources: Path = SOURCES) -> tuple[Model, ...]:
    """Every type with a ``schema.json`` under ``sources``, by name."""
    resolver = Resolver(sources)
    names = sorted(p.parent.name for p in sources.glob("*/schema.json"))
    return tuple(read_model(resolver, name) for name in names)


PYTHON_TYPE = {
    "number": "float | None",
    "integer": "int | None",
    "string": "str | None",
    "boolean": "bool | None",
    "date-time": "datetime | None",
    "texts": "list[str] | None",
    "json": "JSON | None",
}
READER = {
    "number": "number",
    "integer": "integer",
    "string": "text",
    "boolean": "boolean",
    "date-time": "date_time",
    "texts": "texts",
    "json": "anything",
}
FILTER = {
    "number": "FloatFilter",
    "integer": "IntFilter",
    "string": "StringFilter",
    "boolean": "BooleanFilter",
    "date-time": "DateTimeFilter",
}

HEADER = '''# ruff: noqa: RUF001
"""GENERATED by ``make models`` (tools/generate_models.py) from the Smart Data Models
JSON Schemas in ``sources/`` (CC-BY-4.0, see sources/ATTRIBUTION.md): do not edit.
The descriptions are the schemas' own words (RUF001: their symbols stay as written).

Per type: the node (generic fields, then one typed field per attribute, named in
snake_case after the model's camelCase name, with the schema's description and the
gateway's unit), its connection, its typed ``where`` and its root field (ADR 0021).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.graphql.schema.convert import connection, geo
from gateway.graphql.schema.inputs import EntityFilter
from gateway.graphql.schema.models.filters import (
    BooleanFilter,
    DateTimeFilter,
    FloatFilter,
    IntFilter,
    StringFilter,
    conditions,
)
from gateway.graphql.schema.models.root import (
    AfterArg,
    FirstArg,
    Info,
    OrderArg,
    typed_answer,
)
from gateway.graphql.schema.models.values import (
    anything,
    boolean,
    date_time,
    integer,
    member,
    number,
    text,
    texts,
)
from gateway.graphql.schema.types import City, CityCoverage, GeoPoint, PageInfo, plain
from gateway.query.merge import Placed


def _base(placed: Placed, cities: Mapping[str, City]) -> dict[str, Any]:
    """The generic fields of every node."""
    e = placed.entity
    return {
        "id": strawberry.ID(e.id),
        "city": cities[placed.city_id],
        "location": geo(e.location),
        "observed_at": e.observed_at,
        "attributes": cast(JSON, plain(e.attributes)),
    }
'''


def literal(text: str, width: int = 64) -> str:
    """A Python string literal (JSON's escaping is valid Python for these texts); a long text
    becomes an implicit concatenation of pieces, so that no line is too long."""
    if len(text) <= width:
        return json.dumps(text, ensure_ascii=False)
    pieces, piece = [], ""
    words = re.split(r"(?<= )", text)
    for word in (w[i : i + width] for w in words for i in range(0, len(w), width)):
        if piece and len(piece) + len(word) > width:
            pieces.append(piece)
            piece = ""
        piece += word
    pieces.append(piece)
    return "(" + " ".join(json.dumps(p, ensure_ascii=False) for p in pieces) + ")"


def enum_name(model: Model, f: Field) -> str:
    return model.name + f.attribute[0].upper() + f.attribute[1:]


def field_type(model: Model, f: Field) -> str:
    return f"{enum_name(model, f)} | None" if f.kind == "enum" else PYTHON_TYPE[f.kind]


def field_line(model: Model, f: Field) -> str:
    name = f", name={literal(f.graphql)}" if f.graphql else ""
    return (
        f"    {f.python}: {field_type(model, f)} = strawberry.field("
        f"description={literal(f.description)}{name})"
    )


def reader(model: Model, f: Field) -> str:
    if f.kind == "enum":
        return f"member({enum_name(model, f)}, a, {literal(f.attribute)})"
    return f"{READER[f.kind]}(a, {literal(f.attribute)})"


def filter_type(model: Model, f: Field) -> str | None:
    if f.kind == "enum":
        return enum_name(model, f) + "Filter"
    return FILTER.get(f.kind)


def render_model(model: Model) -> Iterator[str]:
    """The Python source of one model."""
    for f in model.fields:
        if f.kind != "enum":
            continue
        name = enum_name(model, f)
        yield f"\n\n@strawberry.enum(description={literal(f'{model.name}.{f.attribute} values.')})"
        yield f"class {name}(enum.Enum):"
        for value in f.enum:
            yield f"    {enum_member(value)} = {literal(value)}"
        comparisons = literal(f"Comparisons with {model.name}.{f.attribute}.")
        yield f"\n\n@strawberry.input(description={comparisons})"
        yield f"class {name}Filter:"
        yield f"    eq: {name} | None = None"
        yield f"    ne: {name} | None = None"
        yield f'    in_: list[{name}] | None = strawberry.field(name="in", default=None)'
        yield "    exists: bool | None = None"
    description = f"{model.description} (Smart Data Models {model.name}.)"
    yield f"\n\n@strawberry.type(description={literal(description)})"
    yield f"class {model.name}:"
    yield "    id: strawberry.ID"
    yield "    city: City"
    yield "    location: GeoPoint | None"
    yield "    observed_at: datetime | None = strawberry.field("
    yield '        description="Observation time, UTC."'
    yield "    )"
    yield from (field_line(model, f) for f in model.fields)
    yield "    attributes: JSON = strawberry.field("
    yield '        description="Every attribute as a plain value."'
    yield "    )"

    page = literal(f"A page of {model.name} entities across cities.")
    yield f"\n\n@strawberry.type(description={page})"
    yield f"class {model.name}Connection:"
    yield f"    nodes: list[{model.name}]"
    yield "    page_info: PageInfo"
    yield "    total_count: int | None"
    yield "    coverage: list[CityCoverage]"

    filtered = [f for f in model.fields if filter_type(model, f) is not None]
    where_doc = f"Conditions on {model.name} attributes; every one given must hold."
    yield f"\n\n@strawberry.input(description={literal(where_doc)})"
    yield f"class {model.name}Where:"
    for f in filtered:
        name = f", name={literal(f.graphql)}" if f.graphql else ""
        typed = f"{filter_type(model, f)} | None"
        yield f"    {f.python}: {typed} = strawberry.field(default=None{name})"

    constant = model.snake.upper()
    yield f"\n\n{constant}_WHERE: Mapping[str, str] = {{"
    yield from (f"    {literal(f.python)}: {literal(f.attribute)}," for f in filtered)
    yield "}"
    yield f'"""{model.name}Where field -> Smart Data Models attribute."""'

    yield f"\n\ndef {model.snake}_node(placed: Placed, cities: Mapping[str, City]) -> {model.name}:"
    yield f'    """A {model.name} node."""'
    yield "    a = placed.entity.attributes"
    yield f"    return {model.name}("
    yield "        **_base(placed, cities),"
    yield from (f"        {f.python}={reader(model, f)}," for f in model.fields)
    yield "    )"


def render_root(models: tuple[Model, ...]) -> Iterator[str]:
    """The root fields, one per model, for ``Query`` to inherit."""
    yield "\n\n@strawberry.type"
    yield "class ModelFields:"
    yield '    """The typed root fields: ``weatherObserved``, ``beach``, ..."""'
    for model in models:
        description = (
            f"{model.name} entities across cities, typed, newest observation first; "
            "`where`: conditions on its attributes."
        )
        yield f"\n    @strawberry.field(description={literal(description)})"
        yield f"    async def {model.snake}("
        yield "        self,"
        yield "        info: Info,"
        yield "        filter: EntityFilter | None = None,"
        yield f"        where: {model.name}Where | None = None,"
        yield "        first: FirstArg = None,"
        yield "        after: AfterArg = None,"
        yield "        order_by: OrderArg = None,"
        yield f"    ) -> {model.name}Connection:"
        yield f"        where_conditions = conditions(where, {model.snake.upper()}_WHERE)"
        yield "        answer = await typed_answer("
        yield f"            info, {literal(model.name)}, filter, where_conditions,"
        yield "            first, after, order_by,"
        yield "        )"
        yield "        return connection("
        yield f"            {model.name}Connection, answer, {model.snake}_node, info.context.cities"
        yield "        )"


def render(models: tuple[Model, ...]) -> str:
    """The generated module, formatted by ruff as the project formats its code."""
    lines = [HEADER.rstrip("\n")]
    for model in models:
        lines.extend(render_model(model))
    lines.extend(render_root(models))
    source = "\n".join(lines) + "\n"
    return format_source(source)


def format_source(source: str) -> str:
    """``source`` as ``ruff format`` writes it (ruff is a development dependency)."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and a fixed argument list)
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(OUTPUT), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SchemaError(f"ruff format failed on the generated source: {done.stderr.strip()}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if stale")
    args = parser.parse_args(argv)
    source = render(read_models())
    if args.check:
        if OUTPUT.read_text() != source:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run `make models`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(source)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
