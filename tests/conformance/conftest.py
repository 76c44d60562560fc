"""Known gaps of built-in adapters under the conformance kit, marked until they are closed.

Each entry is a strict xfail: when the adapter is fixed the check passes, the
xfail fails, and the entry must go.
"""

from __future__ import annotations

import pytest

KNOWN_GAPS = {
    "TestRestJson::test_a_failing_platform_gives_a_typed_error[status:429]": (
        "rest-json maps 429 to UpstreamError, not UpstreamUnavailable with retry_after_s"
    ),
    "TestRestJson::test_a_failing_platform_gives_a_typed_error[status:503]": (
        "rest-json does not keep Retry-After in retry_after_s"
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for test, reason in KNOWN_GAPS.items():
            if item.nodeid.endswith(test):
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
