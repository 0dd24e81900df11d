"""Container files holding several alerts, compressed with Avro's deflate codec, as other
producers than ZTF write them; and a container whose last block is damaged.

The schema 3 packets of ../shared/alerts/ztf-v3 are re-written with fastavro, one container
per writer schema with one block per alert, then ingested and compared with fastavro's reading.
"""

from __future__ import annotations

import fastavro
import pytest

from alert_oracle import (
    Packet,
    candidate_rows,
    compare_candidate,
    compare_cutouts,
    compare_history,
    cutout_rows,
    decode_packets,
    history_rows,
    report,
    table_columns,
)


@pytest.fixture(scope="module")
def originals(shared_dir):
    return decode_packets(sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro")))


def write_container(path, schema, records):
    """One block per record (a tiny sync interval), deflate-compressed."""
    with open(path, "wb") as handle:
        fastavro.writer(handle, fastavro.parse_schema(schema), records, codec="deflate", sync_interval=1)


@pytest.fixture(scope="module")
def containers(tmp_path_factory, originals):
    """{path: [Packet]} with one container per distinct writer schema."""
    folder = tmp_path_factory.mktemp("containers")
    by_schema: dict[str, list[Packet]] = {}
    for packet in originals:
        by_schema.setdefault(fastavro.schema.to_parsing_canonical_form(packet.writer_schema), []).append(packet)
    result = {}
    for number, packets in enumerate(by_schema.values()):
        path = folder / f"night-{number}.avro"
        write_container(path, packets[0].writer_schema, [p.record for p in packets])
        result[path] = [Packet(path, p.record, p.writer_schema) for p in packets]
    return result


def test_several_alerts_per_deflate_container_load_field_for_field(make_database, ingest, containers):
    packets = [p for group in containers.values() for p in group]
    assert len(containers) < len(packets), "the test needs containers holding several alerts"
    db = make_database()
    proc, summary = ingest(db.url, *containers)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert (summary.read, summary.loaded, summary.rejected) == (len(packets), len(packets), 0), summary.line

    candidates, history, cutouts = candidate_rows(db), history_rows(db), cutout_rows(db)
    candidate_columns, history_columns = set(table_columns(db, "candidate")), set(table_columns(db, "prv_candidate"))
    diffs = []
    for p in packets:
        diffs += compare_candidate(p, candidates.get(p.record["candid"]), candidate_columns)
        diffs += compare_history(p, history, history_columns)
        diffs += compare_cutouts(p, cutouts)
    assert not diffs, report(diffs, "alerts read from multi-alert containers")


def test_a_damaged_block_rejects_the_file_and_the_alerts_before_it_load(make_database, ingest, tmp_path, containers):
    same = max(containers.values(), key=len)[:3]
    assert len(same) == 3
    path = tmp_path / "damaged.avro"
    write_container(path, same[0].writer_schema, [p.record for p in same])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # cut into the last block

    db = make_database()
    proc, summary = ingest(db.url, path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert (summary.loaded, summary.rejected) == (2, 1), summary.line
    stored = {candid for (candid,) in db.conn.execute("SELECT candid FROM candidate")}
    assert stored == {p.record["candid"] for p in same[:2]}
    source, reason, length = db.conn.execute("SELECT source, reason, length(bytes) FROM reject").fetchone()
    assert source.endswith("damaged.avro") and reason.startswith("record 3:"), (source, reason)
    assert length == len(data) - 40  # the whole file is kept with the reject
