"""CSV, VOTable, gzip and CORS.

`format=csv` and `format=votable` on the alert listing, the objects listing, an object's page
and photometry must hold the same rows and values as the JSON, read by independent parsers:
Python's `csv` module, astropy's VOTable parser in its strictest mode (any deviation from the
standard raises), and pandas reading straight from the URL as Docs/scripts.md shows. A missing
value (null, NaN, one of ZTF's -999/-99 sentinels, ssnamenr's "null") is an empty CSV cell
and a masked VOTable value. Bodies gzipped for clients that accept it must inflate to the
identical bytes; CORS headers are there by default and gone when configured off.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd
import pytest
from astropy.io.votable import parse as parse_votable

from http_client import get, get_json, raw, request

# The columns where ZTF writes -999 (or -99) for "none", as the pipeline documents them: an
# oracle of its own, not the server's list (Sources/Model/Records/ZTFMissingValues.swift).
SENTINEL_COLUMN = re.compile(
    r"^(distnr|magnr|sigmagnr|chinr|sharpnr|ranr|decnr|ssdistnr|ssmagnr|s[griz]mag[123]?|sgscore[123]?|distpsnr[123]"
    r"|neargaia|maggaia|neargaiabright|maggaiabright)$")


def science(name: str, value):
    """The JSON's value in science terms: None where the value is missing."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and SENTINEL_COLUMN.match(name) and value in (-999, -99):
        return None
    if name == "ssnamenr" and value == "null":
        return None
    return value


# --------------------------------------------------------------------------- reading the formats


def fetch(server, path: str, params: list, fmt: str, **kwargs):
    response = get(server.url, path, [p for p in params if p[0] != "format"] + [("format", fmt)], **kwargs)
    assert response.status == 200, (path, params, fmt, response.status, response.text[:300])
    return response


def csv_rows(response) -> tuple[list[str], list[dict]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'inline; filename="[A-Za-z0-9_-]+\.csv"', response.headers["content-disposition"])
    reader = csv.reader(io.StringIO(response.body.decode("utf-8"), newline=""), strict=True)
    header, *rows = list(reader)
    assert all(len(row) == len(header) for row in rows)
    return header, [dict(zip(header, row)) for row in rows]


def votable(response):
    """The document's one table, parsed with every warning raised as an error."""
    assert response.headers["content-type"] == "application/x-votable+xml"
    assert re.fullmatch(r'inline; filename="[A-Za-z0-9_-]+\.vot"', response.headers["content-disposition"])
    document = parse_votable(io.BytesIO(response.body), verify="exception")
    assert document.version == "1.4"
    return document, document.get_first_table()


def assert_csv_cell(cell: str, expected, where):
    if expected is None:
        assert cell == "", where
    elif isinstance(expected, bool):
        assert cell == ("true" if expected else "false"), where
    elif isinstance(expected, int):
        assert int(cell) == expected, where
    elif isinstance(expected, float):
        assert float(cell) == expected, where
    else:
        assert cell == expected, where


def assert_votable_cell(value, datatype: str, expected, where):
    if expected is None:
        # Text has no null in VOTable's TABLEDATA: an empty TD is the empty string, as in CSV.
        assert value is np.ma.masked or (datatype == "char" and value == ""), (where, value)
        return
    assert value is not np.ma.masked, where
    if datatype == "float":
        # A float4 column: the JSON prints its value widened to double; the VOTable's float
        # reads back as the same single-precision number.
        assert np.float32(expected) == value, where
    elif datatype == "double":
        assert float(value) == float(expected), where
    elif datatype == "boolean":
        assert bool(value) is expected, where
    elif datatype in ("short", "int", "long"):
        assert isinstance(expected, int) and int(value) == expected, where
    else:
        assert str(value) == expected, where


def assert_same_rows(response_csv, response_vot, expected_rows: list[dict], columns_of_json: list[str]):
    """Both formats hold exactly `expected_rows` (dicts of JSON values, None when missing), in order."""
    header, rows = csv_rows(response_csv)
    assert header == columns_of_json
    assert len(rows) == len(expected_rows)
    for index, (row, expected) in enumerate(zip(rows, expected_rows)):
        for name in header:
            assert_csv_cell(row[name], expected[name], ("csv", index, name, row[name], expected[name]))

    _, table = votable(response_vot)
    assert [field.name for field in table.fields] == columns_of_json
    types = {field.name: field.datatype for field in table.fields}
    assert len(table.array) == len(expected_rows)
    for index, expected in enumerate(expected_rows):
        record = table.array[index]
        for name in columns_of_json:
            assert_votable_cell(record[name], types[name], expected[name], ("votable", index, name, record[name], expected[name]))


# --------------------------------------------------------------------------- the alert listing


def alert_rows(body: dict) -> tuple[list[str], list[dict]]:
    """The listing's JSON as flat rows: lco_id, objectId, publisher, then the candidate."""
    results = body["results"]
    columns = ["lco_id", "objectId", "publisher"] + (list(results[0]["candidate"]) if results else [])
    rows = []
    for alert in results:
        row = {"lco_id": alert["lco_id"], "objectId": alert["objectId"], "publisher": alert["publisher"]}
        row.update({name: science(name, value) for name, value in alert["candidate"].items()})
        assert alert["candid"] == alert["candidate"]["candid"]
        rows.append(row)
    return columns, rows


LISTINGS = [
    [],
    [("where", "(rb >= 0.7 or drb >= 0.9) and magpsf < 18")],
    [("sort_value", "distnr"), ("sort_order", "asc"), ("page", "2")],          # missing values come last
    [("sort_value", "sgscore1"), ("sort_order", "desc"), ("page", "11")],      # the last page, sentinels and nulls
    [("filter", "g"), ("magpsf__lte", "19"), ("time__lt", "2018-01-01")],      # 2017 packets: many null columns
    [("objectId", "ZTF18abomhfb")],
    [("cone", "75.2,35.36,0.5")],
    [("rb__gte", "2")],                                                        # nothing matches
]


@pytest.mark.parametrize("params", LISTINGS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p) or "default")
def test_listing_csv_and_votable_hold_the_json_rows(live_server, params):
    body = get_json(live_server.url, "/", params)
    columns, rows = alert_rows(body)
    if not rows:
        columns = csv_rows(fetch(live_server, "/", params, "csv"))[0]
        assert columns[:4] == ["lco_id", "objectId", "publisher", "candid"]
    response_csv = fetch(live_server, "/", params, "csv")
    response_vot = fetch(live_server, "/", params, "votable")
    assert_same_rows(response_csv, response_vot, rows, columns)
    # Paging: the JSON's next and previous, in the format asked for, as a Link header and INFO.
    for response, fmt in ((response_csv, "csv"), (response_vot, "votable")):
        links = dict((rel, url) for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers.get("link", "")))
        assert same_url(links.get("next"), body["next"], fmt), (links, body["next"])
        assert same_url(links.get("prev"), body["previous"], fmt), (links, body["previous"])
    document, _ = votable(response_vot)
    infos = {info.name: info.value for info in document.resources[0].infos}
    assert infos["QUERY_STATUS"] == "OK"
    assert int(infos["count"]) == body["count"] and infos["count_is_estimate"] == str(body["count_is_estimate"]).lower()
    table_links = dict((rel, url) for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response_vot.headers.get("link", "")))
    assert infos.get("next") == table_links.get("next") and infos.get("previous") == table_links.get("prev")


def same_url(link: str | None, json_url: str | None, fmt: str) -> bool:
    """The table's link is the JSON's, asking for `fmt` instead of JSON."""
    if link is None or json_url is None:
        return link is None and json_url is None
    a, b = urlsplit(link), urlsplit(json_url)
    return (a.path == b.path and sorted(parse_qsl(a.query)) ==
            sorted((k, fmt if k == "format" else v) for k, v in parse_qsl(b.query)))


def test_following_the_csv_link_header_walks_the_listing_as_json_does(live_server):
    expected = []
    page = get_json(live_server.url, "/", [("filter", "r")])
    expected += [alert["lco_id"] for alert in page["results"]]
    while page["next"]:
        page = request(page["next"]).json()
        expected += [alert["lco_id"] for alert in page["results"]]
    seen, url = [], f"{live_server.url}/?filter=r&format=csv"
    while url:
        response = request(url)
        assert response.status == 200
        seen += [int(row["lco_id"]) for row in csv_rows(response)[1]]
        match = re.search(r'<([^>]*)>; rel="next"', response.headers.get("link", ""))
        url = match.group(1) if match else None
        assert len(seen) <= len(expected)
    assert len(expected) > 200 and seen == expected


def test_the_votable_describes_positions_times_and_magnitudes(live_server):
    _, table = votable(fetch(live_server, "/", [], "votable"))
    fields = {field.name: field for field in table.fields}
    assert (str(fields["ra"].unit), fields["ra"].ucd, fields["ra"].datatype) == ("deg", "pos.eq.ra;meta.main", "double")
    assert (str(fields["dec"].unit), fields["dec"].ucd) == ("deg", "pos.eq.dec;meta.main")
    assert (str(fields["jd"].unit), fields["jd"].ucd) == ("d", "time.epoch;meta.main")
    assert (str(fields["magpsf"].unit), fields["magpsf"].ucd, fields["magpsf"].datatype) == ("mag", "phot.mag;em.opt", "float")
    assert fields["sigmapsf"].ucd == "stat.error;phot.mag"
    assert fields["objectId"].ucd == "meta.id;meta.main" and fields["objectId"].datatype == "char"
    assert fields["candid"].datatype == "long" and fields["candid"].values.null is not None
    assert fields["distnr"].description.startswith("Distance to the nearest source")
    # astropy turns it into a table with units, as a notebook would use it.
    converted = table.to_table()
    assert str(converted["ra"].unit) == "deg" and str(converted["magpsf"].unit) == "mag"


def test_pandas_reads_csv_straight_from_the_url(live_server):
    url = f"{live_server.url}/?format=csv&filter=g"
    frame = pd.read_csv(url)
    body = get_json(live_server.url, "/", [("filter", "g")])
    assert list(frame["lco_id"]) == [alert["lco_id"] for alert in body["results"]]
    assert list(frame["magpsf"]) == [alert["candidate"]["magpsf"] for alert in body["results"]]
    distnr = [science("distnr", alert["candidate"]["distnr"]) for alert in body["results"]]
    assert [None if math.isnan(v) else v for v in frame["distnr"]] == distnr


# --------------------------------------------------------------------------- objects, light curves, photometry


@pytest.mark.parametrize("params", [[], [("ndet__gte", "5"), ("sort_value", "brightest_r"), ("sort_order", "asc")],
                                    [("page", "3")], [("where", "brightest_g < 19 or lastmag_i is not null")]],
                         ids=["default", "ndet-sort", "page3", "where"])
def test_objects_csv_and_votable_hold_the_json_rows(live_server, params):
    body = get_json(live_server.url, "/objects/", params)
    assert body["results"], params
    columns = [name for name in body["results"][0] if name not in ("url", "latest_alert")]
    rows = [{name: science(name, obj[name]) for name in columns} for obj in body["results"]]
    assert_same_rows(fetch(live_server, "/objects/", params, "csv"), fetch(live_server, "/objects/", params, "votable"), rows, columns)


def light_curve_objects(server) -> list[str]:
    """Objects with long light curves, and one of the 2017 schema."""
    body = get_json(server.url, "/objects/", [("sort_value", "ndet"), ("sort_order", "desc")])
    names = [obj["objectId"] for obj in body["results"][:3]]
    old = get_json(server.url, "/", [("time__lt", "2018-01-01")])["results"][0]["objectId"]
    return names + [old]


def test_an_object_page_as_csv_and_votable_holds_its_light_curve(live_server):
    for name in light_curve_objects(live_server):
        body = get_json(live_server.url, f"/objects/{name}/")
        header = csv_rows(fetch(live_server, f"/objects/{name}/", [], "csv"))[0]
        assert header[:2] == ["kind", "lco_id"]
        # Every field any point has, once: a superset of the JSON's, which leaves out a
        # non-detection's null fields (the cells of the others are checked empty below).
        names = header[2:]
        assert len(set(names)) == len(names)
        assert set(names) >= {n for entry in body["lightcurve"] for n in entry["candidate"]}
        rows = [{"kind": entry["kind"], "lco_id": entry.get("lco_id"),
                 **{n: science(n, entry["candidate"].get(n)) for n in names}} for entry in body["lightcurve"]]
        assert any(entry["kind"] == "nondetection" for entry in body["lightcurve"]) or name.startswith("ZTF17")
        assert_same_rows(fetch(live_server, f"/objects/{name}/", [], "csv"),
                         fetch(live_server, f"/objects/{name}/", [], "votable"), rows, header)


def test_photometry_as_csv_and_votable(live_server):
    for name in light_curve_objects(live_server):
        alert_id = get_json(live_server.url, "/", [("objectId", name)])["results"][0]["lco_id"]
        body = get_json(live_server.url, f"/{alert_id}/photometry/")
        columns = ["jd", "filter", "magpsf", "sigmapsf", "diffmaglim", "isdiffpos"]
        rows = [{n: point[n] for n in columns} for point in body["photometry"]]
        response_vot = fetch(live_server, f"/{alert_id}/photometry/", [], "votable")
        assert_same_rows(fetch(live_server, f"/{alert_id}/photometry/", [], "csv"), response_vot, rows, columns)
        document, table = votable(response_vot)
        infos = {info.name: info.value for info in document.resources[0].infos}
        assert infos["objectId"] == body["objectId"] and int(infos["lco_id"]) == alert_id


def test_an_unknown_format_is_a_400_naming_format(live_server):
    for path in ("/", "/objects/", "/objects/ZTF18abomhfb/", "/1/photometry/", "/1/", "/latest/", "/help/"):
        response = get(live_server.url, path, {"format": "xml"})
        assert response.status == 400 and response.json()["parameter"] == "format", (path, response.text)
    # Tables are offered where the answer is rows; elsewhere the format is refused, as JSON.
    for path in ("/1/", "/latest/", "/help/"):
        for fmt in ("csv", "votable"):
            response = get(live_server.url, path, {"format": fmt})
            assert response.status == 400 and response.json()["parameter"] == "format", (path, fmt, response.text)
    # A bad filter with format=csv is a JSON 400 naming the filter.
    response = get(live_server.url, "/", {"format": "csv", "rb__gte": "high"})
    assert response.status == 400 and response.content_type == "application/json" and response.json()["parameter"] == "rb__gte"


# --------------------------------------------------------------------------- gzip


@pytest.mark.parametrize("target", ["/?format=json", "/?format=csv", "/?format=votable", "/objects/?format=csv",
                                    "/objects/ZTF18abomhfb/?format=votable", "/help/", "/?where=magpsf%20%3C%2018"])
def test_gzip_inflates_to_the_identical_body(live_server, target):
    plain = raw(live_server.port, "GET", target)
    zipped = raw(live_server.port, "GET", target, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status == zipped.status == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["vary"]
    assert plain.headers["vary"] == zipped.headers["vary"]
    assert int(zipped.headers["content-length"]) == len(zipped.body) < len(plain.body)
    assert gzip.decompress(zipped.body) == plain.body


def test_gzip_respects_q_0_small_bodies_and_stamps(live_server):
    refused = raw(live_server.port, "GET", "/?format=csv", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers and refused.body.startswith(b"lco_id,")
    anything = raw(live_server.port, "GET", "/?format=csv", headers={"Accept-Encoding": "*"})
    assert anything.headers["content-encoding"] == "gzip"
    small = raw(live_server.port, "GET", "/health", headers={"Accept-Encoding": "gzip"})
    assert small.status == 200 and "content-encoding" not in small.headers
    alert_id = get_json(live_server.url, "/", [("objectId", "ZTF18abomhfb")])["results"][0]["lco_id"]
    for kind in ("Science", "Template"):
        stamp = raw(live_server.port, "GET", f"/{alert_id}/cutout/{kind}/", headers={"Accept-Encoding": "gzip"})
        assert stamp.status == 200 and "content-encoding" not in stamp.headers, stamp.headers
        assert stamp.body[:2] == b"\x1f\x8b", "the stamp as stored, gzipped FITS"
        png = raw(live_server.port, "GET", f"/{alert_id}/cutout/{kind}/?format=png", headers={"Accept-Encoding": "gzip"})
        assert png.status == 200 and "content-encoding" not in png.headers and png.body[:4] == b"\x89PNG"


# --------------------------------------------------------------------------- CORS


def test_cors_by_default(live_server):
    for target in ("/?format=json", "/?format=csv", "/objects/", "/nonexistent/page/", "/?rb__gte=high"):
        response = raw(live_server.port, "GET", target, headers={"Origin": "https://notebook.example.org"})
        assert response.headers.get("access-control-allow-origin") == "*", (target, response.headers)
        assert "Link" in response.headers["access-control-expose-headers"]
    head = raw(live_server.port, "HEAD", "/?format=csv")
    assert head.headers.get("access-control-allow-origin") == "*"
    preflight = raw(live_server.port, "OPTIONS", "/", headers={
        "Origin": "https://notebook.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert preflight.status == 204 and preflight.body == b""
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")} == {"GET", "POST", "HEAD"}
    assert {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")} == {"content-type", "authorization"}
    # The bulk form answers a page of another site too.
    bulk = raw(live_server.port, "POST", "/", body=b'{"queries": [{"objectId": "ZTF18abomhfb"}]}',
               headers={"Content-Type": "application/json", "Origin": "https://notebook.example.org"})
    assert bulk.status == 200 and bulk.headers["access-control-allow-origin"] == "*"


def test_cors_off_and_for_one_origin(live_server, start_server):
    off = start_server(live_server.db, env={"ALERTDB_CORS_ORIGIN": ""})
    response = raw(off.port, "GET", "/?format=csv", headers={"Origin": "https://notebook.example.org"})
    assert response.status == 200 and "access-control-allow-origin" not in response.headers
    assert raw(off.port, "OPTIONS", "/", headers={"Access-Control-Request-Method": "GET"}).status == 405

    one = start_server(live_server.db, "--cors-origin", "https://tools.example.org")
    response = raw(one.port, "GET", "/objects/?format=json", headers={"Origin": "https://tools.example.org"})
    assert response.headers["access-control-allow-origin"] == "https://tools.example.org"
    assert "Origin" in response.headers["vary"]
    assert raw(one.port, "OPTIONS", "/objects/").status == 204
