"""Migrations/0009 converts a database of the unpartitioned schema in place: nothing is lost
(every table's row count and the md5 of its rows are the same before and after), and the API
gives the same answers before and after.

The database "built before" has the schema of Migrations 0001-0007 (`alertdb migrate` run on a
folder holding only those files) and holds what the loader stores for every shared packet: the
packets are loaded into a current database, and its rows copied, column by column, into the old
schema's tables (a loader of the old schema is not part of this build). Then `alertdb migrate`
applies 0009 to it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import urllib.error

import fastavro
import pytest

from conftest import LOCAL_OPENER

# Tables copied from the loaded database, in an order their foreign keys allow.
COPIED = ["avro_schema", "candidate", "prv_candidate", "cutout", "object", "reject", "alert_count"]

# What the API is asked before and after: listing, filters, cursor pages, cone, where=, objects,
# an alert page with its history and photometry, the Avro export, a cutout.
def requests_for(db) -> list[str]:
    some = db.conn.execute("SELECT id, \"objectId\" FROM candidate ORDER BY candid LIMIT 3 OFFSET 40").fetchall()
    stamped = db.conn.execute("SELECT c.id FROM candidate c JOIN cutout s USING (candid) ORDER BY c.candid LIMIT 1").fetchone()[0]
    cone_centre = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY candid LIMIT 1 OFFSET 500").fetchone()
    paths = [
        "/?format=json",
        "/?format=json&page=3",
        "/?format=json&rb__gte=0.8&magpsf__lte=19",
        "/?format=json&jd__gte=2458400&jd__lte=2458500",
        "/?format=json&cone=%s,%s,10" % cone_centre,
        "/?format=json&where=magpsf%20-%20magap%20%3C%200.5%20OR%20distnr%20IS%20NULL",
        "/objects/?format=json",
        "/objects/?format=json&ndet__gte=3",
        f"/{stamped}/cutout/Science/",
    ]
    for alert_id, object_id in some:
        paths += [f"/{alert_id}/?format=json", f"/{alert_id}/avro/", f"/{alert_id}/photometry/?format=json",
                  f"/objects/{object_id}/?format=json", f"/?format=json&objectId={object_id}"]
    return paths


def answers(server, paths) -> dict[str, tuple[int, bytes]]:
    """Status and body of each path; a JSON body without its volatile parts."""
    result = {}
    for path in paths:
        try:
            with LOCAL_OPENER.open(server.url + path, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        if body[:1] in (b"{", b"["):
            body = json.dumps(json.loads(body), sort_keys=True).encode()
        elif body[:4] == b"Obj\x01":  # an Avro container: its sync marker is drawn per process
            body = repr(list(fastavro.reader(io.BytesIO(body)))).encode()
        result[path] = (status, body)
    return result


def next_page(server):
    """Follows the first page's `next` cursor link: the keyset cursor across partitions."""
    with LOCAL_OPENER.open(server.url + "/?format=json", timeout=30) as response:
        first = json.loads(response.read())
    with LOCAL_OPENER.open(first["next"], timeout=30) as response:
        return [r["lco_id"] for r in first["results"]], [r["lco_id"] for r in json.loads(response.read())["results"]]


def columns(db, table) -> list[str]:
    return [r[0] for r in db.conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (table,)).fetchall()]


def fingerprint(db, table, names) -> tuple[int, str]:
    """Rows and the md5 of their text, in order, of `names` columns of `table`."""
    listed = ", ".join(f'"{n}"' for n in names)
    return db.conn.execute(
        f"SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) "
        f"FROM (SELECT {listed} FROM \"{table}\") r").fetchone()


def copy_rows(source, target, table, names):
    listed = ", ".join(f'"{n}"' for n in names)
    with source.conn.cursor().copy(f"COPY (SELECT {listed} FROM \"{table}\") TO STDOUT (FORMAT binary)") as out, \
         target.conn.cursor().copy(f"COPY \"{table}\" ({listed}) FROM STDIN (FORMAT binary)") as into:
        for data in out:
            into.write(data)


@pytest.fixture(scope="module")
def old_database(make_database, run_alertdb, ingest, shared_dir, repo_root, tmp_path_factory):
    loaded = make_database()
    proc, summary = ingest(loaded.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.loaded > 1000, summary.line
    # A reject too, so that every table has rows.
    bad = tmp_path_factory.mktemp("bad") / "not-avro.avro"
    bad.write_bytes(b"not an alert")
    ingest(loaded.url, bad)

    old_migrations = tmp_path_factory.mktemp("migrations-0007")
    for file in sorted((repo_root / "Migrations").glob("000[1-7]_*.sql")):
        shutil.copy(file, old_migrations)
    old = make_database(migrate=False)
    proc = subprocess.run([os.environ.get("ALERTDB_BIN", str(repo_root / ".build/debug/alertdb")), "migrate", "--database", old.url],
                          env={**os.environ, "ALERTDB_MIGRATIONS": str(old_migrations)}, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert old.conn.execute("SELECT max(version) FROM schema_migration").fetchone()[0] == 7
    assert old.conn.execute("SELECT relkind FROM pg_class WHERE relname = 'candidate'").fetchone()[0] == "r"

    old.conn.execute("TRUNCATE alert_count, object")
    for table in COPIED:
        names = [n for n in columns(old, table) if n in set(columns(loaded, table))]
        generated = old.conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attidentity = 'a'", (table,)).fetchall()
        if generated:  # avro_schema.id and reject.id are GENERATED ALWAYS
            old.conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{generated[0][0]}" SET GENERATED BY DEFAULT')
            copy_rows(loaded, old, table, names)
            old.conn.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{generated[0][0]}" SET GENERATED ALWAYS')
        else:
            copy_rows(loaded, old, table, names)
    old.conn.execute("SELECT setval(pg_get_serial_sequence('candidate', 'id'), max(id)) FROM candidate")
    old.conn.execute("SELECT setval(pg_get_serial_sequence('avro_schema', 'id'), max(id)) FROM avro_schema")
    old.conn.execute("INSERT INTO api_token (name, digest, burst, interval_seconds) VALUES ('migration-test', '\\x00', 5, 1)")
    return old


def test_migration_keeps_every_row_and_every_answer(old_database, run_alertdb, start_server, ingest, shared_dir):
    db = old_database
    tables = [r[0] for r in db.conn.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1").fetchall()]
    assert {"candidate", "prv_candidate", "cutout", "object", "api_token"} <= set(tables)
    old_columns = {t: columns(db, t) for t in tables}
    before = {t: fingerprint(db, t, old_columns[t]) for t in tables}
    assert all(before[t][0] > 0 for t in COPIED + ["api_token", "schema_migration"]), before

    # The same port before and after: links in the answers are absolute.
    server = start_server(db)
    port = server.port
    paths = requests_for(db)
    answers_before = answers(server, paths)
    pages_before = next_page(server)
    server.stop()
    assert all(status == 200 for status, _ in answers_before.values()), [(p, s, b[:200]) for p, (s, b) in answers_before.items() if s != 200]

    proc = run_alertdb("migrate", "--database", db.url)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"0009_partitioning" in proc.stdout + proc.stderr

    for table in ("candidate", "prv_candidate", "cutout"):
        assert db.conn.execute("SELECT relkind FROM pg_class WHERE relname = %s", (table,)).fetchone()[0] == "p"
    after = {t: fingerprint(db, t, old_columns[t]) for t in tables if t != "schema_migration"}
    assert after == {t: v for t, v in before.items() if t != "schema_migration"}
    # schema_migration gained 0009 and kept what it had.
    assert fingerprint(db, "schema_migration", ["version", "name"]) != before["schema_migration"]
    assert db.conn.execute("SELECT count(*) FROM schema_migration WHERE version <= 7").fetchone()[0] == 7
    # Every alert has its key, every stamp its alert's jd, and no row sits in a default partition.
    assert db.conn.execute("SELECT count(*) FROM candidate c JOIN candidate_key k USING (candid, id)").fetchone()[0] == before["candidate"][0]
    assert db.conn.execute("SELECT count(*) FROM cutout s JOIN candidate c ON c.candid = s.candid AND c.jd = s.jd").fetchone()[0] == before["cutout"][0]
    for table in ("candidate", "prv_candidate", "cutout"):
        assert db.count(f"{table}_undated") == 0

    server = start_server(db, port=port)
    answers_after = answers(server, paths)
    assert next_page(server) == pages_before
    changed = [p for p in paths if answers_after[p] != answers_before[p]]
    assert not changed, changed

    # Loading the same packets again stores nothing; the next id follows the old sequence.
    next_id = db.conn.execute("SELECT max(id) + 1 FROM candidate").fetchone()[0]
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0 and summary.loaded == 0 and summary.duplicate > 0, summary.line
    assert db.conn.execute("SELECT nextval(pg_get_serial_sequence('candidate_key', 'id'))").fetchone()[0] == next_id
