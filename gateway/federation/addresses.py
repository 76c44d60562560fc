"""Addresses the gateway must never be pointed at: link-local hosts.

169.254.0.0/16 and fe80::/10 are where cloud metadata services answer
(169.254.169.254 hands out instance credentials), never where a city's
platform lives. A platform or catalogue address there is refused when the
file is read, so neither ``caap check`` nor the gateway ever asks it.
Loopback stays allowed: the demo and the tests run their platforms on
127.0.0.1. Only addresses written as IP literals are judged here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit

from gateway.federation.report import Report

_ADDRESS_KEY = re.compile(r"^(url|endpoint)$|_(url|uri)$", re.IGNORECASE)


def report_link_local(report: Report, options: Mapping[str, object], key: str) -> bool:
    """Report every address option of an adapter section that is link-local; True if any."""
    found = False
    for path, url in _addresses(options, key):
        if is_link_local(url):
            report.add(
                path,
                "is a link-local address (169.254.0.0/16 or fe80::/10, where cloud metadata "
                "services answer), never a city's platform",
            )
            found = True
    return found


def is_link_local(url: str) -> bool:
    """Whether ``url``'s host is a link-local IP address (IPv4-mapped IPv6 included)."""
    try:
        host = urlsplit(url.strip()).hostname
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_link_local


def _addresses(value: object, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for name, child in value.items():
            path = f"{key}.{name}"
            if isinstance(child, str) and _ADDRESS_KEY.search(str(name)):
                yield path, child
            else:
                yield from _addresses(child, path)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _addresses(child, f"{key}[{index}]")
