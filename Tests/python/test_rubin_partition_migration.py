"""Migrations/0013 converts Rubin's tables of a database of the schema before it in place:
nothing is lost (every table's row count and the md5 of its rows are the same before and after),
every diaSourceId gets its key, every row lands in the partition of its month, and the API gives
the same answers before and after.

The database "built before" has the schema of Migrations 0001-0012 (`alertdb migrate` run on a
folder holding only those files) and holds what the loader stores for the shared Rubin packets
and for two packets made from them (the shared ones are all of one month and carry no forced
photometry): the packets are loaded into a current database, and its rows copied, column by
column, into the old schema's tables (a loader of the old schema is not part of this build; the
stamps' time column, new in 0013, is left out). The server of this build answers the API on it
before `alertdb migrate` applies 0013.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
import subprocess
from datetime import date, timedelta

import fastavro
import pytest

from conftest import LOCAL_OPENER
from test_partition_migration import answers, columns, copy_rows, fingerprint

# Tables copied from the loaded database, in an order their foreign keys allow.
COPIED = ["avro_schema", "dia_source", "prv_dia_source", "prv_dia_forced_source", "dia_source_cutout", "dia_object",
          "alert_count"]
# The tables 0013 partitions by month of midpointMjdTai.
PARTITIONED = ["dia_source", "prv_dia_source", "prv_dia_forced_source", "dia_source_cutout"]

# The made packets' times (MJD TAI): an alert of March 2024 whose history is of the last microsecond of 2023 and
# forced photometry of February and March 2024, and an alert with no time (NaN: the undated
# partition).
MADE_TIME = 60390.25          # 2024-03-16
MADE_HISTORY_TIME = 60309.99999999999   # 2023-12-31, a microsecond before 2024 (MJD + 2400000.5 would round it into 2024)
MADE_FORCED_TIMES = [60360.125, 60389.75]  # 2024-02-15, 2024-03-15


def month_of(mjd) -> str:
    """`YYYY_MM` of the month an MJD falls in, `undated` for none (NULL, NaN, outside 1990..2199)."""
    if mjd is None or math.isnan(mjd):
        return "undated"
    day = date(1858, 11, 17) + timedelta(days=math.floor(mjd))
    return f"{day.year:04d}_{day.month:02d}" if 1990 <= day.year < 2200 else "undated"


def made_packets(shared_dir, folder):
    """Two packets from the first shared one, with new diaSourceIds: one of another month, with a
    history source and forced photometry, and one whose time is NaN. Written with the shared
    packets' schema into `folder`."""
    with open(sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro"))[0], "rb") as handle:
        reader = fastavro.reader(handle)
        schema, base = reader.writer_schema, next(iter(reader))
    forced_fields = next(f for f in schema["fields"] if f["name"] == "prvDiaForcedSources")["type"][0]["items"][0]["fields"]
    object_id = base["diaSource"]["diaObjectId"]

    dated = copy.deepcopy(base)
    dated["diaSourceId"] = dated["diaSource"]["diaSourceId"] = base["diaSourceId"] + 1
    dated["diaSource"]["midpointMjdTai"] = MADE_TIME
    history = copy.deepcopy(base["diaSource"])
    history["diaSourceId"] = base["diaSourceId"] + 2
    history["midpointMjdTai"] = MADE_HISTORY_TIME
    dated["prvDiaSources"] = [history]
    dated["prvDiaForcedSources"] = []
    for n, time in enumerate(MADE_FORCED_TIMES):
        entry = {f["name"]: None for f in forced_fields}
        entry.update(diaForcedSourceId=base["diaSourceId"] + 10 + n, diaObjectId=object_id, ra=base["diaSource"]["ra"],
                     dec=base["diaSource"]["dec"], visit=base["diaSource"]["visit"] - 100 - n, detector=base["diaSource"]["detector"],
                     psfFlux=1000.0 + n, psfFluxErr=50.0, midpointMjdTai=time, band="r")
        dated["prvDiaForcedSources"].append(entry)

    undated = copy.deepcopy(base)
    undated["diaSourceId"] = undated["diaSource"]["diaSourceId"] = base["diaSourceId"] + 3
    undated["diaSource"]["midpointMjdTai"] = float("nan")
    undated["diaObject"] = None

    path = folder / "made.avro"
    with open(path, "wb") as handle:
        fastavro.writer(handle, schema, [dated, undated])
    return path


def requests_for(db) -> list[str]:
    """What the API is asked before and after: listings with filters and a cone, objects, a
    source's page (with history and forced photometry), an object's, a stamp, the Avro export."""
    shared = db.conn.execute(
        'SELECT "diaSourceId", "diaObjectId" FROM dia_source ORDER BY "diaSourceId" LIMIT 3 OFFSET 40').fetchall()
    made = db.conn.execute(
        'SELECT "diaSourceId", "diaObjectId" FROM dia_source WHERE "midpointMjdTai" < 60900 OR "midpointMjdTai" = \'NaN\' '
        'ORDER BY "diaSourceId"').fetchall()
    assert len(made) == 2
    middle = db.conn.execute('SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "midpointMjdTai") FROM dia_source '
                             'WHERE "midpointMjdTai" > 60900').fetchone()[0]
    centre = db.conn.execute('SELECT ra, dec FROM dia_source ORDER BY "diaSourceId" LIMIT 1 OFFSET 60').fetchone()
    paths = [
        "/rubin/?format=json",
        "/rubin/?format=json&band=r",
        "/rubin/?format=json&band=i",
        f"/rubin/?format=json&midpointMjdTai__gt={middle!r}",
        "/rubin/?format=json&midpointMjdTai__lt=60400",
        "/rubin/?format=json&cone=%r,%r,0.05" % centre,
        "/rubin/objects/?format=json",
    ]
    for source_id, object_id in shared + made:
        paths += [f"/rubin/{source_id}/?format=json", f"/rubin/{source_id}/avro/", f"/rubin/{source_id}/cutout/Science/",
                  f"/rubin/objects/{object_id}/?format=json", f"/rubin/?format=json&diaObjectId={object_id}"]
    return list(dict.fromkeys(paths))  # the made packets share the first shared packet's object


def pages(server) -> list[list[int]]:
    """Every page of the listing, following the `next` cursor links: the keyset cursor across partitions."""
    found, url = [], server.url + "/rubin/?format=json"
    while url:
        with LOCAL_OPENER.open(url, timeout=30) as response:
            page = json.loads(response.read())
        found.append([r["diaSourceId"] for r in page["results"]])
        url = page["next"]
    return found


def indexes(db, table) -> set[str]:
    """The names of `table`'s indexes other than its unique keys (0013 declares those anew)."""
    return {r[0] for r in db.conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisunique",
        (table,)).fetchall()}


@pytest.fixture(scope="module")
def made(shared_dir, tmp_path_factory):
    return made_packets(shared_dir, tmp_path_factory.mktemp("made-rubin"))


@pytest.fixture(scope="module")
def old_database(make_database, ingest, shared_dir, repo_root, alertdb_bin, made, tmp_path_factory):
    loaded = make_database()
    proc, summary = ingest(loaded.url, shared_dir / "rubin" / "alerts-9.0", made)
    assert proc.returncode == 0 and summary.loaded == 102 and summary.rejected == 0, summary.line

    old_migrations = tmp_path_factory.mktemp("migrations-0012")
    for file in sorted((repo_root / "Migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")):
        if int(file.name[:4]) <= 12:
            shutil.copy(file, old_migrations)
    old = make_database(migrate=False)
    proc = subprocess.run([str(alertdb_bin), "migrate", "--database", old.url],
                          env={**os.environ, "ALERTDB_MIGRATIONS": str(old_migrations)}, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert old.conn.execute("SELECT max(version) FROM schema_migration").fetchone()[0] == 12
    for table in PARTITIONED:
        assert old.conn.execute("SELECT relkind FROM pg_class WHERE relname = %s", (table,)).fetchone()[0] == "r"
    assert old.conn.execute("SELECT to_regclass('dia_source_key')").fetchone()[0] is None

    old.conn.execute("TRUNCATE alert_count")
    for table in COPIED:
        names = [n for n in columns(old, table) if n in set(columns(loaded, table))]
        generated = old.conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attidentity = 'a'", (table,)).fetchall()
        if generated:  # avro_schema.id is GENERATED ALWAYS
            old.conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{generated[0][0]}" SET GENERATED BY DEFAULT')
            copy_rows(loaded, old, table, names)
            old.conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{generated[0][0]}" SET GENERATED ALWAYS')
        else:
            copy_rows(loaded, old, table, names)
    old.conn.execute("SELECT setval(pg_get_serial_sequence('avro_schema', 'id'), max(id)) FROM avro_schema")
    return old


def test_migration_keeps_every_row_and_every_answer(old_database, run_alertdb, start_server, ingest, shared_dir, made):
    db = old_database
    tables = [r[0] for r in db.conn.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1").fetchall()]
    assert set(COPIED) <= set(tables)
    old_columns = {t: columns(db, t) for t in tables}
    before = {t: fingerprint(db, t, old_columns[t]) for t in tables}
    assert all(before[t][0] > 0 for t in COPIED), before
    assert before["dia_source"][0] == 102 and before["dia_source_cutout"][0] == 306
    assert before["prv_dia_source"][0] == 2 and before["prv_dia_forced_source"][0] == 2
    old_indexes = {t: indexes(db, t) for t in PARTITIONED}

    # The same port before and after: links in the answers are absolute.
    server = start_server(db)
    port = server.port
    paths = requests_for(db)
    answers_before = answers(server, paths)
    pages_before = pages(server)
    server.stop()
    assert all(status == 200 for status, _ in answers_before.values()), [(p, s, b[:200]) for p, (s, b) in answers_before.items() if s != 200]
    assert sorted(sum(pages_before, [])) == sorted(r[0] for r in db.conn.execute('SELECT "diaSourceId" FROM dia_source'))
    # The asking is not idle: the filters select some sources and leave out others.
    results = {p: len(json.loads(b)["results"]) for p, (_, b) in answers_before.items() if p.startswith("/rubin/?")}
    assert 0 < results["/rubin/?format=json&band=i"] and results["/rubin/?format=json&band=r"] == 0
    assert 0 < [n for p, n in results.items() if "midpointMjdTai__gt" in p][0] < 100
    assert results["/rubin/?format=json&midpointMjdTai__lt=60400"] == 1
    assert 0 < [n for p, n in results.items() if "cone" in p][0] < 100

    proc = run_alertdb("migrate", "--database", db.url)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"0013_rubin_partitioning" in proc.stdout + proc.stderr

    for table in PARTITIONED:
        assert db.conn.execute("SELECT relkind FROM pg_class WHERE relname = %s", (table,)).fetchone()[0] == "p"
        assert indexes(db, table) >= old_indexes[table], table
    after = {t: fingerprint(db, t, old_columns[t]) for t in tables if t != "schema_migration"}
    assert after == {t: v for t, v in before.items() if t != "schema_migration"}
    # schema_migration gained 0013 (and any migration after it) and kept what it had.
    assert db.conn.execute("SELECT count(*) FROM schema_migration WHERE version <= 12").fetchone()[0] == 12
    assert db.conn.execute("SELECT count(*) FROM schema_migration WHERE version = 13").fetchone()[0] == 1

    # Every alert has its key, with its time; every stamp its alert's time.
    assert db.count("dia_source_key") == before["dia_source"][0]
    assert db.conn.execute('SELECT count(*) FROM dia_source d JOIN dia_source_key k '
                           'ON k."diaSourceId" = d."diaSourceId" AND k."midpointMjdTai" IS NOT DISTINCT FROM d."midpointMjdTai"'
                           ).fetchone()[0] == before["dia_source"][0]
    assert db.conn.execute('SELECT count(*) FROM dia_source_cutout s JOIN dia_source d '
                           'ON d."diaSourceId" = s."diaSourceId" AND d."midpointMjdTai" IS NOT DISTINCT FROM s."midpointMjdTai"'
                           ).fetchone()[0] == before["dia_source_cutout"][0]
    # Every row is in the partition of its month (the shared packets' is September 2025).
    for table in PARTITIONED:
        rows = db.conn.execute(f'SELECT tableoid::regclass::text, "midpointMjdTai" FROM "{table}"').fetchall()
        misplaced = [(where, mjd) for where, mjd in rows if where != f"{table}_{month_of(mjd)}"]
        assert not misplaced, (table, misplaced)
    assert db.count("dia_source_2025_09") == 100 and db.count("dia_source_cutout_2025_09") == 300
    assert db.count("dia_source_2024_03") == 1 and db.count("dia_source_cutout_2024_03") == 3
    assert db.count("dia_source_undated") == 1 and db.count("dia_source_cutout_undated") == 3
    assert db.count("prv_dia_source_2023_12") == 1
    assert db.count("prv_dia_forced_source_2024_02") == 1 and db.count("prv_dia_forced_source_2024_03") == 1

    server = start_server(db, port=port)
    answers_after = answers(server, paths)
    assert pages(server) == pages_before
    changed = [p for p in paths if answers_after[p] != answers_before[p]]
    assert not changed, changed

    # Loading the same packets again stores nothing: dia_source_key knows them.
    proc, summary = ingest(db.url, shared_dir / "rubin" / "alerts-9.0", made)
    assert proc.returncode == 0 and summary.loaded == 0 and summary.duplicate == 102, summary.line
    assert db.count("dia_source") == 102 and db.count("dia_source_key") == 102
