"""Random and hostile requests never break the server: no 5xx, no dropped connection, the
server stays healthy and no alert is added or lost. The seed is fixed so a failure repeats."""

from __future__ import annotations

import json
import random
import string
from urllib.parse import quote

import pytest

from http_client import get_json, raw

SEED = 8675309
GET_REQUESTS = 1600
POST_REQUESTS = 400

JUNK_NAMES = ["", "x", "__gt", "rb__", "rb__eq", "rb__gte__gte", "objectid", "OBJECTID", "cone[]", "page[]",
              "a" * 300, "é", "💥", "%00", "ra__gt%00", "candidate.rb", "rb;--", "rb__gte'"]
SQL_BITS = ["' OR 1=1 --", "1; DROP TABLE candidate; --", "1) OR (1=1", "\"", "'", "\\", "1'::text",
            "$1", "%s", "${7*7}", "{{7*7}}", "1 UNION SELECT 1", "NULL", "true", "(select 1)"]
NUMBERS = ["0", "-0", "1", "-1", "0.5", "1e308", "-1e308", "1e309", "1e-400", "9" * 400, "NaN", "nan", "inf",
           "-inf", "Infinity", "0x10", "1_000", "1,5", "1.5.5", "+5", " 5 ", "5 ", "٣", "１", "1e", ".", "-",
           "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616"]
TIMES = ["2018-06-01", "2018-06-01T04:00:00Z", "2018-02-30", "0000-01-01", "9999-12-31T23:59:59.999999Z",
         "2018-06-01T25:00:00", "2018-06-01T04:00:00+99:99", "2018-06-01T04:00:00.", "-2018-06-01", "20180601"]
CONES = ["0,0,1", "359.9999,89.9999,10", "-720,-90,0.0000001", "1e308,0,1", "0,0,1e-320", "1,2,3,4", ",,",
         "nan,nan,nan", "10,20,10.0000001", "0,90,10", "0,-90,10"]
PERCENT_JUNK = ["%", "%%", "%zz", "%G0", "%0", "%C3%28", "%ED%A0%80", "%F0%9F%92", "%FF%FE", "%2", "+", "%2B%2B"]


def random_value(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.25:
        return rng.choice(NUMBERS)
    if pick < 0.35:
        return rng.choice(SQL_BITS)
    if pick < 0.45:
        return rng.choice(TIMES)
    if pick < 0.55:
        return rng.choice(CONES)
    if pick < 0.62:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 30)))
    if pick < 0.70:
        # Any scalar but the surrogates, which UTF-8 cannot carry.
        return "".join(chr(rng.choice([rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x2FFFF)]))
                       for _ in range(rng.randint(1, 8)))
    if pick < 0.74:
        return rng.choice("0123456789abc") * rng.randint(1000, 20000)  # very long
    if pick < 0.85:
        return repr(rng.uniform(-1e6, 1e6))
    return rng.choice(["g", "r", "i", "G", "z", "asc", "desc", "json", "html", "png", "", "1", "1000", "1001"])


def encode(text: str, rng: random.Random) -> str:
    """Percent-encode, sometimes leaving junk escapes in."""
    encoded = quote(text, safe="")
    if rng.random() < 0.1:
        encoded += rng.choice(PERCENT_JUNK)
    return encoded


def random_target(rng: random.Random, names: list[str], ids: list[int]) -> str:
    path = rng.choice(["/", "/", "/", "/", f"/{rng.choice(ids)}/", f"/{rng.choice(ids)}/photometry/",
                       f"/{rng.choice(ids)}/cutout/{rng.choice(['Science', 'Template', 'Difference', 'x'])}/",
                       "/latest/", "/help/", "/health", f"/{quote(rng.choice(NUMBERS))}/", "//", "/./", "/../",
                       "/%2e%2e/", f"/{rng.choice(ids)}/avro/", "/" + rng.choice(PERCENT_JUNK)])
    pairs = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 5, 12])):
        name = rng.choice(names) if rng.random() < 0.8 else rng.choice(JUNK_NAMES)
        value = random_value(rng)
        pairs.append(f"{encode(name, rng)}={encode(value, rng)}")
        if rng.random() < 0.1:  # the same parameter again
            pairs.append(f"{encode(name, rng)}={encode(random_value(rng), rng)}")
    if rng.random() < 0.05:
        pairs.append(rng.choice(["&", "=", "==", "a", "&&&", "=1"]))
    return path + ("?" + "&".join(pairs) if pairs or rng.random() < 0.1 else "")


def random_json(rng: random.Random, depth: int = 0):
    pick = rng.random()
    if depth > 3 or pick < 0.3:
        return rng.choice([None, True, 0, -1, 1e308, 3.5, "", "x", rng.choice(SQL_BITS), rng.choice(NUMBERS),
                           rng.choice(CONES), "é" * 10])
    if pick < 0.6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {rng.choice(["queries", "cone", "rb__gte", "objectId", "x", "", "page"]): random_json(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def random_body(rng: random.Random, names: list[str]) -> bytes:
    pick = rng.random()
    if pick < 0.5:  # well-formed bulk requests with random filters and values
        queries = [{rng.choice(names): rng.choice([random_value(rng)[:100], rng.uniform(-1e3, 1e3), 0, None, [1], {}])
                    for _ in range(rng.randint(0, 3))} for _ in range(rng.randint(0, 12))]
        return json.dumps({"queries": queries}).encode()
    if pick < 0.8:
        return json.dumps(random_json(rng)).encode()
    if pick < 0.9:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
    return b'{"queries": [' * rng.randint(1, 5000)  # deep nesting


@pytest.fixture(scope="module")
def fuzz_inputs(live_server):
    names = [spec["parameter"] for spec in get_json(live_server.url, "/help/")["filters"]]
    names += ["page", "cursor", "sort_value", "sort_order", "format"]
    ids = [row[0] for row in live_server.db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 20")]
    ids += [0, -1, 999999999, 2**63 - 1, 2**63, 2**64 + 1]
    return names, ids


def test_random_requests_never_fail_the_server(live_server, fuzz_inputs):
    names, ids = fuzz_inputs
    rng = random.Random(SEED)
    before = live_server.db.count("candidate")
    failures = []
    for number in range(GET_REQUESTS):
        target = random_target(rng, names, ids)
        method = "HEAD" if rng.random() < 0.05 else "GET"
        headers = {"Accept": "application/json"} if rng.random() < 0.5 else {}
        try:
            response = raw(live_server.port, method, target, headers=headers)
        except Exception as error:  # a dropped connection is a failure too
            failures.append(f"{method} {target[:300]}: {type(error).__name__} {error}")
            continue
        if response.status >= 500:
            failures.append(f"{method} {target[:300]}: {response.status} {response.text[:200]}")
    for number in range(POST_REQUESTS):
        body = random_body(rng, names)
        content_type = rng.choice(["application/json", "text/plain", "application/x-www-form-urlencoded"])
        try:
            response = raw(live_server.port, "POST", "/", body=body,
                           headers={"Content-Type": content_type, "Accept": "application/json"})
        except Exception as error:
            failures.append(f"POST {body[:200]!r}: {type(error).__name__} {error}")
            continue
        if response.status >= 500:
            failures.append(f"POST {body[:200]!r}: {response.status} {response.text[:200]}")
    assert not failures, f"{len(failures)} failures, e.g.:\n" + "\n".join(failures[:20])
    health = raw(live_server.port, "GET", "/health")
    assert health.status == 200
    assert live_server.db.count("candidate") == before
    assert live_server.process.poll() is None


def test_malformed_http_does_not_break_the_server(live_server):
    """Broken request lines and headers, then a normal request still works."""
    import socket

    junk = [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x00\x01\x02\r\n\r\n",
            b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: " + b"b" * 100_000 + b"\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"queries\"",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"]
    for data in junk:
        with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
                reply = sock.recv(200)
            except OSError:
                reply = b""
            if reply.startswith(b"HTTP/"):
                status = int(reply.split()[1])
                assert status < 500 or status in (505,), (data[:60], reply[:100])
    assert raw(live_server.port, "GET", "/health").status == 200


def test_long_request_targets_get_an_answer(live_server):
    """Every request-line length a client plausibly sends gets an HTTP answer promptly: a 400
    for a long value, a 414/431 once the line is too long to hold, never silence or a dropped
    connection. (libmicrohttpd's default 32 kB of connection memory dropped requests of about
    32.6 kB; the server gives connections 256 kB, where the same happens near 256 kB.)"""
    failures = []
    for length in [*range(1_000, 240_001, 7_000), *range(32_000, 33_501, 50)]:
        target = "/?rb__gte=" + "3" * length
        try:
            response = raw(live_server.port, "GET", target, timeout=5)
        except Exception as error:
            failures.append(f"{len(target)} bytes: {type(error).__name__}")
            continue
        if not (response.status == 400 or response.status in (414, 431)):
            failures.append(f"{len(target)} bytes: {response.status}")
    assert not failures, failures
    assert raw(live_server.port, "GET", "/health").status == 200
