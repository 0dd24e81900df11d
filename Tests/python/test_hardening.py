"""A public server under abuse: hundreds of idle or stalled connections must not keep others
from being served, stalled connections are closed after the timeout, and a minute of load
from 64 connections gets only answers (200 or 429), never a 5xx or a dropped connection."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from http_client import get

WRK_SCRIPT = Path(__file__).parent / "wrk" / "count_statuses.lua"


@pytest.fixture(scope="module")
def loaded_db(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0 and summary.loaded == 33
    return db


def open_connections(port: int, count: int, partial: bytes = b"", first_source: int = 10) -> list[socket.socket]:
    """`count` connections, 50 from each loopback address from 127.0.0.<first_source> on: many
    clients, as alertdb caps the connections of one address (64)."""
    sockets = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5,
                                        source_address=(f"127.0.0.{first_source + i // 50}", 0))
        if partial:
            sock.sendall(partial)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (an answer before the close is fine)."""
    sock.settimeout(2)
    try:
        while sock.recv(4096):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_idle_and_stalled_connections_do_not_starve_others(loaded_db, start_server):
    timeout = 3
    server = start_server(loaded_db, "--connection-timeout", timeout)
    # 300 connections that send nothing, and 200 that stop in the middle of their headers.
    idle = open_connections(server.port, 300)
    stalled = open_connections(server.port, 200, b"GET /?format=json HTTP/1.1\r\nHost: x\r\nX-Slow: ", first_source=20)
    try:
        started = time.monotonic()
        for i in range(40):
            response = get(server.url, "/", {"format": "json", "page": i % 3 + 1}, timeout=5)
            assert response.status == 200, response.text[:200]
        elapsed = time.monotonic() - started
        assert elapsed < timeout, f"40 requests took {elapsed:.1f} s beside 500 idle connections"

        # Past the timeout, the server has closed every one of them (recv sees end of file).
        time.sleep(timeout + 2)
        still_open = sum(not closed_by_server(sock) for sock in idle + stalled)
        assert still_open == 0, f"{still_open} of 500 connections still open after the {timeout} s timeout"
    finally:
        for sock in idle + stalled:
            sock.close()
    assert get(server.url, "/health").status == 200


def test_more_headers_than_allowed_get_an_answer(loaded_db, start_server):
    server = start_server(loaded_db)
    headers = "".join(f"X-Filler-{i}: {'v' * 100}\r\n" for i in range(3000))   # about 350 kB
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        try:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = sock.recv(200).decode(errors="replace")
    assert re.match(r"HTTP/1\.1 (431|413|414) ", answer), answer
    assert get(server.url, "/health").status == 200


def test_a_minute_of_load_gets_only_answers(loaded_db, start_server):
    """wrk, 60 connections for 60 s, rate limiting on: every response is a 200 or a 429.

    60, not the per-address cap of 64: the server learns of wrk's closing connections a moment
    after wrk exits, and the requests below come from the same address."""
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.fail("wrk not found: install Debian's wrk package (Deploy/debian-packages-test.txt)")
    server = start_server(loaded_db, rate_limit=True)
    alert_id = loaded_db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 1").fetchone()[0]
    run = subprocess.run(
        [wrk, "-t", "2", "-c", "60", "-d", "60s", "--timeout", "5s", "-s", str(WRK_SCRIPT),
         "-H", "Accept: application/json", f"{server.url}/?rb__gte=0.5&page=2"],
        capture_output=True, timeout=120)
    output = run.stdout.decode()
    assert run.returncode == 0, output + run.stderr.decode()
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    errors = dict(re.findall(r"(connect|read|write|timeout) (\d+)", re.search(r"^errors .*$", output, re.M).group(0)))
    print(output)
    assert set(statuses) <= {200, 429}, output
    assert statuses.get(200) == 20, output          # the burst, and not one more
    assert statuses.get(429, 0) > 10_000, output
    assert all(int(n) == 0 for n in errors.values()), output

    # Still serving, and its metrics agree with what wrk saw.
    assert get(server.url, f"/{alert_id}/", {"format": "json"}).status == 429
    metrics = get(server.url, "/metrics").text
    limited = float(re.search(r'^alertdb_http_rate_limited_total\{budget="api"\} (\S+)$', metrics, re.M).group(1))
    assert limited >= statuses[429]
