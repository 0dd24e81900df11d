"""The partitioned tables (Migrations/0009): rows land in the month partition of their jd, a
query bounded in time reads only its months' partitions, and an alert loaded by two processes
at once is stored once, its candid and id unique across partitions."""

from __future__ import annotations

import subprocess

import pytest

from http_client import get_json, request

# 2018-11-01 and 2018-12-01 as Julian dates: the month of most schema 3 packets.
NOVEMBER_2018 = (2458423.5, 2458453.5)


@pytest.fixture(scope="module")
def loaded(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.rejected == 0, summary.line
    db.conn.execute("ANALYZE")
    return db


def scanned(db, sql, params=()) -> set[str]:
    """The tables a statement's plan reads."""
    plan = db.conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    found = set()

    def walk(node):
        if "Relation Name" in node:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_rows_are_in_the_partition_of_their_month(loaded):
    for table in ("candidate", "prv_candidate", "cutout"):
        misplaced = loaded.conn.execute(
            f"SELECT count(*) FROM {table} WHERE tableoid::regclass::text <> %s || '_' || to_char(jd_month(jd), 'YYYY_MM')",
            (table,)).fetchone()[0]
        assert misplaced == 0, table
        assert loaded.count(f"{table}_undated") == 0
    months = loaded.conn.execute("SELECT count(DISTINCT tableoid) FROM candidate").fetchone()[0]
    assert months >= 3


def test_a_query_bounded_in_time_reads_only_its_partitions(loaded):
    # The listing's plan for jd__gte/jd__lt: newest first, keyset order, a page of 51.
    low, high = NOVEMBER_2018
    listing = "SELECT id FROM candidate c WHERE c.jd >= %s AND c.jd < %s ORDER BY c.jd DESC, c.id DESC LIMIT 51"
    assert scanned(loaded, listing, (low, high)) == {"candidate_2018_11"}
    # A range across two months reads both; the history and the stamps are pruned the same way.
    assert scanned(loaded, listing, (low - 200, high)) == {"candidate_2018_04", "candidate_2018_11"}
    assert scanned(loaded, "SELECT count(*) FROM prv_candidate WHERE jd >= %s AND jd < %s", (low, high)) == {"prv_candidate_2018_11"}
    assert scanned(loaded, "SELECT count(*) FROM cutout WHERE jd >= %s AND jd < %s", (low, high)) == {"cutout_2018_11"}
    # Unbounded, every month is read.
    everything = scanned(loaded, "SELECT count(*) FROM candidate")
    assert {"candidate_2017_12", "candidate_2018_11", "candidate_undated"} <= everything


def test_the_api_answers_across_partitions(live_server):
    # A page of the listing holds alerts of several months, and the keyset cursor walks them all once.
    seen, months = [], set()
    page = get_json(live_server.url, "/")
    while True:
        seen += [r["lco_id"] for r in page["results"]]
        months |= {int(r["candidate"]["jd"] - 2458000) // 30 for r in page["results"]}
        if not page.get("next"):
            break
        page = request(page["next"]).json()
    assert len(seen) == len(set(seen)) == live_server.db.count("candidate")
    assert len(months) > 3


def run_ingest(alertdb_bin, url, folder):
    return subprocess.Popen([str(alertdb_bin), "ingest", "--database", url, "--batch-size", "50", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("processes", [2, 3])
def test_the_same_packets_loaded_by_processes_at_once_are_stored_once(make_database, alertdb_bin, shared_dir, processes):
    from conftest import parse_summary
    db = make_database()
    folder = shared_dir / "alerts" / "ztf-v3"
    # All start on an empty database: each makes the months' partitions and claims the same candids.
    running = [run_ingest(alertdb_bin, db.url, folder) for _ in range(processes)]
    summaries = []
    for proc in running:
        out = proc.communicate(timeout=600)[0].decode(errors="replace")
        assert proc.returncode == 0, out
        summaries.append(parse_summary(out))
    packets = summaries[0].read
    assert all(s.read == packets for s in summaries)
    assert sum(s.loaded for s in summaries) == packets, [s.line for s in summaries]
    assert sum(s.duplicate for s in summaries) == packets * (processes - 1)
    one = db.conn.execute("SELECT count(*), count(DISTINCT candid), count(DISTINCT id) FROM candidate").fetchone()
    assert one == (packets, packets, packets)
    assert db.count("candidate_key") == packets
    assert db.conn.execute("SELECT count(*) FROM candidate c JOIN candidate_key k USING (candid, id, jd)").fetchone()[0] == packets
    # Each stamp and history row once too.
    assert db.conn.execute("SELECT count(*) FROM (SELECT candid, kind FROM cutout GROUP BY 1, 2 HAVING count(*) > 1) d").fetchone()[0] == 0
    assert db.conn.execute('SELECT count(*) FROM (SELECT "objectId", pid, candid FROM prv_candidate GROUP BY 1, 2, 3 '
                           'HAVING count(*) > 1) d').fetchone()[0] == 0
    assert db.conn.execute("SELECT stored FROM alert_count").fetchone()[0] == packets


def test_a_packet_twice_in_one_batch_is_stored_once(make_database, ingest, shared_dir):
    db = make_database()
    packet = sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro"))[0]
    proc, summary = ingest(db.url, packet, packet)
    assert proc.returncode == 0 and (summary.loaded, summary.duplicate) == (1, 1), summary.line
    assert db.count("candidate") == db.count("candidate_key") == 1


def test_an_alert_is_found_by_id_in_its_month_or_without_one(make_database, ingest, shared_dir, start_server):
    # By id, the detail page reads the alert's jd from candidate_key to open its month alone;
    # an alert whose jd is not known there (NULL: the undated partition) is still found.
    db = make_database()
    packets = sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro"))[:2]
    proc, summary = ingest(db.url, *packets)
    assert proc.returncode == 0 and summary.loaded == 2, summary.line
    dated, undated = (row[0] for row in db.conn.execute("SELECT id FROM candidate ORDER BY id").fetchall())
    db.conn.execute("UPDATE candidate SET jd = NULL WHERE id = %s", (undated,))
    assert db.conn.execute("SELECT tableoid::regclass::text FROM candidate WHERE id = %s", (undated,)).fetchone()[0] \
        == "candidate_undated"
    server = start_server(db)
    for alert in (dated, undated):
        assert get_json(server.url, f"/{alert}/")["lco_id"] == alert
    assert request(f"{server.url}/{undated + 100}/?format=json").status == 404
