"""Synthetic ZTF alert packets for any schema version, written with fastavro.

The .avsc files of a version (alert, candidate, prv_candidate, cutout and, from 4.x,
fp_hist) are combined into one self-contained alert schema; records are then filled
field by field from that schema with random but plausible values, so that a new
field in a future schema is exercised without changing this code.
"""

from __future__ import annotations

import copy
import json
import random
import string
from pathlib import Path
from typing import Any, Callable

import fastavro

PARTS = ("cutout", "candidate", "prv_candidate", "fp_hist")
PUBLISHER = "ZTF (www.ztf.caltech.edu)"

# Fields of an upper limit (non-detection) history entry that still carry a value.
UPPER_LIMIT_FIELDS = {"jd", "fid", "pid", "diffmaglim", "pdiffimfilename", "programpi", "programid"}


# --------------------------------------------------------------------------- schemas


def load_schema_parts(version_dir: Path) -> dict[str, dict]:
    """The JSON of each .avsc file of a version, by part name ("alert", "candidate", ...)."""
    parts = {"alert": json.loads((version_dir / "alert.avsc").read_text())}
    for part in PARTS:
        path = version_dir / f"{part}.avsc"
        if path.exists():
            parts[part] = json.loads(path.read_text())
    return parts


def fullname(schema: dict) -> str:
    name = schema["name"]
    return name if "." in name or not schema.get("namespace") else f"{schema['namespace']}.{name}"


def inline_named_types(schema: Any, definitions: dict[str, dict], defined: set[str] | None = None) -> Any:
    """Replace the first reference to each named type with its definition (later
    references stay names, as Avro requires), giving one self-contained schema."""
    defined = set() if defined is None else defined
    if isinstance(schema, str):
        if schema in definitions and schema not in defined:
            defined.add(schema)
            return inline_named_types(copy.deepcopy(definitions[schema]), definitions, defined)
        return schema
    if isinstance(schema, list):
        return [inline_named_types(branch, definitions, defined) for branch in schema]
    if isinstance(schema, dict):
        if schema.get("type") == "record":
            defined.add(fullname(schema))
            fields = [
                {**field, "type": inline_named_types(field["type"], definitions, defined)}
                for field in schema["fields"]
            ]
            return {**schema, "fields": fields}
        if schema.get("type") == "array":
            return {**schema, "items": inline_named_types(schema["items"], definitions, defined)}
        return schema
    return schema


def alert_schema(parts: dict[str, dict]) -> dict:
    """The parsed, self-contained alert schema of a version (from load_schema_parts)."""
    definitions = {fullname(parts[p]): parts[p] for p in PARTS if p in parts}
    return fastavro.parse_schema(inline_named_types(parts["alert"], definitions))


def record_fields(parts: dict[str, dict], part: str) -> list[dict]:
    return parts[part]["fields"] if part in parts else []


def add_field(parts: dict[str, dict], part: str, field: dict) -> dict[str, dict]:
    """A copy of `parts` with `field` appended to the record `part`."""
    parts = copy.deepcopy(parts)
    parts[part]["fields"].append(field)
    return parts


# --------------------------------------------------------------------------- values


def split_nullable(avro_type: Any) -> tuple[Any, bool]:
    """(the non-null branch, whether null is allowed) of a field type."""
    if isinstance(avro_type, list):
        branches = [t for t in avro_type if t != "null"]
        assert len(branches) == 1, f"unexpected union {avro_type}"
        return branches[0], len(branches) < len(avro_type)
    return avro_type, False


class ValueMaker:
    """Random but plausible values for ZTF fields, from a seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self._ids: set[int] = set()

    def unique_id(self, low: int, high: int) -> int:
        while True:
            value = self.rng.randint(low, high)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def text(self) -> str:
        if self.rng.random() < 0.1:  # now and then a non-ASCII string
            return self.rng.choice(["Müller", "Ivezić", "Ωmega–β", "観測"])
        alphabet = string.ascii_letters + string.digits + "_./-"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 40)))

    def object_id(self) -> str:
        return f"ZTF{self.rng.randint(17, 25)}" + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(7))

    def plausible(self, name: str, avro_type: str) -> Any:
        """A value for the field `name` of primitive type `avro_type`."""
        rng = self.rng
        special: dict[str, Callable[[], Any]] = {
            "jd": lambda: 2458000.5 + rng.uniform(0, 3000),
            "fid": lambda: rng.choice([1, 2, 3]),
            "pid": lambda: self.unique_id(10**11, 10**12 - 1),
            "programid": lambda: rng.choice([0, 1, 2, 3]),
            "isdiffpos": lambda: rng.choice(["t", "f", "1", "0"]),
            "ra": lambda: rng.uniform(0, 360),
            "dec": lambda: rng.uniform(-31, 90),
            "ranr": lambda: rng.uniform(0, 360),
            "decnr": lambda: rng.uniform(-31, 90),
            "magpsf": lambda: rng.uniform(13, 22),
            "magnr": lambda: rng.uniform(12, 23),
            "distnr": lambda: rng.uniform(0, 4),
            "rb": lambda: rng.random(),
            "drb": lambda: rng.random(),
            "procstatus": lambda: rng.choice(["0", "56", "57,58"]),
        }
        if name in special:
            return special[name]()
        if name.startswith("objectidps"):
            return rng.randint(10**16, 2 * 10**17)
        if name.startswith("sgscore") or name == "classtar":
            return rng.random()
        return self.primitive(avro_type)

    def primitive(self, avro_type: str) -> Any:
        rng = self.rng
        if avro_type == "double":
            return rng.uniform(-1e4, 1e4)
        if avro_type == "float":
            return rng.choice([rng.uniform(-100, 100), rng.uniform(0, 30), -999.0, 0.0])
        if avro_type == "int":
            return rng.randint(-1000, 100000)
        if avro_type == "long":
            return rng.randint(-(2**40), 2**50)
        if avro_type == "string":
            return self.text()
        if avro_type == "boolean":
            return rng.random() < 0.5
        if avro_type == "bytes":
            return rng.randbytes(rng.randint(0, 64))
        raise ValueError(f"no generator for Avro type {avro_type!r}")

    def fill(self, fields: list[dict], overrides: dict | None = None, null_probability: float = 0.3,
             keep: set[str] | None = None) -> dict:
        """A record with a value for every field: overrides first; a nullable field is
        null with `null_probability` (always, when `keep` is given and it is not in it)."""
        overrides = overrides or {}
        record = {}
        for field in fields:
            name = field["name"]
            avro_type, nullable = split_nullable(field["type"])
            if name in overrides:
                record[name] = overrides[name]
            elif nullable and (
                (keep is not None and name not in keep) or self.rng.random() < null_probability
            ):
                record[name] = None
            else:
                record[name] = self.plausible(name, avro_type)
        return record


# --------------------------------------------------------------------------- alerts


def make_history(maker: ValueMaker, parts: dict, candidate: dict, variant: int, null_probability: float) -> list[dict]:
    """2-3 history entries. With a candid field in the schema: an earlier detection in
    the candidate's filter, a later-but-still-earlier detection in the same or another
    filter (by `variant`), and, most recent of all, an upper limit (candid None)."""
    fields = record_fields(parts, "prv_candidate")
    has_candid = any(f["name"] == "candid" for f in fields)
    jd, fid = candidate["jd"], candidate["fid"]
    if not has_candid:  # 3.4/3.5: forced-photometry-like history without candid
        return [
            maker.fill(fields, {"jd": jd - maker.rng.uniform(1, 30), "fid": fid}, null_probability)
            for _ in range(maker.rng.randint(2, 3))
        ]
    other_fid = 1 + fid % 3
    detection = lambda days, f: maker.fill(fields, {
        "jd": jd - days, "fid": f, "candid": maker.unique_id(10**17, 10**18),
        "magpsf": maker.plausible("magpsf", "float"),
    }, null_probability)
    entries = [
        detection(maker.rng.uniform(5, 30), fid),
        detection(maker.rng.uniform(1.5, 4.5), fid if variant % 2 == 0 else other_fid),
    ]
    if variant % 3 != 2:
        upper_limit = maker.fill(fields, {"jd": jd - 1.0, "fid": fid, "candid": None}, keep=UPPER_LIMIT_FIELDS)
        entries.append(upper_limit)
    return entries


def make_cutout(maker: ValueMaker, parts: dict, kind: str, candid: int) -> dict:
    return maker.fill(record_fields(parts, "cutout"), {
        "fileName": f"candid{candid}_pid_{kind.lower()}.fits.gz",
        "stampData": maker.rng.randbytes(maker.rng.randint(1, 4096)),
    })


def make_alert(maker: ValueMaker, parts: dict, version: str, variant: int) -> dict:
    """One alert record for the schema `parts`, every field filled.

    In variant 0 no nullable field is null, in variant 1 every one is (except those a
    detection needs); in others each is null with probability 0.3. Variant 3 has no
    history and no template cutout (both null)."""
    null_probability = {0: 0.0, 1: 1.0}.get(variant, 0.3)
    candid = maker.unique_id(10**17, 10**18)
    object_id = maker.object_id()
    candidate = maker.fill(record_fields(parts, "candidate"), {"candid": candid}, null_probability)
    alert: dict[str, Any] = {}
    for field in parts["alert"]["fields"]:
        name = field["name"]
        if name == "schemavsn":
            alert[name] = version
        elif name == "publisher":
            alert[name] = PUBLISHER
        elif name == "objectId":
            alert[name] = object_id
        elif name == "candid":
            alert[name] = candid
        elif name == "candidate":
            alert[name] = candidate
        elif name == "prv_candidates":
            alert[name] = None if variant == 3 else make_history(maker, parts, candidate, variant, null_probability)
        elif name == "fp_hists":
            alert[name] = [
                maker.fill(record_fields(parts, "fp_hist"), {"jd": candidate["jd"] - maker.rng.uniform(1, 30)},
                           null_probability)
                for _ in range(2)
            ]
        elif name.startswith("cutout"):
            kind = name[len("cutout"):]
            alert[name] = None if (variant == 3 and kind == "Template") else make_cutout(maker, parts, kind, candid)
        else:  # a top-level field unknown to this generator
            avro_type, nullable = split_nullable(field["type"])
            alert[name] = maker.plausible(name, avro_type)
    return alert


def write_alert(path: Path, schema: dict, record: dict) -> dict:
    """Write one alert as an Avro container file; return it as read back by fastavro
    (floats rounded to float32 exactly as the file holds them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        fastavro.writer(handle, schema, [record])
    with open(path, "rb") as handle:
        (read_back,) = list(fastavro.reader(handle))
    return read_back
