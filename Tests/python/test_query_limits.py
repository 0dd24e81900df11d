"""What one request may cost: a repeated or an excess of filters is refused before PostgreSQL
plans anything, a bulk query pays for each query it holds, made-up tokens from a spent address
cost no lookup, and the database's own words never reach a client."""

from __future__ import annotations

import http.client
import json
import secrets
import time

import pytest

from conftest import Database
from http_client import get
from test_rate_limit import get as get_from, new_client_address


@pytest.fixture(scope="module")
def server(make_database, ingest, shared_dir, start_server):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0 and summary.loaded == 33
    return start_server(db)


def busy_backends(db) -> list[str]:
    """Queries of other sessions still working on `db`."""
    rows = db.conn.execute("SELECT query FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                           "AND backend_type = 'client backend' AND pid <> pg_backend_pid()", (db.name,)).fetchall()
    return [query for (query,) in rows]


def timed_get(server, pairs):
    started = time.monotonic()
    response = get(server.url, "/", pairs + [("format", "json")])
    return response, time.monotonic() - started


def test_a_thousand_repeated_cones_are_refused_before_any_planning(server):
    response, seconds = timed_get(server, [("cone", "150,2,5")] * 1000)
    assert response.status == 400, response.text[:300]
    assert response.json()["parameter"] == "cone" and "more than once" in response.json()["error"]
    assert seconds < 0.1, f"{seconds:.3f} s"
    assert busy_backends(server.db) == []
    for pairs in ([("objectidps", "1")] * 1000, [("rb__gte", "0.9"), ("rb__gte", "0.5")]):
        response, seconds = timed_get(server, pairs)
        assert response.status == 400 and response.json()["parameter"] == pairs[0][0], response.text[:300]
        assert seconds < 0.1, f"{pairs[0][0]}: {seconds:.3f} s"


def test_a_query_combines_at_most_forty_filters(server):
    columns = [row["parameter"] for row in get(server.url, "/help/", {"format": "json"}).json()["filters"]
               if row["parameter"].endswith("__gte") and row["type"] == "real"]
    assert len(columns) > 41
    pairs = [(name, "-1e30") for name in columns[:41]]
    refused, _ = timed_get(server, pairs)
    assert refused.status == 400 and refused.json()["parameter"] == columns[40], refused.text[:300]
    assert "at most 40 filters" in refused.json()["error"]
    # The costliest query accepted: forty filters, a wide cone among them, is answered at once.
    accepted, seconds = timed_get(server, [("cone", "150,2,10")] + pairs[:39])
    assert accepted.status == 200, accepted.text[:300]
    assert seconds < 0.5, f"{seconds:.3f} s"
    assert busy_backends(server.db) == []


def test_a_bulk_query_pays_one_request_per_query(make_database, ingest, shared_dir, start_server):
    db = make_database()
    ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    limited = start_server(db, rate_limit=True)
    client = new_client_address()

    def post(body: dict):
        conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=30, source_address=(client, 0))
        try:
            conn.request("POST", "/", body=json.dumps(body), headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    status, headers, _ = post({"queries": [{}] * 10})
    assert status == 200 and headers["ratelimit-remaining"] == "10", headers
    status, headers, _ = post({"queries": [{"rb__gte": 0.5}] * 10})
    assert status == 200 and headers["ratelimit-remaining"] == "0", headers
    status, headers, body = post({"queries": [{}]})
    assert status == 429, body[:300]

    # Deep pages are refused in bulk as on GET /: 1,000 alerts a page reach offset 100,000 at page 100.
    client = new_client_address()
    status, _, body = post({"queries": [{"page": 101}]})
    assert status == 400 and json.loads(body)["parameter"] == "page", body[:300]
    status, _, body = post({"queries": [{"page": 100}]})
    assert status == 200, body[:300]


def test_made_up_tokens_from_a_spent_address_cost_no_lookup(make_database, start_server, run_alertdb):
    db = make_database()
    limited = start_server(db, rate_limit=True)
    client = new_client_address()
    while get_from(limited, "/?format=json", client).status != 429:
        pass

    def token_lookups() -> int:
        time.sleep(1.2)   # a backend reports its statistics at most once a second
        db.conn.execute("SELECT pg_stat_clear_snapshot()")
        return db.conn.execute("SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) FROM pg_stat_user_tables "
                               "WHERE relname = 'api_token'").fetchone()[0]

    before = token_lookups()
    statuses = {get_from(limited, "/?format=json", client, {"Authorization": f"Token adb_{secrets.token_hex(32)}"}).status
                for _ in range(50)}
    assert statuses == {429}
    # A spent address may still have a few tokens looked up (the one it was just given), no more.
    assert token_lookups() - before <= 5, "made-up tokens from a spent address were looked up one by one"

    # A script that spent its address's budget and now shows the token it was given is served.
    made = run_alertdb("token", "add", "--database", db.url, "script", "--burst", "5")
    secret = made.stdout.decode().strip()
    spent = new_client_address()
    while get_from(limited, "/?format=json", spent).status != 429:
        pass
    assert get_from(limited, "/?format=json", spent, {"Authorization": f"Token {secret}"}).status == 200


def test_the_databases_own_words_never_reach_a_client(server):
    # A cursor holding a number PostgreSQL cannot read, and a cone its q3c cannot compute.
    cursor = "MSBqZCBkZXNjIDFlOTk5IDUgYWZ0ZXI"   # base64 of "1 jd desc 1e999 5 after"
    response = get(server.url, "/", [("cursor", cursor), ("format", "json")])
    assert response.status == 400 and response.json()["parameter"] == "cursor", response.text[:300]
    for cone in ["1e308,-90,1e-320", "150,2,1e-300"]:
        response = get(server.url, "/", {"cone": cone, "format": "json"})
        assert response.status == 400 and response.json()["parameter"] == "cone", response.text[:300]
        assert "q3c" not in response.text and "inlining" not in response.text, response.text


def test_health_during_an_outage_says_only_unavailable(own_cluster, start_server):
    db = Database("alertdb", own_cluster.url, own_cluster.connect())
    served = start_server(db)
    db.conn.close()
    own_cluster.stop()
    try:
        response = get(served.url, "/health")
        assert response.status == 503 and response.headers.get("retry-after"), response.text
        assert response.json() == {"status": "unavailable"}, response.text
        assert str(own_cluster.port) not in response.text and "127.0.0.1" not in response.text
        listing = get(served.url, "/", {"format": "json"})
        assert listing.status == 503 and str(own_cluster.port) not in listing.text, listing.text
        assert str(own_cluster.port) in served.stderr(), "the details go to the log"
    finally:
        own_cluster.start()
