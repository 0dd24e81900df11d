"""Oracle test for Rubin alerts: every shared Rubin packet (../shared/rubin/alerts-9.0, schema
9.0 as a broker rewrote it: record `topLevelRecord`, two added fields) and the sample alert
lsst-alert-packet ships for every schema version, decoded independently with fastavro, must be
stored field for field, history row for history row and stamp byte for stamp byte; loading
again must add nothing. The same packets framed in the Confluent wire format (one message per
file, as topics are dumped to disk) load through the schemas bundled with alertdb.
"""

from __future__ import annotations

import struct
from pathlib import Path

import fastavro
import fastavro.schema
import lsst.alert.packet
import pytest

from rubin_framing import framed as framed_message
from rubin_oracle import compare_alert, compare_objects

TABLES = ("dia_source", "dia_source_cutout", "prv_dia_source", "prv_dia_forced_source", "dia_object")
SCHEMA_ROOT = Path(lsst.alert.packet.get_schema_root())
VERSIONS = sorted(((int(p.parent.name), int(p.name)) for p in SCHEMA_ROOT.glob("[0-9]*/[0-9]*")))


def fake_alert(version) -> Path:
    return SCHEMA_ROOT / str(version[0]) / str(version[1]) / "sample_data" / "fakeAlert.avro"


def read(path: Path) -> list[dict]:
    with open(path, "rb") as f:
        return list(fastavro.reader(f))


def counts(db) -> dict[str, int]:
    return {table: db.count(table) for table in TABLES}


def framed(record: dict, version) -> bytes:
    """The record as a Kafka message of Rubin's stream: 0, the schema id MAJOR*100+MINOR, the datum."""
    return framed_message(record, version[0] * 100 + version[1])


@pytest.fixture(scope="module")
def shared_paths(shared_dir):
    paths = sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro"))
    assert len(paths) == 100
    return paths


@pytest.fixture(scope="module")
def shared_packets(rubin_packets):
    return rubin_packets


@pytest.fixture(scope="module")
def loaded(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "rubin" / "alerts-9.0")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return db, summary


def test_every_shared_packet_loads_once(loaded):
    db, summary = loaded
    assert (summary.read, summary.loaded, summary.duplicate, summary.rejected) == (100, 100, 0, 0)
    assert db.count("dia_source") == 100
    assert db.count("dia_source_cutout") == 300
    assert db.count("candidate") == 0


def test_shared_packets_match_the_database(loaded, shared_packets):
    db, _ = loaded
    differences = [d for packet in shared_packets for d in compare_alert(db, packet)]
    differences += compare_objects(db, shared_packets)
    assert not differences, "\n".join(differences[:30])


def test_reloading_adds_nothing(loaded, ingest, shared_dir):
    db, _ = loaded
    before = counts(db)
    proc, summary = ingest(db.url, shared_dir / "rubin" / "alerts-9.0")
    assert proc.returncode == 0
    assert (summary.loaded, summary.duplicate, summary.rejected) == (0, 100, 0)
    assert counts(db) == before


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"{v[0]}.{v[1]}")
def test_fake_alert_of_every_version(make_database, ingest, version):
    # Every version's sample alert has the same diaSourceId: each gets a database of its own.
    db = make_database()
    path = fake_alert(version)
    proc, summary = ingest(db.url, path)
    assert (summary.loaded, summary.rejected) == (1, 0), proc.stderr.decode(errors="replace")
    packets = read(path)
    differences = [d for packet in packets for d in compare_alert(db, packet)] + compare_objects(db, packets)
    assert not differences, "\n".join(differences[:30])
    before = counts(db)
    _, again = ingest(db.url, path)
    assert (again.loaded, again.duplicate) == (0, 1)
    assert counts(db) == before


def test_framed_messages_load_with_the_bundled_schemas(make_database, ingest, shared_packets, tmp_path):
    db = make_database()
    for i, packet in enumerate(shared_packets):
        (tmp_path / f"{i:03}.msg").write_bytes(framed(packet, (9, 0)))
    proc, summary = ingest(db.url, tmp_path)
    assert (summary.loaded, summary.rejected) == (100, 0), proc.stderr.decode(errors="replace")
    # The broker's two added fields are not in Rubin's 9.0 schema, so not in the message.
    trimmed = [{k: v for k, v in p.items() if k not in ("brokerIngestMjd", "lsst_schema_version")} for p in shared_packets]
    differences = [d for packet in trimmed for d in compare_alert(db, packet)] + compare_objects(db, trimmed)
    assert not differences, "\n".join(differences[:30])


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"{v[0]}.{v[1]}")
def test_framed_fake_alert_of_every_version(make_database, ingest, version, tmp_path):
    db = make_database()
    packet = read(fake_alert(version))[0]
    message = tmp_path / "message.bin"
    message.write_bytes(framed(packet, version))
    proc, summary = ingest(db.url, message)
    assert (summary.loaded, summary.rejected) == (1, 0), proc.stderr.decode(errors="replace")
    differences = compare_alert(db, packet) + compare_objects(db, [packet])
    assert not differences, "\n".join(differences[:30])


def test_unknown_schema_id_is_a_reject(make_database, ingest, shared_packets, tmp_path):
    db = make_database()
    good = framed(shared_packets[0], (9, 0))
    (tmp_path / "a-unknown.bin").write_bytes(good[:1] + struct.pack(">i", 4242) + good[5:])
    (tmp_path / "b-good.bin").write_bytes(good)
    proc, summary = ingest(db.url, tmp_path)
    assert proc.returncode == 0
    assert (summary.loaded, summary.rejected) == (1, 1)
    reason, = db.conn.execute("SELECT reason FROM reject").fetchone()
    assert "4242" in reason


@pytest.fixture
def registry():
    from schema_registry import SchemaRegistry

    stand_in = SchemaRegistry(failures=2)
    yield stand_in
    stand_in.close()


def test_schema_ids_resolved_by_a_registry(make_database, run_alertdb, registry, shared_packets, tmp_path):
    db = make_database()
    for i, packet in enumerate(shared_packets[:20]):
        (tmp_path / f"{i:03}.msg").write_bytes(framed(packet, (9, 0)))
    fake = read(fake_alert((7, 4)))[0]
    (tmp_path / "fake-7.4.msg").write_bytes(framed(fake, (7, 4)))
    unknown = framed(shared_packets[20], (9, 0))
    (tmp_path / "unknown.msg").write_bytes(unknown[:1] + struct.pack(">i", 901) + unknown[5:])
    proc = run_alertdb("ingest", "--database", db.url, "--schema-registry", registry.url, tmp_path)
    output = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, output
    assert "loaded 21, duplicate 0, rejected 1" in output
    # Each id asked for until answered (the first two requests failed with 503), then cached.
    assert registry.requests[900] + registry.requests[704] == 4
    assert registry.requests[901] == 1
    reason, = db.conn.execute("SELECT reason FROM reject").fetchone()
    assert "knows no schema id 901" in reason
    trimmed = [{k: v for k, v in p.items() if k not in ("brokerIngestMjd", "lsst_schema_version")} for p in shared_packets[:20]]
    differences = [d for packet in trimmed + [fake] for d in compare_alert(db, packet)]
    assert not differences, "\n".join(differences[:30])
