"""where=: filter expressions over the alert's fields, on GET /, in bulk queries and in the form.

Each expression is checked against SQL written by hand over every shared packet (the full id
list, following `next`, and the count), with missing values (NULL, NaN, ZTF's -999/-99)
spelled out in the SQL rather than taken from the server. Then combinations with the other
filters, sorting, cursors, pages and bulk; the limits; and a fuzz of random expressions that
must be answered 200 or 400, never 5xx, and leave no backend busy."""

from __future__ import annotations

import json
import random
import re
import string
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from http_client import get, get_json, post_json, request

MISSING = "(-999, -99)"


def jd(iso: str) -> float:
    """The Julian date of an ISO date-time, UTC unless it says otherwise."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() / 86400 + 2440587.5


def has(column: str, sentinels: bool = False) -> str:
    """SQL: the column holds a value (not NULL, not NaN, not a sentinel)."""
    text = f"({column} IS NOT NULL AND {column} <> 'NaN'"
    return text + (f" AND {column} NOT IN {MISSING})" if sentinels else ")")


def listed(server, params) -> tuple[list[int], int]:
    """Every alert id the listing gives, following `next` to the end, and the first page's count."""
    page = get_json(server.url, "/", params)
    count = page["count"]
    ids = [alert["lco_id"] for alert in page["results"]]
    while page["next"]:
        assert "where" in parse_qs(urlsplit(page["next"]).query) or not any(k == "where" for k, _ in params), page["next"]
        response = request(page["next"], headers={"Accept": "application/json"})
        assert response.status == 200, response.text[:300]
        page = response.json()
        ids += [alert["lco_id"] for alert in page["results"]]
        assert len(ids) < 5000
    return ids, count


def expected_ids(db, where: str, order: str = "jd DESC, id DESC") -> list[int]:
    return [row[0] for row in db.conn.execute(f"SELECT id FROM candidate WHERE {where} ORDER BY {order}")]


G, R = 1, 2
JUNE = jd("2018-06-01T00:00:00Z")
NEW_YEAR = jd("2019-01-01T00:00:00Z")
NOV29, NOV30_NOON = jd("2018-11-29T00:00:00Z"), jd("2018-11-30T12:00:00Z")

# (expression, hand-written SQL over candidate). Numbers compared with a real column are
# written as reals, as the column holds them.
CASES = [
    ("magpsf < 18.5", f"magpsf < real '18.5' AND {has('magpsf')}"),
    ("magpsf <= 19.1", f"magpsf <= real '19.1' AND {has('magpsf')}"),
    ("rb >= 0.9 OR drb >= 0.9", f"(rb >= real '0.9' AND {has('rb')}) OR (drb >= real '0.9' AND {has('drb')})"),
    ("NOT distnr < 1", f"distnr >= 1 AND {has('distnr', True)}"),
    ("distnr IS NULL", f"NOT {has('distnr', True)}"),
    ("distnr is not null AND distnr <= 2", f"{has('distnr', True)} AND distnr <= 2"),
    ("ssdistnr BETWEEN -1000 AND 10", f"ssdistnr BETWEEN -1000 AND 10 AND {has('ssdistnr', True)}"),
    ("ssdistnr IS NULL AND filter = 'r'", f"NOT {has('ssdistnr', True)} AND fid = {R}"),
    ("NOT ssdistnr > 5", f"ssdistnr <= 5 AND {has('ssdistnr', True)}"),
    ("ssmagnr < 20 OR ssdistnr < 3", f"(ssmagnr < 20 AND {has('ssmagnr', True)}) OR (ssdistnr < 3 AND {has('ssdistnr', True)})"),
    ("filter IN ('g', 'i')", "fid IN (1, 3)"),
    ("filter != 'g'", f"fid <> {G}"),
    ("NOT filter = 'r' AND magpsf > 19", f"fid <> {R} AND magpsf > 19 AND {has('magpsf')}"),
    ("wall_time > 2018-06-01 AND wall_time < '2019-01-01T00:00:00Z'", f"jd > {JUNE!r} AND jd < {NEW_YEAR!r}"),
    ("wall_time BETWEEN 2018-11-29 AND 2018-11-30T12:00:00Z", f"jd BETWEEN {NOV29!r} AND {NOV30_NOON!r}"),
    ("wall_time < '2018-06-01T02:00:00+02:00'", f"jd < {jd('2018-06-01T00:00:00Z')!r}"),
    ("objectId LIKE 'ZTF18%'", "\"objectId\" LIKE 'ZTF18%'"),
    ("objectId NOT LIKE 'ZTF17%' AND isdiffpos = 't'", "\"objectId\" NOT LIKE 'ZTF17%' AND isdiffpos = 't'"),
    ("isdiffpos IN ('f', '0')", "isdiffpos IN ('f', '0')"),
    ("ssnamenr IS NULL OR ssnamenr LIKE '(4%'", "ssnamenr IS NULL OR ssnamenr = 'null' OR ssnamenr LIKE '(4%'"),
    ("isdiffpos = '1' AND objectId IN ('ztf17AABTDPS', 'ZTF17aaaivqp', 'ZTF17aaaaaaa')",
     "isdiffpos IN ('t', '1') AND \"objectId\" IN ('ZTF17aabtdps', 'ZTF17aaaivqp')"),
    ("magpsf - magap < -0.1", f"magpsf::float8 - magap::float8 < -0.1 AND {has('magpsf')} AND {has('magap')}"),
    ("magpsf + sigmapsf * 3 < 19", f"magpsf::float8 + sigmapsf::float8 * 3 < 19 AND {has('magpsf')} AND {has('sigmapsf')}"),
    ("magpsf - 2 * sigmapsf > 19.5", f"magpsf::float8 - 2 * sigmapsf::float8 > 19.5 AND {has('magpsf')} AND {has('sigmapsf')}"),
    ("magpsf / sigmapsf > 150", f"sigmapsf <> 0 AND magpsf::float8 / sigmapsf::float8 > 150 AND {has('magpsf')} AND {has('sigmapsf')}"),
    ("-magpsf > -17", f"magpsf < 17 AND {has('magpsf')}"),
    ("abs(deltamaglatest) > 0.5", f"abs(deltamaglatest) > 0.5 AND {has('deltamaglatest')}"),
    ("sqrt(distnr) < 1", f"distnr >= 0 AND sqrt(distnr::float8) < 1 AND {has('distnr', True)}"),
    ("log10(fwhm) > 0.4", f"fwhm > 0 AND log10(fwhm::float8) > 0.4 AND {has('fwhm')}"),
    ("1 / (fid - 1) > 0.4", "fid <> 1 AND 1.0 / (fid - 1) > 0.4"),
    ("log10(magpsf - 18) IS NULL", f"NOT ({has('magpsf')} AND magpsf > 18)"),
    ("cone(120.673, 19.189, 1.5)", "q3c_radial_query(ra, dec, 120.673, 19.189, 1.5)"),
    ("cone(120.673, 19.189, 2) OR cone(159.73, -7.206, 3)",
     "q3c_radial_query(ra, dec, 120.673, 19.189, 2) OR q3c_radial_query(ra, dec, 159.73, -7.206, 3)"),
    ("NOT cone(120.673, 19.189, 10) AND rb > 0.5", f"NOT q3c_radial_query(ra, dec, 120.673, 19.189, 10) AND rb > 0.5 AND {has('rb')}"),
    ("sgscore1 > 0.5", f"sgscore1 > 0.5 AND {has('sgscore1', True)}"),
    ("distpsnr1 < 2 AND sgscore1 < 0.2", f"distpsnr1 < 2 AND {has('distpsnr1', True)} AND sgscore1 < real '0.2' AND {has('sgscore1', True)}"),
    ("neargaia < 5 OR maggaia < 14", f"(neargaia < 5 AND {has('neargaia', True)}) OR (maggaia < 14 AND {has('maggaia', True)})"),
    ("ndethist >= 5 AND ncovhist > 10", "ndethist >= 5 AND ncovhist > 10"),
    ("nbad IN (0, 1, 2) AND fid NOT IN (1)", "nbad IN (0, 1, 2) AND fid <> 1"),
    ("deltamagref IS NOT NULL", has("deltamagref")),
    ("b > 20 OR b < -20", "b > 20 OR b < -20"),
    ("l BETWEEN 90 AND 180 AND NOT dec < 30", "l BETWEEN 90 AND 180 AND dec >= 30"),
    ("(rb > 0.5 OR programid = 2) AND NOT (fid = 1 OR nbad > 0)",
     f"((rb > 0.5 AND {has('rb')}) OR programid = 2) AND fid <> 1 AND nbad <= 0"),
    ("NOT (distnr < 1 AND magpsf > 19)",
     f"(distnr >= 1 AND {has('distnr', True)}) OR (magpsf <= 19 AND {has('magpsf')})"),
    ("MAGPSF < 18 and not Filter = 'g' AND ABS(Rb) >= 0", f"magpsf < 18 AND {has('magpsf')} AND fid <> {G} AND {has('rb')}"),
    ("jd BETWEEN 2458450 AND 2458500 AND sgmag1 IS NULL", f"jd BETWEEN 2458450 AND 2458500 AND NOT {has('sgmag1', True)}"),
    ("chipsf > 3 * sqrt(2) AND sharpnr IS NOT NULL", f"chipsf > 3 * sqrt(2::float8) AND {has('chipsf')} AND {has('sharpnr', True)}"),
    ("drb IS NULL", f"NOT {has('drb')}"),
]


@pytest.mark.parametrize("expression, sql", CASES, ids=[case[0][:60] for case in CASES])
def test_each_expression_selects_what_sql_written_by_hand_selects(live_server, expression, sql):
    expected = expected_ids(live_server.db, sql)
    # Every case selects some alerts and leaves others out, so that it can tell a mistake.
    assert 0 < len(expected) < live_server.db.count("candidate"), "a case that cannot fail"
    got, count = listed(live_server, {"where": expression})
    assert got == expected
    assert count == len(expected)


def test_sentinels_are_no_value_under_not(live_server):
    """NOT distnr >= 1 leaves out -999, which the naive SQL (distnr < 1) would take."""
    expected = expected_ids(live_server.db, f"distnr < 1 AND {has('distnr', True)}")
    assert expected != expected_ids(live_server.db, "distnr < 1")
    assert listed(live_server, {"where": "NOT distnr >= 1"}) == (expected, len(expected))


def test_where_combines_with_the_other_filters_by_and(live_server):
    db = live_server.db
    expected = expected_ids(db, f"rb >= real '0.5' AND {has('rb')} AND fid = {R} AND (magpsf < 18 OR NOT {has('distnr', True)})")
    got, count = listed(live_server, [("rb__gte", "0.5"), ("filter", "r"), ("where", "magpsf < 18 OR distnr IS NULL")])
    assert got == expected and count == len(expected) and 0 < len(expected)
    # With a cone parameter, and with time filters.
    expected = expected_ids(db, f"q3c_radial_query(ra, dec, 120.673, 19.189, 10) AND jd > {JUNE!r} AND NOT (fid = {G})")
    got, _ = listed(live_server, [("cone", "120.673,19.189,10"), ("time__gt", "2018-06-01"), ("where", "NOT filter = 'g'")])
    assert got == expected


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_cursor_pages_of_a_sorted_expression_walk_forward_and_back(live_server, order):
    where = "filter = 'r' AND magpsf > 15"
    direction = order.upper()
    expected = expected_ids(live_server.db, f"fid = {R} AND magpsf > 15 AND {has('magpsf')}",
                            f"magpsf {direction}, id {direction}")
    params = [("where", where), ("sort_value", "magpsf"), ("sort_order", order)]
    got, count = listed(live_server, params)
    assert got == expected and count == len(expected) and len(expected) > 200

    page = get_json(live_server.url, "/", params)
    while page["next"]:
        page = request(page["next"], headers={"Accept": "application/json"}).json()
    back = [alert["lco_id"] for alert in page["results"]][::-1]
    while page["previous"]:
        assert parse_qs(urlsplit(page["previous"]).query)["where"] == [where]
        page = request(page["previous"], headers={"Accept": "application/json"}).json()
        back += [alert["lco_id"] for alert in page["results"]][::-1]
    assert back[::-1] == expected


def test_pages_by_number_keep_the_expression(live_server):
    expected = expected_ids(live_server.db, "isdiffpos = 't'")
    second = get_json(live_server.url, "/", [("where", "isdiffpos = 't'"), ("page", "2")])
    assert [alert["lco_id"] for alert in second["results"]] == expected[100:200]
    assert parse_qs(urlsplit(second["previous"]).query) == {"where": ["isdiffpos = 't'"], "page": ["1"], "format": ["json"]}
    assert second["count"] == len(expected)


def test_bulk_queries_take_where(live_server):
    db = live_server.db
    queries = [
        {"where": "magpsf < 17.5 OR distnr IS NULL"},
        {"where": "filter = 'g' AND sqrt(distnr) < 1", "rb__gte": 0.5},
        {"where": "cone(120.673, 19.189, 3)", "sort_value": "magpsf"},
    ]
    sql = [
        (f"(magpsf < 17.5 AND {has('magpsf')}) OR NOT {has('distnr', True)}", "jd DESC, id DESC"),
        (f"fid = {G} AND distnr >= 0 AND sqrt(distnr::float8) < 1 AND {has('distnr', True)} AND rb >= real '0.5' AND {has('rb')}",
         "jd DESC, id DESC"),
        ("q3c_radial_query(ra, dec, 120.673, 19.189, 3)", "magpsf DESC, id DESC"),
    ]
    response = post_json(live_server.url, "/", {"queries": queries})
    assert response.status == 200, response.text[:500]
    for query, result, (where, order) in zip(queries, response.json()["results"], sql):
        expected = expected_ids(db, where, order)
        assert result["query"] == query
        assert [alert["lco_id"] for alert in result["results"]] == expected[:1000]
        assert result["count"] == len(expected) and result["capped"] == (len(expected) > 1000)

    refused = post_json(live_server.url, "/", {"queries": [{"where": "rb > 0.5"}, {"where": "rb >"}]})
    assert refused.status == 400
    assert refused.json() == {"error": "query 2: where: at character 5: expected a value after '>'", "parameter": "where"}


@pytest.mark.parametrize("expression, message", [
    ("magpsf >= ", "where: at character 11: expected a value after '>='"),
    ("magpsf > 18 AND rb >=", "where: at character 22: expected a value after '>='"),
    ("magpfs < 19", "where: at character 1: unknown column 'magpfs'; did you mean magpsf?"),
    ("objectId LIKE 'x' AND magpsf LIKE '1%'", "where: at character 30: LIKE matches text, and magpsf is a number"),
    ("objectId + 1 > 2", "where: at character 1: '+' needs numbers, and objectId is text"),
    ("objectId = 5", "where: at character 10: cannot compare objectId (text) with 5 (a number)"),
    ("filter = 'z'", "where: at character 10: 'z' is not a ZTF filter: g, r or i"),
    ("wall_time > 2018-13-01", "where: at character 13: '2018-13-01' is not an ISO date or date-time such as 2018-06-01 or 2018-06-01T04:05:06Z"),
    ("cone(1, 95, 1)", "where: at character 9: cone: dec must be between -90 and 90"),
    ("(rb > 1", "where: at character 8: expected ')' to close the '(' at character 1, not the end"),
    ("rb > 1; DROP TABLE candidate", "where: at character 7: unexpected character ';'"),
])
def test_mistakes_are_400s_naming_where_and_the_character(live_server, expression, message):
    response = get(live_server.url, "/", {"where": expression, "format": "json"})
    assert response.status == 400
    assert response.json() == {"error": message, "parameter": "where"}


def test_arithmetic_beyond_double_precision_is_the_expressions_fault(live_server):
    for expression in ("magpsf * 1e308 * 10 > 1", "1e308 * 10 > 1", "-magpsf / 1e-320 < 0"):
        response = get(live_server.url, "/", {"where": expression, "format": "json"})
        assert response.status == 400, response.text[:300]
        assert response.json() == {"error": "where: a number the expression computes is out of range (beyond about 1e308)",
                                   "parameter": "where"}
    response = post_json(live_server.url, "/", {"queries": [{"rb__gte": 0.5}, {"where": "magpsf * 1e308 * 10 > 1"}]})
    assert response.status == 400 and response.json()["parameter"] == "where", response.text[:300]


def test_the_form_keeps_the_expression_and_shows_the_message_beside_it(live_server):
    response = get(live_server.url, "/", {"where": "magpsf >= ", "rb__gte": "0.5"})
    assert response.status == 400 and response.content_type == "text/html"
    page = response.text
    box = re.search(r'<div class="expression">(.*?)</div>', page, re.S).group(1)
    assert '<textarea name="where"' in box and 'aria-invalid="true"' in box
    assert ">magpsf &gt;= </textarea>" in box
    assert "where: at character 11: expected a value after &#39;&gt;=&#39;</p>" in box
    assert 'name="rb__gte" value="0.5"' in page

    ok = get(live_server.url, "/", {"where": "filter = 'g'"})
    assert ok.status == 200
    assert ">filter = &#39;g&#39;</textarea>" in ok.text
    assert "where=filter%20%3D%20%27g%27" in ok.text, "the next link keeps the expression"


# --------------------------------------------------------------------------- limits


def busy_backends(db) -> list[str]:
    # Client backends only: autovacuum may be at work on a table the tests just filled.
    rows = db.conn.execute("SELECT query FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                           "AND backend_type = 'client backend' AND pid <> pg_backend_pid()", (db.name,)).fetchall()
    return [query for (query,) in rows]


def timed(server, params) -> tuple:
    started = time.monotonic()
    response = get(server.url, "/", list(params) + [("format", "json")])
    return response, time.monotonic() - started


def costliest_expression() -> str:
    """Two wide cones and 38 more terms of arithmetic, as deep and long as accepted."""
    cones = "(cone(120.673, 19.189, 10) OR NOT cone(159.73, -7.206, 10))"
    terms = [f"(magpsf - magap) / (sigmapsf + {i}) > -1e9" for i in range(20)]
    terms += [f"abs(distnr - ssdistnr * {i}) >= 0" for i in range(8)]
    nested = "-(" * 15 + "rb" + ")" * 15   # 30 levels: a sign and a parenthesis each
    text = " AND ".join([cones] + terms + [f"({nested} < 2 OR rb IS NULL)"])
    assert len(text) <= 2000, len(text)
    return text


def test_the_costliest_accepted_expression_answers_fast(live_server):
    expression = costliest_expression()
    response, seconds = timed(live_server, [("where", expression)])
    assert response.status == 200, response.text[:300]
    response, seconds = timed(live_server, [("where", expression), ("sort_value", "distnr")])
    assert response.status == 200, response.text[:300]
    assert seconds < 0.5, f"{seconds:.3f} s"
    assert busy_backends(live_server.db) == []


@pytest.mark.parametrize("params, fragment", [
    ([("where", " OR ".join(["rb > 0"] * 41))], "more than 40 terms"),
    ([("rb__gte", "0"), ("where", " OR ".join(["rb > 0"] * 40))], "beside the query's 1 other filter"),
    ([("where", "cone(1, 2, 10) OR cone(3, 4, 10) OR cone(5, 6, 10)")], "at most 2 cone() calls"),
    ([("cone", "1,2,10"), ("where", "cone(3, 4, 10) OR cone(5, 6, 10)")], "beside the query's cone or objectcone"),
    ([("objectcone", "ZTF17aabtdps,1"), ("where", "cone(3, 4, 10) OR cone(5, 6, 10)")], "beside the query's cone or objectcone"),
    ([("where", "rb > 0 AND " + "x" * 2000)], "characters long; at most 2000"),
    ([("where", "(" * 33 + "rb > 0" + ")" * 33)], "more than 32 levels deep"),
    ([("where", "(" * 1_500)], "more than 32 levels deep"),
    ([("where", "(" * 5_000)], "characters long; at most 2000"),
    ([("where", "rb" + " + rb" * 40 + " > 0")], "more than 32 levels deep"),
    ([("where", "sqrt(" * 20 + "rb" + ")" * 20 + " > 0")], "too large once compiled"),
    ([("where", "rb > 0"), ("where", "rb > 1")], "given more than once"),
])
def test_an_expression_over_the_limits_is_refused_at_once(live_server, params, fragment):
    response, seconds = timed(live_server, params)
    assert response.status == 400, response.text[:300]
    assert response.json()["parameter"] == "where" and fragment in response.json()["error"], response.json()
    assert seconds < 0.1, f"{seconds:.3f} s"


# --------------------------------------------------------------------------- fuzz

FUZZ_SEED = 20261201
FUZZ_GET = 600
FUZZ_BULK = 60


class ExpressionGenerator:
    """Random expressions from the grammar, over real and made-up names, mostly well typed."""

    def __init__(self, rng: random.Random, columns: list[str]):
        self.rng = rng
        self.columns = columns
        self.numeric = [c for c in columns if c not in ("objectId", "publisher", "isdiffpos", "rbversion", "drbversion",
                                                         "ssnamenr", "pdiffimfilename", "programpi", "wall_time", "filter")]

    def number(self) -> str:
        r = self.rng
        return r.choice([str(r.randint(-1000, 3000000)), f"{r.uniform(-100, 100):.4g}", f"{r.uniform(0, 1):.3f}",
                         "1e308", "-1e308", "0", "0.0", "1e-320", "2458300.5", "739260766315010006", "1e3"])

    def string(self) -> str:
        r = self.rng
        text = r.choice(["ZTF18%", "t", "f", "g", "r", "i", "z", "null", "", "%", "_", "a''b", "O'Brien",
                         "2018-06-01", "2018-06-01T04:00:00Z", "\\", "é", "'; DROP TABLE candidate; --"])
        return "'" + text.replace("'", "''") + "'"

    def value(self, depth: int) -> str:
        r = self.rng
        pick = r.random()
        if depth <= 0 or pick < 0.35:
            return r.choice(self.numeric) if r.random() < 0.8 else r.choice(self.columns + ["magpfs", "foo", "NULL"])
        if pick < 0.55:
            return self.number()
        if pick < 0.6:
            return self.string()
        if pick < 0.8:
            op = r.choice(["+", "-", "*", "/"])
            return f"{self.value(depth - 1)} {op} {self.value(depth - 1)}"
        if pick < 0.9:
            return f"{r.choice(['abs', 'sqrt', 'log10', 'ABS', 'Sqrt', 'ln'])}({self.value(depth - 1)})"
        if pick < 0.95:
            return f"-{self.value(depth - 1)}"
        return f"({self.value(depth - 1)})"

    def condition(self, depth: int) -> str:
        r = self.rng
        pick = r.random()
        if depth <= 0 or pick < 0.45:
            return self.predicate(depth)
        if pick < 0.65:
            return f"{self.condition(depth - 1)} {r.choice(['AND', 'and', 'And'])} {self.condition(depth - 1)}"
        if pick < 0.8:
            return f"{self.condition(depth - 1)} {r.choice(['OR', 'or'])} {self.condition(depth - 1)}"
        if pick < 0.9:
            return f"NOT {self.condition(depth - 1)}"
        return f"({self.condition(depth - 1)})"

    def predicate(self, depth: int) -> str:
        r = self.rng
        pick = r.random()
        column = r.choice(self.numeric)
        if pick < 0.4:
            return f"{self.value(depth - 1)} {r.choice(['=', '!=', '<>', '<', '<=', '>', '>='])} {self.value(depth - 1)}"
        if pick < 0.5:
            return f"{column} {r.choice(['', 'NOT '])}BETWEEN {self.number()} AND {self.number()}"
        if pick < 0.58:
            items = ", ".join(self.number() for _ in range(r.randint(1, 5)))
            return f"{column} {r.choice(['', 'NOT '])}IN ({items})"
        if pick < 0.66:
            return f"{r.choice(['objectId', 'isdiffpos', 'ssnamenr', 'rbversion', column])} {r.choice(['', 'NOT '])}LIKE {self.string()}"
        if pick < 0.74:
            return f"{r.choice(self.columns)} IS {r.choice(['', 'NOT '])}NULL"
        if pick < 0.82:
            return f"filter {r.choice(['=', '!=', 'IN'])} " + (f"({self.string()}, 'r')" if r.random() < 0.3 else r.choice(["'g'", "'r'", "'i'", "'x'"]))
        if pick < 0.9:
            return f"wall_time {r.choice(['>', '<', '>='])} {r.choice(['2018-06-01', '2018-06-01T04:05:06Z', chr(39) + '2018-11-30' + chr(39), '2018-02-30', '2018'])}"
        return f"cone({self.number()}, {r.uniform(-100, 100):.3f}, {r.choice(['0.5', '10', '11', '0', '1e-10', '5'])})"


MUTATION_BITS = ["(", ")", "'", "''", ",", "NOT", "AND", "OR", "BETWEEN", "IN", "IS", "NULL", "LIKE", "-", "+", "*", "/",
                 "=", "<", ">=", "!", "<>", ".", "e", "1e", "9" * 30, "\x00", "\\", "\"", "é", "💥", "\n", " ", "cone(", "sqrt("]


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        action = rng.random()
        if action < 0.4:
            text = text[:at] + rng.choice(MUTATION_BITS) + text[at:]
        elif action < 0.7:
            text = text[:at] + text[at + rng.randint(1, 6):]
        else:
            text = text[:at] + rng.choice(MUTATION_BITS) + text[at + rng.randint(1, 3):]
    return text


def garbage(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.3:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 60)))
    if pick < 0.5:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 60))).decode("latin-1")
    if pick < 0.65:
        return "".join(chr(rng.choice([rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x2FFFF)])) for _ in range(rng.randint(1, 20)))
    if pick < 0.75:
        return rng.choice(["(", "NOT ", "-", "abs(", "'"]) * rng.randint(30, 3000)
    if pick < 0.85:
        return "rb > 0 " + " OR rb > 0" * rng.randint(30, 300)
    return rng.choice(["", " ", "\x00", "''", "'", "--", "/*", "$1", "%s", "1=1", "TRUE", "NULL", "*", "()", ",",
                       "rb > 0; SELECT pg_sleep(20)", "pg_sleep(20) IS NULL", "1 IS NULL"])


def classify(response) -> str:
    """'ok', 'mistake' (a 400 naming where and the character) or 'refused' (another 400)."""
    assert response.status in (200, 400), f"{response.status}: {response.text[:300]}"
    if response.status == 200:
        return "ok"
    body = response.json()
    if body.get("parameter") == "where" and re.match(r"^(query \d+: )?where: at character \d+: ", body["error"]):
        return "mistake"
    # What only the data can tell: a number out of double's range after arithmetic; and a NUL
    # character, which the HTTP layer (in a query) or the JSON reader (in a bulk body) refuses
    # before any query.
    print(f"refused: {body['error'][:120]}")
    assert (body.get("parameter") == "where" and "out of range" in body["error"] or "given more than once" in body["error"]
            or (body.get("parameter") == "queries" and "\\u0000" in body["error"])
            or (body.get("parameter") == "where" and "NUL byte" in body["error"])), body
    return "refused"


def test_fuzzed_expressions_are_answered_200_or_400_and_leave_no_backend_busy(live_server):
    print(f"where= fuzz seed {FUZZ_SEED}: {FUZZ_GET} GET and {FUZZ_BULK} bulk requests")
    rng = random.Random(FUZZ_SEED)
    columns = get_json(live_server.url, "/help/")["expression"]["columns"]
    generator = ExpressionGenerator(rng, columns)
    tally = {"ok": 0, "mistake": 0, "refused": 0}
    grammar_ok = grammar_total = 0
    for index in range(FUZZ_GET):
        kind = index % 3
        expression = generator.condition(rng.randint(0, 5))
        if kind == 1:
            expression = mutate(rng, expression)
        elif kind == 2:
            expression = garbage(rng)
        params = [("where", expression)]
        if rng.random() < 0.2:
            params.append(rng.choice([("rb__gte", "0.5"), ("magpsf__lte", "19"), ("cone", "120,19,5"), ("sort_value", "magpsf"), ("page", "2")]))
        response, _ = timed(live_server, params)
        outcome = classify(response)
        tally[outcome] += 1
        if kind == 0:
            grammar_total += 1
            grammar_ok += outcome == "ok"
    for _ in range(FUZZ_BULK):
        queries = [{"where": rng.choice([generator.condition(rng.randint(0, 4)), mutate(rng, generator.condition(2)), garbage(rng)])}
                   for _ in range(rng.randint(1, 5))]
        response = post_json(live_server.url, "/", {"queries": queries})
        tally[classify(response)] += 1
    print(f"answers: {tally}; grammar-made expressions accepted: {grammar_ok} of {grammar_total}")
    assert sum(tally.values()) >= 500 + FUZZ_BULK
    # The grammar makes mostly valid expressions: most are answered, the rest refused by name.
    assert grammar_ok >= grammar_total // 4, tally
    assert tally["mistake"] >= FUZZ_GET // 4, tally
    assert get(live_server.url, "/health").status == 200
    assert busy_backends(live_server.db) == []
