"""Small HTTP client for the API tests: standard library only, no proxies, no exceptions
for 4xx/5xx (the tests look at every status themselves)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

# Requests to the local server must not go through any proxy named in the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def request(url: str, *, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
            timeout: float = 60) -> Response:
    """Send one request through urllib; any status is returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def get(base: str, path: str = "/", params: dict | list | None = None, **kwargs) -> Response:
    """GET base+path?params (params as a dict or a list of pairs)."""
    url = base + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    return request(url, **kwargs)


def get_json(base: str, path: str = "/", params: dict | list | None = None) -> dict:
    """GET with format=json; asserts 200 and returns the decoded body."""
    pairs = [pair for pair in (list(params.items()) if isinstance(params, dict) else list(params or []))
             if pair[0] != "format"]
    response = get(base, path, pairs + [("format", "json")])
    assert response.status == 200, f"GET {path} {pairs} -> {response.status}: {response.text[:500]}"
    assert response.content_type == "application/json", response.headers
    return response.json()


def post_json(base: str, path: str, payload) -> Response:
    """POST a JSON document."""
    return request(base + path, method="POST", body=json.dumps(payload).encode(),
                   headers={"Content-Type": "application/json", "Accept": "application/json"})


def raw(port: int, method: str, target: str, body: bytes | None = None, headers: dict | None = None,
        timeout: float = 30) -> Response:
    """Send a request line exactly as given (urllib would refuse or re-encode junk targets)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read() if method != "HEAD" else b""
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def all_pages(base: str, params: dict | list, use_cursor: bool = True, limit: int = 100) -> list[dict]:
    """Every alert of a listing, following `next` URLs (cursor) or page numbers."""
    results: list[dict] = []
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    page = get_json(base, "/", pairs)
    results += page["results"]
    number = 1
    while page["has_next"] and number < limit:
        number += 1
        if use_cursor:
            response = request(page["next"], headers={"Accept": "application/json"})
            assert response.status == 200, (page["next"], response.status, response.text[:300])
            page = response.json()
        else:
            page = get_json(base, "/", pairs + [("page", number)])
        results += page["results"]
    return results
