"""An independent model of what `alertdb ingest` must store for an alert packet.

Packets are decoded with fastavro, and each helper here compares one part of a
decoded packet with what is in the database, returning a list of human-readable
differences (empty when everything matches). Tests collect these lists and
assert that they are empty, so a failure reports every mismatch at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import fastavro
import numpy as np
from psycopg.rows import dict_row

# Top-level fields of a ZTF alert that have a place of their own in the database.
TOP_LEVEL_FIELDS = {
    "schemavsn", "publisher", "objectId", "candid", "candidate", "prv_candidates",
    "cutoutScience", "cutoutTemplate", "cutoutDifference",
}
CUTOUT_KINDS = {"cutoutScience": "Science", "cutoutTemplate": "Template", "cutoutDifference": "Difference"}
CUTOUT_FIELDS = {"fileName", "stampData"}

# Columns of `candidate` / `prv_candidate` that are not fields of the Avro record.
CANDIDATE_META_COLUMNS = {
    "id", "candid", "objectId", "schemavsn", "publisher", "schema_id", "ingested_at",
    "l", "b", "deltamaglatest", "deltamagref", "extra", "prv_keys",
}
PRV_META_COLUMNS = {"objectId", "extra"}

MAX_REPORTED = 20


# --------------------------------------------------------------------------- packets


@dataclass
class Packet:
    path: Path
    record: dict
    writer_schema: dict

    @property
    def label(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def decode_packets(paths: Iterable[Path]) -> list[Packet]:
    """Every record of every Avro container file in `paths`."""
    packets = []
    for path in paths:
        with open(path, "rb") as handle:
            reader = fastavro.reader(handle)
            for record in reader:
                packets.append(Packet(Path(path), record, reader.writer_schema))
    return packets


def history_key(object_id: str, entry: dict) -> tuple:
    """The identity of a history row: ("objectId", pid, candid), candid None for upper limits."""
    return (object_id, entry.get("pid"), entry.get("candid"))


# --------------------------------------------------------------------------- equality


def values_equal(expected: Any, got: Any) -> bool:
    """Exact equality, except that NaN equals NaN."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, float) and isinstance(got, float):
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
    if isinstance(expected, (bytes, bytearray, memoryview)):
        return isinstance(got, (bytes, bytearray, memoryview)) and bytes(expected) == bytes(got)
    if type(expected) is not type(got) and not (
        isinstance(expected, (int, float)) and isinstance(got, (int, float))
        and not isinstance(expected, bool) and not isinstance(got, bool)
    ):
        return False
    return expected == got


def json_equal(expected: Any, got: Any, float32: bool = False) -> bool:
    """Structural equality of JSON-like values. Numbers compare exactly, or, with
    float32=True, after rounding both sides to float32 (for Avro float values)."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and expected.keys() == got.keys()
            and all(json_equal(expected[k], got[k], float32) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(expected) == len(got)
            and all(json_equal(e, g, float32) for e, g in zip(expected, got))
        )
    if isinstance(expected, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if float32:
            return values_equal(float(np.float32(expected)), float(np.float32(got)))
        return values_equal(expected, float(got))
    if isinstance(expected, int) and not isinstance(expected, bool) and isinstance(got, float):
        return float(expected) == got
    return values_equal(expected, got)


def short(value: Any) -> str:
    text = repr(bytes(value)) if isinstance(value, memoryview) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def report(differences: list[str], what: str) -> str:
    shown = "\n  ".join(differences[:MAX_REPORTED])
    more = f"\n  ... and {len(differences) - MAX_REPORTED} more" if len(differences) > MAX_REPORTED else ""
    return f"{len(differences)} difference(s) in {what}:\n  {shown}{more}"


# --------------------------------------------------------------------------- database reads


def table_columns(db, table: str) -> list[str]:
    rows = db.conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [name for (name,) in rows]


def candidate_rows(db) -> dict[int, dict]:
    """All candidate rows, by candid."""
    with db.binary_cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT * FROM candidate").fetchall()
    return {row["candid"]: row for row in rows}


def history_rows(db) -> dict[tuple, dict]:
    """All prv_candidate rows, by ("objectId", pid, candid)."""
    with db.binary_cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT * FROM prv_candidate").fetchall()
    return {(row["objectId"], row["pid"], row["candid"]): row for row in rows}


def cutout_rows(db) -> dict[tuple, dict]:
    """All cutout rows, by (candid, kind)."""
    with db.binary_cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT candid, kind, file_name, stamp_data FROM cutout").fetchall()
    return {(row["candid"], row["kind"]): row for row in rows}


# --------------------------------------------------------------------------- expectations


def expected_candidate_extra(record: dict, candidate_columns: set[str]) -> dict | None:
    """What `candidate.extra` must hold: unknown top-level fields by name, unknown
    candidate fields under "candidate", unknown cutout fields under the cutout's name."""
    extra = {name: value for name, value in record.items() if name not in TOP_LEVEL_FIELDS}
    unknown = {
        name: value for name, value in record["candidate"].items()
        if name != "candid" and name not in candidate_columns
    }
    if unknown:
        extra["candidate"] = unknown
    for field in CUTOUT_KINDS:
        cutout = record.get(field)
        if cutout:
            unknown = {name: value for name, value in cutout.items() if name not in CUTOUT_FIELDS}
            if unknown:
                extra[field] = unknown
    return extra or None


def expected_history_extra(entry: dict, prv_columns: set[str]) -> dict | None:
    unknown = {name: value for name, value in entry.items() if name not in prv_columns}
    return unknown or None


def is_detection(entry: dict) -> bool:
    return entry.get("candid") is not None and entry.get("magpsf") is not None


def expected_deltamaglatest(record: dict) -> float | None:
    """magpsf minus the magpsf of the latest earlier detection in the same filter."""
    candidate = record["candidate"]
    if candidate.get("magpsf") is None:
        return None
    earlier = [
        entry for entry in record.get("prv_candidates") or []
        if is_detection(entry) and entry["fid"] == candidate["fid"] and entry["jd"] < candidate["jd"]
    ]
    if not earlier:
        return None
    latest = max(earlier, key=lambda entry: entry["jd"])
    return candidate["magpsf"] - latest["magpsf"]


def expected_deltamagref(record: dict) -> float | None:
    """magnr - magpsf when 0 <= distnr < 2, else None (-999 means no reference source)."""
    candidate = record["candidate"]
    magnr, magpsf, distnr = candidate.get("magnr"), candidate.get("magpsf"), candidate.get("distnr")
    if magnr is None or magpsf is None or distnr is None or not 0 <= distnr < 2:
        return None
    return magnr - magpsf


# --------------------------------------------------------------------------- comparisons


def compare_candidate(packet: Packet, row: dict | None, columns: set[str], extra_float32: bool = False) -> list[str]:
    """Every top-level scalar and every candidate field of the packet against its row.
    With extra_float32, numbers in `extra` compare at float32 precision."""
    record, label = packet.record, packet.label
    if row is None:
        return [f"{label}: no candidate row for candid {record['candid']}"]
    diffs = []

    def check(what: str, expected: Any, got: Any) -> None:
        if not values_equal(expected, got):
            diffs.append(f"{label}: {what}: expected {short(expected)}, got {short(got)}")

    check("objectId", record["objectId"], row["objectId"])
    check("candid", record["candid"], row["candid"])
    check("schemavsn", record.get("schemavsn"), row["schemavsn"])
    check("publisher", record.get("publisher"), row["publisher"])

    field_columns = columns - CANDIDATE_META_COLUMNS
    candidate = record["candidate"]
    for name, value in candidate.items():
        if name == "candid":
            check("candidate.candid", value, row["candid"])
        elif name in field_columns:
            check(f"candidate.{name}", value, row[name])
    for name in field_columns - candidate.keys():
        check(f"candidate.{name} (absent from the packet's schema)", None, row[name])

    expected_extra = expected_candidate_extra(record, field_columns)
    if expected_extra is None:
        check("extra", None, row["extra"])
    elif not json_equal(expected_extra, row["extra"], float32=extra_float32):
        diffs.append(f"{label}: extra: expected {short(expected_extra)}, got {short(row['extra'])}")
    return diffs


def compare_history(packet: Packet, rows: dict[tuple, dict], columns: set[str]) -> list[str]:
    """Every prv_candidates entry of the packet against its prv_candidate row."""
    record, label = packet.record, packet.label
    field_columns = columns - PRV_META_COLUMNS
    diffs = []
    for index, entry in enumerate(record.get("prv_candidates") or []):
        key = history_key(record["objectId"], entry)
        row = rows.get(key)
        where = f"{label}: prv_candidates[{index}] {key}"
        if row is None:
            diffs.append(f"{where}: no prv_candidate row")
            continue
        for name, value in entry.items():
            if name in field_columns and not values_equal(value, row[name]):
                diffs.append(f"{where}.{name}: expected {short(value)}, got {short(row[name])}")
        for name in field_columns - entry.keys():
            if row[name] is not None:
                diffs.append(f"{where}.{name} (absent from the schema): expected None, got {short(row[name])}")
        expected_extra = expected_history_extra(entry, field_columns)
        if not (json_equal(expected_extra, row["extra"]) if expected_extra else row["extra"] is None):
            diffs.append(f"{where}.extra: expected {short(expected_extra)}, got {short(row['extra'])}")
    return diffs


def compare_cutouts(packet: Packet, rows: dict[tuple, dict]) -> list[str]:
    """Each non-null cutout has a row with the same file name and the same bytes; a null one has none."""
    record, label = packet.record, packet.label
    diffs = []
    for field, kind in CUTOUT_KINDS.items():
        cutout = record.get(field)
        row = rows.get((record["candid"], kind))
        if cutout is None:
            if row is not None:
                diffs.append(f"{label}: {field} is null but a {kind} cutout row exists")
            continue
        if row is None:
            diffs.append(f"{label}: no {kind} cutout row")
            continue
        if row["file_name"] != cutout["fileName"]:
            diffs.append(f"{label}: {field}.fileName: expected {short(cutout['fileName'])}, got {short(row['file_name'])}")
        if bytes(row["stamp_data"]) != cutout["stampData"]:
            diffs.append(
                f"{label}: {field}.stampData differs ({len(cutout['stampData'])} bytes expected, "
                f"{len(row['stamp_data'])} stored)"
            )
    return diffs


def compare_derived_magnitudes(packet: Packet, row: dict, tolerance: float = 1e-9) -> list[str]:
    """deltamaglatest and deltamagref recomputed from the packet against the row."""
    diffs = []
    for column, expected in (
        ("deltamaglatest", expected_deltamaglatest(packet.record)),
        ("deltamagref", expected_deltamagref(packet.record)),
    ):
        got = row[column]
        if expected is None or got is None:
            ok = expected is None and got is None
        else:
            ok = abs(expected - got) <= tolerance
        if not ok:
            diffs.append(f"{packet.label}: {column}: expected {expected!r}, got {got!r}")
    return diffs


def compare_history_keys(packet: Packet, row: dict) -> list[str]:
    """prv_keys lists the packet's history entries as [pid, candid] in packet order; NULL
    when prv_candidates is null or absent."""
    entries = packet.record.get("prv_candidates")
    expected = None if entries is None else [[e.get("pid"), e.get("candid")] for e in entries]
    got = row.get("prv_keys")
    return [] if got == expected else [f"{packet.label}: prv_keys: expected {expected!r:.200}, got {got!r:.200}"]


def compare_galactic(packets: list[Packet], rows: dict[int, dict], tolerance_deg: float = 1e-6) -> list[str]:
    """(l, b) of every row against astropy's ICRS -> Galactic transformation of (ra, dec)."""
    import astropy.units as u
    from astropy.coordinates import SkyCoord

    ra = np.array([p.record["candidate"]["ra"] for p in packets], dtype=float)
    dec = np.array([p.record["candidate"]["dec"] for p in packets], dtype=float)
    galactic = SkyCoord(ra=ra * u.deg, dec=dec * u.deg, frame="icrs").galactic
    diffs = []
    for packet, l_exp, b_exp in zip(packets, galactic.l.deg, galactic.b.deg):
        row = rows.get(packet.record["candid"])
        if row is None:
            continue  # reported by the candidate comparison
        l_got, b_got = row["l"], row["b"]
        if l_got is None or b_got is None:
            diffs.append(f"{packet.label}: (l, b) is ({l_got}, {b_got}), expected ({l_exp}, {b_exp})")
            continue
        if not (0.0 <= l_got < 360.0 and -90.0 <= b_got <= 90.0):
            diffs.append(f"{packet.label}: (l, b) = ({l_got!r}, {b_got!r}) out of range [0, 360) x [-90, 90]")
            continue
        dl = (l_got - l_exp + 180.0) % 360.0 - 180.0
        if abs(dl) > tolerance_deg or abs(b_got - b_exp) > tolerance_deg:
            diffs.append(
                f"{packet.label}: (l, b) = ({l_got!r}, {b_got!r}), astropy ({l_exp!r}, {b_exp!r}); "
                f"dl = {dl:.3g}, db = {b_got - b_exp:.3g} deg"
            )
    return diffs
