"""Every listing filter of `alertdb serve`, checked against a direct SQL count.

For each filter the catalogue reports at /help/?format=json, a value is taken from the stored
alerts (a column's median, a real objectId, candid or PS1 id) and the listing's `count` must
equal `SELECT count(*) FROM candidate WHERE <the same condition>`. Numeric values are exact
stored values (float32 widened to double, printed with repr) so that a float4 or a float8
comparison gives the same answer, and `gt` and `gte` differ on them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from psycopg import sql

from http_client import get, get_json

SUFFIX_SQL = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
UNIX_EPOCH_JD = 2440587.5

# The columns where ZTF writes -999 (or -99) for "none" (no reference source, no PS1, Gaia or
# solar-system object within reach), read off the packets and ZTF's schema documentation:
# filters treat those values, and NaN, as no value.
SENTINEL_COLUMNS = ({"distnr", "magnr", "sigmagnr", "chinr", "sharpnr", "ranr", "decnr", "ssdistnr", "ssmagnr",
                     "sgscore", "neargaia", "neargaiabright", "maggaia", "maggaiabright"}
                    | {f"s{band}mag{rank}" for band in "griz" for rank in ("", "1", "2", "3")}
                    | {f"{name}{rank}" for name in ("sgscore", "distpsnr") for rank in "123"})


def has_value(column: str) -> sql.Composable:
    """SQL true when `column` holds a value: not NaN, not a sentinel (NULL fails comparisons anyway)."""
    ident = sql.Identifier(column)
    condition = sql.SQL("{c}::float8 <> 'NaN'::float8").format(c=ident)
    if column in SENTINEL_COLUMNS:
        condition += sql.SQL(" AND {c} NOT IN (-999, -99)").format(c=ident)
    return condition


def jd_to_datetime(jd: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(days=jd - UNIX_EPOCH_JD)


def datetime_to_jd(moment: datetime) -> float:
    return UNIX_EPOCH_JD + (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() / 86400


@pytest.fixture(scope="module")
def catalogue(live_server) -> list[dict]:
    return get_json(live_server.url, "/help/")["filters"]


def sql_count(db, where: sql.Composable, args: list) -> int:
    query = sql.SQL("SELECT count(*) FROM candidate WHERE ") + where
    with db.binary_cursor() as cur:
        return cur.execute(query, args).fetchone()[0]


def api_count(server, params: list[tuple[str, str]]) -> int:
    body = get_json(server.url, "/", params)
    assert body["count_is_estimate"] is False
    return body["count"]


def median(db, column: str):
    """The lower median of a column over the stored alerts (an exact stored value)."""
    # NaN sorts above every number in PostgreSQL; some catalogue columns hold NaN for "none".
    query = sql.SQL("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY {c}) FROM candidate "
                    "WHERE {c} IS NOT NULL AND {c}::float8 <> 'NaN'::float8")
    with db.binary_cursor() as cur:
        return cur.execute(query.format(c=sql.Identifier(column))).fetchone()[0]


def comparison(spec: dict) -> str | None:
    """The SQL operator of a `column__suffix` filter, None for MARS's special ones."""
    name = spec["parameter"]
    if "__" in name:
        suffix = name.rsplit("__", 1)[1]
        return SUFFIX_SQL.get(suffix)
    return None


def case_for(db, spec: dict) -> tuple[str, sql.Composable, list]:
    """(API value, SQL condition, SQL arguments) for one filter, from the stored data."""
    name, column, kind = spec["parameter"], spec["column"], spec["type"]
    ident = sql.Identifier(column)
    if name == "objectId":
        object_id = db.conn.execute(
            'SELECT "objectId" FROM candidate GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1').fetchone()[0]
        return object_id, sql.SQL('"objectId" = %s'), [object_id]
    if name == "candid":
        candid = db.conn.execute("SELECT candid FROM candidate ORDER BY id OFFSET 7 LIMIT 1").fetchone()[0]
        return str(candid), sql.SQL("candid = %s"), [candid]
    if name == "objectidps":
        ps1 = db.conn.execute(
            "SELECT objectidps2 FROM candidate WHERE objectidps2 > 0 ORDER BY id LIMIT 1").fetchone()[0]
        return str(ps1), sql.SQL("(objectidps1 = %s OR objectidps2 = %s OR objectidps3 = %s)"), [ps1] * 3
    if name == "filter":
        return "r", sql.SQL("fid = 2"), []
    if name == "objectcone":
        object_id, ra, dec = db.conn.execute(
            'SELECT "objectId", ra, dec FROM candidate ORDER BY id OFFSET 100 LIMIT 1').fetchone()
        ra, dec = db.conn.execute('SELECT ra, dec FROM candidate WHERE "objectId" = %s ORDER BY jd DESC LIMIT 1',
                                  (object_id,)).fetchone()
        return f"{object_id},0.5", sql.SQL("q3c_radial_query(ra, dec, %s, %s, 0.5)"), [ra, dec]
    if name == "cone":
        ra, dec = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY id OFFSET 100 LIMIT 1").fetchone()
        return (f"{ra!r},{dec!r},0.5", sql.SQL("q3c_dist(ra, dec, %s, %s) < 0.5"), [ra, dec])
    if name == "time__since":
        return "100000000000", sql.SQL("jd IS NOT NULL"), []
    if kind == "time":
        # Half a second after the median alert, so no stored jd sits on the boundary.
        moment = jd_to_datetime(median(db, "jd")).replace(microsecond=0) + timedelta(milliseconds=500)
        value = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        op = {"time__gt": ">", "time__lt": "<"}[name]
        return value, sql.SQL("jd " + op + " %s"), [datetime_to_jd(moment)]
    if name == "programid":
        value = median(db, column)
        return str(value), sql.SQL("programid = %s"), [value]
    if kind in ("integer", "text", "list") and not comparison(spec):
        return equality_case(db, spec)
    op = comparison(spec)
    assert op is not None, f"no rule for filter {name}"
    value = median(db, column)
    if value is None:  # NULL in every stored alert (a field no shared schema carries): count nothing
        value = 0
    return (repr(value), sql.SQL("{c} " + op + " %s::float8 AND ").format(c=ident) + has_value(column),
            [float(value)])


def equality_case(db, spec: dict) -> tuple[str, sql.Composable, list]:
    """`column=v` and `column__in=v,w` for integer and text columns: the column's commonest
    values (isdiffpos in either of its forms, ssnamenr's "null" as none)."""
    column, listed = spec["column"], spec["parameter"].endswith("__in")
    ident = sql.Identifier(column)
    stored = sql.SQL("{c}").format(c=ident)
    if column == "isdiffpos":
        stored = sql.SQL("CASE {c} WHEN '1' THEN 't' WHEN '0' THEN 'f' ELSE {c} END").format(c=ident)
    if column == "ssnamenr":
        stored = sql.SQL("NULLIF({c}, 'null')").format(c=ident)
    query = sql.SQL("SELECT v FROM (SELECT {s} AS v FROM candidate) t WHERE v IS NOT NULL GROUP BY v "
                    "ORDER BY count(*) DESC, v LIMIT 2").format(s=stored)
    values = [row[0] for row in db.conn.execute(query)] or [0 if spec["type"] == "integer" else "none"]
    chosen = values if listed else values[:1]
    where = stored + sql.SQL(" = ANY(%s)")
    return ",".join(map(str, chosen)), where, [chosen]


def test_catalogue_covers_mars(catalogue):
    names = {spec["parameter"] for spec in catalogue}
    for mars in ("objectId", "candid", "cone", "objectidps", "time__gt", "time__lt", "time__since", "filter",
                 "programid", "rb__gte", "drb__gte", "magpsf__lte", "deltamaglatest__gte", "elong__lte"):
        assert mars in names
    # A generic filter for every numeric column: magpsf has all four, and so do l and b.
    for column in ("magpsf", "fid", "l", "b", "ndethist", "distpsnr1"):
        for suffix in SUFFIX_SQL:
            assert f"{column}__{suffix}" in names


def test_every_filter_matches_sql(live_server, catalogue):
    db = live_server.db
    total = db.count("candidate")
    mismatches = []
    trivial = []
    for spec in catalogue:
        value, where, args = case_for(db, spec)
        if spec["type"] == "list" and "," in value and spec["column"] == "isdiffpos":
            value = value.replace("t", "1")   # the other form of the same values
        expected = sql_count(db, where, args)
        got = api_count(live_server, [(spec["parameter"], value)])
        if got != expected:
            mismatches.append(f"{spec['parameter']}={value}: API {got}, SQL {expected}")
        if expected in (0, total) and spec["parameter"] not in ("time__since",):
            trivial.append(spec["parameter"])
    assert not mismatches, "\n".join(mismatches)
    # The medians must exercise the filters: only columns NULL or constant almost everywhere
    # give a count of 0 or everything, and those are few.
    assert len(trivial) < len(catalogue) // 2, trivial


def test_time_filters(live_server):
    db = live_server.db
    total = db.count("candidate")
    assert api_count(live_server, [("time__since", "100000000000")]) == total
    assert api_count(live_server, [("time__since", "60")]) == 0  # the shared alerts are years old
    for text, moment in [("2017-12-10", datetime(2017, 12, 10, tzinfo=timezone.utc)),
                         ("2018-06-01T04:00:00", datetime(2018, 6, 1, 4, tzinfo=timezone.utc)),
                         ("2018-06-01T04:00:00+00:00", datetime(2018, 6, 1, 4, tzinfo=timezone.utc))]:
        jd = datetime_to_jd(moment)
        assert api_count(live_server, [("time__gt", text)]) == sql_count(db, sql.SQL("jd > %s"), [jd])
        assert api_count(live_server, [("time__lt", text)]) == sql_count(db, sql.SQL("jd < %s"), [jd])


@pytest.mark.parametrize("name,fid", [("g", 1), ("r", 2), ("i", 3)])
def test_filter_names(live_server, name, fid):
    expected = sql_count(live_server.db, sql.SQL("fid = %s"), [fid])
    assert api_count(live_server, [("filter", name)]) == expected


def test_empty_values_are_ignored(live_server):
    total = live_server.db.count("candidate")
    assert api_count(live_server, [("rb__gte", ""), ("objectId", ""), ("filter", "")]) == total


def test_combinations_of_two_filters(live_server, catalogue):
    db = live_server.db
    generic = [spec for spec in catalogue if comparison(spec) and spec["type"] == "real"
               and median(db, spec["column"]) is not None]
    specials = [spec for spec in catalogue if spec["parameter"] in ("filter", "time__gt", "programid", "cone")]
    rng = random.Random(20240611)
    pairs = [tuple(rng.sample(generic, 2)) for _ in range(25)]
    pairs += [(special, rng.choice(generic)) for special in specials]
    mismatches = []
    for first, second in pairs:
        value1, where1, args1 = case_for(db, first)
        value2, where2, args2 = case_for(db, second)
        expected = sql_count(db, where1 + sql.SQL(" AND ") + where2, args1 + args2)
        got = api_count(live_server, [(first["parameter"], value1), (second["parameter"], value2)])
        if got != expected:
            mismatches.append(f"{first['parameter']}={value1}&{second['parameter']}={value2}: API {got}, SQL {expected}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("column", ["jd", "magpsf", "rb", "ra", "dec", "fid"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_value_and_order(live_server, column, order):
    """The first page's values equal SQL's first 100 in that order; ties broken consistently."""
    body = get_json(live_server.url, "/", [("sort_value", column), ("sort_order", order)])
    got = [alert["candidate"][column] for alert in body["results"]]
    # Alerts without a value come last in both orders.
    query = sql.SQL("SELECT {c} FROM candidate ORDER BY {c} " + order + " NULLS LAST LIMIT 100").format(c=sql.Identifier(column))
    with live_server.db.binary_cursor() as cur:
        expected = [row[0] for row in cur.execute(query)]
    assert len(got) == 100
    # float32 columns arrive as their shortest decimal: compare at float32 precision.
    assert got == pytest.approx(expected, rel=1e-6, abs=0)
    assert got == sorted(got, reverse=(order == "desc"))


def test_default_order_is_newest_first(live_server):
    body = get_json(live_server.url, "/")
    ids = [alert["lco_id"] for alert in body["results"]]
    with live_server.db.binary_cursor() as cur:
        expected = [row[0] for row in cur.execute("SELECT id FROM candidate ORDER BY jd DESC, id DESC LIMIT 100")]
    assert ids == expected


def test_sort_by_column_pages_through_everything(live_server):
    """Cursor pages in magpsf order hold every alert once, in order."""
    from http_client import all_pages

    alerts = all_pages(live_server.url, [("sort_value", "magpsf"), ("sort_order", "asc"), ("filter", "g")])
    ids = [alert["lco_id"] for alert in alerts]
    expected = {row[0] for row in live_server.db.conn.execute("SELECT id FROM candidate WHERE fid = 1")}
    assert len(ids) == len(set(ids)) and set(ids) == expected
    mags = [alert["candidate"]["magpsf"] for alert in alerts]
    assert mags == sorted(mags)


def test_html_listing_answers(live_server):
    response = get(live_server.url, "/", [("rb__gte", "0.5")])
    assert response.status == 200 and response.content_type == "text/html"


@pytest.mark.parametrize("param,value,condition", [
    # A fraction against an integer column compares as the fraction, not a rounded integer.
    ("fid__gt", "1.5", "fid > 1.5"),
    ("fid__lt", "1.5", "fid < 1.5"),
    ("ndethist__lte", "2.5", "ndethist <= 2.5"),
    ("nbad__gte", "0.5", "nbad >= 0.5"),
    # Beyond what the column's type can hold: still a plain comparison.
    ("ndethist__gt", "1e12", "ndethist > 1e12"),
    ("ndethist__gt", "-1e12", "ndethist > -1e12"),
    ("rb__lt", "1e300", "rb < 1e300"),
    ("rb__gt", "-1e300", "rb > -1e300"),
    ("magpsf__gt", "1e-300", "magpsf > 1e-300"),
    ("candid__gt", "1e30", "candid > 1e30"),
    ("jd__gt", "2458105.9", "jd > 2458105.9"),
])
def test_values_beyond_the_column_type(live_server, param, value, condition):
    expected = sql_count(live_server.db, sql.SQL(condition), [])
    assert api_count(live_server, [(param, value)]) == expected
