"""TOM Toolkit's own MARS broker module, unchanged, against a live alertdb.

TOM Toolkit (2.13, from PyPI) pins old Django, numpy and Pillow, so it runs in a venv of its
own, .local/venv-tom (Deploy/install-deps --test, Tests/python/requirements-tom.txt): this test
starts tom_mars_client.py there as a subprocess, pointed at the server, and checks what TOM
stored against SQL. The script does what a TOM does with a MARS query's results: fetch_alerts,
to_generic_alert, to_target and process_reduced_data, which reads each alert's history from
the detail route and stores one ReducedDatum per light-curve point.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
from datetime import datetime, timezone

import pytest

from conftest import REPO_ROOT

TOM_PYTHON = REPO_ROOT / ".local" / "venv-tom" / "bin" / "python"
CLIENT = REPO_ROOT / "Tests" / "python" / "tom_mars_client.py"
FILTERS = {1: "g", 2: "r", 3: "i"}  # the module's own table
UNIX_EPOCH_JD = 2440587.5


def chosen_objects(db) -> list[str]:
    """Objects with non-detections and detections in their histories, from 2017 packets and
    schema 3.x ones: those with several stored alerts (the others are history entries of their
    own kind), per schema version the one with the most non-detections and the one with the
    most history detections (preferring histories with both), and the 2017 object with the
    most images that gave both a detection and an upper limit, at one jd."""
    rows = db.conn.execute("""
        SELECT c."objectId", min(coalesce(c.schemavsn, '2017')), count(*),
               (SELECT count(*) FROM prv_candidate p WHERE p."objectId" = c."objectId" AND p.candid IS NULL),
               (SELECT count(*) FROM prv_candidate p WHERE p."objectId" = c."objectId" AND p.candid IS NOT NULL),
               (SELECT count(*) FROM (SELECT jd FROM prv_candidate p WHERE p."objectId" = c."objectId"
                                      GROUP BY jd HAVING count(*) > 1) AS same_jd)
        FROM candidate c GROUP BY c."objectId" ORDER BY c."objectId"
        """).fetchall()
    chosen = {object_id for object_id, _, alerts, *_ in rows if alerts > 1}
    for schema in {row[1] for row in rows}:
        of_schema = [row for row in rows if row[1] == schema]
        chosen.add(max(of_schema, key=lambda r: (r[4] > 0, r[3]))[0])
        chosen.add(max(of_schema, key=lambda r: (r[3] > 0, r[4]))[0])
    chosen.add(max((row for row in rows if row[1] == "2017"), key=lambda r: r[5])[0])
    schemas = {row[1] for row in rows if row[0] in chosen}
    assert "2017" in schemas and any(s.startswith("3.") for s in schemas), schemas
    return sorted(chosen)


def expected_points(db, object_id: str) -> list[tuple]:
    """The object's light curve as process_reduced_data stores it, from SQL: its stored
    alerts, its history detections that are not stored alerts (the detail route shows those
    once, as the alert), and its non-detections. ReducedDatum.objects.get_or_create keeps one
    datum per (timestamp, value), and the value is the filter and the magnitude and error, or
    the filter and the limit: UNION keeps one row per (jd, fid, magpsf, sigmapsf, diffmaglim).
    Each point is (unix time, filter, magnitude, error, limit), the numbers float32 as stored."""
    with db.binary_cursor() as cur:
        cur.execute("""
            SELECT jd, fid, magpsf, sigmapsf, NULL::real FROM candidate WHERE "objectId" = %(o)s
            UNION
            SELECT jd, fid, magpsf, sigmapsf, NULL::real FROM prv_candidate
            WHERE "objectId" = %(o)s AND candid IS NOT NULL
              AND candid NOT IN (SELECT candid FROM candidate WHERE "objectId" = %(o)s)
            UNION
            SELECT jd, fid, NULL::real, NULL::real, diffmaglim FROM prv_candidate
            WHERE "objectId" = %(o)s AND candid IS NULL
            """, {"o": object_id})
        return [((jd - UNIX_EPOCH_JD) * 86400, FILTERS[fid], mag, err, limit) for jd, fid, mag, err, limit in cur]


def float32(value) -> float:
    """A JSON number as the float32 it stands for: real columns are float32, and the decimal
    alertdb writes for one rounds back to it."""
    return struct.unpack("f", struct.pack("f", value))[0]


def unix_time(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    assert moment.utcoffset().total_seconds() == 0, iso
    return moment.timestamp()


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def stored_points(alert: dict) -> list[tuple]:
    """The ReducedDatum rows stored for an alert, as expected_points gives them. Each one is
    a detection (a magnitude and its error, both numbers) or an upper limit (a number)."""
    points = []
    for datum in alert["data"]:
        assert (datum["source_name"], datum["data_type"]) == ("MARS", "photometry"), datum
        value = datum["value"]
        if set(value) == {"filter", "magnitude", "error"}:
            assert is_number(value["magnitude"]) and is_number(value["error"]), datum
            points.append((unix_time(datum["timestamp"]), value["filter"],
                           float32(value["magnitude"]), float32(value["error"]), None))
        else:
            assert set(value) == {"filter", "limit"} and is_number(value["limit"]), datum
            points.append((unix_time(datum["timestamp"]), value["filter"], None, None, float32(value["limit"])))
    return points


def by_value(point: tuple) -> tuple:
    """Sort key: the value first, then the time, so that points with equal values pair in
    time order and points at one time (a detection and a limit from one image) by value."""
    t, band, mag, err, limit = point
    return (band, mag is None, mag or 0.0, err or 0.0, limit or 0.0, t)


def run_tom(url: str, object_ids: list[str]) -> dict:
    if not TOM_PYTHON.is_file():
        pytest.fail(f"{TOM_PYTHON} not found: Deploy/install-deps --test makes it (Tests/python/requirements-tom.txt)")
    # TOM's module uses requests, which would send a request for 127.0.0.1 through a proxy
    # named in the environment.
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    proc = subprocess.run([str(TOM_PYTHON), str(CLIENT), url, *object_ids], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"tom_mars_client.py exited with {proc.returncode}:\n{proc.stderr}"
    return json.loads(proc.stdout)


def test_tom_toolkit_mars_broker(live_server):
    db = live_server.db
    object_ids = chosen_objects(db)
    results = run_tom(live_server.url, object_ids)
    assert sorted(results) == object_ids

    for object_id in object_ids:
        result = results[object_id]
        stored = {row[0]: row[1:] for row in db.binary_cursor().execute(
            'SELECT id, jd, ra, dec, magpsf, rb, l, b FROM candidate WHERE "objectId" = %s', (object_id,))}
        # fetch_alerts: every alert of the object, each once; also through a saved query.
        got_ids = [alert["id"] for alert in result["alerts"]]
        assert sorted(got_ids) == sorted(stored), object_id
        assert result["saved_query"] == sorted(stored), object_id
        # The object cone: around the object's newest alert, as SQL finds it.
        near = [row[0] for row in db.conn.execute("""
            SELECT c.id FROM candidate c, (SELECT ra, dec FROM candidate WHERE "objectId" = %s ORDER BY jd DESC LIMIT 1) o
            WHERE q3c_radial_query(c.ra, c.dec, o.ra, o.dec, 0.001) ORDER BY c.id""", (object_id,))]
        assert result["objectcone"] == near and set(stored) <= set(near), object_id

        # to_target: from the first alert, its position and galactic coordinates (alertdb
        # writes doubles to 15 significant digits: 1e-9 degrees is 4 micro-arcseconds).
        first = stored[got_ids[0]]
        target = result["target"]
        assert (target["name"], target["type"]) == (object_id, "SIDEREAL")
        assert [target[k] for k in ("ra", "dec", "galactic_lng", "galactic_lat")] == pytest.approx(
            [first[1], first[2], first[5], first[6]], abs=1e-9), object_id

        expected = sorted(expected_points(db, object_id), key=by_value)
        for alert in result["alerts"]:
            jd, ra, dec, magpsf, rb, _, _ = stored[alert["id"]]
            # to_generic_alert: the alert's own fields; its timestamp is wall_time, to the ms.
            assert alert["name"] == object_id
            assert (alert["ra"], alert["dec"]) == pytest.approx((ra, dec), abs=1e-9)
            assert float32(alert["mag"]) == magpsf and float32(alert["score"]) == rb, alert
            assert unix_time(alert["timestamp"]) == pytest.approx((jd - UNIX_EPOCH_JD) * 86400, abs=5e-4)
            assert alert["url"] == f"{live_server.url}/{alert['id']}/"

            # process_reduced_data: the alert and its whole history, one datum a point, with
            # SQL's numbers, at the jd's time (astropy's, to the microsecond; jds are 40 µs
            # apart at least).
            got = sorted(stored_points(alert), key=by_value)
            assert len(got) == len(expected), (object_id, alert["id"], len(got), len(expected))
            for point, want in zip(got, expected):
                assert point[1:] == want[1:], (object_id, alert["id"], point, want)
                assert point[0] == pytest.approx(want[0], abs=1e-5), (object_id, alert["id"], point, want)
            # The alert's own point is among them.
            assert any(p[0] == pytest.approx((jd - UNIX_EPOCH_JD) * 86400, abs=1e-5) and p[2] == magpsf for p in got)
