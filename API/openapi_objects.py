"""The objects routes of API/openapi.yaml: `GET /objects/`, `GET /objects/{objectId}/`, and the
redirect from `/<objectId>/`, which shares its template with `/{id}/` and is documented there.

Their parameters come from the `object` table of Migrations/0007_objects.sql, as the server's
catalogue (Sources/Store/Objects/ObjectCatalogue.swift) makes them: `cone`, then
`<figure>__gt|gte|lt|lte` for every numeric figure but latest_id; `sort_value` is lastjd first,
then the other figures. generate_openapi.py adds them to the document.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGRATION = ROOT / "Migrations" / "0007_objects.sql"
SQL_TYPES = {"integer": "integer", "bigint": "integer", "real": "number", "double precision": "number", "text": "string"}
CONE_HELP = "ra,dec,radius in degrees: objects whose mean position is within radius of (ra, dec)"
NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)"
# Letters, a digit, then letters and digits, 64 at most (Sources/Web/Routing/Route.swift).
OBJECT_ID_PATTERN = r"^[A-Za-z]+[0-9][A-Za-z0-9]*$"


def ref(name: str, section: str = "schemas") -> dict:
    return {"$ref": f"#/components/{section}/{name}"}


def object_columns() -> list[tuple[str, str]]:
    """(name, JSON type) of every column of `object`, in table order."""
    sql = MIGRATION.read_text()
    body = sql[sql.index("CREATE TABLE object (") :]
    body = body[: body.index("\n);")]
    columns = []
    for line in body.splitlines()[1:]:
        match = re.match(r'^\s*("?\w+"?)\s+(double precision|bigint|integer|real|text)\b', line.split("--")[0])
        if match:
            columns.append((match.group(1).strip('"'), SQL_TYPES[match.group(2)]))
    return columns


def numeric_figures() -> list[str]:
    return [name for name, kind in object_columns() if kind in ("integer", "number") and name != "latest_id"]


def sort_values() -> list[str]:
    return ["lastjd"] + [name for name in numeric_figures() if name != "lastjd"]


def filters() -> list[dict]:
    specs = [{"parameter": "cone", "help": CONE_HELP,
              "schema": {"type": "string", "pattern": rf"^{NUMBER},{NUMBER},{NUMBER}$", "example": "10.5,-20.25,0.1"}}]
    words = {"gt": "greater than", "gte": "at least", "lt": "less than", "lte": "at most"}
    for figure in numeric_figures():
        for suffix, word in words.items():
            specs.append({"parameter": f"{figure}__{suffix}", "help": f"{figure} {word} this value", "schema": {"type": "number"}})
    return specs


def parameters() -> dict:
    """The objects listing's parameters, keyed `objects_<name>` beside the alert listing's."""
    params = {
        f"objects_{spec['parameter']}": {
            "name": spec["parameter"], "in": "query", "required": False, "allowEmptyValue": True,
            "description": spec["help"], "schema": spec["schema"],
        }
        for spec in filters()
    }
    params["objects_sort_value"] = {"name": "sort_value", "in": "query", "required": False, "allowEmptyValue": True,
                                    "description": "figure to sort by (default lastjd); objects without it come last",
                                    "schema": {"type": "string", "enum": sort_values()}}
    params["objectIdPath"] = {"name": "objectId", "in": "path", "required": True,
                          "description": "the object's name, e.g. ZTF18abcdefg, in any letter case",
                          "schema": {"type": "string", "pattern": OBJECT_ID_PATTERN, "minLength": 2, "maxLength": 64,
                                     "example": "ZTF18abcdefg"}}
    return params


def schemas() -> dict:
    kinds = dict(object_columns())
    figures = {name: {"type": kind, "nullable": name not in ("nalerts", "ndet")}
               for name, kind in object_columns() if name != "objectId"}
    figures["latest_id"]["format"] = "int64"
    properties = {
        "objectId": {"type": kinds["objectId"]},
        "url": {"type": "string", "description": "the object's page"},
        **figures,
        "latest_alert": {"type": "string", "nullable": True, "description": "the latest alert's page"},
    }
    url_or_null = {"type": "string", "nullable": True}
    return {
        "Object": {"type": "object", "required": list(properties), "properties": properties},
        "ObjectListing": {
            "type": "object",
            "required": ["has_next", "has_prev", "count", "count_is_estimate", "pages", "next", "previous", "results"],
            "properties": {
                "has_next": {"type": "boolean"},
                "has_prev": {"type": "boolean"},
                "count": {"type": "integer", "minimum": 0,
                          "description": "exact up to 10,000 matches, else an estimate above 10,000"},
                "count_is_estimate": {"type": "boolean"},
                "pages": {"type": "integer", "minimum": 0},
                "next": url_or_null,
                "previous": url_or_null,
                "results": {"type": "array", "maxItems": 100, "items": ref("Object")},
            },
        },
        "ObjectDetail": {
            "allOf": [
                ref("Object"),
                {"type": "object", "required": ["lightcurve"],
                 "properties": {"lightcurve": {"type": "array", "items": ref("HistoryEntry"),
                                               "description": "every alert, history detection and non-detection, "
                                                              "each once, by jd"}}},
            ]
        },
        "Redirect": {"type": "object", "required": ["location"], "properties": {"location": {"type": "string"}}},
    }


def add_components(components: dict) -> dict:
    components["parameters"].update(parameters())
    components["schemas"].update(schemas())
    help_properties = components["schemas"]["Help"]["properties"]
    help_properties["objects"] = {
        "type": "object",
        "description": "the figures, filters, controls and sort values of /objects/",
        "properties": {
            "figures": {"type": "array", "items": {"type": "object"}},
            "filters": {"type": "array", "items": {"type": "object"}},
            "controls": {"type": "array", "items": {"type": "string"}},
            "sort_values": {"type": "array", "items": {"type": "string"}},
        },
    }
    return components


def add_paths(paths: dict, read_operation, head_of, table_response=None, preflight=None) -> dict:
    """The objects routes after the others; `/{id}/` learns that an object name redirects."""
    listing_params = [ref(name, "parameters") for name in ("page", "cursor", "objects_sort_value", "sort_order", "tableFormat", "where")]
    listing_params += [ref(f"objects_{spec['parameter']}", "parameters") for spec in filters()]
    listing = read_operation("List objects matching the filters, the most recently detected first", table_response({
        "description": "one page of objects",
        "content": {"application/json": {"schema": ref("ObjectListing")}, "text/html": {"schema": {"type": "string"}}}}),
        params=listing_params, not_found=False)
    one = read_operation("One object: its figures and its whole light curve", table_response({
        "description": "the object's figures and every alert, detection and non-detection of it, by jd "
                       "(as a table: one row per point)",
        "content": {"application/json": {"schema": ref("ObjectDetail")}, "text/html": {"schema": {"type": "string"}}}}),
        params=[ref("objectIdPath", "parameters"), ref("tableFormat", "parameters")])
    one["responses"]["404"]["description"] = "no alert of an object of that name is stored"

    redirect = {"description": "the path holds an object's name (e.g. /ZTF18abcdefg/) rather than an id: its page "
                               "is at /objects/{objectId}/ (permanent; the query goes along)",
                "headers": {"Location": {"schema": {"type": "string"}, "description": "the object's page"}},
                "content": {"application/json": {"schema": ref("Redirect")}, "text/html": {"schema": {"type": "string"}}}}
    for method in ("get", "head"):
        responses = paths["/{id}/"][method]["responses"]
        responses["301"] = redirect
        paths["/{id}/"][method]["responses"] = dict(sorted(responses.items()))
    paths["/objects/"] = {"get": listing, "head": head_of(listing), "options": preflight(listing)}
    paths["/objects/{objectId}/"] = {"get": one, "head": head_of(one), "options": preflight(one)}
    return paths
