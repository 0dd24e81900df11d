"""Docs/examples/alertdb_client.py, the example of Docs/scripts.md, run as a script author would
run it, against `alertdb serve` with a rate limit small enough that a listing of every shared
alert meets 429s: it must still bring back every alert exactly once, by waiting as told.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

CLIENT_ARGS = ("--rate-limit-burst", "3", "--rate-limit-interval", "1")


def serve_has_rate_limiting(alertdb_bin) -> bool:
    result = subprocess.run([str(alertdb_bin), "serve", "--help"], capture_output=True, text=True, timeout=60)
    return "--rate-limit-burst" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def limited_server(alertdb_bin, make_database, ingest, shared_dir, start_server):
    """A server on every shared alert that allows 3 requests at once, then one a second."""
    if not serve_has_rate_limiting(alertdb_bin):
        pytest.skip("this alertdb serve has no rate limiting (--rate-limit-burst)")
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.loaded == 1104, summary.line
    return start_server(db, *CLIENT_ARGS, rate_limit=True)


def run_client(repo_root, *args, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    """The example as a script: `python3 Docs/examples/alertdb_client.py ARGS`, no proxies."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run([sys.executable, str(repo_root / "Docs" / "examples" / "alertdb_client.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd or repo_root)


def times_limited(stderr: str) -> int:
    match = re.search(r"rate limited (\d+) times", stderr)
    assert match, f"no summary on stderr:\n{stderr}"
    return int(match.group(1))


def test_pages_through_every_alert_despite_the_rate_limit(limited_server, repo_root):
    result = run_client(repo_root, "--url", limited_server.url)
    assert result.returncode == 0, result.stderr
    candids = [json.loads(line)["candid"] for line in result.stdout.splitlines()]
    stored = {row[0] for row in limited_server.db.conn.execute("SELECT candid FROM candidate")}
    assert len(candids) == len(set(candids)), "an alert came twice"
    assert set(candids) == stored and len(stored) == 1104
    # 12 pages of 100 against a burst of 3: the client must have waited for most of them.
    assert times_limited(result.stderr) >= 1, result.stderr


def test_a_filter_gets_what_sql_finds(limited_server, repo_root):
    result = run_client(repo_root, "--url", limited_server.url, "rb__gte=0.8", "sort_value=magpsf", "sort_order=asc")
    assert result.returncode == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    expected = {row[0] for row in limited_server.db.conn.execute("SELECT candid FROM candidate WHERE rb >= 0.8::real")}
    assert {a["candid"] for a in alerts} == expected and len(alerts) == len(expected)
    magnitudes = [a["candidate"]["magpsf"] for a in alerts]
    assert magnitudes == sorted(magnitudes)


def test_limit_stops_early(limited_server, repo_root):
    result = run_client(repo_root, "--url", limited_server.url, "--limit", "5")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5


def test_downloads_a_cutout_as_stored_and_as_png(limited_server, repo_root, tmp_path):
    alert_id, candid, file_name, stamp = limited_server.db.conn.execute(
        "SELECT c.id, c.candid, s.file_name, s.stamp_data FROM candidate c JOIN cutout s USING (candid) "
        "WHERE s.kind = 'Science' AND s.file_name LIKE '%.fits.gz' ORDER BY c.id LIMIT 1").fetchone()
    result = run_client(repo_root, "--url", limited_server.url, "--cutout", alert_id, "Science", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / file_name).read_bytes() == bytes(stamp)

    result = run_client(repo_root, "--url", limited_server.url, "--cutout", alert_id, "Difference", "--png",
                        "-o", tmp_path / "diff.png")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "diff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reports_a_bad_filter_and_a_bad_token(limited_server, repo_root):
    result = run_client(repo_root, "--url", limited_server.url, "rb__gte=high")
    assert result.returncode == 2
    assert "HTTP 400" in result.stderr and "rb__gte" in result.stderr

    result = run_client(repo_root, "--url", limited_server.url, "--token", "not-a-token", "--limit", "1")
    assert result.returncode == 2
    assert "HTTP 401" in result.stderr


def test_a_token_has_its_own_budget(limited_server, repo_root, run_alertdb):
    made = run_alertdb("token", "add", "--database", limited_server.db.url, "client-example", "--burst", "50")
    assert made.returncode == 0, made.stderr.decode()
    token = made.stdout.decode().strip()
    # 12 pages within a burst of 50: no 429, although the address's own budget is spent.
    result = run_client(repo_root, "--url", limited_server.url, "--token", token)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1104
    assert times_limited(result.stderr) == 0, result.stderr
