"""What `alertdb serve` does with clients that are slow, greedy, oversize or not who they say:

- a client trickling its request (one header line a second) is cut off at ALERTDB_REQUEST_TIMEOUT,
  where libmicrohttpd's own timeout restarted with every byte;
- one address holds at most ALERTDB_MAX_CONNECTIONS_PER_CLIENT connections (64);
- too many query parameters, a long target or large headers get 414/431 with JSON at once,
  where thousands of parameters hung the connection for 30 s;
- /metrics answers only the addresses of ALERTDB_METRICS_ALLOW (loopback), whatever the path's
  spelling, and not what a proxy forwards;
- the Host header cannot steer the API's links: ALERTDB_PUBLIC_URL when set, else a Host that
  is only a host and port, else the address the client connected to;
- every response has X-Content-Type-Options, a Content-Security-Policy and X-Frame-Options;
- `--host ::` serves IPv4 and IPv6 alike.

New settings are given in the environment, which an older binary ignores: so each test fails
against the behaviour before the fix, rather than on an unknown flag."""

from __future__ import annotations

import json
import socket
import time

import pytest

from http_client import get, raw

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


@pytest.fixture(scope="module")
def loaded_db(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0 and summary.loaded == 33
    return db


@pytest.fixture(scope="module")
def server(loaded_db, start_server):
    """A server with the defaults but a short request timeout (3 s) and one more address that
    may read /metrics."""
    return start_server(loaded_db, env={"ALERTDB_REQUEST_TIMEOUT": "3",
                                        "ALERTDB_METRICS_ALLOW": "127.0.0.0/8,::1,127.77.0.0/16"})


def connect(port: int, source: str = "127.0.0.1", host: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    if source != "127.0.0.1" or family == socket.AF_INET6:
        sock.bind((source, 0))
    sock.connect((host, port))
    return sock


def exchange(port: int, data: bytes, source: str = "127.0.0.1", timeout: float = 10) -> bytes:
    """Sends `data` and reads until the server closes (a reset ends the reply too)."""
    with connect(port, source, timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass
        return reply


def status_and_body(reply: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), reply[:200]
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def closed(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (anything it sent first is read and dropped)."""
    sock.setblocking(False)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    finally:
        sock.setblocking(True)


# --------------------------------------------------------------------------- slow clients (item 5)


def test_a_trickling_client_is_cut_off_at_the_request_timeout(server):
    """One header line a second used to keep a connection as long as the client liked (each
    byte restarted libmicrohttpd's 30 s timeout); with ALERTDB_REQUEST_TIMEOUT=3 it is closed
    about 3 s after it opened, while others are served."""
    with connect(server.port) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /?format=json HTTP/1.1\r\nHost: x\r\n")
        held, line = None, 0
        while held is None and time.monotonic() - started < 12:
            time.sleep(0.05)
            if closed(sock):
                held = time.monotonic() - started
            elif time.monotonic() - started > line + 1:
                line += 1
                assert get(server.url, "/health", timeout=5).status == 200
                try:
                    sock.sendall(f"X-Line-{line}: x\r\n".encode())
                except (BrokenPipeError, ConnectionResetError):
                    held = time.monotonic() - started
    print(f"a client sending one header line a second was cut off after {held} s")
    assert held is not None, "the trickling client still had its connection after 12 s"
    assert 2.9 < held < 4, held


def test_one_address_holds_at_most_64_connections(server):
    """The 65th connection of one address is closed at once, unanswered; other addresses are
    served meanwhile."""
    held = [connect(server.port, "127.0.0.3") for _ in range(64)]
    try:
        time.sleep(0.3)
        assert not any(closed(sock) for sock in held)
        reply = exchange(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.0.3", timeout=5)
        assert reply == b"", reply[:200]
        assert get(server.url, "/health").status == 200
    finally:
        for sock in held:
            sock.close()
    # Once they are gone, the address is served again.
    deadline = time.monotonic() + 5
    while True:
        reply = exchange(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.0.3", timeout=5)
        if reply.startswith(b"HTTP/1.1 200") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]


# --------------------------------------------------------------------------- oversize requests (item 5)


@pytest.mark.parametrize("parameters", [3_000, 5_000, 20_000])
def test_many_query_parameters_get_a_414_with_json_at_once(server, parameters):
    """Past about 3,800 parameters libmicrohttpd 0.9.75 answered nothing for 30 s; past 2,000
    alertdb now answers 414 at once, with JSON, and closes the connection."""
    target = "/?" + "&".join(f"a{i}=1" for i in range(parameters))
    started = time.monotonic()
    reply = exchange(server.port, f"GET {target[:32_000]} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), timeout=5)
    assert time.monotonic() - started < 2
    status, headers, body = status_and_body(reply)
    assert status == 414, reply[:300]
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert json.loads(body) == {"error": "more than 2000 query parameters"}


def test_a_long_target_gets_a_414_and_large_headers_a_431_with_json(server):
    for length in [40_000, 120_000, 250_000]:
        reply = exchange(server.port, f"GET /?rb__gte={'3' * length} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), timeout=5)
        status, headers, body = status_and_body(reply)
        assert status == 414 and "longer than 32768 bytes" in json.loads(body)["error"], reply[:300]
    filler = "".join(f"X-Filler-{i}: {'v' * 90}\r\n" for i in range(1000))   # 110 kB
    status, headers, body = status_and_body(exchange(server.port, f"GET / HTTP/1.1\r\nHost: x\r\n{filler}\r\n".encode(), timeout=5))
    assert status == 431 and headers["content-type"] == "application/json", body[:300]
    assert "larger than 65536 bytes" in json.loads(body)["error"]
    # Within the limits (1,999 parameters, 24 kB), a request reaches the service, which answers it.
    within = raw(server.port, "GET", "/?format=json&" + "&".join(["rb__gte=0.1"] * 1998))
    assert within.status == 400 and within.json()["parameter"] == "rb__gte", within.text[:200]


# --------------------------------------------------------------------------- /metrics (item 3)

METRICS_SPELLINGS = ["/metrics", "/metrics/", "/metrics//", "/metrics%2F", "/metrics/?x", "//metrics", "/%6Detrics"]


def test_metrics_are_read_from_loopback(server):
    for path in METRICS_SPELLINGS:
        response = raw(server.port, "GET", path)
        if "?" in path:   # the route takes no parameters: it says so, naming the one given
            assert response.status == 400 and response.json()["parameter"] == "x", path
        else:
            assert response.status == 200 and "alertdb_http_requests_total" in response.text, path


@pytest.fixture(scope="module")
def restricted_server(loaded_db, start_server):
    """A server whose /metrics only 127.0.0.5 may read."""
    return start_server(loaded_db, env={"ALERTDB_METRICS_ALLOW": "127.0.0.5"})


@pytest.mark.parametrize("path", METRICS_SPELLINGS)
def test_metrics_are_refused_to_other_addresses(restricted_server, path):
    """Only the addresses of ALERTDB_METRICS_ALLOW read /metrics, however its path is spelt;
    the others get the 404 of a page that does not exist, whatever the method or parameters."""
    port = restricted_server.port
    for method in ("GET", "POST"):
        refused = status_and_body(exchange(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()))
        assert refused[0] == 404, (method, refused)
        assert json.loads(refused[2])["error"].startswith("no such page")
    allowed = exchange(port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(), "127.0.0.5")
    assert allowed.startswith(b"HTTP/1.1 400" if "?" in path else b"HTTP/1.1 200"), allowed[:200]


def test_a_request_forwarded_from_elsewhere_does_not_read_metrics(server):
    """A proxy on this machine connects from loopback: what it forwards for a client elsewhere
    is refused, whether the proxy is trusted or not; a forwarding header never grants access."""
    assert raw(server.port, "GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status == 404
    assert raw(server.port, "GET", "/metrics", headers={"X-Forwarded-For": "127.77.0.1, 203.0.113.9"}).status == 404
    assert raw(server.port, "GET", "/metrics", headers={"Forwarded": "for=203.0.113.9"}).status == 404
    assert raw(server.port, "GET", "/metrics", headers={"X-Forwarded-For": "127.77.0.1"}).status == 200
    reply = exchange(server.port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n", "127.0.0.9")
    assert reply.startswith(b"HTTP/1.1 200"), reply[:100]   # 127.0.0.0/8 is allowed, 127.0.0.9 with it


# --------------------------------------------------------------------------- links and headers (item 14)


def alert_id_of(db) -> int:
    return db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 1").fetchone()[0]


def test_the_public_url_starts_every_link_whatever_the_host(loaded_db, start_server):
    server = start_server(loaded_db, env={"ALERTDB_PUBLIC_URL": "https://alerts.example.org/"})
    alert_id = alert_id_of(loaded_db)
    for host in ["evil.example", "127.0.0.1", None]:
        headers = {"Host": host} if host else {}
        listing = raw(server.port, "GET", "/?format=json&rb__gte=0.1", headers=headers).json()
        links = [listing["next"]] + [r[key] for r in listing["results"] for key in ("avro",)]
        detail = raw(server.port, "GET", f"/{alert_id}/?format=json", headers=headers).json()
        links += list(detail["cutouts"].values())
        links += [r["avro"] for r in json.loads(raw(server.port, "POST", "/", body=json.dumps({"queries": [{"rb__gte": 0.1}]}).encode(),
                                                    headers={**headers, "Content-Type": "application/json"}).body)["results"][0]["results"]]
        urls = [link for link in links if link]
        assert len(urls) > 10
        assert all(link.startswith("https://alerts.example.org/") for link in urls), (host, urls[:5])


@pytest.mark.parametrize("host", ["evil.example:1:2", "evil.example/x", "evil_example", "x@evil.example",
                                  "127.0.0.1:99999", "[evil.example]", "evil.example\"", "a..b"])
def test_a_host_that_is_not_a_host_and_port_does_not_reach_the_links(server, host):
    """Without ALERTDB_PUBLIC_URL, links use the Host only when it is a host name or address with
    an optional port; anything else falls back to the address the client connected to."""
    listing = raw(server.port, "GET", "/?format=json", headers={"Host": host}).json()
    assert listing["results"][0]["avro"].startswith(f"http://127.0.0.1:{server.port}/"), listing["results"][0]["avro"]


@pytest.mark.parametrize("host", ["alerts.example.org", "alerts.example.org:8443", "127.0.0.1:8080", "[::1]:8080"])
def test_a_host_and_port_makes_the_links(server, host):
    listing = raw(server.port, "GET", "/?format=json", headers={"Host": host}).json()
    assert listing["results"][0]["avro"].startswith(f"http://{host}/"), listing["results"][0]["avro"]


def test_every_response_carries_the_security_headers(server):
    alert_id = alert_id_of(server.db)
    requests = [("GET", "/"), ("GET", "/?format=json"), ("GET", f"/{alert_id}/"), ("GET", f"/{alert_id}/cutout/Science/?format=png"),
                ("GET", f"/{alert_id}/avro/"), ("GET", "/help/"), ("GET", "/health"), ("GET", "/metrics"),
                ("GET", "/no/such/page/"), ("GET", "/?rb__gte=abc"), ("DELETE", "/"),
                ("GET", "/?" + "&".join(["a=1"] * 3000))]
    for method, target in requests:
        response = raw(server.port, method, target)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (method, target[:40], response.status, response.headers)
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, (target[:40], policy)


# --------------------------------------------------------------------------- dual stack (item 15)


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_host_double_colon_serves_ipv4_and_ipv6(loaded_db, start_server):
    """`--host ::` is every interface, as the help says: 127.0.0.1 reaches it as well as ::1
    (it listened on IPv6 only)."""
    server = start_server(loaded_db, "--host", "::")   # the last --host wins
    for host in ["::1", "127.0.0.1"]:
        with connect(server.port, "::1" if ":" in host else "127.0.0.1", host=host) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 200"), (host, reply[:200])
    # An IPv4 client is itself (not ::ffff:127.0.0.1) for rate limiting and the metrics' allow list.
    assert get(server.url, "/metrics").status == 200
