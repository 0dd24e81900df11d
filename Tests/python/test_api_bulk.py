"""POST / (MARS's bulk form): several listing queries at once."""

from __future__ import annotations

import json

from http_client import get_json, post_json, request


def ids(alerts) -> list[int]:
    return [a["lco_id"] for a in alerts]


def test_each_query_equals_its_get(live_server):
    db = live_server.db
    object_id = db.conn.execute(
        'SELECT "objectId" FROM candidate GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1').fetchone()[0]
    ra, dec = db.conn.execute("SELECT ra, dec FROM candidate ORDER BY id OFFSET 50 LIMIT 1").fetchone()
    queries = [
        {"objectId": object_id},
        {"cone": f"{ra},{dec},1.5", "rb__gte": 0.5},
        {"magpsf__lte": "17.5", "filter": "r"},
        {"candid": db.conn.execute("SELECT candid FROM candidate ORDER BY id LIMIT 1").fetchone()[0]},
        {"time__gt": "2018-01-01"},
    ]
    response = post_json(live_server.url, "/", {"queries": queries})
    assert response.status == 200, response.text[:500]
    assert response.content_type == "application/json"
    body = response.json()
    assert len(body["results"]) == len(queries) and body["capped"] is False
    for query, result in zip(queries, body["results"]):
        assert result["query"] == query
        listing = get_json(live_server.url, "/", [(k, str(v)) for k, v in query.items()])
        everything = listing["results"]
        while listing["has_next"]:
            listing = json.loads(request(listing["next"], headers={"Accept": "application/json"}).body)
            everything += listing["results"]
        assert ids(result["results"]) == ids(everything), query
        assert result["count"] == listing["count"] and result["num_alerts"] == len(result["results"])
        assert result["capped"] is False
    assert body["results"][0]["num_alerts"] >= 2


def test_capped_when_more_than_1000_match(live_server):
    total = live_server.db.count("candidate")
    assert total > 1000
    body = post_json(live_server.url, "/", {"queries": [{}, {"filter": "r"}, {"filter": "g"}]}).json()
    everything, red, green = body["results"]
    assert everything["capped"] and everything["num_alerts"] == 1000 and len(everything["results"]) == 1000
    assert everything["count"] == total
    fid2 = live_server.db.conn.execute("SELECT count(*) FROM candidate WHERE fid = 2").fetchone()[0]
    assert red["capped"] == (fid2 > 1000) and red["count"] == fid2
    assert green["capped"] is False
    assert body["capped"] is True
    # The first 1,000 are the listing's order: newest first.
    expected = [row[0] for row in live_server.db.conn.execute(
        "SELECT id FROM candidate ORDER BY jd DESC, id DESC LIMIT 1000")]
    assert ids(everything["results"]) == expected


def test_eleven_queries_are_400(live_server):
    response = post_json(live_server.url, "/", {"queries": [{"filter": "g"}] * 11})
    assert response.status == 400
    assert response.json()["parameter"] == "queries"
    assert post_json(live_server.url, "/", {"queries": [{"filter": "g"}] * 10}).status == 200


def test_malformed_bodies_are_400(live_server):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for body in [b"", b"{", b"not json", b"[]", b'{"queries": 3}', b'{"queries": [3]}', b'{"nothing": []}',
                 b'{"queries": [{"rb__gte": "abc"}]}', b'{"queries": [{"nosuch": 1}]}',
                 b'{"queries": [{"rb__gte": [1]}]}', b"\xff\xfe\x00junk"]:
        response = request(live_server.url + "/", method="POST", body=body, headers=headers)
        assert response.status == 400, (body, response.status, response.text[:200])
        assert response.json()["error"]


def test_bad_filter_in_a_query_names_it(live_server):
    response = post_json(live_server.url, "/", {"queries": [{"filter": "g"}, {"cone": "1,2"}]})
    assert response.status == 400
    assert "cone" in response.json()["parameter"]


def test_body_over_64_kb_is_413(live_server):
    big = json.dumps({"queries": [{"objectId": "x" * 70_000}]}).encode()
    response = request(live_server.url + "/", method="POST", body=big,
                       headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert response.status == 413
