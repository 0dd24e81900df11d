"""Oracle test: every shared ZTF packet, decoded independently with fastavro, must be
stored field for field by `alertdb ingest`.

All packets of ../shared/alerts/ztf-v3 (schemas 3.1-3.3) and ../shared/alerts/ztf-2017
(the 2017 schema without schemavsn/publisher) are loaded once into a fresh database;
the tests below then compare that database with the packets.
"""

from __future__ import annotations

import json

import fastavro
import pytest

from alert_oracle import (
    compare_candidate,
    compare_cutouts,
    compare_derived_magnitudes,
    compare_history_keys,
    compare_galactic,
    compare_history,
    candidate_rows,
    cutout_rows,
    decode_packets,
    history_key,
    history_rows,
    report,
    table_columns,
)

EXPECTED_ALERTS = 1104
FOLDERS = ("ztf-v3", "ztf-2017")
PUBLIC_TABLES = {"candidate", "prv_candidate", "cutout", "reject", "avro_schema", "schema_migration"}


@pytest.fixture(scope="module")
def input_dirs(shared_dir):
    return [shared_dir / "alerts" / folder for folder in FOLDERS]


@pytest.fixture(scope="module")
def packets(input_dirs):
    paths = sorted(path for folder in input_dirs for path in folder.rglob("*.avro"))
    return decode_packets(paths)


@pytest.fixture(scope="module")
def loaded(make_database, ingest, input_dirs):
    """A fresh migrated database with every shared packet ingested once."""
    db = make_database()
    proc, summary = ingest(db.url, *input_dirs)
    return db, proc, summary


@pytest.fixture(scope="module")
def db(loaded):
    return loaded[0]


def public_table_counts(db) -> dict[str, int]:
    tables = db.conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    ).fetchall()
    return {name: db.count(name) for (name,) in tables}


def test_first_ingest_loads_every_packet(loaded, packets):
    """The first ingest of the shared packets succeeds and loads all of them."""
    _, proc, summary = loaded
    assert len(packets) == EXPECTED_ALERTS
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert (summary.read, summary.loaded, summary.duplicate, summary.rejected) == (
        EXPECTED_ALERTS, EXPECTED_ALERTS, 0, 0,
    ), summary.line


def test_table_counts(db, packets):
    """One candidate row per packet, one history row per distinct ("objectId", pid, candid),
    one cutout row per non-null cutout, and nothing rejected."""
    history_keys = {
        history_key(p.record["objectId"], entry)
        for p in packets
        for entry in p.record.get("prv_candidates") or []
    }
    cutouts = sum(
        1 for p in packets for field in ("cutoutScience", "cutoutTemplate", "cutoutDifference")
        if p.record.get(field) is not None
    )
    assert {
        "candidate": db.count("candidate"),
        "prv_candidate": db.count("prv_candidate"),
        "cutout": db.count("cutout"),
        "reject": db.count("reject"),
    } == {
        "candidate": EXPECTED_ALERTS,
        "prv_candidate": len(history_keys),
        "cutout": cutouts,
        "reject": 0,
    }


def test_candidate_rows_match_packets(db, packets):
    """Each packet's candidate row holds objectId, candid, schemavsn, publisher (NULL where
    the packet lacks them) and every field of the candidate record exactly; columns for
    fields the packet's schema lacks are NULL; `extra` is NULL when nothing is left over."""
    rows = candidate_rows(db)
    columns = set(table_columns(db, "candidate"))
    diffs = [d for p in packets for d in compare_candidate(p, rows.get(p.record["candid"]), columns)]
    assert not diffs, report(diffs, "candidate rows")


def test_history_rows_match_packets(db, packets):
    """Each prv_candidates entry of each packet exists in prv_candidate under its
    ("objectId", pid, candid), with every field equal."""
    rows = history_rows(db)
    columns = set(table_columns(db, "prv_candidate"))
    diffs = [d for p in packets for d in compare_history(p, rows, columns)]
    assert not diffs, report(diffs, "history rows")


def test_cutouts_match_packets(db, packets):
    """Each cutout is stored with its file name and exactly the Avro stampData bytes."""
    rows = cutout_rows(db)
    diffs = [d for p in packets for d in compare_cutouts(p, rows)]
    assert not diffs, report(diffs, "cutouts")


def test_derived_magnitudes(db, packets):
    """deltamaglatest (magpsf minus the latest earlier same-filter detection in the packet's
    history) and deltamagref (magnr - magpsf when 0 <= distnr < 2) match a Python recomputation."""
    rows = candidate_rows(db)
    diffs = [
        d for p in packets if p.record["candid"] in rows
        for d in compare_derived_magnitudes(p, rows[p.record["candid"]])
    ]
    assert not diffs, report(diffs, "derived magnitudes")


def test_history_keys(db, packets):
    """Each alert records which history entries its packet carried, in packet order."""
    rows = candidate_rows(db)
    diffs = [d for p in packets if p.record["candid"] in rows for d in compare_history_keys(p, rows[p.record["candid"]])]
    assert not diffs, report(diffs, "history keys")


def test_galactic_coordinates(db, packets):
    """(l, b) lie in [0, 360) x [-90, 90] and agree with astropy's ICRS -> Galactic
    transformation within 1e-6 degrees."""
    diffs = compare_galactic(packets, candidate_rows(db))
    assert not diffs, report(diffs, "galactic coordinates")


def test_writer_schema_recorded(db, packets):
    """Each candidate row points at an avro_schema row whose definition is the packet's
    writer schema (same Parsing Canonical Form)."""
    definitions = dict(db.conn.execute("SELECT id, definition FROM avro_schema").fetchall())
    schema_ids = dict(db.conn.execute("SELECT candid, schema_id FROM candidate").fetchall())
    canonical = {
        sid: fastavro.schema.to_parsing_canonical_form(fastavro.parse_schema(json.loads(text)))
        for sid, text in definitions.items()
    }
    diffs = []
    for p in packets:
        sid = schema_ids.get(p.record["candid"])
        expected = fastavro.schema.to_parsing_canonical_form(p.writer_schema)
        if sid not in canonical:
            diffs.append(f"{p.label}: schema_id {sid!r} has no avro_schema row")
        elif canonical[sid] != expected:
            diffs.append(f"{p.label}: avro_schema {sid} is not the packet's writer schema")
    assert not diffs, report(diffs, "recorded writer schemas")


def test_reingest_is_idempotent(db, ingest, input_dirs):
    """Ingesting the same inputs again changes no table and counts every alert as a duplicate.
    (Runs last in this module: it is the only test that writes after the first load.)"""
    before = public_table_counts(db)
    assert PUBLIC_TABLES <= before.keys()
    proc, summary = ingest(db.url, *input_dirs)
    after = public_table_counts(db)
    assert after == before
    assert (summary.read, summary.loaded, summary.duplicate, summary.rejected) == (
        EXPECTED_ALERTS, 0, EXPECTED_ALERTS, 0,
    ), summary.line
