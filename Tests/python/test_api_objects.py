"""Objects: the `object` table every load keeps, `GET /objects/`, `GET /objects/<objectId>/`
and the redirect from `GET /<objectId>/`.

The figures are judged against the raw rows of `candidate` and `prv_candidate`, worked out here
in Python, and against `object_figures`, the rebuild from scratch that Migrations/0007 fills the
table with: after loading in small batches, loading again, consuming from Kafka, and three
`alertdb ingest` runs at once in different orders.
"""

from __future__ import annotations

import math
import random
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import parse_summary
from http_client import get, get_json, raw, request
from test_consume import NIGHT_TOPIC, PARTITIONS_ALL, consume, kafka, new_group  # noqa: F401 (fixtures)

FILTERS = {1: "g", 2: "r", 3: "i"}


def present(value):
    """None for NULL and NaN: missing values count nowhere."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# --------------------------------------------------------------------------- the oracle


def stored_rows(db):
    """Every alert and history row, by objectId."""
    alerts, history = {}, {}
    for row in db.conn.execute('SELECT "objectId", id, candid, jd, fid, magpsf, ra, dec FROM candidate'):
        alerts.setdefault(row[0], []).append(dict(zip(("id", "candid", "jd", "fid", "magpsf", "ra", "dec"), row[1:])))
    for row in db.conn.execute('SELECT "objectId", pid, candid, jd, fid, magpsf, ra, dec FROM prv_candidate ORDER BY pid'):
        history.setdefault(row[0], []).append(dict(zip(("pid", "candid", "jd", "fid", "magpsf", "ra", "dec"), row[1:])))
    return alerts, history


def detections_of(alerts: list[dict], history: list[dict]) -> dict[int, dict]:
    """The object's detections by candid: its alerts, then history detections whose candid is
    no alert of it, each candid once."""
    detections = {alert["candid"]: alert for alert in alerts}
    for row in history:
        if row["candid"] is not None and row["candid"] not in detections:
            detections[row["candid"]] = row
    return detections


def expected_figures(alerts: list[dict], history: list[dict]) -> dict:
    detections = list(detections_of(alerts, history).values())
    jds = [present(d["jd"]) for d in detections if present(d["jd"]) is not None]
    figures = {"nalerts": len(alerts), "ndet": len(detections), "firstjd": min(jds), "lastjd": max(jds)}
    x = y = z = 0.0
    placed = [d for d in detections if present(d["ra"]) is not None and present(d["dec"]) is not None]
    for d in placed:
        ra, dec = math.radians(d["ra"]), math.radians(d["dec"])
        x, y, z = x + math.cos(dec) * math.cos(ra), y + math.cos(dec) * math.sin(ra), z + math.sin(dec)
    figures["ra"] = math.degrees(math.atan2(y, x)) % 360 if placed else None
    figures["dec"] = math.degrees(math.atan2(z, math.hypot(x, y))) if placed else None
    for fid, name in FILTERS.items():
        measured = [d for d in detections if d["fid"] == fid and present(d["magpsf"]) is not None]
        figures[f"brightest_{name}"] = min((d["magpsf"] for d in measured), default=None)
        timed = [d for d in measured if present(d["jd"]) is not None]
        last = max(timed, key=lambda d: (d["jd"], d["candid"]), default=None)
        figures[f"lastmag_{name}"] = last["magpsf"] if last else None
        figures[f"lastjd_{name}"] = last["jd"] if last else None
    figures["latest_id"] = max(alerts, key=lambda a: (present(a["jd"]) or -math.inf, a["id"]))["id"]
    return figures


def assert_figures_match(got: dict, expected: dict, where: str):
    for name, value in expected.items():
        have = got[name]
        if value is None or have is None:
            assert have is None and value is None, f"{where}.{name}: {have} != {value}"
        elif name == "ra":
            assert min(abs(have - value), 360 - abs(have - value)) < 1e-9, f"{where}.ra: {have} != {value}"
        elif name == "dec":
            assert abs(have - value) < 1e-9, f"{where}.dec: {have} != {value}"
        elif isinstance(value, float):
            assert have == pytest.approx(value, rel=1e-7, abs=1e-9), f"{where}.{name}: {have} != {value}"
        else:
            assert have == value, f"{where}.{name}: {have} != {value}"


OBJECT_COLUMNS = ["nalerts", "ndet", "firstjd", "lastjd", "ra", "dec",
                  *(f"{figure}_{f}" for f in "gri" for figure in ("brightest", "lastmag", "lastjd")), "latest_id"]


def assert_object_table_is_right(db, what: str):
    """The table equals a rebuild from scratch (object_figures over every stored object, the
    migration's own fill), row for row, and the figures worked out here from the raw rows."""
    rebuild = 'object_figures(ARRAY(SELECT DISTINCT "objectId" FROM candidate))'
    extra = db.conn.execute(f"SELECT count(*) FROM (SELECT * FROM object EXCEPT ALL SELECT * FROM {rebuild}) d").fetchone()[0]
    missing = db.conn.execute(f"SELECT count(*) FROM (SELECT * FROM {rebuild} EXCEPT ALL SELECT * FROM object) d").fetchone()[0]
    assert (extra, missing) == (0, 0), f"{what}: {extra} rows differ from a rebuild, {missing} rows of the rebuild missing"
    alerts, history = stored_rows(db)
    stored = {row[0]: dict(zip(OBJECT_COLUMNS, row[1:]))
              for row in db.conn.execute(f'SELECT "objectId", {", ".join(OBJECT_COLUMNS)} FROM object')}
    assert set(stored) == set(alerts), what
    for object_id, object_alerts in alerts.items():
        assert_figures_match(stored[object_id], expected_figures(object_alerts, history.get(object_id, [])),
                             f"{what}: {object_id}")


def snapshot(db) -> list:
    """Every row of the table, the latest alert by its candid (ids depend on the order of loading)."""
    columns = ", ".join(f"o.{c}" for c in OBJECT_COLUMNS if c != "latest_id")
    return db.conn.execute(f'SELECT o."objectId", {columns}, c.candid FROM object o JOIN candidate c ON c.id = o.latest_id '
                           'ORDER BY o."objectId"').fetchall()


# --------------------------------------------------------------------------- the table, however it is loaded


@pytest.fixture(scope="module")
def all_packets(shared_dir) -> list:
    return sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro")) + sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))


def test_small_batches_then_the_same_packets_again(make_database, run_alertdb, all_packets):
    db = make_database()
    proc = run_alertdb("ingest", "--database", db.url, "--batch-size", "3", *all_packets)
    assert proc.returncode == 0, proc.stderr
    assert parse_summary(proc.stdout.decode()).loaded == 1104
    assert_object_table_is_right(db, "after batches of 3")
    before = snapshot(db)

    proc = run_alertdb("ingest", "--database", db.url, "--batch-size", "7", *reversed(all_packets))
    assert proc.returncode == 0, proc.stderr
    assert parse_summary(proc.stdout.decode()).duplicate == 1104
    assert snapshot(db) == before, "loading the packets again changed the object table"
    assert_object_table_is_right(db, "after loading again")


def test_consumed_from_kafka(make_database, ingest, kafka, consume, shared_dir):  # noqa: F811 (fixtures)
    mock = kafka((NIGHT_TOPIC, PARTITIONS_ALL))
    folders = [shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017"]
    assert mock.produce(NIGHT_TOPIC, *folders) == 1104
    db = make_database()
    summary = consume(db, mock, NIGHT_TOPIC, new_group(), "--batch-size", 50, "--idle-exit", 3).finished()
    assert summary.loaded == 1104, summary.line
    assert_object_table_is_right(db, "after consuming")
    reference = make_database()
    proc, _ = ingest(reference.url, *folders)
    assert proc.returncode == 0
    assert snapshot(db) == snapshot(reference), "consuming and ingesting the same packets give other figures"


def ordered_folder(paths, folder):
    """A folder of links to `paths`, named so that ingest reads them in the order given."""
    folder.mkdir()
    for number, path in enumerate(paths):
        (folder / f"{number:05d}.avro").symlink_to(path)
    return folder


def test_three_loaders_at_once_in_three_orders(make_database, alertdb_bin, repo_root, all_packets, tmp_path):
    shuffled = list(all_packets)
    random.Random(20260101).shuffle(shuffled)
    folders = [ordered_folder(order, tmp_path / name) for name, order in
               [("forward", all_packets), ("backward", all_packets[::-1]), ("shuffled", shuffled)]]
    for round in range(2):
        db = make_database()
        loaders = [subprocess.Popen([alertdb_bin, "ingest", "--database", db.url, "--batch-size", "10", folder],
                                    cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for folder in folders]
        outputs = [loader.communicate(timeout=600) for loader in loaders]
        for loader, (out, err) in zip(loaders, outputs):
            assert loader.returncode == 0, f"round {round}: {err}"
        assert sum(parse_summary(out).loaded for out, _ in outputs) == 1104
        assert_object_table_is_right(db, f"three loaders, round {round}")


# --------------------------------------------------------------------------- /objects/<objectId>/


def test_every_object_page_agrees_with_its_rows(live_server):
    db = live_server.db
    alerts, history = stored_rows(db)
    assert len(alerts) == 1102
    for object_id, object_alerts in alerts.items():
        rows = history.get(object_id, [])
        body = get_json(live_server.url, f"/objects/{object_id}/")
        assert body["objectId"] == object_id
        assert_figures_match(body, expected_figures(object_alerts, rows), object_id)
        assert body["url"].endswith(f"/objects/{object_id}/")
        assert body["latest_alert"].endswith(f"/{body['latest_id']}/")

        # The light curve: every alert, history detection and non-detection, each once, by jd.
        curve = body["lightcurve"]
        alert_candids = {a["candid"] for a in object_alerts}
        got_alerts = sorted(e["lco_id"] for e in curve if e["kind"] == "alert")
        got_detections = [e["candidate"]["candid"] for e in curve if e["kind"] == "detection"]
        got_limits = sorted((e["candidate"]["jd"], e["candidate"]["fid"]) for e in curve if e["kind"] == "nondetection")
        assert got_alerts == sorted(a["id"] for a in object_alerts), object_id
        assert sorted(got_detections) == sorted({r["candid"] for r in rows if r["candid"] is not None} - alert_candids), object_id
        assert len(got_detections) == len(set(got_detections)), f"{object_id}: a detection twice"
        assert got_limits == sorted((r["jd"], r["fid"]) for r in rows if r["candid"] is None), object_id
        assert len(got_alerts) + len(got_detections) == body["ndet"], object_id
        jds = [e["candidate"]["jd"] for e in curve]
        assert jds == sorted(jds), f"{object_id}: not by jd"
        brightest = {name: min((e["candidate"]["magpsf"] for e in curve
                                if e["kind"] != "nondetection" and e["candidate"]["filter"] == name), default=None)
                     for name in "gri"}
        for name, value in brightest.items():
            assert body[f"brightest_{name}"] == (pytest.approx(value) if value is not None else None), (object_id, name)


def test_the_object_page_in_html_and_in_any_case(live_server):
    page = get(live_server.url, "/objects/ztf18ABOMHFB/")
    assert page.status == 200 and page.content_type == "text/html"
    assert "ZTF18abomhfb" in page.text and "<svg" in page.text
    assert page.text.count("<tr>") >= 28
    assert get_json(live_server.url, "/objects/zTf18AbOmHfB/")["objectId"] == "ZTF18abomhfb"
    missing = get(live_server.url, "/objects/ZTF00aaaaaaa/", {"format": "json"})
    assert missing.status == 404 and "ZTF00aaaaaaa" in missing.json()["error"]
    unknown = get(live_server.url, "/objects/ZTF18abomhfb/", {"format": "json", "rb__gte": "1"})
    assert unknown.status == 400 and unknown.json()["parameter"] == "rb__gte"


# --------------------------------------------------------------------------- /<objectId>/


def test_an_object_name_after_the_address_redirects_to_its_page(live_server):
    for path, query in [("/ZTF18abomhfb/", ""), ("/ztf18abomhfb", ""), ("/ZTF18ABOMHFB/", "?format=json")]:
        response = raw(live_server.port, "GET", path + query, headers={"Host": f"127.0.0.1:{live_server.port}"})
        assert response.status == 301, (path, response.status, response.text[:200])
        location = urlsplit(response.headers["location"])
        assert location.path == "/objects/ZTF18abomhfb/", response.headers
        assert (("?" + location.query) if location.query else "") == query, "the query goes along"
    head = raw(live_server.port, "HEAD", "/ZTF18abomhfb/")
    assert head.status == 301 and head.headers["location"].endswith("/objects/ZTF18abomhfb/")
    followed = request(f"{live_server.url}/ztf18abomhfb/?format=json")  # urllib follows it
    assert followed.status == 200 and followed.json()["objectId"] == "ZTF18abomhfb"
    for name in ("ZTF00aaaaaaa", "ZTF18abomhfz"):
        assert raw(live_server.port, "GET", f"/{name}/").status == 404, name
    assert raw(live_server.port, "GET", "/ZTF18abomhfb/?format=json&x=1").status == 400
    assert raw(live_server.port, "GET", "/12345/").status in (200, 404), "a number is still an alert id"


# --------------------------------------------------------------------------- GET /objects/


def listed(server, params) -> tuple[list[str], dict]:
    """Every objectId the listing gives, following `next` to the end, and the first page."""
    first = page = get_json(server.url, "/objects/", params)
    names = [o["objectId"] for o in page["results"]]
    while page["next"]:
        response = request(page["next"], headers={"Accept": "application/json"})
        assert response.status == 200, response.text[:300]
        page = response.json()
        names += [o["objectId"] for o in page["results"]]
        assert len(names) < 5000
    return names, first


def in_order(db, where: str, sort: str = "lastjd", order: str = "desc") -> list[str]:
    return [row[0] for row in db.conn.execute(
        f'SELECT "objectId" FROM object WHERE {where} ORDER BY {sort} IS NULL, {sort} {order}, "objectId" {order}')]


@pytest.mark.parametrize("params, where", [
    ({}, "TRUE"),
    ({"ndet__gte": 5}, "ndet >= 5"),
    ({"lastjd__gt": 2458450.5}, "lastjd > 2458450.5"),
    ({"nalerts__gte": 2}, "nalerts >= 2"),
    ({"brightest_r__lte": 16.5, "ndet__lt": 10}, "brightest_r <= 16.5::real AND ndet < 10"),
    ({"firstjd__gte": 2458099, "firstjd__lt": 2458101}, "firstjd >= 2458099 AND firstjd < 2458101"),
    ({"lastmag_g__gt": 18}, "lastmag_g > 18::real"),
    ({"cone": "130,15,10"}, "q3c_radial_query(ra, dec, 130, 15, 10)"),
    ({"cone": "13.5,-6.2,0.3", "ndet__gte": 11}, "q3c_radial_query(ra, dec, 13.5, -6.2, 0.3) AND ndet >= 11"),
    ({"where": "ndet >= 3 AND (brightest_g < 18 OR brightest_r < 18)"},
     "ndet >= 3 AND (brightest_g < 18::real OR brightest_r < 18::real)"),
    ({"where": "nalerts > 1 OR lastmag_i IS NOT NULL"}, "nalerts > 1 OR lastmag_i IS NOT NULL"),
    ({"where": "cone(130, 15, 10) AND NOT ndet BETWEEN 2 AND 4", "ndet__lt": 30},
     "q3c_radial_query(ra, dec, 130, 15, 10) AND NOT ndet BETWEEN 2 AND 4 AND ndet < 30"),
    ({"where": "objectId IN ('ztf18abomhfb', 'ZTF17AAAIVQP')"}, "\"objectId\" IN ('ZTF18abomhfb', 'ZTF17aaaivqp')"),
])
def test_filters_and_cursors_agree_with_sql(live_server, params, where):
    expected = in_order(live_server.db, where)
    names, first = listed(live_server, params)
    assert names == expected
    assert first["count"] == len(expected) and not first["count_is_estimate"]
    assert first["pages"] == math.ceil(len(expected) / 100) and first["previous"] is None


@pytest.mark.parametrize("sort", ["ndet", "brightest_g", "lastjd_i", "ra", "firstjd"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorting_puts_missing_figures_last(live_server, sort, order):
    names, _ = listed(live_server, {"sort_value": sort, "sort_order": order})
    assert names == in_order(live_server.db, "TRUE", sort, order)


def test_previous_links_and_page_numbers(live_server):
    expected = in_order(live_server.db, "TRUE")
    page = get_json(live_server.url, "/objects/")
    for _ in range(3):
        page = request(page["next"], headers={"Accept": "application/json"}).json()
    assert [o["objectId"] for o in page["results"]] == expected[300:400]
    back = request(page["previous"], headers={"Accept": "application/json"}).json()
    assert [o["objectId"] for o in back["results"]] == expected[200:300]
    numbered = get_json(live_server.url, "/objects/", {"page": 3})
    assert [o["objectId"] for o in numbered["results"]] == expected[200:300]
    html = get(live_server.url, "/objects/", {"ndet__gte": 20})
    assert html.status == 200 and html.content_type == "text/html"
    assert html.text.count('href="/objects/ZTF') == len(in_order(live_server.db, "ndet >= 20"))


@pytest.mark.parametrize("query, parameter", [
    ("ndet__gte=1&ndet__gte=2", "ndet__gte"),
    ("rb__gte=0.5", "rb__gte"),
    ("ndet__gte=abc", "ndet__gte"),
    ("cone=1,2", "cone"),
    ("sort_value=magpsf", "sort_value"),
    ("page=2&cursor=abc", "cursor"),
    ("cursor=abc", "cursor"),
    ("where=ndet>>1", "where"),
])
def test_bad_parameters_are_named(live_server, query, parameter):
    response = request(f"{live_server.url}/objects/?{query}&format=json")
    assert response.status == 400, response.text
    assert response.json()["parameter"] == parameter
    page = request(f"{live_server.url}/objects/?{query}")
    assert page.status == 400 and page.content_type == "text/html"


def test_at_most_max_filters(live_server):
    names = [spec["parameter"] for spec in get_json(live_server.url, "/help/")["objects"]["filters"] if spec["parameter"] != "cone"]
    assert len(names) > 40
    assert get(live_server.url, "/objects/", [(n, 1) for n in names[:40]] + [("format", "json")]).status == 200
    refused = get(live_server.url, "/objects/", [(n, 1) for n in names[:41]] + [("format", "json")])
    assert refused.status == 400 and refused.json()["parameter"] == names[40]


# --------------------------------------------------------------------------- the documents


def test_openapi_documents_the_objects_routes_as_served(live_server, repo_root):
    document = yaml.safe_load((repo_root / "API" / "openapi.yaml").read_text())
    help_body = get_json(live_server.url, "/help/")
    served = {spec["parameter"] for spec in help_body["objects"]["filters"]} | set(help_body["objects"]["controls"])

    def resolve(item):
        while "$ref" in item:
            node = document
            for part in item["$ref"].lstrip("#/").split("/"):
                node = node[part]
            item = node
        return item

    for method in ("get", "head"):
        operation = document["paths"]["/objects/"][method]
        documented = {resolve(p)["name"] for p in operation["parameters"] if resolve(p)["in"] == "query"}
        assert documented == served
    sort = next(resolve(p) for p in document["paths"]["/objects/"]["get"]["parameters"] if resolve(p)["name"] == "sort_value")
    assert sort["schema"]["enum"] == help_body["objects"]["sort_values"]
    assert "/objects/{objectId}/" in document["paths"]
    assert set(document["components"]["schemas"]["Object"]["properties"]) >= {f["name"] for f in help_body["objects"]["figures"]}
    routes = set(help_body["routes"])
    assert {"GET /objects/", "GET /objects/<objectId>/", "GET /<objectId>/"} <= routes
