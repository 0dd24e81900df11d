"""Cutouts come back exactly as the packets carried them: the stamp bytes of every schema
3.x alert (gzipped FITS) and of 2017 alerts (JPEG), and PNG renderings of the FITS stamps
with the stamp's dimensions."""

from __future__ import annotations

import gzip
import io
import re

import fastavro
import pytest
from astropy.io import fits
from PIL import Image

from http_client import get

KINDS = ("Science", "Template", "Difference")


def packets(folder):
    """(candid, packet) for every file of a shared alert folder."""
    for path in sorted(folder.glob("*.avro")):
        with open(path, "rb") as handle:
            for record in fastavro.reader(handle):
                yield record["candid"], record


def alert_id(db, candid: int) -> int:
    row = db.conn.execute("SELECT id FROM candidate WHERE candid = %s", (candid,)).fetchone()
    assert row is not None, f"candid {candid} not stored"
    return row[0]


def filename_of(disposition: str) -> str | None:
    match = re.search(r'filename="([^"]*)"', disposition)
    return match.group(1) if match else None


def test_fits_stamps_are_the_packets_bytes(live_server, shared_dir):
    checked = 0
    for candid, packet in packets(shared_dir / "alerts" / "ztf-v3"):
        id_ = alert_id(live_server.db, candid)
        for kind in KINDS:
            cutout = packet[f"cutout{kind}"]
            response = get(live_server.url, f"/{id_}/cutout/{kind}/")
            assert response.status == 200, (id_, kind, response.status)
            assert response.content_type == "application/fits", response.headers
            assert response.body == cutout["stampData"], (id_, kind)
            disposition = response.headers.get("content-disposition", "")
            assert disposition.startswith("attachment") and filename_of(disposition) == cutout["fileName"]
            checked += 1
    assert checked == 33 * 3


def test_png_renderings_have_the_stamps_size(live_server, shared_dir):
    checked = 0
    for candid, packet in packets(shared_dir / "alerts" / "ztf-v3"):
        id_ = alert_id(live_server.db, candid)
        for kind in KINDS:
            with fits.open(io.BytesIO(gzip.decompress(packet[f"cutout{kind}"]["stampData"]))) as hdus:
                height, width = hdus[0].data.shape
            response = get(live_server.url, f"/{id_}/cutout/{kind}/", [("format", "png")])
            assert response.status == 200 and response.content_type == "image/png", (id_, kind, response.status)
            image = Image.open(io.BytesIO(response.body))
            image.load()
            assert image.format == "PNG" and image.size == (width, height), (id_, kind, image.size)
            # A stretched image uses more than one grey level.
            extrema = image.convert("L").getextrema()
            assert extrema[0] < extrema[1], (id_, kind)
            checked += 1
    assert checked == 33 * 3


def test_jpeg_stamps_are_the_packets_bytes(live_server, shared_dir):
    files = sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))
    for path in (files[0], files[500], files[-1]):
        with open(path, "rb") as handle:
            packet = next(fastavro.reader(handle))
        id_ = alert_id(live_server.db, packet["candid"])
        for kind in KINDS:
            stamp = packet[f"cutout{kind}"]["stampData"]
            for params in ([], [("format", "png")]):
                response = get(live_server.url, f"/{id_}/cutout/{kind}", params)
                assert response.status == 200, (id_, kind, params, response.status)
                assert response.content_type == "image/jpeg", response.headers
                assert response.body == stamp


@pytest.mark.parametrize("kind", ["Nope", "Sciencex", ""])
def test_unknown_kind_is_404(live_server, kind):
    id_ = live_server.db.conn.execute("SELECT min(id) FROM candidate").fetchone()[0]
    response = get(live_server.url, f"/{id_}/cutout/{kind}/" if kind else f"/{id_}/cutout/x/y/")
    assert response.status == 404


def test_bad_cutout_format_is_400(live_server):
    id_ = live_server.db.conn.execute("SELECT min(id) FROM candidate").fetchone()[0]
    response = get(live_server.url, f"/{id_}/cutout/Science/", [("format", "gif")])
    assert response.status == 400
