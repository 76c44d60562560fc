"""The bench's own logic without running anything: wrk's report read from captured output,
the Lua scripts it writes, the table and results file, the requests it sends."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from bench import procfs
from bench.profile import summarise
from bench.queries import direct_spec, filled, graphql_spec
from bench.report import Check, RowResult, markdown, table
from bench.wrk import (
    CITY_SLOT,
    EPOCH_2000,
    RUN_SPAN_S,
    TIME_SLOT,
    RequestSpec,
    SocketErrors,
    WrkError,
    lua_script,
    parse_wrk,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_a_graphql_run_in_milliseconds() -> None:
    result = parse_wrk(fixture("wrk_graphql_post.txt"))
    assert (result.threads, result.connections) == (1, 1)
    assert result.requests == 235
    assert result.duration_s == pytest.approx(2.01)
    assert result.requests_per_s == pytest.approx(116.92)
    assert result.latency_avg_s == pytest.approx(0.00898)
    assert result.latency_max_s == pytest.approx(0.03863)
    assert result.percentiles == pytest.approx({50: 0.00719, 75: 0.01023, 90: 0.01153, 99: 0.03161})
    assert result.p50_s == pytest.approx(0.00719)
    assert result.p99_s == pytest.approx(0.03161)
    assert result.bytes_read == pytest.approx(1.29 * 1024**2)
    assert result.non_2xx == 0
    assert result.errors == SocketErrors()
    assert result.problems() == []


def test_a_platform_run_in_microseconds() -> None:
    result = parse_wrk(fixture("wrk_ngsi_ld_get.txt"))
    assert result.connections == 2
    assert result.requests == 26883
    assert result.requests_per_s == pytest.approx(8958.25)
    assert result.p50_s == pytest.approx(213e-6)
    assert result.percentiles[90] == pytest.approx(243e-6)
    assert result.p99_s == pytest.approx(835e-6)
    assert result.latency_max_s == pytest.approx(4.27e-3)
    assert result.bytes_read == pytest.approx(189.62 * 1024**2)


def test_a_slow_run_in_seconds_with_trailing_blanks() -> None:
    result = parse_wrk(fixture("wrk_big_answer.txt"))
    assert result.requests == 1
    assert result.duration_s == pytest.approx(3.01)
    assert result.p50_s == pytest.approx(1.95)
    assert result.p99_s == pytest.approx(1.95)
    assert result.requests_per_s == pytest.approx(0.33)
    assert result.bytes_read == pytest.approx(631.72 * 1024)


def test_failed_responses_are_a_problem() -> None:
    result = parse_wrk(fixture("wrk_non2xx.txt"))
    assert result.non_2xx == 51751 == result.requests
    assert result.problems() == ["51751 responses were not 2xx/3xx"]


def test_socket_timeouts_are_a_problem() -> None:
    result = parse_wrk(fixture("wrk_timeouts.txt"))
    assert result.errors == SocketErrors(connect=0, read=0, write=0, timeout=8)
    assert result.errors.total == 8
    assert result.p50_s == 0.0  # wrk leaves timed-out requests out of its latencies
    assert result.problems() == ["socket errors: connect 0, read 0, write 0, timeout 8"]


def test_text_that_is_not_a_wrk_report() -> None:
    with pytest.raises(WrkError, match="not a wrk report"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
    without_distribution = "\n".join(
        line for line in fixture("wrk_graphql_post.txt").splitlines() if "%" not in line[:8]
    )
    with pytest.raises(WrkError, match="--latency"):
        parse_wrk(without_distribution)


def test_a_fixed_request_is_formatted_once() -> None:
    spec = RequestSpec("POST", "/graphql", {"Content-Type": "application/json"}, '{"q":"a\\"b"}')
    script = lua_script(spec, run_index=1)
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert 'wrk.path = "/graphql"' in script
    assert r'wrk.body = "{\"q\":\"a\\\"b\"}"' in script
    assert "function request" not in script
    assert "function response" not in script


def test_a_varying_request_is_built_per_request() -> None:
    spec = RequestSpec(
        "POST",
        "/graphql",
        {},
        '{"t":"' + TIME_SLOT + '","c":"' + CITY_SLOT + '"}',
        cities=("malmo", "lund"),
    )
    script = lua_script(spec, run_index=3, stop_after=500)
    assert f"local base = {EPOCH_2000 + 3 * RUN_SPAN_S}" in script
    assert 'local cities = {"malmo", "lund"}' in script
    assert "base + counter)" in script
    assert '"{\\"t\\":\\"" .. t .. "\\",\\"c\\":\\"" .. city .. "\\"}"' in script
    assert "if answered >= 500 then wrk.thread:stop() end" in script
    cycled = lua_script(RequestSpec("GET", "/x?t=" + TIME_SLOT, cycle=1800), run_index=1)
    assert "base + (counter % 1800))" in cycled
    assert "wrk.format(nil, path, nil, nil)" in cycled


def test_non_ascii_is_escaped_for_lua() -> None:
    script = lua_script(RequestSpec("POST", "/graphql", body='{"name":"Malmö"}'), run_index=1)
    assert r"Malm\195\182" in script


def test_the_requests_of_the_rows() -> None:
    spec = graphql_spec(first=20, unique=True, rotate=("malmo", "lund"))
    assert spec.varies
    assert spec.body is not None
    body = orjson.loads(filled(spec.body, time="2001-01-01T00:00:00Z", city="lund"))
    assert body["variables"] == {"first": 20, "t": "2001-01-01T00:00:00Z", "cities": ["lund"]}
    assert 'entities(type: "WeatherObserved"' in body["query"]
    repeated = graphql_spec(first=20, unique=False)
    assert not repeated.varies
    assert repeated.body is not None
    assert orjson.loads(repeated.body)["variables"] == {"first": 20}
    assert filled("@T@") != filled("@T@")  # every single request is new to the caches

    direct = direct_spec("http://127.0.0.1:9101")
    assert direct.method == "GET"
    assert direct.path.startswith("/ngsi-ld/v1/entities?type=WeatherObserved&q=dateObserved")
    assert TIME_SLOT in direct.path
    assert "count=true" in direct.path
    assert direct.headers["Accept"] == "application/json"
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in direct.headers["Link"]


def test_rows_report_pass_fail_and_errors() -> None:
    met = RowResult("B1", "fan-out", "1.05", [Check("", 1.05, "<=", 1.2)])
    missed = RowResult("B2", "overhead", "p50 1.2", [Check("p50", 1.2, "<=", 1.1)])
    info = RowResult("B5", "big result", "p50 900 ms")
    broken = RowResult("B7", "hanging", error="BenchProblem: no answer")
    missed.figure("gateway", "p50 60.0 ms")
    missed.notes.append("Not met because of something.")
    assert [r.status for r in (met, missed, info, broken)] == ["pass", "FAIL", "info", "error"]
    assert missed.target == "p50 <= 1.1"
    assert Check("", 0.4, ">=", 0.5).target_text() == ">= 0.5"
    assert Check("p99", 600.0, "<=", 550.0, " ms").target_text() == "p99 <= 550 ms"

    text = table([met, missed, info, broken])
    lines = text.splitlines()
    assert lines[0].split() == ["row", "benchmark", "measured", "target", "result"]
    assert lines[2].startswith("B1")
    assert lines[2].rstrip().endswith("pass")
    assert lines[3].rstrip().endswith("FAIL")
    assert "error: BenchProblem: no answer" in lines[5]

    md = markdown(
        [met, missed],
        mode="quick",
        facts=[("nproc", "2")],
        load=[("before the run", "CPU 10% busy")],
        method=["wrk, one thread"],
    )
    assert "| B2 | overhead | p50 1.2 | p50 <= 1.1 | FAIL |" in md
    assert "- gateway: p50 60.0 ms" in md
    assert "Not met because of something." in md
    assert "- nproc: 2" in md
    assert "python -m bench --quick" in md


def test_procfs_reads_this_process() -> None:
    assert os.getpid() in procfs.descendants(os.getpid())
    assert procfs.cpu_seconds(os.getpid()) > 0
    memory = procfs.memory(os.getpid())
    assert 0 < memory.rss_kib <= memory.hwm_kib


def test_a_py_spy_profile_is_summarised() -> None:
    summary = summarise(fixture("py_spy_raw.txt"), top=3)
    assert summary.startswith("790 samples")
    own, _, inclusive = summary.partition("Inclusive, gateway and adapter code: ")
    assert "14% value_size (gateway/cache/sizing.py)" in own
    assert "13% to_source_entity (adapters/ngsi_ld/mapping.py)" in own
    assert "53% Upstream._ask (gateway/upstream.py)" in inclusive
    assert "gateway/cli.py" not in inclusive  # the frames every sample shares are left out
    assert summarise("") == "no samples"
