"""Rubin's partitioned tables (Migrations/0013): rows land in the month partition of their
midpointMjdTai, a query bounded in time reads only its months, an alert loaded by two processes
at once is stored once (diaSourceId unique across months through dia_source_key), and
`alertdb retention` retires Rubin's months as it does ZTF's, the cutout route saying so."""

from __future__ import annotations

import subprocess

import pytest

from http_client import get, get_json
from test_partitioning import scanned
from test_retention import retention

RUBIN = ("rubin", "alerts-9.0")
# 2025-09-01 and 2025-10-01 as MJDs: the month of the shared packets (commissioning).
SEPTEMBER_2025 = (60919.0, 60949.0)
TABLES = ("dia_source", "prv_dia_source", "prv_dia_forced_source", "dia_source_cutout")


@pytest.fixture(scope="module")
def loaded(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir.joinpath(*RUBIN))
    assert proc.returncode == 0 and summary.loaded == 100 and summary.rejected == 0, summary.line
    db.conn.execute("ANALYZE")
    return db


def test_rows_are_in_the_partition_of_their_month(loaded):
    for table in TABLES:
        # A row with a time is in its month's table; one without is in the undated one.
        misplaced = loaded.conn.execute(f"""
            SELECT count(*) FROM {table}
            WHERE tableoid::regclass::text <> %s || '_' || coalesce(to_char(mjd_month("midpointMjdTai"), 'YYYY_MM'), 'undated')
            """, (table,)).fetchone()[0]
        assert misplaced == 0, table
    assert loaded.count("dia_source_2025_09") == loaded.count("dia_source") == 100
    assert loaded.count("dia_source_cutout_2025_09") == loaded.count("dia_source_cutout") > 0
    # The key holds each source with the time that puts it in its month.
    assert loaded.conn.execute("""SELECT count(*) FROM dia_source d JOIN dia_source_key k
                                  USING ("diaSourceId", "midpointMjdTai")""").fetchone()[0] == 100


def test_a_query_bounded_in_time_reads_only_its_partitions(loaded):
    low, high = SEPTEMBER_2025
    # The listing's order for midpointMjdTai__gt/__lt, newest first, a page of 51.
    listing = ('SELECT "diaSourceId" FROM dia_source WHERE "midpointMjdTai" > %s AND "midpointMjdTai" < %s '
               'ORDER BY "midpointMjdTai" DESC, "diaSourceId" DESC LIMIT 51')
    assert scanned(loaded, listing, (low, high)) == {"dia_source_2025_09"}
    for table in TABLES[1:]:
        # The shared packets carry no forced photometry: that table has no September to read.
        month = loaded.conn.execute("SELECT to_regclass(%s)::text", (f"{table}_2025_09",)).fetchone()[0]
        assert scanned(loaded, f'SELECT count(*) FROM {table} WHERE "midpointMjdTai" >= %s AND "midpointMjdTai" < %s',
                       (low, high)) == ({month} if month else set()), table
    # Unbounded, every month is read, and the undated partition.
    assert {"dia_source_2025_09", "dia_source_undated"} <= scanned(loaded, "SELECT count(*) FROM dia_source")


def test_the_api_answers_from_the_partitions(loaded, start_server):
    server = start_server(loaded)
    low, high = SEPTEMBER_2025
    every = get_json(server.url, "/rubin/", {"midpointMjdTai__gt": low, "midpointMjdTai__lt": high})
    assert every["count"] == 100
    assert get_json(server.url, "/rubin/", {"midpointMjdTai__gt": high})["count"] == 0
    source = every["results"][0]["diaSourceId"]
    assert get_json(server.url, f"/rubin/{source}/")["alert"]["diaSourceId"] == source


def test_a_source_is_found_in_its_month_or_without_one(make_database, ingest, shared_dir, start_server):
    # The source's page reads the time from dia_source_key to open its month alone; a source
    # whose time is not that (NULL here: the undated partition) is still found, with its stamps.
    db = make_database()
    proc, summary = ingest(db.url, *sorted(shared_dir.joinpath(*RUBIN).glob("*.avro"))[:2])
    assert proc.returncode == 0 and summary.loaded == 2, summary.line
    dated, undated = (r[0] for r in db.conn.execute('SELECT "diaSourceId" FROM dia_source ORDER BY 1').fetchall())
    db.conn.execute('UPDATE dia_source SET "midpointMjdTai" = NULL WHERE "diaSourceId" = %s', (undated,))
    assert db.conn.execute('SELECT tableoid::regclass::text FROM dia_source WHERE "diaSourceId" = %s',
                           (undated,)).fetchone()[0] == "dia_source_undated"
    server = start_server(db)
    for source in (dated, undated):
        page = get_json(server.url, f"/rubin/{source}/")
        assert page["alert"]["diaSourceId"] == source
        assert page["cutouts"] == ["Difference", "Science", "Template"]
    assert get(server.url, f"/rubin/{undated + 1}/", {"format": "json"}).status == 404


def run_ingest(alertdb_bin, url, folder):
    return subprocess.Popen([str(alertdb_bin), "ingest", "--database", url, "--batch-size", "20", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_the_same_packets_loaded_by_processes_at_once_are_stored_once(make_database, alertdb_bin, shared_dir):
    from conftest import parse_summary
    db = make_database()
    # Both start on an empty database: each makes the month's partitions and claims the same diaSourceIds.
    running = [run_ingest(alertdb_bin, db.url, shared_dir.joinpath(*RUBIN)) for _ in range(2)]
    summaries = []
    for proc in running:
        out = proc.communicate(timeout=600)[0].decode(errors="replace")
        assert proc.returncode == 0, out
        summaries.append(parse_summary(out))
    assert sum(s.loaded for s in summaries) == 100 and sum(s.duplicate for s in summaries) == 100, [s.line for s in summaries]
    assert db.conn.execute('SELECT count(*), count(DISTINCT "diaSourceId") FROM dia_source').fetchone() == (100, 100)
    assert db.count("dia_source_key") == 100
    assert db.conn.execute("SELECT rubin_stored FROM alert_count").fetchone()[0] == 100
    # Each stamp, history source and forced measurement once too.
    for table, key in (("dia_source_cutout", '"diaSourceId", kind'), ("prv_dia_source", '"diaSourceId"'),
                       ("prv_dia_forced_source", '"diaObjectId", coalesce(visit, "ccdVisitId")')):
        assert db.conn.execute(f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY {key} HAVING count(*) > 1) d"
                               ).fetchone()[0] == 0, table


def rewritten(packet, path, change):
    """`packet` written again to `path` with `change` applied to its record."""
    import fastavro
    with open(packet, "rb") as f:
        reader = fastavro.reader(f)
        schema, records = reader.writer_schema, list(reader)
    change(records[0])
    with open(path, "wb") as f:
        fastavro.writer(f, schema, records)
    return path


def test_a_source_sent_again_with_another_time_is_not_stored_twice(make_database, ingest, shared_dir, tmp_path):
    # The key, not the partitioned table's own unique key (which holds the time), keeps the
    # diaSourceId unique: a packet repeating a stored diaSourceId at another month is a duplicate.
    packet = sorted(shared_dir.joinpath(*RUBIN).glob("*.avro"))[0]
    moved = rewritten(packet, tmp_path / "moved.avro", lambda r: r["diaSource"].update(midpointMjdTai=r["diaSource"]["midpointMjdTai"] + 60))
    db = make_database()
    proc, summary = ingest(db.url, packet, moved)
    assert proc.returncode == 0 and (summary.loaded, summary.duplicate) == (1, 1), summary.line
    assert db.count("dia_source") == db.count("dia_source_key") == 1


def test_a_time_just_before_a_month_ends_is_in_that_month(make_database, ingest, shared_dir, tmp_path):
    # 60919 is 2025-09-01: a time a microsecond before it, which MJD + 2400000.5 would round
    # to the first instant of September, is August's.
    packet = sorted(shared_dir.joinpath(*RUBIN).glob("*.avro"))[0]
    late = rewritten(packet, tmp_path / "late.avro", lambda r: r["diaSource"].update(midpointMjdTai=60918.99999999999))
    db = make_database()
    proc, summary = ingest(db.url, late)
    assert proc.returncode == 0 and summary.loaded == 1, summary.line
    assert db.count("dia_source_2025_08") == 1
    assert db.count("dia_source_cutout_2025_08") == db.count("dia_source_cutout") > 0


def test_retention_retires_rubin_months(make_database, ingest, shared_dir, alertdb_bin, start_server):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir.joinpath(*RUBIN))
    assert proc.returncode == 0 and summary.loaded == 100, summary.line
    stamps = db.count("dia_source_cutout")
    source = db.conn.execute('SELECT "diaSourceId" FROM dia_source_cutout ORDER BY 1 LIMIT 1').fetchone()[0]
    server = start_server(db)
    assert get(server.url, f"/rubin/{source}/cutout/Science/").status == 200

    # Stamps of September 2025 are more than a year old (today's months are kept).
    status, out = retention(alertdb_bin, db, "--cutouts", "1y")
    assert status == 0, out
    assert f"drop dia_source_cutout_2025_09 (dia_source_cutout, 2025-09-01, {stamps} rows, older than 365 days)" in out
    assert db.count("dia_source_cutout") == 0 and db.count("dia_source") == 100
    gone = get(server.url, f"/rubin/{source}/cutout/Science/")
    assert gone.status == 410 and gone.content_type == "application/json"
    assert gone.json() == {"error": f"the Science cutout of Rubin alert {source} was retired after 365 days",
                           "retired_after_days": 365}
    assert get(server.url, f"/rubin/{source}/cutout/Science/", {"format": "png"}).status == 410
    assert get(server.url, "/rubin/999/cutout/Science/").status == 404

    # Alerts: the sources, their keys and count, and the objects left with no alert go.
    status, out = retention(alertdb_bin, db, "--alerts", "1y", "--history", "1y")
    assert status == 0, out
    assert "drop dia_source_2025_09 (dia_source, 2025-09-01, 100 rows" in out
    assert "drop prv_dia_source_2025_09" in out
    for table in TABLES + ("dia_source_key", "dia_object"):
        assert db.count(table) == 0, table
    assert db.conn.execute("SELECT rubin_stored FROM alert_count").fetchone()[0] == 0
    assert get(server.url, f"/rubin/{source}/", {"format": "json"}).status == 404
    # Retired keys free the diaSourceIds: the same packets load again.
    proc, summary = ingest(db.url, shared_dir.joinpath(*RUBIN))
    assert proc.returncode == 0 and summary.loaded == 100, summary.line
