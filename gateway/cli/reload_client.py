"""``caap reload``: ask a running gateway on this host to reload its federation file."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TextIO


def request_reload(base_url: str, out: TextIO) -> int:
    """POST ``/admin/reload`` and print what happened; 0 when applied or unchanged."""
    if not base_url.startswith(("http://", "https://")):
        print(f"caap reload: {base_url!r} is not an http(s) URL", file=out)
        return 2
    url = f"{base_url.rstrip('/')}/admin/reload"
    request = urllib.request.Request(url, method="POST")  # noqa: S310 (http(s) only)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read())
        except ValueError:
            print(f"caap reload: {exc.code} from {url}", file=out)
            return 1
    except urllib.error.URLError as exc:
        print(f"caap reload: cannot reach the gateway at {base_url}: {exc.reason}", file=out)
        return 1
    if "error" in answer:
        print(f"caap reload: {answer['error']}", file=out)
        return 1
    print(f"{answer['source']}: {answer['outcome']}, {answer['cities']} cities", file=out)
    for problem in answer.get("problems", []):
        print(f"  {problem}", file=out)
    return 1 if answer["outcome"] == "rejected" else 0
