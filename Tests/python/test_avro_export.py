"""GET /<id>/avro/ gives back the packet that was ingested.

The independent oracle: for every shared packet (../shared/alerts, schema 2017 and 3.x),
fastavro decodes the file and the server's response, and the two records must be equal
field by field: floats to the bit, null apart from an empty list, bytes exactly, the
history entries in the packet's order.
"""

from __future__ import annotations

import io
import math
import struct
import urllib.error

import fastavro
import pytest

from conftest import LOCAL_OPENER


def differences(expected, actual, path="") -> list[str]:
    """Where two decoded Avro values differ (empty when equal). Floats are compared by bit
    pattern, so a float32 widened the same way compares equal and -0.0 differs from 0.0."""
    where = path or "<alert>"
    if isinstance(expected, float) or isinstance(actual, float):
        if not (isinstance(expected, float) and isinstance(actual, float)):
            return [f"{where}: {expected!r} != {actual!r}"]
        same = struct.pack("<d", expected) == struct.pack("<d", actual) or (math.isnan(expected) and math.isnan(actual))
        return [] if same else [f"{where}: {expected!r} != {actual!r}"]
    if type(expected) is not type(actual):
        return [f"{where}: {expected!r:.80} ({type(expected).__name__}) != {actual!r:.80} ({type(actual).__name__})"]
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            return [f"{where}: fields {list(expected)} != {list(actual)}"]
        return [d for key in expected for d in differences(expected[key], actual[key], f"{path}.{key}" if path else key)]
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} elements != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{where}: {expected!r:.80} != {actual!r:.80}"]


def get(url: str):
    """(status, headers, body) of a GET, without raising on 4xx."""
    try:
        with LOCAL_OPENER.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def packets(shared_dir):
    """Every shared packet as fastavro reads it, by candid (files are not all named by candid)."""
    found = {}
    for path in sorted((shared_dir / "alerts").glob("*/*.avro")):
        with open(path, "rb") as handle:
            for record in fastavro.reader(handle):
                found[record["candid"]] = (path, record)
    assert len(found) == 1104, f"expected the 1104 shared alerts, found {len(found)}"
    return found


@pytest.fixture(scope="module")
def ids(live_server):
    """candid -> public id of every stored alert."""
    return dict(live_server.db.conn.execute("SELECT candid, id FROM candidate").fetchall())


def test_every_shared_alert_comes_back_as_its_packet(live_server, packets, ids):
    """Each stored alert's Avro export decodes to exactly the record of its packet file."""
    assert set(ids) == set(packets)
    diffs = []
    for candid, (path, original) in packets.items():
        status, headers, body = get(f"{live_server.url}/{ids[candid]}/avro/")
        if status != 200:
            diffs.append(f"{path.name}: status {status}: {body[:200]!r}")
            continue
        if headers.get_content_type() != "application/avro":
            diffs.append(f"{path.name}: Content-Type {headers.get('Content-Type')}")
        if f"{candid}.avro" not in (headers.get("Content-Disposition") or ""):
            diffs.append(f"{path.name}: Content-Disposition {headers.get('Content-Disposition')!r}")
        records = list(fastavro.reader(io.BytesIO(body)))
        if len(records) != 1:
            diffs.append(f"{path.name}: {len(records)} records in the export")
            continue
        diffs += [f"{path.name}: {d}" for d in differences(original, records[0])[:5]]
        if len(diffs) > 40:
            break
    assert not diffs, "\n".join(diffs[:40])


def test_export_route_without_trailing_slash(live_server, packets, ids):
    """`/<id>/avro` is the same route as `/<id>/avro/`."""
    candid = min(packets)
    status, _, body = get(f"{live_server.url}/{ids[candid]}/avro")
    assert status == 200
    (record,) = list(fastavro.reader(io.BytesIO(body)))
    assert not differences(packets[candid][1], record)


def test_unknown_alert_is_not_found(live_server, ids):
    """An id no alert has gives 404 with a JSON error, not an empty container."""
    status, headers, body = get(f"{live_server.url}/{max(ids.values()) + 1000}/avro/")
    assert status == 404
    assert b"error" in body
