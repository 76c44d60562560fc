"""The limits a document is held to before it is validated: characters, tokens, then its
shape (depth, aliases, directives, fields, root fields, fragment cycles, introspection)."""

from __future__ import annotations

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.validation import MaxIntrospectionDepthRule

from gateway.errors import ErrorCode
from gateway.federation.guards import QueryLimits
from gateway.graphql.limits.refusal import QueryTooComplex, bad_input, over
from gateway.graphql.limits.shape import measure

NO_INTROSPECTION = (
    "introspection is off for anonymous callers in production mode: send a bearer token"
)


def parse_limited(source: str, limits: QueryLimits) -> DocumentNode | GraphQLError:
    """The document of ``source``, or why not (too long, too many tokens, bad syntax)."""
    if len(source) > limits.characters:
        return over("characters", len(source), limits.characters, "characters in the document")
    try:
        return parse(source, max_tokens=limits.tokens)
    except GraphQLError as error:
        if "more than" in error.message and "tokens" in error.message:
            return QueryTooComplex("tokens", f"the document has more than {limits.tokens} tokens")
        if "nested too deeply" in error.message:
            return QueryTooComplex("depth", "the document is nested too deeply")
        return error


def check_shape(
    schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits, restricted: bool
) -> list[GraphQLError]:
    """What is wrong with the shape of ``document``; ``restricted``: no introspection."""
    shape = measure(document, cutoff=max(limits.depth, limits.introspection_depth) + 1)
    errors: list[GraphQLError] = [bad_input(f"fragment cycle: {c}") for c in shape.cycles]
    if restricted and shape.introspection:
        errors.append(
            GraphQLError(NO_INTROSPECTION, extensions={"code": ErrorCode.UNAUTHENTICATED.value})
        )
    counted = (
        ("depth", shape.depth, limits.depth, "depth"),
        (
            "introspection_depth",
            shape.introspection_depth,
            limits.introspection_depth,
            "introspection depth",
        ),
        ("aliases", shape.aliases, limits.aliases, "aliases"),
        ("directives", shape.directives, limits.directives, "directives"),
        ("fields", shape.fields, limits.fields, "fields, fragments expanded"),
        ("root_fields", shape.root_fields, limits.root_fields, "root fields"),
    )
    errors += [over(name, found, most, what) for name, found, most, what in counted if found > most]
    if shape.introspection and not errors:
        nested = validate(schema, document, [MaxIntrospectionDepthRule])
        errors += [QueryTooComplex("introspection_depth", e.message) for e in nested]
    return errors
