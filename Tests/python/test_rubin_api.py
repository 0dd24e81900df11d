"""Rubin's alerts through the HTTP API: the 100 shared Rubin packets (and lsst-alert-packet's
sample alert of schema 7.4, whose diaObject carries other fields) loaded into a fresh database
and served; fastavro's reading of the packets is the oracle for every field, history row,
forced-photometry row and stamp byte the API returns, and Python's own filtering of the
packets for what the listing's filters return.
"""

from __future__ import annotations

import io
import math
import struct
import urllib.parse

import fastavro
import pytest
from PIL import Image

from http_client import request
from rubin_oracle import raw


@pytest.fixture(scope="module")
def packets(rubin_packets):
    return {r["diaSource"]["diaSourceId"]: r for r in rubin_packets}


@pytest.fixture(scope="module")
def server(make_database, ingest, shared_dir, start_server):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "rubin" / "alerts-9.0")
    assert summary.loaded == 100, proc.stderr.decode(errors="replace")
    return start_server(db)


def get(server, path, **params):
    """A GET asking for JSON, as scripts do (pages answer HTML to browsers)."""
    query = urllib.parse.urlencode(params)
    return request(server.url + path + ("?" + query if query else ""), headers={"Accept": "application/json"})


def same(expected, got) -> bool:
    """A packet's value against the API's: real columns come as the float32's shortest decimal."""
    expected = raw(expected)
    if isinstance(expected, float):
        if math.isnan(expected):
            return got == "NaN"
        if isinstance(got, (int, float)):
            return expected == got or struct.pack("<f", expected) == struct.pack("<f", float(got))
        return False
    return expected == got


def differences(where, record: dict, got: dict) -> list[str]:
    return [f"{where}.{name}: packet {value!r}, API {got.get(name, '<absent>')!r}"
            for name, value in record.items() if not same(value, got.get(name, "<absent>"))]


def listing(server, path="/rubin/", **params) -> list[dict]:
    """Every result of a listing, following the next links."""
    page = get(server, path, **params)
    assert page.status == 200, page.text
    body = page.json()
    results = body["results"]
    while body["next"]:
        body = request(body["next"], headers={"Accept": "application/json"}).json()
        results += body["results"]
    return results


def test_every_source_as_the_packet_holds_it(server, packets):
    problems = []
    for key, packet in packets.items():
        answer = get(server, f"/rubin/{key}/")
        assert answer.status == 200, answer.text
        body = answer.json()
        problems += differences(f"{key}", packet["diaSource"], body["alert"])
        assert body["alert"]["extra"]["brokerIngestMjd"] == packet["brokerIngestMjd"]
        history = packet["prvDiaSources"] or []
        assert [h["diaSourceId"] for h in body["prvDiaSources"]] == [h["diaSourceId"] for h in history]
        for entry, got in zip(history, body["prvDiaSources"]):
            problems += differences(f"{key} prvDiaSources", entry, got)
        forced = packet["prvDiaForcedSources"] or []
        assert len(body["prvDiaForcedSources"]) == len(forced)
        assert body["cutouts"] == sorted(k[len("cutout"):] for k in ("cutoutDifference", "cutoutScience", "cutoutTemplate")
                                         if packet[k] is not None)
    assert not problems, "\n".join(problems[:30])


def test_stamps_as_received_and_as_png(server, packets):
    for key, packet in list(packets.items())[:10]:
        for kind in ("Science", "Template", "Difference"):
            fits = get(server, f"/rubin/{key}/cutout/{kind}/")
            assert fits.status == 200 and fits.content_type == "application/fits"
            assert fits.body == packet[f"cutout{kind}"]
        png = get(server, f"/rubin/{key}/cutout/Difference/", format="png")
        assert png.status == 200 and png.content_type == "image/png"
        assert Image.open(io.BytesIO(png.body)).size[0] > 0


def test_object_light_curve_in_flux_and_magnitude(server, packets):
    by_object: dict[int, dict[int, dict]] = {}
    for packet in packets.values():
        for source in [packet["diaSource"]] + (packet["prvDiaSources"] or []):
            by_object.setdefault(packet["diaSource"]["diaObjectId"], {})[source["diaSourceId"]] = source
    for object_id, sources in by_object.items():
        body = get(server, f"/rubin/objects/{object_id}/").json()
        points = {p["diaSourceId"]: (band, p) for band, curve in body["lightcurve"].items() for p in curve["detections"]}
        assert set(points) == set(sources), object_id
        for key, source in sources.items():
            band, point = points[key]
            assert band == source["band"]
            assert same(source["psfFlux"], point["psfFlux"])
            flux = source["psfFlux"]
            if flux is None or math.isnan(flux) or flux <= 0:
                assert point["mag"] is None
            else:
                assert point["mag"] == pytest.approx(31.4 - 2.5 * math.log10(flux), abs=1e-9)
        # The object's state is that of its latest packet that has one.
        states = [p for p in packets.values() if p["diaSource"]["diaObjectId"] == object_id and p["diaObject"]]
        if not states:
            assert body["diaObject"] is None
            continue
        latest = max(states, key=lambda p: (p["diaSource"]["midpointMjdTai"], p["diaSource"]["diaSourceId"]))
        assert not differences(f"object {object_id}", latest["diaObject"], body["diaObject"])


def keys(results) -> list[int]:
    return [r["diaSourceId"] for r in results]


def newest_first(packets, chosen) -> list[int]:
    """The listing's order: newest observation first, ties by diaSourceId, also descending."""
    return sorted(chosen, key=lambda k: (packets[k]["diaSource"]["midpointMjdTai"], k), reverse=True)


@pytest.mark.parametrize("params, keep", [
    ({"band": "i"}, lambda s: s["band"] == "i"),
    ({"reliability__gte": "0.5", "snr__gte": "5"},
     lambda s: s["reliability"] is not None and s["reliability"] >= struct.unpack("<f", struct.pack("<f", 0.5))[0] and s["snr"] >= 5),
    ({"psfFlux__gte": "5000"}, lambda s: s["psfFlux"] >= 5000),
    ({"midpointMjdTai__gt": "60924.332"}, lambda s: s["midpointMjdTai"] > 60924.332),
    ({"where": "psfFlux > 5000 AND (band = 'i' OR snr < 10)"},
     lambda s: s["psfFlux"] > 5000 and (s["band"] == "i" or s["snr"] < 10)),
])
def test_listing_filters_match_the_packets(server, packets, params, keep):
    expected = newest_first(packets, (k for k, p in packets.items() if keep(p["diaSource"])))
    assert expected, "the filter should match some packets"
    assert keys(listing(server, **params)) == expected


def test_cone_and_object(server, packets):
    source = next(iter(packets.values()))["diaSource"]
    got = keys(listing(server, cone=f"{source['ra']},{source['dec']},0.001"))
    assert source["diaSourceId"] in got
    same_object = newest_first(packets, (k for k, p in packets.items() if p["diaSource"]["diaObjectId"] == source["diaObjectId"]))
    assert keys(listing(server, diaObjectId=str(source["diaObjectId"]))) == same_object


def test_pages_by_cursor_cover_everything_once(server, packets):
    first = get(server, "/rubin/").json()
    assert first["count"] == 100
    # 100 a page: the listing is one page; a narrower filter is paged by the test's own walk.
    assert keys(listing(server)) == newest_first(packets, packets)
    page2 = get(server, "/rubin/", page="2").json()
    assert page2["results"] == []


@pytest.mark.parametrize("params, parameter", [
    ({"bogus": "1"}, "bogus"),
    ({"psfFlux__gte": "abc"}, "psfFlux__gte"),
    ({"band__gte": "g"}, "band__gte"),
    ({"cone": "1,2"}, "cone"),
    ({"where": "nosuchcolumn > 1"}, "where"),
    ({"cursor": "x"}, "cursor"),
    ({"page": "0"}, "page"),
])
def test_bad_parameters_are_400_naming_them(server, params, parameter):
    answer = get(server, "/rubin/", **params)
    assert answer.status == 400, answer.text
    assert answer.json()["parameter"] == parameter


def test_unknown_ids_are_404(server):
    assert get(server, "/rubin/1/").status == 404
    assert get(server, "/rubin/objects/1/").status == 404
    assert get(server, "/rubin/1/cutout/Science/").status == 404


def equal(a, b) -> bool:
    """Records equal field by field, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return a == b


def written_back(server, key) -> tuple[dict, dict]:
    answer = get(server, f"/rubin/{key}/avro/")
    assert answer.status == 200 and answer.content_type == "application/avro", answer.text[:300]
    reader = fastavro.reader(io.BytesIO(answer.body))
    records = list(reader)
    assert len(records) == 1
    return records[0], reader.writer_schema


def test_every_packet_written_back_as_it_came(server, packets, shared_dir):
    with open(next((shared_dir / "rubin" / "alerts-9.0").glob("*.avro")), "rb") as handle:
        writer_schema = fastavro.reader(handle).writer_schema
    for key, packet in packets.items():
        record, schema = written_back(server, key)
        assert equal(record, packet), key
        assert schema == writer_schema


@pytest.mark.parametrize("version", [(3, 0), (4, 0), (5, 0), (6, 0), (6, 1), (7, 0), (7, 1), (7, 2), (7, 3), (7, 4),
                                     (8, 0), (9, 0), (10, 0), (11, 0), (11, 1)], ids=lambda v: f"{v[0]}.{v[1]}")
def test_sample_alert_of_every_version_written_back(make_database, ingest, start_server, version):
    from rubin_framing import SCHEMA_ROOT

    path = SCHEMA_ROOT / str(version[0]) / str(version[1]) / "sample_data" / "fakeAlert.avro"
    db = make_database()
    _, summary = ingest(db.url, path)
    assert summary.loaded == 1
    with open(path, "rb") as handle:
        packet = next(fastavro.reader(handle))
    record, _ = written_back(start_server(db), packet["diaSource"]["diaSourceId"])
    assert equal(record, packet)


def test_pages_in_html(server, packets):
    home = request(server.url + "/", headers={"Accept": "text/html"})
    assert 'href="/rubin/"' in home.text, "the home page offers Rubin's alerts beside ZTF's"
    listing = request(server.url + "/rubin/?band=i", headers={"Accept": "text/html"})
    assert listing.status == 200 and listing.content_type == "text/html"
    for key, packet in packets.items():
        assert (f'href="/rubin/{key}/"' in listing.text) == (packet["diaSource"]["band"] == "i")
    key, packet = next((k, p) for k, p in packets.items() if p["prvDiaSources"])
    page = request(server.url + f"/rubin/{key}/", headers={"Accept": "text/html"})
    assert page.status == 200 and f'/rubin/{key}/cutout/Science/?format=png' in page.text
    assert f'href="/rubin/{packet["prvDiaSources"][0]["diaSourceId"]}/"' in page.text
    obj = request(server.url + f"/rubin/objects/{packet['diaSource']['diaObjectId']}/", headers={"Accept": "text/html"})
    assert obj.status == 200 and "Band i: detections" in obj.text
    bad = request(server.url + "/rubin/?psfFlux__gte=x", headers={"Accept": "text/html"})
    assert bad.status == 400 and "psfFlux__gte" in bad.text


def test_latest_and_metrics(server, packets):
    newest = max(packets.values(), key=lambda p: (p["diaSource"]["midpointMjdTai"], p["diaSource"]["diaSourceId"]))["diaSource"]
    latest = get(server, "/rubin/latest/").json()
    assert latest["diaSourceId"] == newest["diaSourceId"]
    assert latest["midpointMjdTai"] == newest["midpointMjdTai"]
    metrics = request(server.url + "/metrics").text
    assert "\nalertdb_rubin_alerts_loaded_total 100\n" in metrics
    assert f"\nalertdb_rubin_newest_alert_mjd_tai {newest['midpointMjdTai']!r}\n" in metrics
    assert "\nalertdb_alerts_loaded_total 0\n" in metrics, "ZTF's count is ZTF's alone"
