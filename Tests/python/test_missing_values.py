"""Missing values in science terms: ZTF's -999 sentinels and NaN are no values, for filters and
sorts; alerts without a value sort last in both orders, and cursors walk through them."""

from __future__ import annotations

import pytest

from http_client import get_json, request

SENTINELS = "(-999, -99)"


def listed(server, params) -> list[int]:
    """Every alert id the listing gives for `params`, following `next` to the end."""
    page = get_json(server.url, "/", params)
    ids = [alert["lco_id"] for alert in page["results"]]
    while page["next"]:
        response = request(page["next"], headers={"Accept": "application/json"})
        assert response.status == 200, response.text[:300]
        page = response.json()
        ids += [alert["lco_id"] for alert in page["results"]]
        assert len(ids) < 5000
    return ids


def ids(db, where: str, order: str = "jd DESC, id DESC") -> list[int]:
    return [row[0] for row in db.conn.execute(f"SELECT id FROM candidate WHERE {where} ORDER BY {order}")]


@pytest.mark.parametrize("params, where", [
    ({"distnr__lte": 1}, f"distnr <= 1 AND distnr NOT IN {SENTINELS}"),
    ({"ssdistnr__lt": 5}, f"ssdistnr < 5 AND ssdistnr NOT IN {SENTINELS}"),
    ({"magnr__lte": 25}, f"magnr <= 25 AND magnr NOT IN {SENTINELS}"),
    ({"sgscore__gte": 0.5}, "sgscore >= 0.5 AND sgscore <> 'NaN'"),
    ({"sgmag1__lt": 0}, "FALSE"),
    ({"distpsnr1__gt": -1000}, f"distpsnr1 > -1000 AND distpsnr1 NOT IN {SENTINELS}"),
])
def test_sentinels_and_nan_match_no_filter(live_server, params, where):
    expected = ids(live_server.db, where)
    assert listed(live_server, params) == expected
    assert get_json(live_server.url, "/", params)["count"] == len(expected)


def test_the_packets_own_numbers_stay_in_the_json(live_server):
    alert = get_json(live_server.url, "/", {"objectId": live_server.db.conn.execute(
        "SELECT \"objectId\" FROM candidate WHERE distnr = -999 LIMIT 1").fetchone()[0]})["results"][0]
    assert alert["candidate"]["distnr"] == -999


@pytest.mark.parametrize("column", ["drb", "distnr", "sgscore", "ssdistnr"])
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_alerts_without_a_value_sort_last_in_both_orders(live_server, column, order):
    sentinels = f" OR {column} IN {SENTINELS}" if column != "drb" else ""
    missing = f"({column} IS NULL OR {column} = 'NaN'{sentinels})"
    direction = order.upper()
    # Missing values (NULL, NaN, -999) last, among themselves by id alone.
    expected = ids(live_server.db, "TRUE",
                   f"{missing} ASC, CASE WHEN {missing} THEN NULL ELSE {column} END {direction}, id {direction}")
    got = listed(live_server, {"sort_value": column, "sort_order": order})
    assert got == expected, f"first ids {got[:5]} != {expected[:5]}"

    # Back again from the last page, with `previous`, gives the same alerts in reverse.
    page = get_json(live_server.url, "/", {"sort_value": column, "sort_order": order})
    while page["next"]:
        page = request(page["next"], headers={"Accept": "application/json"}).json()
    back = [alert["lco_id"] for alert in page["results"]][::-1]
    while page["previous"]:
        page = request(page["previous"], headers={"Accept": "application/json"}).json()
        back += [alert["lco_id"] for alert in page["results"]][::-1]
    assert back[::-1] == expected


def test_drb_descending_starts_with_the_one_scored_alert(live_server):
    scored = ids(live_server.db, "drb IS NOT NULL AND drb <> 'NaN'", "drb DESC")
    first = get_json(live_server.url, "/", {"sort_value": "drb"})["results"]
    assert [alert["lco_id"] for alert in first[:len(scored)]] == scored
