"""Paging through the listing while alerts arrive.

A server of its own serves half of the 2017 folder (every other file, so the second half's
alerts fall between the first half's in time); the other half is ingested after the first
page. Following `next` cursors must then return every alert of the first half exactly once
(the new ones may or may not appear); numbered pages need only keep working.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlsplit

import pytest

from http_client import get_json, request


def follow(url: str) -> dict:
    response = request(url, headers={"Accept": "application/json"})
    assert response.status == 200, (url, response.status, response.text[:300])
    return response.json()


@pytest.fixture(scope="module")
def halves(shared_dir):
    files = sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))
    assert len(files) == 1071
    return files[0::2], files[1::2]


def test_cursor_pagination_while_ingesting(make_database, ingest, start_server, halves):
    first, second = halves
    db = make_database()
    proc, summary = ingest(db.url, *first)
    assert proc.returncode == 0 and summary.loaded == len(first)
    first_ids = {row[0] for row in db.conn.execute("SELECT id FROM candidate")}
    server = start_server(db)

    # Numbered pages and cursors, both started before the second ingest.
    cursor_page = get_json(server.url, "/")
    numbered_page = get_json(server.url, "/", [("page", 1)])
    assert cursor_page["count"] == len(first) and cursor_page["pages"] == math.ceil(len(first) / 100)
    assert cursor_page["has_next"] and not cursor_page["has_prev"] and cursor_page["previous"] is None

    proc, summary = ingest(db.url, *second)
    assert proc.returncode == 0 and summary.loaded == len(second)

    seen = [a["lco_id"] for a in cursor_page["results"]]
    pages = 1
    while cursor_page["has_next"]:
        cursor_page = follow(cursor_page["next"])
        assert cursor_page["has_prev"]
        seen += [a["lco_id"] for a in cursor_page["results"]]
        pages += 1
        assert pages < 50
    assert len(seen) == len(set(seen)), "a cursor page repeated an alert"
    missing = first_ids - set(seen)
    assert not missing, f"{len(missing)} alerts of the first half never listed"
    assert set(seen) <= {row[0] for row in db.conn.execute("SELECT id FROM candidate")}

    number = 1
    while numbered_page["has_next"]:
        number += 1
        numbered_page = get_json(server.url, "/", [("page", number)])
        assert numbered_page["results"]
    assert number == math.ceil(1071 / 100)
    server.stop()


def test_page_fields_are_consistent(live_server):
    total = live_server.db.count("candidate")
    pages = math.ceil(total / 100)
    for number in (1, 2, pages - 1, pages):
        body = get_json(live_server.url, "/", [("page", number)])
        assert body["count"] == total and body["pages"] == pages and not body["count_is_estimate"]
        assert body["has_prev"] == (number > 1) and (body["previous"] is not None) == (number > 1)
        assert body["has_next"] == (number < pages) and (body["next"] is not None) == (number < pages)
        expected = 100 if number < pages else total - 100 * (pages - 1)
        assert len(body["results"]) == expected
    beyond = get_json(live_server.url, "/", [("page", pages + 1)])
    assert beyond["results"] == [] and not beyond["has_next"]


def test_numbered_pages_and_cursors_agree(live_server):
    by_number = []
    number = 1
    while True:
        body = get_json(live_server.url, "/", [("page", number), ("filter", "r")])
        by_number += [a["lco_id"] for a in body["results"]]
        if not body["has_next"]:
            break
        number += 1
    body = get_json(live_server.url, "/", [("filter", "r")])
    by_cursor = [a["lco_id"] for a in body["results"]]
    while body["has_next"]:
        body = follow(body["next"])
        by_cursor += [a["lco_id"] for a in body["results"]]
    assert by_number == by_cursor
    expected = [row[0] for row in live_server.db.conn.execute(
        "SELECT id FROM candidate WHERE fid = 2 ORDER BY jd DESC, id DESC")]
    assert by_cursor == expected


def test_next_and_previous_keep_the_filters(live_server):
    params = [("rb__gte", "0.3"), ("filter", "r"), ("sort_value", "magpsf"), ("sort_order", "asc")]
    first = get_json(live_server.url, "/", params)
    assert first["has_next"], "the filters should match more than one page"
    query = dict(parse_qsl(urlsplit(first["next"]).query))
    for name, value in params:
        assert query.get(name) == value, (name, first["next"])
    assert urlsplit(first["next"]).netloc == f"127.0.0.1:{live_server.port}"
    second = follow(first["next"])
    assert second["count"] == first["count"]
    for alert in second["results"]:
        assert alert["candidate"]["rb"] >= 0.3 - 1e-7 and alert["candidate"]["filter"] == "r"
    assert second["results"][0]["candidate"]["magpsf"] >= first["results"][-1]["candidate"]["magpsf"]
    numbered = get_json(live_server.url, "/", params + [("page", 2)])
    assert dict(parse_qsl(urlsplit(numbered["next"]).query)).get("rb__gte") == "0.3"
    assert dict(parse_qsl(urlsplit(numbered["previous"]).query)).get("rb__gte") == "0.3"


def test_cursor_pages_link_back(live_server):
    """A cursor page that says has_prev gives a `previous` link, and it leads back."""
    params = [("rb__gte", "0.3"), ("filter", "r")]
    first = get_json(live_server.url, "/", params)
    second = follow(first["next"])
    assert second["has_prev"] is True
    assert second["previous"] is not None, "has_prev is true but previous is null"
    back = follow(second["previous"])
    assert [a["lco_id"] for a in back["results"]] == [a["lco_id"] for a in first["results"]]
