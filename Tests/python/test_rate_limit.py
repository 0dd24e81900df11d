"""Per-client rate limiting, end to end: two `alertdb serve` processes on one database share one
budget per client, which survives a restart; tokens carry budgets of their own; monitoring and
help cost nothing; cutouts draw on their own budget; X-Forwarded-For counts only from a
trusted proxy.

Each test uses a database of its own, so that buckets never carry over between tests. Clients
are told apart by their source address: every 127.x.y.z is this machine, and the server sees
each as a different peer.
"""

from __future__ import annotations

import http.client
import itertools
import json
import time

import pytest

from http_client import Response

_sources = itertools.count(2)


def new_client_address() -> str:
    """A loopback address no other test has used as a client."""
    n = next(_sources)
    return f"127.0.{n // 250}.{n % 250 + 2}"


def get(server, path: str, source: str = "127.0.0.1", headers: dict | None = None) -> Response:
    """GET from `source` (a loopback address), with a connection of its own."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def packets(shared_dir):
    return sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))[:300]


@pytest.fixture
def loaded_db(make_database, ingest, packets):
    db = make_database()
    proc, summary = ingest(db.url, *packets)
    assert proc.returncode == 0 and summary.loaded == len(packets)
    return db


def budget_headers(response: Response) -> tuple[int, int, int]:
    return (int(response.headers["ratelimit-limit"]), int(response.headers["ratelimit-remaining"]),
            int(response.headers["ratelimit-reset"]))


def test_two_processes_share_one_budget_per_client(loaded_db, start_server):
    """A script paging through 10 pages succeeds; polling on meets 429 within the burst of 20,
    whichever process it asks; and the budget outlives both processes."""
    a = start_server(loaded_db, rate_limit=True)
    b = start_server(loaded_db, rate_limit=True)
    client = new_client_address()

    # Ten pages, alternating between the processes (as a proxy in front of both would).
    for page in range(1, 11):
        response = get([a, b][page % 2], f"/?format=json&page={page % 3 + 1}", client)
        assert response.status == 200, response.text[:300]
        assert budget_headers(response)[:2] == (20, 20 - page)
        assert 0 < budget_headers(response)[2] <= 180 * page
    assert response.headers["ratelimit-policy"] == "20;w=3600"

    # Polling on: the 11th to 20th requests still fit in the burst, the 21st does not.
    statuses = [get([a, b][i % 2], "/?format=json", client).status for i in range(10)]
    assert statuses == [200] * 10
    refused = get(b, "/?format=json", client)
    assert refused.status == 429
    retry_after = int(refused.headers["retry-after"])
    assert 170 <= retry_after <= 180
    assert budget_headers(refused)[:2] == (20, 0)
    body = refused.json()
    assert body["retry_after"] == retry_after and "180 s" in body["error"]
    assert get(a, "/?format=json", client).status == 429

    # Another client is not affected.
    assert get(a, "/?format=json", new_client_address()).status == 200

    # A restart forgets nothing: the budget is in the database.
    a.stop()
    b.stop()
    c = start_server(loaded_db, rate_limit=True)
    assert get(c, "/?format=json", client).status == 429

    limited = loaded_db.conn.execute(
        "SELECT tokens FROM rate_limit_bucket WHERE client = %s AND budget = 'api'", (f"ip:{client}",)).fetchone()
    assert limited is not None and limited[0] < 1


def test_the_budget_refills_at_the_configured_rate(loaded_db, start_server):
    server = start_server(loaded_db, "--rate-limit-burst", "3", "--rate-limit-interval", "1", rate_limit=True)
    client = new_client_address()
    assert [get(server, "/?format=json", client).status for _ in range(4)] == [200, 200, 200, 429]
    refused = get(server, "/?format=json", client)
    assert refused.headers["retry-after"] == "1"
    time.sleep(1.1)
    assert get(server, "/?format=json", client).status == 200
    assert get(server, "/?format=json", client).status == 429


def test_html_clients_get_an_explanation_page(loaded_db, start_server):
    server = start_server(loaded_db, "--rate-limit-burst", "1", rate_limit=True)
    client = new_client_address()
    assert get(server, "/", client).status == 200
    refused = get(server, "/", client)
    assert refused.status == 429 and refused.content_type == "text/html"
    assert "429 Too Many Requests" in refused.text and "try again in" in refused.text
    assert int(refused.headers["retry-after"]) >= 170


def test_monitoring_and_help_are_free_and_cutouts_have_their_own_budget(loaded_db, start_server):
    server = start_server(loaded_db, "--rate-limit-burst", "2", rate_limit=True)
    client = new_client_address()
    alert_id = loaded_db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 1").fetchone()[0]

    for _ in range(5):
        for path in ("/health", "/metrics", "/help/", "/help/?format=json"):
            response = get(server, path, client)
            assert response.status == 200, path
            assert "ratelimit-limit" not in response.headers
    # A page view: the page costs one request, its three images come from the cutout budget.
    for _ in range(2):
        assert get(server, f"/{alert_id}/", client).status == 200
        for kind in ("Science", "Template", "Difference"):
            image = get(server, f"/{alert_id}/cutout/{kind}/", client)
            assert image.status == 200, image.text[:200]
            assert image.headers["ratelimit-limit"] == "6"    # 2 × the cutout factor, 3
    assert get(server, f"/{alert_id}/", client).status == 429
    # Six images spent of six: the cutout budget is empty too, independently.
    assert get(server, f"/{alert_id}/cutout/Science/", client).status == 429
    assert get(server, "/health", client).status == 200

    metrics = get(server, "/metrics", client).text
    assert 'alertdb_http_rate_limited_total{budget="api"} 1' in metrics
    assert 'alertdb_http_rate_limited_total{budget="cutout"} 1' in metrics


def test_a_token_carries_its_own_budget(loaded_db, start_server, run_alertdb):
    server = start_server(loaded_db, "--rate-limit-burst", "2", rate_limit=True)
    client = new_client_address()
    made = run_alertdb("token", "add", "survey-broker", "--burst", "50", "--interval", "2", "--database", loaded_db.url)
    assert made.returncode == 0, made.stderr
    token = made.stdout.decode().strip()
    assert token.startswith("adb_") and len(token) == 68
    assert loaded_db.conn.execute("SELECT count(*) FROM api_token WHERE digest = sha256(%s::bytea)",
                                  (token.encode(),)).fetchone()[0] == 1

    # The address's own budget is spent...
    assert [get(server, "/?format=json", client).status for _ in range(3)] == [200, 200, 429]
    # ...but the token's is not: by header, then by query parameter, from the same address.
    for i in range(30):
        response = get(server, "/?format=json", client, headers={"Authorization": f"Token {token}"})
        assert response.status == 200, response.text[:200]
        # 49 - i left, or one more if the 2 s refill has added one meanwhile.
        assert budget_headers(response)[0] == 50 and budget_headers(response)[1] in (49 - i, 50 - i)
    by_parameter = get(server, f"/?format=json&token={token}", client)
    assert by_parameter.status == 200
    # The parameter is not a filter, and links do not repeat it.
    assert token not in by_parameter.text

    # An unknown token spends from its address's budget: 401 while that lasts, then 429.
    stranger = new_client_address()
    guesses = [get(server, "/?format=json", stranger, headers={"Authorization": f"Token adb_guess{i}"}) for i in range(3)]
    assert [r.status for r in guesses] == [401, 401, 429]
    assert guesses[0].json()["parameter"] == "token"

    listed = run_alertdb("token", "list", "--database", loaded_db.url).stdout.decode()
    assert "survey-broker\t50\t2.0" in listed and token not in listed

    revoked = run_alertdb("token", "revoke", "survey-broker", "--database", loaded_db.url)
    assert revoked.returncode == 0
    # A new process (nothing remembered) refuses it at once.
    fresh = start_server(loaded_db, "--rate-limit-burst", "2", rate_limit=True)
    assert get(fresh, "/?format=json", new_client_address(), headers={"Authorization": f"Token {token}"}).status == 401


def test_forwarded_addresses_count_only_from_trusted_proxies(loaded_db, start_server):
    server = start_server(loaded_db, "--rate-limit-burst", "1", "--trusted-proxies", "127.0.0.1", rate_limit=True)
    untrusted = new_client_address()

    # From an untrusted peer, X-Forwarded-For is ignored: a client cannot pick its own identity.
    assert get(server, "/?format=json", untrusted, {"X-Forwarded-For": "198.51.100.1"}).status == 200
    assert get(server, "/?format=json", untrusted, {"X-Forwarded-For": "198.51.100.2"}).status == 429

    # Through the trusted proxy (127.0.0.1), each forwarded client has its own budget; the
    # rightmost untrusted hop is the client, whatever it wrote further left.
    proxy = "127.0.0.1"
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "203.0.113.7"}).status == 200
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "203.0.113.7"}).status == 429
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}).status == 429
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "203.0.113.8"}).status == 200
    # IPv6 clients are counted by their /64.
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "2001:db8:1:2::10"}).status == 200
    assert get(server, "/?format=json", proxy, {"X-Forwarded-For": "2001:db8:1:2:ffff::1"}).status == 429
    clients = {row[0] for row in loaded_db.conn.execute("SELECT client FROM rate_limit_bucket")}
    assert {"ip:203.0.113.7", "ip:203.0.113.8", "ip:2001:db8:1:2::/64", f"ip:{untrusted}"} <= clients
    assert "ip:198.51.100.1" not in clients

    # A trusted proxy's X-Forwarded-Proto makes the links https.
    page = get(server, "/?format=json", proxy, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                                                "Host": "alerts.example.org"}).json()
    assert page["next"].startswith("https://alerts.example.org/?")


def test_limiting_off_passes_everything(loaded_db, start_server):
    server = start_server(loaded_db, "--rate-limit-burst", "1", rate_limit=False)
    client = new_client_address()
    for _ in range(60):
        response = get(server, "/?format=json", client)
        assert response.status == 200
        assert "ratelimit-limit" not in response.headers


def test_the_environment_turns_limiting_off(loaded_db, alertdb_bin, repo_root, tmp_path):
    """ALERTDB_RATE_LIMIT=off works as --rate-limit off (checked without the fixture's flag)."""
    import subprocess

    from conftest import LiveServer, free_port, wait_until_healthy

    port = free_port()
    stderr_path = tmp_path / "stderr.txt"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [str(alertdb_bin), "serve", "--port", str(port), "--database", loaded_db.url,
             "--rate-limit-burst", "1"],
            cwd=repo_root, stdout=subprocess.DEVNULL, stderr=stderr,
            env={"PATH": "/usr/bin:/bin", "ALERTDB_RATE_LIMIT": "off"})
    server = LiveServer(url=f"http://127.0.0.1:{port}", db=loaded_db, port=port, process=process, stderr_path=stderr_path)
    try:
        wait_until_healthy(server)
        assert "rate limiting off" in server.stderr()
        assert [get(server, "/?format=json").status for _ in range(5)] == [200] * 5
    finally:
        server.stop()
