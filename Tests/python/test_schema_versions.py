"""Every ZTF schema version in ../shared/schemas/ztf loads correctly.

For each version, synthetic alerts are generated from that version's .avsc files (every
field filled; nullable fields sometimes null; detections and upper limits in the history;
random cutout bytes; fp_hists for 4.x) and written with fastavro. Extra alerts use
schemas extended with fields alertdb has no column for. All files are ingested from one
folder into a fresh database and compared with what fastavro reads back from them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alert_oracle import (
    Packet,
    candidate_rows,
    compare_candidate,
    compare_cutouts,
    compare_derived_magnitudes,
    compare_history_keys,
    compare_history,
    cutout_rows,
    expected_deltamaglatest,
    expected_deltamagref,
    history_rows,
    json_equal,
    report,
    table_columns,
)
from synthetic_alerts import (
    ValueMaker,
    add_field,
    alert_schema,
    load_schema_parts,
    make_alert,
    split_nullable,
    write_alert,
)

SEED = 20240601
ALERTS_PER_VERSION = 4
SCHEMA_ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / "ztf"
VERSIONS = sorted(
    (p.name for p in SCHEMA_ROOT.iterdir() if (p / "alert.avsc").is_file()) if SCHEMA_ROOT.is_dir() else [],
    key=lambda v: tuple(int(part) for part in v.split(".")),
)
VERSIONS_WITH_FP_HISTS = [v for v in VERSIONS if (SCHEMA_ROOT / v / "fp_hist.avsc").is_file()]
NEWEST = VERSIONS[-1] if VERSIONS else None

# Fields added to the newest schema for the unknown-field alerts.
NEW_CANDIDATE_FIELD = {"name": "newfield", "type": ["null", "double"], "default": None}
NEW_TOP_LEVEL_FIELD = {"name": "brokerNote", "type": ["null", "string"], "default": None}
NEW_CUTOUT_FIELD = {"name": "compression", "type": "string"}
NEW_HISTORY_FIELD = {"name": "newprv", "type": ["null", "int"], "default": None}


def test_schema_versions_found():
    """The shared schema folder exists and holds the expected versions (3.0 ... 4.02)."""
    assert {"3.0", "3.3", "3.5", "4.02"} <= set(VERSIONS), f"schemas under {SCHEMA_ROOT}: {VERSIONS}"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Write the synthetic alerts; returns (folder, {group: [Packet]}) where group is a
    schema version, "unknown-candidate" or "unknown-cutout-history"."""
    folder = tmp_path_factory.mktemp("synthetic-alerts")
    maker = ValueMaker(SEED)
    groups: dict[str, list[Packet]] = {}

    def emit(group: str, parts: dict, version: str, variant: int, tweak=None) -> None:
        schema = alert_schema(parts)
        record = make_alert(maker, parts, version, variant)
        if tweak:
            tweak(record)
        path = folder / group / f"{record['candid']}.avro"
        groups.setdefault(group, []).append(Packet(path, write_alert(path, schema, record), schema))

    for version in VERSIONS:
        parts = load_schema_parts(SCHEMA_ROOT / version)
        for variant in range(ALERTS_PER_VERSION):
            emit(version, parts, version, variant)

    # The newest schema with a new candidate field and a new top-level field.
    parts = load_schema_parts(SCHEMA_ROOT / NEWEST)
    unknown = add_field(add_field(parts, "candidate", NEW_CANDIDATE_FIELD), "alert", NEW_TOP_LEVEL_FIELD)

    def set_unknown(record):
        record["candidate"]["newfield"] = maker.rng.uniform(-1, 1) * 1e-3 + 0.1
        record["brokerNote"] = "ingested by pytest"

    for variant in range(2):
        emit("unknown-candidate", unknown, NEWEST, variant, set_unknown)

    # ... and with a new cutout field and a new history field.
    unknown = add_field(add_field(parts, "cutout", NEW_CUTOUT_FIELD), "prv_candidate", NEW_HISTORY_FIELD)

    def set_unknown_nested(record):
        for field in ("cutoutScience", "cutoutTemplate", "cutoutDifference"):
            if record[field] is not None:
                record[field]["compression"] = "gzip"
        for index, entry in enumerate(record["prv_candidates"] or []):
            entry["newprv"] = 7 + index

    emit("unknown-cutout-history", unknown, NEWEST, 0, set_unknown_nested)
    return folder, groups


@pytest.fixture(scope="module")
def loaded(make_database, ingest, synthetic):
    """A fresh database with the whole synthetic folder ingested."""
    folder, groups = synthetic
    db = make_database()
    proc, summary = ingest(db.url, folder)
    return db, proc, summary


@pytest.fixture(scope="module")
def db(loaded):
    return loaded[0]


@pytest.fixture(scope="module")
def stored(db):
    """Everything alertdb stored, read once."""
    return {
        "candidates": candidate_rows(db),
        "history": history_rows(db),
        "cutouts": cutout_rows(db),
        "candidate_columns": set(table_columns(db, "candidate")),
        "history_columns": set(table_columns(db, "prv_candidate")),
    }


def test_every_synthetic_alert_loads(loaded, synthetic):
    """alertdb reads every synthetic file, loads every alert and rejects none."""
    db, proc, summary = loaded
    total = sum(len(packets) for packets in synthetic[1].values())
    assert proc.returncode == 0, proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    assert (summary.read, summary.loaded, summary.duplicate, summary.rejected) == (total, total, 0, 0), summary.line
    rejects = db.conn.execute("SELECT source, reason FROM reject").fetchall()
    assert rejects == []


@pytest.mark.parametrize("version", VERSIONS)
def test_version_round_trips(version, synthetic, stored):
    """For this schema version: each alert's candidate row equals every field, each
    history entry equals its prv_candidate row, cutouts are byte-identical, the derived
    magnitudes are right, and `extra` holds exactly the leftovers (fp_hists in 4.x,
    compared at float32 precision)."""
    packets = synthetic[1][version]
    diffs = []
    for p in packets:
        row = stored["candidates"].get(p.record["candid"])
        diffs += compare_candidate(p, row, stored["candidate_columns"], extra_float32=True)
        diffs += compare_history(p, stored["history"], stored["history_columns"])
        diffs += compare_cutouts(p, stored["cutouts"])
        if row is not None:
            diffs += compare_derived_magnitudes(p, row)
            diffs += compare_history_keys(p, row)
    assert not diffs, report(diffs, f"schema {version} alerts")


def test_derived_magnitudes_exercised(synthetic):
    """Self-check of the generator: the synthetic alerts include both NULL and non-NULL
    deltamaglatest and deltamagref, so test_version_round_trips tests both cases."""
    from alert_oracle import expected_deltamaglatest, expected_deltamagref

    packets = [p for group in synthetic[1].values() for p in group]
    latest = [expected_deltamaglatest(p.record) for p in packets]
    ref = [expected_deltamagref(p.record) for p in packets]
    assert any(v is None for v in latest) and any(v is not None for v in latest)
    assert any(v is None for v in ref) and any(v is not None for v in ref)


@pytest.mark.parametrize("version", VERSIONS)
def test_nullable_fields_exercised(version, synthetic):
    """Self-check of the generator: for this version, every nullable candidate field is
    null in some alert and has a value in another."""
    fields = load_schema_parts(SCHEMA_ROOT / version)["candidate"]["fields"]
    candidates = [p.record["candidate"] for p in synthetic[1][version]]
    one_sided = [
        f["name"] for f in fields if split_nullable(f["type"])[1]
        and len({c[f["name"]] is None for c in candidates}) != 2
    ]
    assert not one_sided


@pytest.mark.parametrize("version", VERSIONS_WITH_FP_HISTS)
def test_fp_hists_kept_in_extra(version, synthetic, stored):
    """4.x: extra->'fp_hists' is the packet's fp_hists list, unions unwrapped, nulls kept."""
    diffs = []
    for p in synthetic[1][version]:
        row = stored["candidates"].get(p.record["candid"])
        got = (row["extra"] or {}).get("fp_hists") if row else None
        if not json_equal(p.record["fp_hists"], got, float32=True):
            diffs.append(f"{p.label}: fp_hists: expected {p.record['fp_hists']!r}, got {got!r}")
    assert not diffs, report(diffs, "fp_hists")


def test_unknown_candidate_and_top_level_fields_in_extra(synthetic, stored):
    """A field added to the candidate record lands in extra["candidate"] and a new
    top-level field in extra[name]; the known fields still fill their columns. The
    double value survives exactly (17 significant digits)."""
    diffs = []
    for p in synthetic[1]["unknown-candidate"]:
        row = stored["candidates"].get(p.record["candid"])
        diffs += compare_candidate(p, row, stored["candidate_columns"], extra_float32=True)
        if row is None:
            continue
        extra = row["extra"] or {}
        expected = {"candidate": {"newfield": p.record["candidate"]["newfield"]}, "brokerNote": "ingested by pytest"}
        got = {key: extra.get(key) for key in expected}
        if got != expected:
            diffs.append(f"{p.label}: extra: expected {expected!r} among the keys, got {extra!r}")
    assert not diffs, report(diffs, "alerts with unknown candidate/top-level fields")


def test_unknown_cutout_and_history_fields_in_extra(synthetic, stored):
    """A field added to the cutout record lands in candidate.extra under each cutout's
    field name, and a field added to prv_candidate lands in that history row's extra."""
    diffs = []
    for p in synthetic[1]["unknown-cutout-history"]:
        row = stored["candidates"].get(p.record["candid"])
        diffs += compare_candidate(p, row, stored["candidate_columns"], extra_float32=True)
        diffs += compare_history(p, stored["history"], stored["history_columns"])
        diffs += compare_cutouts(p, stored["cutouts"])
        if row is not None:
            extra = row["extra"] or {}
            for field in ("cutoutScience", "cutoutTemplate", "cutoutDifference"):
                if extra.get(field) != {"compression": "gzip"}:
                    diffs.append(f"{p.label}: extra[{field!r}]: expected {{'compression': 'gzip'}}, got {extra.get(field)!r}")
    assert not diffs, report(diffs, "alerts with unknown cutout/history fields")
