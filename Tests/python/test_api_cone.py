"""Cone searches: the listing's `cone=ra,dec,radius` returns exactly the alerts q3c finds
within the radius, and astropy agrees that each is inside."""

from __future__ import annotations

import astropy.units as u
import pytest
from astropy.coordinates import SkyCoord

from http_client import all_pages, get


def sql_ids(db, ra: float, dec: float, radius: float) -> set[int]:
    rows = db.conn.execute("SELECT id FROM candidate WHERE q3c_dist(ra, dec, %s, %s) < %s", (ra, dec, radius))
    return {row[0] for row in rows}


def centres(db) -> list[tuple[float, float, float]]:
    """Cones around stored alerts (so they match something), plus the edge cases."""
    rows = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY id").fetchall()
    picks = [rows[0], rows[len(rows) // 3], rows[len(rows) // 2], rows[-1]]
    cones = [(ra, dec, radius) for (ra, dec), radius in zip(picks, [0.001, 0.5, 2.0, 10.0])]
    # The alert nearest RA=0, with a cone centred across the wrap (RA just below 360 or above 0).
    ra0, dec0 = db.conn.execute(
        "SELECT ra, dec FROM candidate ORDER BY least(ra, 360 - ra) LIMIT 1").fetchone()
    cones.append(((ra0 + 359.5) % 360, dec0, 3.0))
    cones.append(((ra0 + 0.5) % 360, dec0, 3.0))
    # The alert nearest a pole: a cone around the pole itself and one at its own position.
    ra_p, dec_p = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY abs(dec) DESC LIMIT 1").fetchone()
    pole = 90.0 if dec_p > 0 else -90.0
    cones.append((0.0, pole, min(10.0, 90 - abs(dec_p) + 1.0)))
    cones.append((ra_p, dec_p, 5.0))
    # Nothing there.
    cones.append((10.0, -89.99, 0.001))
    return cones


def test_cones_match_q3c_and_astropy(live_server):
    db = live_server.db
    for ra, dec, radius in centres(db):
        cone = f"{ra!r},{dec!r},{radius!r}"
        alerts = all_pages(live_server.url, [("cone", cone)])
        ids = [alert["lco_id"] for alert in alerts]
        assert len(ids) == len(set(ids)), cone
        assert set(ids) == sql_ids(db, ra, dec, radius), cone
        if alerts:
            centre = SkyCoord(ra * u.deg, dec * u.deg)
            points = SkyCoord([a["candidate"]["ra"] for a in alerts] * u.deg,
                              [a["candidate"]["dec"] for a in alerts] * u.deg)
            separations = centre.separation(points).deg
            assert (separations < radius).all(), (cone, max(separations))


def test_cone_across_ra_zero_finds_both_sides(live_server):
    """A 10-degree cone at RA 0 finds alerts on both sides of the wrap when there are any."""
    db = live_server.db
    dec = db.conn.execute("SELECT dec FROM candidate ORDER BY least(ra, 360 - ra) LIMIT 1").fetchone()[0]
    expected = sql_ids(db, 0.0, dec, 10.0)
    alerts = all_pages(live_server.url, [("cone", f"0,{dec!r},10")])
    assert {a["lco_id"] for a in alerts} == expected
    # The same cone written with RA 360 is the same place.
    alerts360 = all_pages(live_server.url, [("cone", f"360,{dec!r},10")])
    assert {a["lco_id"] for a in alerts360} == expected


def test_cone_counts(live_server):
    db = live_server.db
    ra, dec = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY id OFFSET 500 LIMIT 1").fetchone()
    for radius in (0.0001, 0.1, 1.0, 5.0):
        response = get(live_server.url, "/", [("cone", f"{ra},{dec},{radius}"), ("format", "json")])
        assert response.status == 200
        assert response.json()["count"] == len(sql_ids(db, ra, dec, radius))


def sql_listing(db, ra: float, dec: float, radius: float, condition: str = "TRUE", order: str = "jd DESC, id DESC") -> list[int]:
    rows = db.conn.execute(f"SELECT id FROM candidate WHERE q3c_dist(ra, dec, %s, %s) < %s AND {condition} ORDER BY {order}",
                           (ra, dec, radius))
    return [row[0] for row in rows]


@pytest.mark.parametrize("radius", [2.0, 5.0])
def test_wide_cones_beside_other_filters_in_order(live_server, radius):
    """A cone wider than 0.2 degrees is read from q3c's ranges, with the query's other filters
    applied to its rows: the same alerts in the same order as SQL, page after page, by page
    number and by cursor, and the same for an objectcone that wide."""
    db = live_server.db
    ra, dec, object_id = db.conn.execute('SELECT ra, dec, "objectId" FROM candidate ORDER BY id OFFSET 700 LIMIT 1').fetchone()
    cone = ("cone", f"{ra!r},{dec!r},{radius!r}")
    # Filters that keep some of the cone's alerts and not all: their medians in the cone.
    sigmapsf, magpsf = db.conn.execute(
        """SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY sigmapsf), percentile_disc(0.5) WITHIN GROUP (ORDER BY magpsf)
           FROM candidate WHERE q3c_dist(ra, dec, %s, %s) < %s""", (ra, dec, radius)).fetchone()
    sigmapsf, magpsf = f"{sigmapsf:.9g}", f"{magpsf:.9g}"
    cases = [
        ([cone], "TRUE", "jd DESC, id DESC"),
        ([cone, ("magpsf__lte", magpsf)], f"magpsf <= {magpsf}::real", "jd DESC, id DESC"),
        ([cone, ("magpsf__lte", magpsf), ("sigmapsf__gte", sigmapsf)], f"magpsf <= {magpsf}::real AND sigmapsf >= {sigmapsf}::real",
         "jd DESC, id DESC"),
        ([cone, ("sort_value", "magpsf"), ("sort_order", "asc")], "TRUE", "magpsf ASC, id ASC"),
    ]
    everything = len(sql_listing(db, ra, dec, radius))
    for params, condition, order in cases:
        expected = sql_listing(db, ra, dec, radius, condition, order)
        assert 0 < len(expected) and (condition == "TRUE" or len(expected) < everything), (params, len(expected))
        for use_cursor in (True, False):
            got = [a["lco_id"] for a in all_pages(live_server.url, params, use_cursor=use_cursor)]
            assert got == expected, (params, use_cursor)
        count = get(live_server.url, "/", params + [("format", "json")]).json()["count"]
        assert count == len(expected), params

    newest = db.conn.execute('SELECT ra, dec FROM candidate WHERE "objectId" = %s ORDER BY jd DESC LIMIT 1',
                             (object_id,)).fetchone()
    expected = sql_listing(db, *newest, radius, f"magpsf <= {magpsf}::real")
    got = [a["lco_id"] for a in all_pages(live_server.url, [("objectcone", f"{object_id},{radius!r}"), ("magpsf__lte", magpsf)])]
    assert got == expected and expected


@pytest.mark.parametrize("cone", ["1,2", "1,2,3,4", "a,b,c", "10,91,1", "10,-91,1", "10,20,0", "10,20,-1",
                                  "10,20,10.5", "nan,20,1", "10,inf,1", "10,20,"])
def test_bad_cones_are_400(live_server, cone):
    response = get(live_server.url, "/", [("cone", cone), ("format", "json")])
    assert response.status == 400, (cone, response.status, response.text[:200])
    assert response.json()["parameter"] == "cone"
