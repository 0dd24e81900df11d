"""The Rubin listing's order, its CSV and VOTable answers, and old schema versions' fields.

One database holds the 100 shared Rubin packets (schema 9.0) and lsst-alert-packet's sample
alert of every schema version, each rewritten by fastavro under its own writer schema with an
id, position, time, band and flux of its own, written under that version's field names (3.0's
`decl`, `midPointTai`, `filterName`, `psFlux`). 115 alerts make two pages. The oracles:
fastavro's reading of the packets, Python's own sort, Python's csv module and astropy's
VOTable reader.
"""

from __future__ import annotations

import csv
import io
import math
import urllib.parse

import fastavro
import pytest
from astropy.io import votable

from http_client import request
from rubin_framing import SCHEMA_ROOT

VERSIONS = sorted((int(p.parent.name), int(p.name)) for p in SCHEMA_ROOT.glob("[0-9]*/[0-9]*")
                  if (p / "sample_data" / "fakeAlert.avro").is_file())
FIRST_ID = 900_000_000_000_000_000


def field(record: dict, *names):
    """The first of `names` the record has: a field under this version's name."""
    return next(name for name in names if name in record)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Every version's sample alert, made distinct: (version, packet) pairs, written to a folder."""
    folder = tmp_path_factory.mktemp("rubin-samples")
    made = []
    for i, version in enumerate(VERSIONS):
        with open(SCHEMA_ROOT / str(version[0]) / str(version[1]) / "sample_data" / "fakeAlert.avro", "rb") as handle:
            reader = fastavro.reader(handle)
            schema, packet = reader.writer_schema, next(reader)
        source = packet["diaSource"]
        source["diaSourceId"] = FIRST_ID + i
        if "diaSourceId" in packet:
            packet["diaSourceId"] = FIRST_ID + i
        # The samples name no object for their diaSource: one each, for its light curve.
        source["diaObjectId"] = FIRST_ID + 1000 + i
        source[field(source, "decl", "dec")] = -30.0 + i
        source["ra"] = 150.0 + i
        # Times among and after the shared packets' (MJD 60924.33), so that both sorts meet them.
        source[field(source, "midPointTai", "midpointMjdTai")] = 60924.0 + i * 0.05
        source[field(source, "filterName", "band")] = "ugrizy"[i % 6]
        source[field(source, "psFlux", "psfFlux")] = 1000.0 + i
        with open(folder / f"sample-{version[0]}-{version[1]}.avro", "wb") as out:
            fastavro.writer(out, schema, [packet])
        made.append((version, packet))
    return folder, made


@pytest.fixture(scope="module")
def shared_packets(rubin_packets):
    return rubin_packets


@pytest.fixture(scope="module")
def server(make_database, ingest, shared_dir, start_server, samples):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "rubin" / "alerts-9.0", samples[0])
    assert (summary.loaded, summary.rejected) == (100 + len(VERSIONS), 0), proc.stderr.decode(errors="replace")
    return start_server(db)


@pytest.fixture(scope="module")
def sources(shared_packets, samples) -> list[dict]:
    """Every stored diaSource under the current names, as the oracle reads the packets."""
    current = {"decl": "dec", "midPointTai": "midpointMjdTai", "filterName": "band", "psFlux": "psfFlux"}
    return [{current.get(k, k): v for k, v in p["diaSource"].items()} for p in shared_packets + [p for _, p in samples[1]]]


def get(server, path="/rubin/", **params):
    return request(server.url + path + "?" + urllib.parse.urlencode(params), headers={"Accept": "application/json"})


def walk(server, **params) -> list[dict]:
    """Every result of the JSON listing, following `next`."""
    body = get(server, format="json", **params).json()
    results = body["results"]
    while body["next"]:
        body = request(body["next"]).json()
        results += body["results"]
    return results


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == "NaN"


def expected_order(sources, column, ascending) -> list[int]:
    """Python's sort: by the column, ties by diaSourceId in the same direction, missing values last."""
    present = [s for s in sources if not missing(s.get(column))]
    ordered = sorted(present, key=lambda s: (s[column], s["diaSourceId"]), reverse=not ascending)
    absent = sorted((s for s in sources if missing(s.get(column))), key=lambda s: s["diaSourceId"], reverse=not ascending)
    return [s["diaSourceId"] for s in ordered + absent]


def test_newest_observation_first_across_pages(server, sources):
    first = get(server, format="json").json()
    assert first["count"] == len(sources) and len(first["results"]) == 100 and first["has_next"]
    got = [r["diaSourceId"] for r in walk(server)]
    assert got == expected_order(sources, "midpointMjdTai", ascending=False)


@pytest.mark.parametrize("column, order", [("psfFlux", "asc"), ("psfFlux", "desc"), ("reliability", "asc"),
                                           ("midpointMjdTai", "asc"), ("diaSourceId", "asc")])
def test_sort_value_and_order_with_missing_values_last(server, sources, column, order):
    got = [r["diaSourceId"] for r in walk(server, sort_value=column, sort_order=order)]
    assert got == expected_order(sources, column, ascending=order == "asc")


def test_every_version_in_the_current_columns(server, samples):
    """A sample of every version is found by its position, time and band, and shows its values
    under the current names, whatever its version called them."""
    problems = []
    for version, packet in samples[1]:
        source = packet["diaSource"]
        key = source["diaSourceId"]
        ra, dec = source["ra"], source[field(source, "decl", "dec")]
        time, band = source[field(source, "midPointTai", "midpointMjdTai")], source[field(source, "filterName", "band")]
        flux = source[field(source, "psFlux", "psfFlux")]
        alert = get(server, f"/rubin/{key}/").json()["alert"]
        shown = (alert["ra"], alert["dec"], alert["midpointMjdTai"], alert["band"], alert["psfFlux"])
        if shown != (ra, dec, time, band, flux):
            problems.append(f"{version}: the API shows {shown}, the packet holds {(ra, dec, time, band, flux)}")
        found = [r["diaSourceId"] for r in walk(server, cone=f"{ra},{dec},0.001", band=band, midpointMjdTai__gte=time,
                                               midpointMjdTai__lte=time, psfFlux__gte=flux)]
        if found != [key]:
            problems.append(f"{version}: cone, band, time and flux find {found}")
        curve = get(server, f"/rubin/objects/{alert['diaObjectId']}/").json()["lightcurve"]
        if not any(p.get("diaSourceId") == key and p["psfFlux"] == flux for p in curve.get(band, {}).get("detections", [])):
            problems.append(f"{version}: not a point of its object's {band} light curve")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("radius", [0.5, 2.0])
def test_wide_cones_alone_and_beside_a_filter_find_what_sql_finds(server, sources, radius):
    """A cone wider than 0.2 degrees is read from q3c's ranges, the other filters applied to
    its rows: the same sources as SQL, in the listing's order, page after page."""
    centre = sources[len(sources) // 2]
    ra, dec = centre["ra"], centre["dec"]
    near = {"ra": ra, "dec": dec, "radius": radius}
    # A flux that some of the cone's sources reach and some do not: their median.
    flux = server.db.conn.execute("""SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "psfFlux") FROM dia_source
                                     WHERE q3c_dist(ra, dec, %(ra)s, %(dec)s) < %(radius)s""", near).fetchone()[0]
    everything = None
    # Strictly above it: the median source itself is then left out, compared as the real it is.
    for params, condition in [({}, "TRUE"), ({"psfFlux__gt": repr(flux)}, f'"psfFlux" > {flux!r}::real')]:
        expected = [row[0] for row in server.db.conn.execute(
            f"""SELECT "diaSourceId" FROM dia_source WHERE q3c_dist(ra, dec, %(ra)s, %(dec)s) < %(radius)s AND {condition}
                ORDER BY "midpointMjdTai" DESC, "diaSourceId" DESC""", near)]
        everything = everything or len(expected)
        assert expected and (condition == "TRUE" or len(expected) < everything), (params, len(expected))
        got = [r["diaSourceId"] for r in walk(server, cone=f"{ra!r},{dec!r},{radius!r}", **params)]
        assert got == expected, params


def same_value(json_value, text: str) -> bool:
    """A CSV field against the JSON's value: empty for null and NaN, numbers equal, text equal."""
    if missing(json_value):
        return text == ""
    if isinstance(json_value, bool):
        return text == ("true" if json_value else "false")
    if isinstance(json_value, int):
        # A real column's whole number: PostgreSQL's JSON writes 164, the table 164.0.
        return text != "" and (int(text) if text.lstrip("-").isdigit() else float(text)) == json_value
    if isinstance(json_value, float):
        return text != "" and float(text) == json_value
    return text == json_value


def test_csv_pages_hold_the_json_values(server):
    json_pages, csv_rows = [], []
    body = get(server, format="json").json()
    json_pages += body["results"]
    answer = get(server, format="csv")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    while True:
        csv_rows += list(csv.DictReader(io.StringIO(answer.text)))
        link = answer.headers.get("link")
        if not link:
            break
        assert link.endswith('>; rel="next"') and "format=csv" in link
        answer = request(link[1:link.index(">")])
        assert answer.status == 200
    while body["next"]:
        body = request(body["next"]).json()
        json_pages += body["results"]
    assert [int(r["diaSourceId"]) for r in csv_rows] == [r["diaSourceId"] for r in json_pages]
    problems = [f"{r['diaSourceId']}.{name}: JSON {j[name]!r}, CSV {r[name]!r}"
                for r, j in zip(csv_rows, json_pages) for name in r if not same_value(j.get(name), r[name])]
    assert not problems, "\n".join(problems[:20])
    # The columns of 3.0's names are filled no more: the table leaves them out.
    assert {"decl", "midPointTai", "psFlux", "filterName"}.isdisjoint(csv_rows[0]) and "mag" in csv_rows[0]


def test_votable_reads_with_astropy(server):
    answer = get(server, format="votable", band="i")
    assert answer.status == 200 and answer.headers["content-type"] == "application/x-votable+xml"
    document = votable.parse(io.BytesIO(answer.body), verify="exception")
    table = document.get_first_table()
    fields = {f.name: f for f in table.fields}
    assert (str(fields["psfFlux"].unit), fields["psfFlux"].ucd) == ("nJy", "phot.flux")
    assert str(fields["midpointMjdTai"].unit) == "d" and fields["midpointMjdTai"].ucd == "time.epoch"
    assert str(fields["ra"].unit) == "deg" and fields["ra"].ucd == "pos.eq.ra;meta.main"
    assert str(fields["dec"].unit) == "deg" and str(fields["mag"].unit) == "mag"
    # Rubin's times are MJD in TAI: a TIMESYS says so, and the time columns name it.
    systems = {t.ID: (t.timescale, t.timeorigin) for t in document.resources[0].time_systems}
    assert systems.get(fields["midpointMjdTai"].ref) == ("TAI", "MJD-origin"), systems
    assert fields["psfFlux"].ref is None
    infos = {i.name: i.value for i in document.resources[0].infos}
    assert infos["QUERY_STATUS"] == "OK" and infos["count_is_estimate"] == "false"
    data = table.array
    expected = get(server, format="json", band="i").json()["results"]
    assert list(data["diaSourceId"]) == [r["diaSourceId"] for r in expected]
    problems = []
    for i, result in enumerate(expected):
        for name in ("psfFlux", "midpointMjdTai", "reliability", "snr", "ra", "dec", "mag", "band"):
            value, masked, json_value = data[name][i], bool(data.mask[name][i]), result[name]
            if missing(json_value) != masked:
                problems.append(f"{result['diaSourceId']}.{name}: VOTable masked={masked} for JSON {json_value!r}")
            elif not masked and value != json_value:
                problems.append(f"{result['diaSourceId']}.{name}: VOTable {value!r}, JSON {json_value!r}")
    assert any(missing(r["reliability"]) or missing(r["mag"]) for r in expected), "some values should be missing"
    assert not problems, "\n".join(problems[:20])


def test_objects_as_tables(server):
    answer = get(server, "/rubin/objects/", format="votable")
    assert answer.status == 200
    table = votable.parse(io.BytesIO(answer.body), verify="exception").get_first_table()
    count = get(server, "/rubin/objects/", format="json").json()["count"]
    assert len(table.array) == min(count, 100) and "diaObjectId" in table.array.dtype.names
    rows = list(csv.DictReader(io.StringIO(get(server, "/rubin/objects/", format="csv").text)))
    assert [int(r["diaObjectId"]) for r in rows] == [int(x) for x in table.array["diaObjectId"]]


@pytest.mark.parametrize("path, params, parameter", [
    ("/rubin/", {"sort_value": "nosuchcolumn"}, "sort_value"),
    ("/rubin/", {"sort_value": "band"}, "sort_value"),
    ("/rubin/", {"sort_order": "up"}, "sort_order"),
    ("/rubin/", {"cursor": "12345"}, "cursor"),
    ("/rubin/", {"format": "xml"}, "format"),
    ("/rubin/objects/", {"sort_value": "band"}, "sort_value"),
])
def test_bad_order_and_format_are_400_naming_them(server, path, params, parameter):
    answer = get(server, path, **params)
    assert answer.status == 400, answer.text
    assert answer.json()["parameter"] == parameter


def test_a_cursor_of_another_order_is_refused(server):
    body = get(server, format="json").json()
    cursor = urllib.parse.parse_qs(urllib.parse.urlparse(body["next"]).query)["cursor"][0]
    answer = get(server, sort_value="psfFlux", cursor=cursor)
    assert answer.status == 400 and answer.json()["parameter"] == "cursor"


def test_one_alert_is_not_a_table(server, samples):
    key = samples[1][0][1]["diaSource"]["diaSourceId"]
    answer = get(server, f"/rubin/{key}/", format="csv")
    assert answer.status == 400 and answer.json()["parameter"] == "format"


def test_an_object_listed_again_after_its_next_source_shows_its_new_state(make_database, ingest, start_server, shared_dir, tmp_path):
    # The server keeps each object's listed row, under the object's latest source: a later
    # source of the object must show, not the row kept from before it.
    packet = sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro"))[0]
    with open(packet, "rb") as f:
        reader = fastavro.reader(f)
        schema, record = reader.writer_schema, next(iter(reader))
    record["diaSourceId"] = record["diaSource"]["diaSourceId"] = record["diaSourceId"] + 1
    record["diaSource"]["midpointMjdTai"] += 1
    record["diaObject"]["nDiaSources"] += 1
    later = tmp_path / "later.avro"
    with open(later, "wb") as f:
        fastavro.writer(f, schema, [record])
    object_id = record["diaObject"]["diaObjectId"]

    db = make_database()
    assert ingest(db.url, packet)[1].loaded == 1
    server = start_server(db)

    def listed():
        rows = request(f"{server.url}/rubin/objects/?format=json").json()["results"]
        return next(r for r in rows if r["diaObjectId"] == object_id)

    before = listed()
    assert before == listed()   # the second answer is the kept row
    assert ingest(db.url, later)[1].loaded == 1
    after = listed()
    assert after["latestDiaSourceId"] == record["diaSourceId"] != before["latestDiaSourceId"]
    assert after["nDiaSources"] == before["nDiaSources"] + 1
