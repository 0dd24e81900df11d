"""What the database must hold for a Rubin alert packet, computed from the packet decoded by
fastavro, independently of alertdb: field by field, history row by history row, stamp by stamp.

Each check returns a list of differences (empty when the database agrees), so a test can
report every one at once.
"""

from __future__ import annotations

import base64
import datetime
import math
import re
import struct

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def raw(value):
    """fastavro turns a timestamp-micros long (schema 8.0's time_processed) into a datetime;
    Avro sends, and alertdb stores, the long."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(microseconds=1)
    return value

# Packet fields that are tables or columns of their own rather than `extra`.
OWN_FIELDS = {"diaSource", "prvDiaSources", "prvDiaForcedSources", "diaObject",
              "cutoutDifference", "cutoutScience", "cutoutTemplate", "alertId", "observation_reason",
              "target_name", "diaSourceId"}
STAMPS = {"cutoutDifference": "Difference", "cutoutScience": "Science", "cutoutTemplate": "Template"}


def as_json(value):
    """A packet value as alertdb's jsonb holds it: bytes as base64, NaN and infinities as strings."""
    value = raw(value)
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def same(expected, stored, column_type: str | None = None) -> bool:
    """Equal as stored: a real column holds the float32 the packet sent; NaN equals NaN."""
    expected = raw(expected)
    if expected is None or stored is None:
        return expected is None and stored is None
    if isinstance(expected, float):
        if math.isnan(expected):
            return isinstance(stored, float) and math.isnan(stored)
        if column_type == "real":
            return struct.pack("<f", expected) == struct.pack("<f", stored)
        return expected == stored
    return expected == stored


# Fields schemas 3.0 and 4.0 (7.3's is_negative too) named otherwise than 5.0 on: alertdb stores
# them in the column of the current name. Found here by the renaming rules themselves (decl
# became dec, the point-source model's ps became psf, the dipole's dip became dipole, word by
# word), not by alertdb's table; the few renames that follow no rule are listed.
OTHER_RENAMES = {"midPointTai": "midpointMjdTai", "filterName": "band", "totFlux": "scienceFlux",
                 "totFluxErr": "scienceFluxErr", "diffFlux": "snapDiffFlux", "diffFluxErr": "snapDiffFluxErr",
                 "is_negative": "isNegative"}
# A diaObject's per-band figures of 3.0/4.0 (uPSFluxMean) and its proper motions keep their names.
NOT_RENAMED_PREFIXES = ("pm",)


def current_name(name: str) -> str:
    if name in OTHER_RENAMES:
        return OTHER_RENAMES[name]
    if name.startswith(NOT_RENAMED_PREFIXES):
        return name
    words = []
    for word in name.split("_"):
        word = re.sub(r"^decl", "dec", word).replace("Decl", "Dec")
        word = re.sub(r"^ps(?=[A-Z])", "psf", word)
        word = re.sub(r"^dip(?=[A-Z])", "dipole", word)
        words.append(word)
    return "_".join(words)


def stored_name(name: str, record: dict, types: dict[str, str]) -> str:
    """The column a field is stored in: its current name's, unless the record also has a field
    of that name or the table no such column."""
    renamed = current_name(name)
    if renamed != name and renamed not in record and renamed in types:
        return renamed
    return name


def columns(conn, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", (table,)
    ).fetchall()
    return dict(rows)


def compare_record(where: str, record: dict, row: dict, types: dict[str, str], extra: dict | None) -> list[str]:
    """Every field of `record`: in its column when the table has one, else in `extra`."""
    differences = []
    extra = extra or {}
    for name, value in record.items():
        column = stored_name(name, record, types)
        if column != name and name in types and row[name] is not None:
            differences.append(f"{where}.{name}: stored in {column}, yet its old column holds {row[name]!r}")
        if column in types:
            if not same(value, row[column], types[column]):
                differences.append(f"{where}.{name}: packet {value!r}, column {column} {row[column]!r}")
        elif extra.get(name, "<absent>") != as_json(value):
            differences.append(f"{where}.{name}: packet {as_json(value)!r}, extra {extra.get(name, '<absent>')!r}")
    return differences


def compare_alert(db, packet: dict) -> list[str]:
    """The dia_source row, its stamps, its history and forced photometry rows against the packet."""
    conn = db.conn
    source = packet["diaSource"]
    key = source["diaSourceId"]
    where = f"alert {key}"
    types = columns(conn, "dia_source")
    with db.binary_cursor() as cur:
        cur.execute('SELECT * FROM dia_source WHERE "diaSourceId" = %s', (key,))
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    if len(rows) != 1:
        return [f"{where}: {len(rows)} dia_source rows"]
    row = dict(zip(names, rows[0]))
    extra = row["extra"] or {}
    differences = compare_record(f"{where} diaSource", source, row, types, extra.get("diaSource"))
    for name in ("alertId", "observation_reason", "target_name"):
        if name in packet and not same(packet[name], row[name]):
            differences.append(f"{where}.{name}: packet {packet[name]!r}, column {row[name]!r}")
    top = packet.get("diaSourceId")
    if top is not None and top != key and extra.get("diaSourceId") != top:
        differences.append(f"{where}: the packet's diaSourceId {top} is not kept")
    for name, value in packet.items():
        if name not in OWN_FIELDS and extra.get(name, "<absent>") != as_json(value):
            differences.append(f"{where}.{name}: packet {as_json(value)!r}, extra {extra.get(name, '<absent>')!r}")
    if row["diaObject"] != as_json(packet.get("diaObject")):
        differences.append(f"{where}: the diaObject as sent is not kept")

    # Stamps, byte for byte; a null stamp has no row.
    stored = dict(conn.execute('SELECT kind, stamp_data FROM dia_source_cutout WHERE "diaSourceId" = %s', (key,)).fetchall())
    expected = {kind: packet[field] for field, kind in STAMPS.items() if packet.get(field) is not None}
    if {k: bytes(v) for k, v in stored.items()} != expected:
        differences.append(f"{where}: stamps {sorted(stored)} differ from the packet's {sorted(expected)}")

    # History: which rows the packet carried, and each row field by field.
    history = packet.get("prvDiaSources")
    ids = None if history is None else [e["diaSourceId"] for e in history]
    if row["prvDiaSourceIds"] != ids:
        differences.append(f"{where}: prvDiaSourceIds {row['prvDiaSourceIds']!r}, packet {ids!r}")
    prv_types = columns(conn, "prv_dia_source")
    for entry in history or []:
        differences += compare_row(db, "prv_dia_source", '"diaSourceId" = %s', (entry["diaSourceId"],),
                                   f"{where} prvDiaSources {entry['diaSourceId']}", entry, prv_types)
    forced = packet.get("prvDiaForcedSources")
    keys = None if forced is None else [[e["diaObjectId"], e.get("visit", e.get("ccdVisitId"))] for e in forced]
    if row["prvDiaForcedSourceKeys"] != keys:
        differences.append(f"{where}: prvDiaForcedSourceKeys {row['prvDiaForcedSourceKeys']!r}, packet {keys!r}")
    forced_types = columns(conn, "prv_dia_forced_source")
    for entry, (obj, visit) in zip(forced or [], keys or []):
        differences += compare_row(db, "prv_dia_forced_source",
                                   '"diaObjectId" IS NOT DISTINCT FROM %s AND coalesce(visit, "ccdVisitId") IS NOT DISTINCT FROM %s',
                                   (obj, visit), f"{where} prvDiaForcedSources {obj}/{visit}", entry, forced_types)
    return differences


def compare_row(db, table: str, condition: str, params: tuple, where: str, record: dict, types: dict) -> list[str]:
    with db.binary_cursor() as cur:
        cur.execute(f"SELECT * FROM {table} WHERE {condition}", params)
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    if len(rows) != 1:
        return [f"{where}: {len(rows)} rows in {table}"]
    row = dict(zip(names, rows[0]))
    return compare_record(where, record, row, types, row["extra"])


def latest_states(packets: list[dict]) -> dict[int, dict]:
    """Each object's latest state: the diaObject of its latest alert by (midpointMjdTai, diaSourceId)."""
    latest: dict[int, tuple] = {}
    for packet in packets:
        state = packet.get("diaObject")
        if state is None or state.get("diaObjectId") is None:
            continue
        source = packet["diaSource"]
        midpoint = source.get("midpointMjdTai", source.get("midPointTai"))
        order = (-math.inf if midpoint is None else midpoint, source["diaSourceId"])
        known = latest.get(state["diaObjectId"])
        if known is None or known[0] < order:
            latest[state["diaObjectId"]] = (order, state)
    return {key: state for key, (_, state) in latest.items()}


def compare_objects(db, packets: list[dict]) -> list[str]:
    expected = latest_states(packets)
    differences = []
    stored = db.count("dia_object")
    if stored != len(expected):
        differences.append(f"dia_object holds {stored} objects, the packets {len(expected)}")
    types = columns(db.conn, "dia_object")
    for key, state in expected.items():
        differences += compare_row(db, "dia_object", '"diaObjectId" = %s', (key,), f"object {key}", state, types)
    return differences
