"""`alertdb serve` on a hot standby, with two real PostgreSQL clusters on loopback: the primary
(loaded by `alertdb ingest`, holding the rate-limit buckets) and a replica made with
`pg_basebackup -R` (`Deploy/postgres-local standby`), which serves the reads.

- An alert ingested on the primary is visible through the replica's API within 5 s.
- `/health` and `/metrics` say the database is a replica and how far it trails.
- When the primary stops, the replica's API keeps answering reads, and rate limiting goes on
  from the process's memory: a client still gets its burst and then 429s, not an unlimited
  service and not 503s.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from conftest import Database
from http_client import get, get_json


@pytest.fixture
def replica(own_cluster, repo_root):
    """A hot standby of `own_cluster`, streaming from it; removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="alertdb-replica-pg."))
    started = subprocess.run([repo_root / "Deploy" / "postgres-local", "standby", directory, own_cluster.directory],
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    port = int(re.search(r"PGPORT=(\d+)", started.stdout).group(1))
    url = f"postgresql://postgres@127.0.0.1:{port}/alertdb"
    conn = psycopg.connect(url, autocommit=True)
    yield Database(name="alertdb", url=url, conn=conn)
    conn.close()
    subprocess.run([repo_root / "Deploy" / "postgres-local", "stop", directory], capture_output=True)
    shutil.rmtree(directory, ignore_errors=True)


def metric(text: str, name: str) -> float | None:
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def wait_for(condition, timeout: float, step: float = 0.1):
    """Polls `condition` until it returns something true; that value, or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


def test_serve_on_a_replica(own_cluster, replica, shared_dir, ingest, start_server):
    packets = sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro"))
    proc, summary = ingest(own_cluster.url, *packets[:10])
    assert proc.returncode == 0 and summary.loaded == 10
    assert replica.conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]

    # Two servers on the replica: `reader` unlimited, for the test's own polling; `limited`
    # with a burst of 5, its buckets on the primary.
    reader = start_server(replica)
    limited = start_server(replica, "--rate-limit-burst", "5", "--rate-limit-interval", "3600", rate_limit=True,
                           env={"ALERTDB_RATE_LIMIT_DATABASE": own_cluster.url})

    # The replica says what it is, and an idle, connected replica does not trail.
    health = wait_for(lambda: (h := get_json(reader.url, "/health", {"max_lag": "5"})).get("replication_lag_seconds") == 0
                      and h, timeout=10)
    assert health, get(reader.url, "/health").body
    assert health["role"] == "replica" and health["receiving"] is True and health["status"] == "ok"
    metrics = get(reader.url, "/metrics").body.decode()
    assert metric(metrics, "alertdb_database_replica") == 1
    assert metric(metrics, "alertdb_replication_receiving") == 1
    assert 0 <= metric(metrics, "alertdb_replication_lag_seconds") < 5
    on_primary = start_server(Database("alertdb", own_cluster.url, None))
    assert get_json(on_primary.url, "/health") == {"status": "ok", "role": "primary"}
    assert metric(get(on_primary.url, "/metrics").body.decode(), "alertdb_database_replica") == 0
    on_primary.stop()

    # What the primary stores shows through the replica's API within 5 s.
    assert get_json(reader.url, "/", {"format": "json"})["count"] == 10
    started = time.monotonic()
    proc, summary = ingest(own_cluster.url, *packets[10:20])
    assert proc.returncode == 0 and summary.loaded == 10
    seen = wait_for(lambda: get_json(reader.url, "/", {"format": "json"})["count"] == 20, timeout=5, step=0.05)
    assert seen, "the alerts stored on the primary did not reach the replica's API within 5 s"
    print(f"visible through the replica {time.monotonic() - started:.2f} s after ingest began")

    # The limited server spends from buckets kept on the primary.
    assert get(limited.url, "/?format=json").status == 200
    with own_cluster.connect() as primary:
        assert primary.execute("SELECT count(*) FROM rate_limit_bucket").fetchone()[0] == 1

    # The primary goes away: reads go on, from the replica as it stood.
    own_cluster.stop()
    listing = get(reader.url, "/?format=json")
    assert listing.status == 200 and listing.json()["count"] == 20
    alert_id = listing.json()["results"][0]["lco_id"]
    assert get(reader.url, f"/{alert_id}/?format=json").status == 200
    assert get(reader.url, "/latest/?format=json").status == 200
    health = get(reader.url, "/health?max_lag=3600")
    assert health.status == 200 and health.json()["receiving"] is False

    # Rate limiting goes on from this process's memory: the 4 requests left of the burst of 5
    # are served, then every request is refused; none is let through unlimited, none gets 503.
    statuses = [get(limited.url, "/?format=json").status for _ in range(10)]
    assert statuses == [200] * 4 + [429] * 6, statuses
    # Logged once for the outage, not once per request.
    assert limited.stderr().count("the bucket database is unreachable") == 1, limited.stderr()

    # Past `max_lag` without its primary, the replica calls itself stale, for load balancers.
    stale = wait_for(lambda: (r := get(reader.url, "/health?max_lag=0.5")).status == 503 and r, timeout=5)
    assert stale and stale.json()["status"] == "stale"

    # The primary returns: the replica streams again, and the budgets are back in the database
    # (the first request at least 5 s into the outage asks it again).
    own_cluster.start()
    assert wait_for(lambda: get_json(reader.url, "/health").get("receiving"), timeout=30)
    proc, summary = ingest(own_cluster.url, *packets[20:25])
    assert proc.returncode == 0 and summary.loaded == 5
    assert wait_for(lambda: get_json(reader.url, "/", {"format": "json"})["count"] == 25, timeout=5, step=0.05)
    time.sleep(5)
    assert get(limited.url, "/?format=json").status == 429  # refused from memory, as before the outage
    assert get_from(limited, "/?format=json", source="127.0.0.2") == 200  # another client: asks the database
    assert "rate limiting back in the bucket database" in limited.stderr()
    with own_cluster.connect() as primary:
        assert primary.execute("SELECT count(*) FROM rate_limit_bucket").fetchone()[0] == 2


def get_from(server, path: str, source: str) -> int:
    """The status of GET `path` sent from the loopback address `source` (another client)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
