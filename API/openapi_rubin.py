"""The Rubin routes of API/openapi.yaml, under /rubin/: the sources and objects listings, one
source, one object and its light curve, a stamp, the newest alert.

The listings take every column of their table (Migrations/0008_rubin.sql) under Rubin's own
name, and `__gt|gte|lt|lte` for numbers (Sources/Store/Rubin/RubinCatalogue.swift): a few
hundred parameters, of which the document lists those the issue and Rubin's users ask for
first. generate_openapi.py adds them to the document.
"""

from __future__ import annotations

NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)"
SOURCE_NUMBERS = {
    "reliability": "the machine-learned probability that the source is real (0 to 1)",
    "snr": "signal-to-noise ratio of the difference-image PSF flux",
    "psfFlux": "PSF flux in the difference image (nJy)",
    "psfFluxErr": "its error (nJy)",
    "scienceFlux": "forced PSF flux in the science image (nJy)",
    "midpointMjdTai": "time of the observation (MJD TAI)",
    "ra": "right ascension (ICRS, degrees)",
    "dec": "declination (ICRS, degrees)",
}
OBJECT_NUMBERS = {
    "nDiaSources": "sources of the object so far",
    "firstDiaSourceMjdTai": "time of its first source (MJD TAI)",
    "lastDiaSourceMjdTai": "time of its latest source (MJD TAI)",
    "ra": "right ascension (ICRS, degrees)",
    "dec": "declination (ICRS, degrees)",
}
WORDS = {"gt": "greater than", "gte": "at least", "lt": "less than", "lte": "at most"}


def ref(name: str, section: str = "schemas") -> dict:
    return {"$ref": f"#/components/{section}/{name}"}


def query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "description": description, "schema": schema}


def listing_parameters(numbers: dict, extra: list[dict], default_sort: str) -> list[dict]:
    params = [
        query("page", "page number, 100 a page", {"type": "integer", "minimum": 1, "maximum": 1000}),
        query("cursor", "where the next page starts: take it from the `next` link (or the Link header of a table)",
              {"type": "string"}),
        query("format", "json, html, csv (a header row, then a row per result; missing values, null or NaN, empty) or "
                        "votable (VOTable 1.4, with units: fluxes nJy, times d of MJD TAI, positions deg; and UCDs; "
                        "missing values null); tables carry the next page in a Link header",
              {"type": "string", "enum": ["json", "html", "csv", "votable"]}),
        query("sort_value", f"a number column to sort by (default {default_sort}); ties by the table's id, missing "
                            "values (null, NaN) last in either order", {"type": "string", "example": "psfFlux"}),
        query("sort_order", "desc (the default: largest, newest first) or asc", {"type": "string", "enum": ["asc", "desc"]}),
        query("where", "an expression over the table's columns in Rubin's names, e.g. psfFlux > 5000 AND band = 'i' "
                       "(the alert listing's language; see /help/#expressions)", {"type": "string", "maxLength": 2000}),
        query("cone", "ra,dec,radius in degrees", {"type": "string", "pattern": rf"^{NUMBER},{NUMBER},{NUMBER}$",
                                                    "example": "10.5,-20.25,0.1"}),
        *extra,
    ]
    for column, help_text in numbers.items():
        for suffix, word in WORDS.items():
            params.append(query(f"{column}__{suffix}", f"{help_text}: {word} this value", {"type": "number"}))
    return params


def schemas() -> dict:
    row = {"type": "object", "additionalProperties": True}
    return {
        "RubinListing": {
            "type": "object",
            "required": ["count", "count_is_estimate", "has_next", "next", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "exact up to 10,000 matches, else 10,001"},
                "count_is_estimate": {"type": "boolean"},
                "has_next": {"type": "boolean"},
                "next": {"type": "string", "nullable": True},
                "results": {"type": "array", "maxItems": 100, "items": row},
            },
        },
        "RubinSource": {
            "type": "object",
            "required": ["alert", "prvDiaSources", "prvDiaForcedSources", "diaObject", "cutouts"],
            "properties": {
                "alert": row,
                "prvDiaSources": {"type": "array", "items": row},
                "prvDiaForcedSources": {"type": "array", "items": row},
                "diaObject": {**row, "nullable": True},
                "cutouts": {"type": "array", "items": {"type": "string", "enum": ["Difference", "Science", "Template"]}},
            },
        },
        "RubinObject": {
            "type": "object",
            "required": ["diaObjectId", "diaObject", "alerts", "lightcurve"],
            "properties": {
                "diaObjectId": {"type": "integer", "format": "int64"},
                "diaObject": {**row, "nullable": True},
                "alerts": {"type": "array", "items": {"type": "integer", "format": "int64"}},
                "lightcurve": {"type": "object", "description": "per band: detections and forced photometry, each point "
                                                               "with psfFlux (nJy) and mag (31.4 - 2.5 log10 psfFlux)",
                               "additionalProperties": {"type": "object", "required": ["detections", "forced"],
                                                        "properties": {"detections": {"type": "array", "items": row},
                                                                       "forced": {"type": "array", "items": row}}}},
            },
        },
        "RubinLatest": {
            "type": "object",
            "required": ["diaSourceId", "midpointMjdTai", "time", "age_seconds", "url"],
            "properties": {"diaSourceId": {"type": "integer", "format": "int64"}, "midpointMjdTai": {"type": "number"},
                           "time": {"type": "string"}, "age_seconds": {"type": "number"}, "url": {"type": "string"}},
        },
    }


def add_components(components: dict) -> dict:
    components["schemas"].update(schemas())
    components["parameters"]["diaSourceId"] = {"name": "diaSourceId", "in": "path", "required": True,
                                               "description": "Rubin's id of the source (and of its alert)",
                                               "schema": {"type": "integer", "format": "int64", "minimum": 0}}
    components["parameters"]["diaObjectId"] = {"name": "diaObjectId", "in": "path", "required": True,
                                               "description": "Rubin's id of the object",
                                               "schema": {"type": "integer", "format": "int64", "minimum": 0}}
    return components


def add_paths(paths: dict, read_operation, head_of, oversize, table_response) -> dict:
    fmt = query("format", "json or html", {"type": "string", "enum": ["json", "html"]})

    def both(name: str) -> dict:
        return {"application/json": {"schema": ref(name)}, "text/html": {"schema": {"type": "string"}}}

    sources = read_operation(
        "Rubin alerts matching the filters, newest observation first (by midpointMjdTai, then diaSourceId)",
        table_response({"description": "one page of Rubin alerts", "content": both("RubinListing")}),
        params=listing_parameters(SOURCE_NUMBERS, [
            query("band", "the filter: u, g, r, i, z or y", {"type": "string"}),
            query("diaObjectId", "the object's id", {"type": "integer", "format": "int64"}),
        ], "midpointMjdTai"), not_found=False)
    objects = read_operation(
        "Rubin objects matching the filters, newest first (by diaObjectId)",
        table_response({"description": "one page of Rubin objects (their latest state)", "content": both("RubinListing")}),
        params=listing_parameters(OBJECT_NUMBERS, [], "diaObjectId"), not_found=False)
    source = read_operation(
        "One Rubin alert: its source, the history and forced photometry its packet carried, its object, its stamps",
        {"description": "the alert", "content": both("RubinSource")}, params=[ref("diaSourceId", "parameters"), fmt])
    obj = read_operation(
        "One Rubin object: its latest state and its light curve per band, in flux and AB magnitude",
        {"description": "the object", "content": both("RubinObject")}, params=[ref("diaObjectId", "parameters"), fmt])
    cutout = read_operation(
        "A stamp of a Rubin alert: FITS as received, or PNG with format=png",
        {"description": "the stamp", "content": {"application/fits": {"schema": {"type": "string", "format": "binary"}},
                                                  "image/png": {"schema": {"type": "string", "format": "binary"}}}},
        params=[ref("diaSourceId", "parameters"),
                {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["Science", "Template", "Difference"]}},
                query("format", "png for an image, absent for the stamp as received", {"type": "string", "enum": ["png"]}),
                query("stretch", "with format=png: zscale (default) or asinh", {"type": "string", "enum": ["zscale", "asinh"]})])
    avro = read_operation("A Rubin alert as the packet it arrived as: an Avro container with its writer schema",
                          {"description": "the packet", "content": {"application/avro": {"schema": {"type": "string", "format": "binary"}}}},
                          params=[ref("diaSourceId", "parameters")])
    latest = read_operation("The newest Rubin alert and its age",
                            {"description": "its diaSourceId, time and age", "content": {"application/json": {"schema": ref("RubinLatest")}}},
                            params=[fmt])
    for operation in (source, obj, cutout, latest, avro):
        operation["responses"]["404"]["description"] = "no such Rubin alert, object or stamp"
    cutout["responses"]["410"] = {"description": "the alert's stamps were retired by the archive's retention "
                                                 "(`alertdb retention`) after the days of retired_after_days",
                                  "content": {"application/json": {"schema": ref("Error")}}}
    cutout["responses"] = dict(sorted(cutout["responses"].items()))
    for path, operation in (("/rubin/", sources), ("/rubin/objects/", objects), ("/rubin/latest/", latest),
                            ("/rubin/{diaSourceId}/", source), ("/rubin/{diaSourceId}/cutout/{kind}/", cutout),
                            ("/rubin/{diaSourceId}/avro/", avro),
                            ("/rubin/objects/{diaObjectId}/", obj)):
        paths[path] = {"get": oversize(operation), "head": head_of(oversize(operation))}
    return paths
