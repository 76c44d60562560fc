"""Loading and validating a federation file: every rule and its message."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest

from adapters.contract import AdapterContext, AdapterFactory
from adapters.errors import ConfigError
from adapters.registry import AdapterRegistry, Registered
from gateway.federation import (
    Access,
    Federation,
    FederationError,
    GatewayOptions,
    load_federation,
    parse_federation,
)
from gateway.federation.cities import CITY_KEYS
from gateway.federation.options import GATEWAY_KEYS

SOURCE = "federation.yaml"
BAD_ID = 'city id must be lower-case ASCII: a letter, then letters, digits or "-"'


class FakeAdapter:
    """A test-only adapter kind: checks a ``url`` and a few options like a real one."""

    kind: ClassVar[str] = "fake"
    allowed: ClassVar[tuple[str, ...]] = ("url", "page_size", "headers")

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config = config

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> object:
        for key in config:
            if key not in cls.allowed:
                raise ConfigError(str(key), f"unknown option (allowed: {', '.join(cls.allowed)})")
        url = config.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError("url", "not an http(s) URL")
        headers = config.get("headers", {})
        for name, value in headers.items():
            if not value.startswith("Bearer "):
                # A careless adapter that echoes a value: the loader must hide it.
                raise ConfigError(f"headers.{name}", f"{value!r} is not a bearer token")
        return ("checked", url)

    async def fetch_entities(self, query: object) -> object:
        raise NotImplementedError

    async def aclose(self) -> None:
        pass


class CrashingAdapter(FakeAdapter):
    """A third-party kind whose validation has a bug."""

    kind: ClassVar[str] = "crashing"

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> object:
        raise KeyError("oops")


def registry() -> AdapterRegistry:
    return AdapterRegistry(
        [
            Registered(kind="fake", factory=cast(AdapterFactory, FakeAdapter), origin="tests"),
            Registered(
                kind="crashing", factory=cast(AdapterFactory, CrashingAdapter), origin="tests"
            ),
        ]
    )


CITY = {
    "name": "Malmö",
    "kommunkod": '"1280"',
    "adapter": '{kind: fake, url: "http://127.0.0.1:9108"}',
    "datasets": "{WeatherObserved: {access: public}, "
    'WaterConsumptionObserved: {access: {scopes: ["caap:utility:read", "caap:admin"]}}}',
}
"""A valid city, key by key, each value as YAML."""


def city(**overrides: str | None) -> str:
    """The valid city as indented YAML, some values replaced or added (None drops a key)."""
    values = {**CITY, **overrides}
    return "\n".join(f"    {key}: {value}" for key, value in values.items() if value is not None)


def document(city_yaml: str | None = None, head: str = "", city_id: str = "malmo") -> str:
    body = city_yaml if city_yaml is not None else city()
    return f"{textwrap.dedent(head)}cities:\n  {city_id}:\n{body}\n"


def parse(text: str, env: Mapping[str, str] | None = None) -> Federation:
    return parse_federation(text, SOURCE, registry(), env or {})


def problems(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    with pytest.raises(FederationError) as caught:
        parse(text, env)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


# --- a valid file ---------------------------------------------------------------------


def test_a_minimal_file_loads_into_the_typed_model() -> None:
    federation = parse(document())
    assert list(federation.cities) == ["malmo"]
    malmo = federation.cities["malmo"]
    assert (malmo.id, malmo.name, malmo.kommunkod) == ("malmo", "Malmö", "1280")
    assert malmo.adapter.kind == "fake"
    assert malmo.adapter.options == {"url": "http://127.0.0.1:9108"}
    assert malmo.adapter.config == ("checked", "http://127.0.0.1:9108")
    assert malmo.datasets["WeatherObserved"].access == Access.public_access()
    assert malmo.datasets["WaterConsumptionObserved"].access == Access.any_scope(
        "caap:utility:read", "caap:admin"
    )
    assert malmo.timeout_s is None
    assert federation.auth is None
    assert federation.options == GatewayOptions()
    assert federation.source == SOURCE
    assert federation.timeout_for("malmo") == GatewayOptions().timeout_s


def test_every_optional_section_is_read() -> None:
    head = """\
        auth:
          issuer: https://idp.example.se/realms/caap
          audience: urn:caap:gateway
          jwks_uri: https://idp.example.se/jwks
        gateway:
          timeout_s: 2.5
          deadline_s: 8
          default_page_size: 50
          max_page_size: 500
          max_entities_per_city: 2000
          max_connections_per_city: 4
        """
    federation = parse(document(city(timeout_s="1.5"), head=head))
    assert federation.auth is not None
    assert federation.auth.issuer == "https://idp.example.se/realms/caap"
    assert federation.auth.audience == "urn:caap:gateway"
    assert federation.auth.jwks_uri == "https://idp.example.se/jwks"
    assert federation.options == GatewayOptions(2.5, 8.0, 50, 500, 2000, 4)
    assert federation.cities["malmo"].timeout_s == 1.5
    assert federation.timeout_for("malmo") == 1.5


@pytest.mark.parametrize(
    "issuer", ["http://127.0.0.1:8080/realms/x", "http://localhost/idp", "http://[::1]:9000"]
)
def test_plain_http_issuer_is_allowed_on_this_machine(issuer: str) -> None:
    head = f"auth: {{issuer: '{issuer}', audience: caap}}\n"
    federation = parse(document(head=head))
    assert federation.auth is not None
    assert federation.auth.issuer == issuer


def test_cities_keep_file_order() -> None:
    other = city(kommunkod='"0180"')
    text = f"cities:\n  b:\n{city()}\n  a:\n{other}\n"
    assert list(parse(text).cities) == ["b", "a"]


def test_null_auth_and_gateway_sections_mean_absent() -> None:
    federation = parse(document(head="auth:\ngateway:\n"))
    assert federation.auth is None
    assert federation.options == GatewayOptions()


# --- the file as a whole ------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(FederationError) as caught:
        load_federation(path, registry(), {})
    assert [str(p) for p in caught.value.problems] == [f"{path}: file not found"]


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("cities:\n  malmo:\n    name: Malm\xf6\n".encode("latin-1"))
    with pytest.raises(FederationError) as caught:
        load_federation(path, registry(), {})
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: not UTF-8 text (line 3); save the file as UTF-8"
    ]


def test_load_federation_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "federation.yaml"
    path.write_text(document(), encoding="utf-8")
    federation = load_federation(path, registry(), {})
    assert federation.source == str(path)
    assert federation.cities["malmo"].name == "Malmö"


def test_a_yaml_syntax_error_names_line_and_column() -> None:
    text = "cities:\n  malmo:\n    name: [Malmö\n    kommunkod: '1280'\n"
    [problem] = problems(text)
    assert problem.startswith("federation.yaml: YAML syntax error at line 4, column 14: ")
    assert "while parsing a flow sequence" in problem


def test_a_tab_indent_is_a_syntax_error_with_its_position() -> None:
    [problem] = problems("cities:\n\tmalmo: {}\n")
    assert problem.startswith("federation.yaml: YAML syntax error at line 2, column 1: ")


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n", "~\n"])
def test_an_empty_file(text: str) -> None:
    assert problems(text) == [
        "federation.yaml: the file is empty; it needs at least a cities mapping"
    ]


@pytest.mark.parametrize("text", ["- malmo\n", "just text\n", "42\n"])
def test_a_top_level_that_is_not_a_mapping(text: str) -> None:
    assert problems(text) == [
        "federation.yaml: the top level must be a mapping with keys auth, gateway, audit, cities"
    ]


def test_unknown_top_level_keys_list_the_allowed_ones() -> None:
    assert problems(document() + "citys: {}\n") == [
        "federation.yaml: citys: unknown key (allowed: cities, auth, gateway, audit)"
    ]


def test_cities_is_required() -> None:
    assert problems("gateway: {timeout_s: 1}\n") == ["federation.yaml: cities: missing (required)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cities: {}\n", "must list at least one city"),
        ("cities:\n", "must be a mapping of city id to city"),
        ("cities: [malmo]\n", "must be a mapping of city id to city"),
    ],
)
def test_cities_must_be_a_non_empty_mapping(text: str, message: str) -> None:
    assert problems(text) == [f"federation.yaml: cities: {message}"]


# --- duplicate keys -----------------------------------------------------------------------


def test_duplicate_keys_are_errors_with_their_path_and_lines() -> None:
    text = f"cities:\n  malmo:\n{city()}\n    name: Malmö again\n  malmo:\n{city()}\n"
    assert problems(text) == [
        "federation.yaml: cities.malmo.name: duplicate key (first at line 3, again at line 7)",
        "federation.yaml: cities.malmo: duplicate key (first at line 2, again at line 8)",
    ]


def test_an_alias_is_not_a_duplicate() -> None:
    text = (
        "cities:\n"
        f"  malmo:\n{city(datasets='&ds {WeatherObserved: {access: public}}')}\n"
        "  lund:\n" + city(kommunkod='"1281"', datasets="*ds") + "\n"
    )
    federation = parse(text)
    assert federation.cities["lund"].datasets == federation.cities["malmo"].datasets


# --- cities -------------------------------------------------------------------------------


@pytest.mark.parametrize("city_id", ["Malmo", "malmö", "1malmo", "-malmo", "malmo_c", "'malmo c'"])
def test_a_city_id_is_lower_case_ascii(city_id: str) -> None:
    shown = city_id.strip("'")
    assert problems(document(city_id=city_id)) == [f"federation.yaml: cities.{shown}: {BAD_ID}"]


@pytest.mark.parametrize("city_id", ["malmo", "m", "upplands-vasby", "a2"])
def test_valid_city_ids(city_id: str) -> None:
    assert list(parse(document(city_id=city_id)).cities) == [city_id]


def test_a_city_with_an_unknown_key_lists_the_allowed_ones() -> None:
    assert problems(document(city(kommun="x"))) == [
        f"federation.yaml: cities.malmo.kommun: unknown key (allowed: {', '.join(CITY_KEYS)})"
    ]


@pytest.mark.parametrize("key", ["name", "kommunkod", "adapter", "datasets"])
def test_each_required_city_key(key: str) -> None:
    assert problems(document(city(**{key: None}))) == [
        f"federation.yaml: cities.malmo.{key}: missing (required)"
    ]


def test_a_city_must_be_a_mapping() -> None:
    assert problems(document("    Malmö")) == [
        "federation.yaml: cities.malmo: must be a mapping with keys " + ", ".join(CITY_KEYS)
    ]


@pytest.mark.parametrize("name", ['""', "'  '", "42", "[Malmö]", "~"])
def test_a_name_is_a_non_empty_string(name: str) -> None:
    assert problems(document(city(name=name))) == [
        "federation.yaml: cities.malmo.name: must be a non-empty string"
    ]


@pytest.mark.parametrize("kommunkod", ["1280", "0127", "1281"])
def test_an_unquoted_kommunkod_is_refused_with_a_hint_to_quote_it(kommunkod: str) -> None:
    assert problems(document(city(kommunkod=kommunkod))) == [
        'federation.yaml: cities.malmo.kommunkod: must be a 4-digit string such as "1280" '
        "(quote it: YAML reads an unquoted code as a number)"
    ]


@pytest.mark.parametrize("kommunkod", ['"128"', '"12800"', '"12a0"', '"١٢٨٠"', "true", '""'])
def test_a_kommunkod_is_four_ascii_digits(kommunkod: str) -> None:
    assert problems(document(city(kommunkod=kommunkod))) == [
        'federation.yaml: cities.malmo.kommunkod: must be a 4-digit string such as "1280"'
    ]


def test_two_cities_cannot_share_a_kommunkod() -> None:
    text = f"cities:\n  malmo:\n{city()}\n  lund:\n{city()}\n"
    assert problems(text) == [
        "federation.yaml: cities.lund.kommunkod: same as cities.malmo.kommunkod"
    ]


@pytest.mark.parametrize("timeout", ["0", "-1", "true", '"5"', "[]"])
def test_a_city_timeout_is_a_positive_number(timeout: str) -> None:
    assert problems(document(city(timeout_s=timeout))) == [
        "federation.yaml: cities.malmo.timeout_s: must be a positive number of seconds, "
        "such as 5 or 2.5"
    ]


def test_a_city_timeout_cannot_exceed_the_deadline() -> None:
    assert problems(document(city(timeout_s="12"))) == [
        "federation.yaml: cities.malmo.timeout_s: must be at most gateway.deadline_s (10)"
    ]


def test_a_city_cap_overrides_connections_and_calls_for_that_city_only() -> None:
    head = "gateway: {max_connections_per_city: 4, resilience: {bulkhead: {max_concurrent: 6}}}\n"
    text = document(city(max_concurrent="32"), head) + "  lund:\n" + city(kommunkod='"1281"')
    federation = parse(text)
    assert (federation.connections_for("malmo"), federation.calls_for("malmo")) == (32, 32)
    assert (federation.connections_for("lund"), federation.calls_for("lund")) == (4, 6)


@pytest.mark.parametrize("cap", ["0", "-1", "2.5", "true", '"8"'])
def test_a_city_cap_is_a_whole_number_of_at_least_1(cap: str) -> None:
    assert problems(document(city(max_concurrent=cap))) == [
        "federation.yaml: cities.malmo.max_concurrent: must be a whole number, 1 or more"
    ]


def test_the_default_cost_limit_allows_two_fan_outs_to_every_city_of_a_large_federation() -> None:
    def many(n: int, head: str = "") -> Federation:
        cities = "".join(
            f"  c{i:03d}:\n" + city(kommunkod=f'"{9000 + i}"') + "\n" for i in range(n)
        )
        return parse(f"{head}cities:\n{cities}")

    assert many(18).options.limits.cost == 5000  # 2 x 50 x 18 = 1,800: the default stands
    assert many(290).options.limits.cost == 2 * 50 * 290
    assert many(290, "gateway: {limits: {cost: 6000}}\n").options.limits.cost == 6000
    assert many(290, "gateway: {limits: {cost_per_city: 10}}\n").options.limits.cost == 5800


# --- adapter ------------------------------------------------------------------------------


def test_an_unknown_adapter_kind_lists_the_known_ones() -> None:
    assert problems(document(city(adapter="{kind: sensorthings, url: 'http://x'}"))) == [
        "federation.yaml: cities.malmo.adapter.kind: unknown adapter kind 'sensorthings' "
        "(known: crashing, fake)"
    ]


def test_an_adapter_needs_a_kind() -> None:
    assert problems(document(city(adapter="{url: 'http://x'}"))) == [
        "federation.yaml: cities.malmo.adapter.kind: missing (required)"
    ]


@pytest.mark.parametrize("adapter", ["fake", "[fake]", "~"])
def test_an_adapter_is_a_mapping(adapter: str) -> None:
    assert problems(document(city(adapter=adapter))) == [
        "federation.yaml: cities.malmo.adapter: must be a mapping of kind and options, "
        "such as {kind: ngsi-ld, url: ...}"
    ]


@pytest.mark.parametrize(
    ("adapter", "problem"),
    [
        ("{kind: fake, url: 'ftp://x'}", "cities.malmo.adapter.url: not an http(s) URL"),
        ("{kind: fake}", "cities.malmo.adapter.url: not an http(s) URL"),
        (
            "{kind: fake, url: 'http://x', tenant: t}",
            "cities.malmo.adapter.tenant: unknown option (allowed: url, page_size, headers)",
        ),
        (
            "{kind: crashing, url: 'http://x'}",
            "cities.malmo.adapter: adapter 'crashing' failed to check its options: "
            "KeyError: 'oops'",
        ),
    ],
)
def test_adapter_options_are_checked_by_the_adapter_class(adapter: str, problem: str) -> None:
    assert problems(document(city(adapter=adapter))) == [f"federation.yaml: {problem}"]


# --- datasets -----------------------------------------------------------------------------


@pytest.mark.parametrize("datasets", ["{}", "[WeatherObserved]", "public"])
def test_datasets_map_at_least_one_entity_type(datasets: str) -> None:
    assert problems(document(city(datasets=datasets))) == [
        "federation.yaml: cities.malmo.datasets: must map at least one entity type "
        "(such as WeatherObserved) to its access"
    ]


@pytest.mark.parametrize("name", ["Weather Observed", "1Weather", "'https://x/T'", "42"])
def test_a_dataset_is_named_by_an_entity_type(name: str) -> None:
    shown = name.strip("'")
    assert problems(document(city(datasets=f"{{{name}: {{access: public}}}}"))) == [
        f"federation.yaml: cities.malmo.datasets.{shown}: not an entity type name "
        "such as WeatherObserved"
    ]


@pytest.mark.parametrize(
    ("dataset", "problem"),
    [
        ("{}", "cities.malmo.datasets.Beach.access: missing (required)"),
        (
            "{access: public, colour: red}",
            "cities.malmo.datasets.Beach.colour: unknown key (allowed: access, cache)",
        ),
        (
            "{access: public, cache: 60}",
            "cities.malmo.datasets.Beach.cache: must be a mapping with keys ttl_s, "
            "stale_while_revalidate_s, stale_if_error_s",
        ),
        (
            "{access: open}",
            'cities.malmo.datasets.Beach.access: must be "public", a grant such as '
            "{scopes: [...]}, or a list of grants",
        ),
        (
            "{access: {role: [x], scopes: [x]}}",
            "cities.malmo.datasets.Beach.access.role: unknown key (allowed: public, scopes, "
            "clients, drop, keep, coarsen_m, older_than_min, aggregate_only, min_group_size, "
            "where)",
        ),
        (
            "{access: {}}",
            "cities.malmo.datasets.Beach.access: say who may read: public: true, scopes, "
            "or clients",
        ),
        (
            "{access: {scopes: []}}",
            "cities.malmo.datasets.Beach.access.scopes: must be a non-empty list of scopes",
        ),
        (
            "{access: {scopes: caap:read}}",
            "cities.malmo.datasets.Beach.access.scopes: must be a list of scopes (any of them) "
            "or {any_of: [...], all_of: [...]}",
        ),
        (
            "{access: {scopes: [ok, 'a b']}}",
            "cities.malmo.datasets.Beach.access.scopes[1]: must be a scope: printable ASCII "
            "without spaces, quotes or backslashes",
        ),
        (
            "{access: {scopes: ['']}}",
            "cities.malmo.datasets.Beach.access.scopes[0]: must be a scope: printable ASCII "
            "without spaces, quotes or backslashes",
        ),
        (
            "{access: {scopes: [7]}}",
            "cities.malmo.datasets.Beach.access.scopes[0]: must be a scope: printable ASCII "
            "without spaces, quotes or backslashes",
        ),
        ("public", "cities.malmo.datasets.Beach: must be a mapping with keys access, cache"),
    ],
)
def test_dataset_access_rules(dataset: str, problem: str) -> None:
    datasets = f"{{WeatherObserved: {{access: public}}, Beach: {dataset}}}"
    assert problems(document(city(datasets=datasets))) == [f"federation.yaml: {problem}"]


# --- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        (
            "{issuer: 'http://idp.example.se', audience: a}",
            "auth.issuer: must use https (http is allowed only for localhost and 127.0.0.1)",
        ),
        ("{issuer: 'idp.example.se', audience: a}", "auth.issuer: not an https URL"),
        ("{issuer: 'ftp://idp.example.se', audience: a}", "auth.issuer: not an https URL"),
        ("{issuer: 'https://', audience: a}", "auth.issuer: not an https URL"),
        ("{issuer: 'https://[::1', audience: a}", "auth.issuer: not an https URL"),
        ("{issuer: 42, audience: a}", "auth.issuer: must be a non-empty string"),
        ("{issuer: 'https://idp.example.se'}", "auth.audience: missing (required)"),
        ("{audience: a}", "auth.issuer: missing (required)"),
        ("{issuer: 'https://i.se', audience: ''}", "auth.audience: must be a non-empty string"),
        (
            "{issuer: 'https://i.se', audience: a, jwks_uri: 'http://i.se/jwks'}",
            "auth.jwks_uri: must use https (http is allowed only for localhost and 127.0.0.1)",
        ),
        (
            "{issuer: 'https://i.se', audience: a, client_secret: x}",
            "auth.client_secret: unknown key (allowed: issuer, audience, jwks_uri, introspection)",
        ),
        (
            "[https://i.se]",
            "auth: must be a mapping with keys issuer, audience, jwks_uri, introspection",
        ),
    ],
)
def test_auth_rules(auth: str, problem: str) -> None:
    assert problems(document(head=f"auth: {auth}\n")) == [f"federation.yaml: {problem}"]


# --- gateway ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gateway", "problem"),
    [
        (
            "{timeout: 5}",
            f"gateway.timeout: unknown key (allowed: {', '.join(GATEWAY_KEYS)})",
        ),
        (
            "{timeout_s: 0}",
            "gateway.timeout_s: must be a positive number of seconds, such as 5 or 2.5",
        ),
        (
            "{deadline_s: -3}",
            "gateway.deadline_s: must be a positive number of seconds, such as 5 or 2.5",
        ),
        ("{default_page_size: 2.5}", "gateway.default_page_size: must be a positive whole number"),
        (
            "{max_connections_per_city: 0}",
            "gateway.max_connections_per_city: must be a positive whole number",
        ),
        (
            "{max_entities_per_city: true}",
            "gateway.max_entities_per_city: must be a positive whole number",
        ),
        ("{max_page_size: 1001}", "gateway.max_page_size: must be at most 1000"),
        ("{default_page_size: 2000}", "gateway.default_page_size: must be at most 1000"),
        ("{timeout_s: 20}", "gateway.timeout_s: must be at most deadline_s (10)"),
        ("{deadline_s: 2}", "gateway.deadline_s: must be at least timeout_s (5)"),
        ("{timeout_s: 6, deadline_s: 3}", "gateway.timeout_s: must be at most deadline_s (3)"),
        ("{max_page_size: 50}", "gateway.max_page_size: must be at least default_page_size (100)"),
        (
            "{default_page_size: 200, max_page_size: 150}",
            "gateway.default_page_size: must be at most max_page_size (150)",
        ),
        (
            "{max_entities_per_city: 500}",
            "gateway.max_entities_per_city: must be at least max_page_size (1000)",
        ),
        (
            "[1]",
            "gateway: must be a mapping with keys " + ", ".join(GATEWAY_KEYS),
        ),
    ],
)
def test_gateway_rules(gateway: str, problem: str) -> None:
    assert problems(document(head=f"gateway: {gateway}\n")) == [f"federation.yaml: {problem}"]


def test_a_wrong_limit_is_not_also_compared_with_the_others() -> None:
    assert problems(document(head="gateway: {timeout_s: 0, deadline_s: 0.5}\n")) == [
        "federation.yaml: gateway.timeout_s: must be a positive number of seconds, such as 5 or 2.5"
    ]


# --- interpolation --------------------------------------------------------------------------


def test_references_are_resolved_from_env() -> None:
    adapter = "{kind: fake, url: 'http://${SIM_HOST:-127.0.0.1}:${MALMO_PORT}'}"
    federation = parse(document(city(adapter=adapter)), env={"MALMO_PORT": "9108"})
    assert federation.cities["malmo"].adapter.options["url"] == "http://127.0.0.1:9108"


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAAP_TEST_MALMO_URL", "https://broker.malmo.example")
    adapter = "{kind: fake, url: '${CAAP_TEST_MALMO_URL}'}"
    federation = parse_federation(document(city(adapter=adapter)), SOURCE, registry())
    assert federation.cities["malmo"].adapter.options["url"] == "https://broker.malmo.example"


def test_an_unset_variable_names_the_key_and_the_variable_only() -> None:
    adapter = "{kind: fake, url: 'http://${MALMO_HOST}:9108'}"
    assert problems(document(city(adapter=adapter))) == [
        "federation.yaml: cities.malmo.adapter.url: environment variable MALMO_HOST is not set "
        "(give a default: ${MALMO_HOST:-...})"
    ]


def test_l9_a_reference_outside_credential_and_address_fields_is_refused() -> None:
    """Finding L9: any environment variable could be interpolated into any string."""
    env = {"KOD": "1280", "NAME": "Malmö"}
    assert problems(document(city(kommunkod='"${KOD}"', name="${NAME}")), env=env) == [
        "federation.yaml: cities.malmo.name: takes no ${...} reference "
        "(only credential and address fields do)",
        "federation.yaml: cities.malmo.kommunkod: takes no ${...} reference "
        "(only credential and address fields do)",
    ]


def test_l9_an_address_takes_no_secret() -> None:
    """Finding L9: a secret interpolated into a URL is sent to that URL (caap check probes it)."""
    credentials = "credentials: {api_key: {header: X-Key, value: '${MALMO_API}'}}"
    for url, variable in (
        ("http://evil.example/${AWS_SECRET_ACCESS_KEY}", "AWS_SECRET_ACCESS_KEY"),
        ("http://evil.example/${MALMO_API}", "MALMO_API"),  # a credential field's variable
    ):
        adapter = f"{{kind: fake, url: '{url}', {credentials}}}"
        env = {"AWS_SECRET_ACCESS_KEY": "s3cr3t", "MALMO_API": "k3y"}
        found = problems(document(city(adapter=adapter)), env=env)
        expected = (
            f"federation.yaml: cities.malmo.adapter.url: ${{{variable}}} looks like a secret: "
            "an address takes no secret (put secrets in credential fields)"
        )
        assert expected in found
        assert all("s3cr3t" not in p and "k3y" not in p for p in found)


def test_l9_addresses_and_credentials_take_references() -> None:
    """Finding L9: the fields that take ${VAR} still do."""
    adapter = (
        "{kind: fake, url: 'http://${MALMO_HOST}:9108', "
        "headers: {Authorization: 'Bearer ${MALMO_TOKEN}'}}"
    )
    env = {"MALMO_HOST": "127.0.0.1", "MALMO_TOKEN": "k"}
    federation = parse(document(city(adapter=adapter)), env=env)
    assert federation.cities["malmo"].adapter.options["url"] == "http://127.0.0.1:9108"


def test_an_escaped_reference_stays_literal() -> None:
    federation = parse(document(city(name="'Malmö $${not-a-ref}'")))
    assert federation.cities["malmo"].name == "Malmö ${not-a-ref}"


def test_keys_are_not_interpolated() -> None:
    assert problems(document(city_id="${CITY}"), env={"CITY": "malmo"}) == [
        "federation.yaml: cities.${CITY}: city id must be lower-case ASCII: "
        'a letter, then letters, digits or "-"'
    ]


def test_interpolated_values_never_appear_in_messages() -> None:
    secret = "hunter2-very-secret"
    adapter = "{kind: fake, url: 'http://x', headers: {Authorization: '${MALMO_TOKEN}'}}"
    found = problems(document(city(adapter=adapter)), env={"MALMO_TOKEN": secret})
    assert found == [
        "federation.yaml: cities.malmo.adapter.headers.Authorization: '***' is not a bearer token"
    ]
    assert all(secret not in problem for problem in found)


def test_an_interpolated_value_is_hidden_even_inside_a_longer_message() -> None:
    adapter = "{kind: fake, url: 'https://api.example.se', headers: {X-Key: 'k-${KEY}'}}"
    [problem] = problems(document(city(adapter=adapter)), env={"KEY": "abcd1234"})
    assert "abcd1234" not in problem
    assert problem.endswith("'k-***' is not a bearer token")


# --- everything at once ---------------------------------------------------------------------


def test_all_problems_are_collected_in_file_order() -> None:
    text = textwrap.dedent(
        """\
        auth: {issuer: 'http://idp.example.se', audience: caap}
        gateway: {timeout_s: -1}
        cities:
          Malmo:
            name: Malmö
            kommunkod: "1280"
            adapter: {kind: fake, url: "http://127.0.0.1:9108"}
            datasets: {WeatherObserved: {access: public}}
          lund:
            name: ""
            kommunkod: 1281
            adapter: {kind: nope}
            datasets: {Beach: {access: {scopes: []}}}
            colour: blue
          helsingborg:
            name: Helsingborg
            kommunkod: "1283"
            adapter: {kind: fake, url: "${HBG_URL}"}
            datasets: {Device: {access: open}}
        extra: 1
        """
    )
    assert problems(text) == [
        f"federation.yaml: {problem}"
        for problem in [
            "auth.issuer: must use https (http is allowed only for localhost and 127.0.0.1)",
            "gateway.timeout_s: must be a positive number of seconds, such as 5 or 2.5",
            f"cities.Malmo: {BAD_ID}",
            "cities.lund.name: must be a non-empty string",
            'cities.lund.kommunkod: must be a 4-digit string such as "1280" '
            "(quote it: YAML reads an unquoted code as a number)",
            "cities.lund.adapter.kind: unknown adapter kind 'nope' (known: crashing, fake)",
            "cities.lund.datasets.Beach.access.scopes: must be a non-empty list of scopes",
            f"cities.lund.colour: unknown key (allowed: {', '.join(CITY_KEYS)})",
            "cities.helsingborg.adapter.url: environment variable HBG_URL is not set "
            "(give a default: ${HBG_URL:-...})",
            'cities.helsingborg.datasets.Device.access: must be "public", a grant such as '
            "{scopes: [...]}, or a list of grants",
            "extra: unknown key (allowed: cities, auth, gateway, audit)",
        ]
    ]
