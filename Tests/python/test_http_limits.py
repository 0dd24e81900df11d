"""What `alertdb serve` does with clients that are slow, greedy, oversize or not who they say:

- `--host ::` serves IPv4 and IPv6 alike.

New settings are given in the environment, which an older binary ignores: so each test fails
against the behaviour before the fix, rather than on an unknown flag."""

from __future__ import annotations

import socket

import pytest

from http_client import get


@pytest.fixture(scope="module")
def loaded_db(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0 and summary.loaded == 33
    return db


def connect(port: int, source: str = "127.0.0.1", host: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    if source != "127.0.0.1" or family == socket.AF_INET6:
        sock.bind((source, 0))
    sock.connect((host, port))
    return sock


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
