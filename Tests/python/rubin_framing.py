"""Rubin alerts as Kafka messages in the Confluent wire format (byte 0, the schema id
MAJOR*100+MINOR big-endian, then one Avro datum), and read back as alertdb must read them."""

from __future__ import annotations

import io
import struct
from functools import cache
from pathlib import Path

import fastavro
import fastavro.schema
import lsst.alert.packet

SCHEMA_ROOT = Path(lsst.alert.packet.get_schema_root())


@cache
def rubin_schema(schema_id: int):
    major, minor = divmod(schema_id, 100)
    path = SCHEMA_ROOT / str(major) / str(minor) / f"lsst.v{major}_{minor}.alert.avsc"
    if not path.is_file():
        raise KeyError(schema_id)
    return fastavro.schema.load_schema(str(path))


def framed(record: dict, schema_id: int) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, rubin_schema(schema_id), record)
    return b"\0" + struct.pack(">i", schema_id) + body.getvalue()


def framed_rubin_message(container: bytes, schema_id: int = 900) -> bytes:
    """The first alert of a Rubin container file, framed with schema `schema_id`."""
    return framed(next(fastavro.reader(io.BytesIO(container))), schema_id)


def rubin_alert_ids(message: bytes) -> list[int]:
    """The diaSourceId of a framed message; raises unless its datum is exactly one alert of
    the schema its id names."""
    if len(message) <= 5 or message[0] != 0:
        raise ValueError("not a framed message")
    schema = rubin_schema(struct.unpack(">i", message[1:5])[0])
    body = io.BytesIO(message[5:])
    record = fastavro.schemaless_reader(body, schema)
    if body.tell() != len(message) - 5:
        raise ValueError("bytes after the datum")
    return [record["diaSource"]["diaSourceId"]]
