"""The detail, photometry, latest and health routes, and the errors every route gives."""

from __future__ import annotations

import html

import pytest

from http_client import get, get_json, raw, request

UNKNOWN_ID = 999999999


def chosen_alerts(db) -> list[int]:
    """Alerts of objects with several stored alerts, of the objects with the longest
    histories, and of schema 3.x packets."""
    ids = [row[0] for row in db.conn.execute(
        'SELECT id FROM candidate WHERE "objectId" IN '
        '(SELECT "objectId" FROM candidate GROUP BY 1 HAVING count(*) > 1) ORDER BY id')]
    ids += [row[0] for row in db.conn.execute(
        'SELECT min(c.id) FROM candidate c JOIN prv_candidate p USING ("objectId") '
        'GROUP BY c."objectId" ORDER BY count(*) DESC LIMIT 3')]
    ids += [row[0] for row in db.conn.execute(
        "SELECT id FROM candidate WHERE schemavsn LIKE '3.%' ORDER BY id LIMIT 3")]
    assert len(ids) >= 6
    return ids


def expected_history(db, alert_id: int):
    """(other alert ids, history detection candids, non-detection jds) from SQL."""
    object_id, candid = db.conn.execute('SELECT "objectId", candid FROM candidate WHERE id = %s',
                                        (alert_id,)).fetchone()
    others = {row[0] for row in db.conn.execute(
        'SELECT id FROM candidate WHERE "objectId" = %s AND id <> %s', (object_id, alert_id))}
    alert_candids = {row[0] for row in db.conn.execute(
        'SELECT candid FROM candidate WHERE "objectId" = %s', (object_id,))}
    detections = sorted(row[0] for row in db.conn.execute(
        'SELECT candid FROM prv_candidate WHERE "objectId" = %s AND candid IS NOT NULL', (object_id,))
        if row[0] not in alert_candids)
    nondetections = sorted(row[0] for row in db.conn.execute(
        'SELECT jd FROM prv_candidate WHERE "objectId" = %s AND candid IS NULL', (object_id,)))
    return object_id, candid, others, detections, nondetections


def test_detail_history(live_server):
    db = live_server.db
    for alert_id in chosen_alerts(db):
        object_id, candid, others, detections, nondetections = expected_history(db, alert_id)
        body = get_json(live_server.url, f"/{alert_id}/")
        assert (body["lco_id"], body["objectId"], body["candid"]) == (alert_id, object_id, candid)
        assert body["candidate"]["candid"] == candid
        history = body["prv_candidate"]
        kinds = {entry["kind"] for entry in history}
        assert kinds <= {"alert", "detection", "nondetection"}
        got_others = [e["lco_id"] for e in history if e["kind"] == "alert"]
        got_detections = sorted(e["candidate"]["candid"] for e in history if e["kind"] == "detection")
        got_nondetections = sorted(e["candidate"]["jd"] for e in history if e["kind"] == "nondetection")
        assert sorted(got_others) == sorted(others), alert_id
        assert got_detections == detections, alert_id
        assert got_nondetections == pytest.approx(nondetections, abs=1e-9), alert_id
        jds = [e["candidate"]["jd"] for e in history]
        assert jds == sorted(jds), f"history of {alert_id} not sorted by jd"
        for entry in history:
            assert entry["candidate"]["filter"] in ("g", "r", "i")
            assert entry["candidate"]["wall_time"].endswith("Z")
            if entry["kind"] == "nondetection":
                # No magpsf or sigmapsf key at all: MARS clients test for the key (TOM Toolkit).
                assert "magpsf" not in entry["candidate"] and "sigmapsf" not in entry["candidate"], entry
                assert entry["candidate"]["diffmaglim"] is not None and None not in entry["candidate"].values()
        assert set(body["cutouts"]) == {"Science", "Template", "Difference"}


def test_detail_without_trailing_slash_and_html(live_server):
    alert_id = chosen_alerts(live_server.db)[0]
    with_slash = get_json(live_server.url, f"/{alert_id}/")
    without = get_json(live_server.url, f"/{alert_id}")
    assert with_slash == without
    page = get(live_server.url, f"/{alert_id}/")
    assert page.status == 200 and page.content_type == "text/html"
    assert with_slash["objectId"] in page.text
    accept = request(f"{live_server.url}/{alert_id}/", headers={"Accept": "application/json"})
    assert accept.status == 200 and accept.json() == with_slash


def test_photometry_covers_the_history(live_server):
    db = live_server.db
    for alert_id in chosen_alerts(db):
        detail = get_json(live_server.url, f"/{alert_id}/")
        body = get_json(live_server.url, f"/{alert_id}/photometry/")
        assert body["lco_id"] == alert_id and body["objectId"] == detail["objectId"]
        points = body["photometry"]
        jds = [p["jd"] for p in points]
        assert jds == sorted(jds)
        expected = sorted([detail["candidate"]["jd"]] + [e["candidate"]["jd"] for e in detail["prv_candidate"]])
        assert jds == pytest.approx(expected, abs=1e-9), alert_id
        detected = sum(1 for p in points if p["magpsf"] is not None)
        expected_detected = 1 + sum(1 for e in detail["prv_candidate"] if e["kind"] != "nondetection")
        assert detected == expected_detected
        for point in points:
            assert point["filter"] in ("g", "r", "i")
        # This alert's own point carries its magnitude.
        mags = {round(p["jd"], 7): p["magpsf"] for p in points}
        assert mags[round(detail["candidate"]["jd"], 7)] == pytest.approx(detail["candidate"]["magpsf"], rel=1e-6)


def test_latest_is_the_newest_alert(live_server):
    db = live_server.db
    max_jd = db.conn.execute("SELECT max(jd) FROM candidate").fetchone()[0]
    newest = {row[0] for row in db.conn.execute("SELECT id FROM candidate WHERE jd = %s", (max_jd,))}
    body = get_json(live_server.url, "/latest/")
    assert body["jd"] == pytest.approx(max_jd, abs=1e-9)
    assert body["id"] in newest
    assert body["candid"] == db.conn.execute("SELECT candid FROM candidate WHERE id = %s", (body["id"],)).fetchone()[0]
    assert body["wall_time"].startswith("2019-01-")
    assert body["age_seconds"] > 86400 * 365
    listing = get_json(live_server.url, "/")
    assert listing["latest"]["id"] in newest


def test_health(live_server):
    response = get(live_server.url, "/health")
    assert response.status == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("path", [f"/{UNKNOWN_ID}/", f"/{UNKNOWN_ID}/photometry/", f"/{UNKNOWN_ID}/avro/",
                                  f"/{UNKNOWN_ID}/cutout/Science/", "/1/cutout/Nope/", "/nosuchroute/",
                                  "/1/nosuchroute/", "/latest/extra/", "/-1/", "/abc/"])
def test_404(live_server, path):
    response = get(live_server.url, path, headers={"Accept": "application/json"})
    assert response.status == 404, (path, response.status, response.text[:200])
    assert response.content_type == "application/json"
    assert response.json()["error"]


@pytest.mark.parametrize("method,path,allowed", [
    ("DELETE", "/", {"GET", "HEAD", "POST"}),
    ("PUT", "/", {"GET", "HEAD", "POST"}),
    ("PATCH", "/", {"GET", "HEAD", "POST"}),
    ("POST", "/1/", {"GET", "HEAD"}),
    ("DELETE", "/1/", {"GET", "HEAD"}),
    ("POST", "/latest/", {"GET", "HEAD"}),
    ("POST", "/health", {"GET", "HEAD"}),
    ("PUT", "/1/cutout/Science/", {"GET", "HEAD"}),
])
def test_405_with_allow(live_server, method, path, allowed):
    response = raw(live_server.port, method, path, body=b"{}", headers={"Accept": "application/json"})
    assert response.status == 405, (method, path, response.status)
    allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()}
    assert allow == allowed, response.headers


BAD_VALUES = [
    ("rb__gte", "abc"), ("cone", "1,2"), ("filter", "x"), ("page", "0"), ("page", "1001"),
    ("sort_value", "nosuchcolumn"), ("sort_order", "sideways"), ("time__gt", "yesterday"),
    ("time__lt", "2018-13-01"), ("time__since", "-5"), ("candid", "1.5"), ("objectidps", "x"),
    ("programid", "one"), ("magpsf__lte", "nan"), ("magpsf__lte", "inf"), ("nosuchparameter", "1"),
    ("format", "xml"),
]


@pytest.mark.parametrize("param,value", BAD_VALUES)
def test_400_json_names_the_parameter(live_server, param, value):
    pairs = [(param, value)] + ([] if param == "format" else [("format", "json")])
    response = get(live_server.url, "/", pairs, headers={"Accept": "application/json"})
    assert response.status == 400, (param, value, response.status, response.text[:200])
    assert response.content_type == "application/json"
    body = response.json()
    assert body["parameter"] == param and body["error"]


@pytest.mark.parametrize("param,value", [p for p in BAD_VALUES if p[0] != "format"])
def test_400_html_shows_the_message(live_server, param, value):
    message = get(live_server.url, "/", [(param, value), ("format", "json")]).json()["error"]
    response = get(live_server.url, "/", [(param, value)])
    assert response.status == 400 and response.content_type == "text/html"
    assert message in html.unescape(response.text)


def test_page_and_cursor_together_are_400(live_server):
    first = get_json(live_server.url, "/")
    cursor = first["next"].split("cursor=", 1)[1].split("&")[0]
    response = get(live_server.url, "/", [("page", "2"), ("cursor", cursor), ("format", "json")])
    assert response.status == 400
    assert response.json()["parameter"] in ("page", "cursor")


def test_bad_cursor_is_400(live_server):
    response = get(live_server.url, "/", [("cursor", "not-a-cursor"), ("format", "json")])
    assert response.status == 400 and response.json()["parameter"] == "cursor"


def test_listing_entries_equal_the_alerts_own_pages(live_server):
    """The listing reuses the JSON of alerts it rendered before; every entry, first rendered
    or reused, must be what the alert's own page says (less its history and cutout links)."""
    params = {"format": "json", "filter": "r"}
    first = get_json(live_server.url, "/", params)
    again = get_json(live_server.url, "/", params)
    assert first == again
    assert len(first["results"]) == 100
    for alert in first["results"]:
        detail = get_json(live_server.url, f"/{alert['lco_id']}/", {"format": "json"})
        detail.pop("prv_candidate")
        detail.pop("cutouts")
        assert detail == alert


def test_every_listed_alert_is_its_own_page_value_for_value(live_server):
    """The listing writes alerts' fields as PostgreSQL prints them; the alert's own page reads
    each value and writes it through Jansson. Every alert of both schema families must come out
    the same in both, value and JSON type (a real stays a real), NaN and infinities as null."""
    listed, url = [], live_server.url + "/?format=json"
    while url:
        response = request(url)
        assert response.status == 200, response.text[:300]
        assert b"NaN" not in response.body and b"Infinity" not in response.body
        page = response.json()
        listed += page["results"]
        url = page["next"]
    count = live_server.db.conn.execute("SELECT count(*) FROM candidate").fetchone()[0]
    assert len(listed) == count > 1000
    for alert in listed:
        detail = get_json(live_server.url, f"/{alert['lco_id']}/", {"format": "json"})
        detail.pop("prv_candidate")
        detail.pop("cutouts")
        assert detail == alert
        for name, value in alert["candidate"].items():
            assert type(value) is type(detail["candidate"][name]), (alert["lco_id"], name, value)

    # The packets hold NaN in some real fields: the test is only worth something if they are listed.
    reals = [row[0] for row in live_server.db.conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'candidate' "
        "AND data_type IN ('real', 'double precision')")]
    by_id = {alert["lco_id"]: alert["candidate"] for alert in listed}
    nan_fields = [(row[0], name) for name in reals for row in live_server.db.conn.execute(
        f"SELECT id FROM candidate WHERE \"{name}\" = 'NaN'")]
    assert nan_fields
    assert all(by_id[alert_id][name] is None for alert_id, name in nan_fields)
