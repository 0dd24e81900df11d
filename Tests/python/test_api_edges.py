"""The edges of every route: unknown, repeated or strangely written parameters are 400s that
name them; errors of a JSON request come as JSON; stamps have file names; object names in any
letter case; how fresh the archive is, from /latest/ and /health."""

from __future__ import annotations

import json
import time

import pytest

from http_client import get, get_json, request


@pytest.fixture(scope="module")
def alert(live_server):
    """An alert of the 2017 schema (JPEG stamps) and one of schema 3 (gzipped FITS)."""
    rows = live_server.db.conn.execute("""
        SELECT c.id, get_byte(s.stamp_data, 0) FROM candidate c JOIN cutout s ON s.candid = c.candid AND s.kind = 'Science'
        ORDER BY c.id""").fetchall()
    return {"jpeg": next(i for i, b in rows if b == 0xFF), "fits": next(i for i, b in rows if b == 0x1F)}


def assert_names(response, parameter: str):
    assert response.status == 400, response.text[:300]
    assert response.content_type == "application/json", response.headers
    assert response.json()["parameter"] == parameter, response.text


@pytest.mark.parametrize("path", ["/{id}/", "/{id}/photometry/", "/{id}/cutout/Science/", "/{id}/avro/", "/latest/",
                                  "/health", "/help/", "/metrics"])
def test_every_route_refuses_unknown_parameters(live_server, alert, path):
    response = get(live_server.url, path.format(id=alert["fits"]), [("formt", "json")], headers={"Accept": "application/json"})
    assert_names(response, "formt")


@pytest.mark.parametrize("path, pairs, parameter", [
    ("/", [("rb__gte", "0.9"), ("rb__gte", "0.5")], "rb__gte"),
    ("/", [("format", "json"), ("format", "json")], "format"),
    ("/{id}/", [("format", "json"), ("format", "json")], "format"),
    ("/{id}/cutout/Science/", [("stretch", "asinh"), ("stretch", "zscale")], "stretch"),
])
def test_a_repeated_parameter_is_refused(live_server, alert, path, pairs, parameter):
    response = get(live_server.url, path.format(id=alert["fits"]), pairs, headers={"Accept": "application/json"})
    assert_names(response, parameter)


@pytest.mark.parametrize("pairs, parameter", [
    ([("rb__gte", "0x10")], "rb__gte"), ([("rb__gte", "0x0.8p0")], "rb__gte"), ([("magpsf__lte", "1e")], "magpsf__lte"),
    ([("rb__gte", ".")], "rb__gte"), ([("cone", "0x96,2,1")], "cone"), ([("jd__gt", "infinity")], "jd__gt"),
    ([("fid", "1.0")], "fid"), ([("field__in", ",".join(["1"] * 101))], "field__in"),
])
def test_only_decimal_numbers_are_numbers(live_server, pairs, parameter):
    assert_names(get(live_server.url, "/", pairs + [("format", "json")]), parameter)


def test_errors_of_a_bulk_query_come_as_json(live_server):
    for body in [b"not json", b'{"queries": [{"rb__gte": "x"}]}', b'{"queries": "all"}']:
        response = request(live_server.url + "/", method="POST", body=body, headers={"Content-Type": "application/json"})
        assert response.status == 400 and response.content_type == "application/json", response.text[:200]
        assert response.json()["parameter"] in ("queries", "rb__gte")


def test_stamps_come_with_a_file_name(live_server, alert):
    for kind, ending in [("jpeg", ".jpg"), ("fits", ".fits.gz")]:
        response = get(live_server.url, f"/{alert[kind]}/cutout/Science/")
        assert response.status == 200
        disposition = response.headers.get("content-disposition", "")
        assert 'filename="' in disposition and disposition.rstrip('"').endswith(ending), disposition


def test_object_names_in_any_case_and_lists(live_server):
    db = live_server.db
    names = [row[0] for row in db.conn.execute('SELECT "objectId" FROM candidate GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3')]
    expected = {row[0] for row in db.conn.execute('SELECT id FROM candidate WHERE "objectId" = ANY(%s)', (names,))}
    for given in [",".join(names), ",".join(n.lower() for n in names), ", ".join(n.upper() for n in names)]:
        body = get_json(live_server.url, "/", {"objectId": given})
        assert {a["lco_id"] for a in body["results"]} == expected, given
    assert get(live_server.url, "/", {"objectId": ",".join(["ZTF18aaaaaaa"] * 101), "format": "json"}).status == 400


def test_isdiffpos_and_ssnamenr_are_read_in_science_terms(make_database, ingest, shared_dir, start_server):
    """Schema versions write isdiffpos as t/f or 1/0: filters and photometry read one form; an
    ssnamenr of "null" is no name. (The shared packets all use t/f: some alerts are given the
    other form here.)"""
    db = make_database()
    ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    db.conn.execute("UPDATE candidate SET isdiffpos = CASE isdiffpos WHEN 't' THEN '1' ELSE '0' END WHERE id % 2 = 0")
    db.conn.execute("UPDATE prv_candidate SET isdiffpos = CASE isdiffpos WHEN 't' THEN '1' ELSE '0' END "
                    "WHERE candid % 2 = 0 AND isdiffpos IS NOT NULL")
    db.conn.execute("UPDATE candidate SET ssnamenr = 'null' WHERE id % 3 = 0")
    server = start_server(db)
    positive = db.conn.execute("SELECT count(*) FROM candidate WHERE isdiffpos IN ('t', '1')").fetchone()[0]
    assert 0 < positive
    for value in ["t", "1", "T"]:
        assert get_json(server.url, "/", {"isdiffpos": value})["count"] == positive, value
    assert get_json(server.url, "/", {"isdiffpos__in": "0,f"})["count"] == db.count("candidate") - positive
    assert get_json(server.url, "/", {"ssnamenr": "null"})["count"] == 0
    forms = set()
    for (alert_id,) in db.conn.execute("SELECT id FROM candidate ORDER BY id LIMIT 6"):
        forms |= {p["isdiffpos"] for p in get_json(server.url, f"/{alert_id}/photometry/")["photometry"] if p["isdiffpos"]}
    assert forms == {"t"} or forms <= {"t", "f"}, forms
    assert forms, "no detection in the photometry"


def test_latest_says_when_the_newest_observation_was_made_and_when_an_alert_was_last_stored(live_server):
    latest = get_json(live_server.url, "/latest/")
    stored = live_server.db.conn.execute("SELECT extract(epoch FROM last_stored_at) FROM alert_count").fetchone()[0]
    assert latest["age_seconds"] > 86400 * 365   # the shared alerts are years old
    assert latest["stored_at"].endswith("Z")
    assert latest["stored_age_seconds"] == pytest.approx(time.time() - float(stored), abs=30)


def test_health_with_max_age_answers_503_when_nothing_was_stored_for_that_long(live_server):
    assert get_json(live_server.url, "/health", {"max_age": "100000000"})["status"] == "ok"
    stale = get(live_server.url, "/health", {"max_age": "0"})
    assert stale.status == 503 and stale.json()["status"] == "stale", stale.text
    assert stale.json()["stored_age_seconds"] > 0
    assert_names(get(live_server.url, "/health", {"max_age": "-1"}), "max_age")
    assert_names(get(live_server.url, "/health", {"max_age": "soon"}), "max_age")
    assert get(live_server.url, "/health").json() == {"status": "ok", "role": "primary"}


@pytest.mark.parametrize("query, parameter", [
    ("objectId=ZTF18abc%00defg", "objectId"), ("rb__gte=0.5%00", "rb__gte"), ("cone=1,2,0.1%00junk", "cone"),
])
def test_a_nul_byte_is_refused_not_cut(live_server, query, parameter):
    response = request(f"{live_server.url}/?format=json&{query}")
    assert_names(response, parameter)
    detail = request(f"{live_server.url}/1/?format=json%00html")
    assert detail.status == 400 and detail.json()["parameter"] == "format", detail.text
