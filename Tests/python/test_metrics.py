"""`GET /metrics`: Prometheus text that promtool accepts, with figures that match the database
and the requests this test made."""

from __future__ import annotations

import time

import pytest

from http_client import get
from promtool import check_metrics

def samples(text: str) -> dict[str, float]:
    """Every sample line as {'name{labels}': value}."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            values[key] = float(value)
    return values


@pytest.fixture(scope="module")
def server(make_database, ingest, shared_dir, start_server):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0
    # One garbage input, so that rejects are not zero.
    garbage = shared_dir / "notes" / "style.md"
    ingest(db.url, garbage)
    return start_server(db, rate_limit=True)


def test_metrics_pass_promtool_and_match_the_database(server):
    db = server.db
    # Known traffic: three listing pages, one detail, one missing page.
    alert_id = db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 1").fetchone()[0]
    for _ in range(3):
        assert get(server.url, "/", {"format": "json"}).status == 200
    assert get(server.url, f"/{alert_id}/").status == 200
    assert get(server.url, "/no/such/page/").status == 404

    response = get(server.url, "/metrics")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    check_metrics(response.text)
    values = samples(response.text)

    assert values['alertdb_http_requests_total{route="listing",status="200"}'] == 3
    assert values['alertdb_http_requests_total{route="detail",status="200"}'] == 1
    assert values['alertdb_http_requests_total{route="not_found",status="404"}'] == 1
    assert values['alertdb_http_request_duration_seconds_count{route="listing"}'] == 3
    assert values['alertdb_http_request_duration_seconds_bucket{route="listing",le="+Inf"}'] == 3
    assert values['alertdb_http_rate_limited_total{budget="api"}'] == 0

    stored, rejects, newest = db.conn.execute(
        "SELECT (SELECT count(*) FROM candidate), (SELECT count(*) FROM reject), (SELECT max(jd) FROM candidate)").fetchone()
    assert stored == 33 and rejects >= 1
    assert values["alertdb_alerts_loaded_total"] == stored
    assert values["alertdb_alerts_rejected_total"] == rejects
    assert values["alertdb_newest_alert_jd"] == pytest.approx(newest, abs=1e-7)
    assert values["alertdb_newest_alert_age_seconds"] > 0
    last = db.conn.execute("SELECT extract(epoch FROM max(ingested_at)) FROM candidate").fetchone()[0]
    assert values["alertdb_last_load_timestamp_seconds"] == pytest.approx(float(last), abs=5)
    assert values["alertdb_db_pool_connections"] == 8
    assert values["alertdb_database_up"] == 1

    # The scrape itself is counted on the next one; the histogram's buckets are cumulative.
    again = samples(get(server.url, "/metrics").text)
    assert again['alertdb_http_requests_total{route="metrics",status="200"}'] == 1
    buckets = [v for k, v in again.items() if k.startswith('alertdb_http_request_duration_seconds_bucket{route="listing"')]
    assert buckets == sorted(buckets)


def test_the_alert_count_follows_new_loads(server, ingest, shared_dir):
    before = samples(get(server.url, "/metrics").text)["alertdb_alerts_loaded_total"]
    files = sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))[:25]
    proc, summary = ingest(server.db.url, *files)
    assert summary.loaded == 25
    # Figures from the database are read at most every 5 s.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = samples(get(server.url, "/metrics").text)["alertdb_alerts_loaded_total"]
        if after != before:
            break
        time.sleep(0.5)
    assert after == before + 25 == server.db.count("candidate")


def test_metrics_are_not_rate_limited(server):
    for _ in range(30):
        response = get(server.url, "/metrics")
        assert response.status == 200 and "ratelimit-limit" not in response.headers

