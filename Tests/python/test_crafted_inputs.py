"""Crafted inputs are rejected, never crash ingest, and cost bounded memory: sizes read from
Avro containers, tar headers and gzip streams are checked against what is left and against
the caps of Docs/operations.md ("Limits"). Each case once crashed `alertdb ingest` (an
arithmetic overflow, a trap, a failed allocation), stopped an archive at its first damaged
header, or took gigabytes of memory."""

from __future__ import annotations

import copy
import gzip
import io
import math
import random
import shutil
import string
import tarfile
import zlib

import pytest

from crafted import (
    BLOCK,
    Container,
    fix_checksum,
    header_offsets,
    long_name_header,
    packet_with_string_length,
    read_long,
    run_measured,
    shared_packets,
    tar_of,
)
from http_client import get
from test_consume import NIGHT_TOPIC, consume, kafka, new_group  # noqa: F401 (fixtures)


def rejects(db) -> dict[str, tuple[str, int | None]]:
    """{source: (reason, length of the bytes kept)}"""
    rows = db.conn.execute("SELECT source, reason, length(bytes) FROM reject").fetchall()
    return {source: (reason, length) for source, reason, length in rows}


def assert_loaded(proc, summary, loaded: int, rejected: int):
    output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, output
    assert (summary.loaded, summary.rejected) == (loaded, rejected), output


# --------------------------------------------------------------------------- Avro


def test_a_block_claiming_2_63_bytes_is_rejected_and_the_rest_loads(make_database, ingest, shared_dir, tmp_path):
    # `start + size + 16` overflowed: exit 132 (SIGILL, Swift's overflow trap).
    packets = shared_packets(shared_dir)[:3]
    for packet in packets:
        shutil.copy(packet, tmp_path)
    container = Container.parse(packets[0].read_bytes())
    crafted = container.with_block(1, 2**63 - 20, container.record)
    (tmp_path / "huge-block.avro").write_bytes(crafted)

    db = make_database()
    proc, summary = ingest(db.url, tmp_path)
    assert_loaded(proc, summary, 3, 1)
    reason, length = rejects(db)[str(tmp_path / "huge-block.avro")]
    assert "runs past the end" in reason and length == len(crafted), reason


def test_a_string_length_beyond_its_block_is_rejected_before_avro_c_allocates(make_database, ingest, shared_dir, tmp_path):
    # Avro C 1.11.1 mallocs a string's claimed length before reading it: a terabyte here.
    packet = shared_packets(shared_dir)[0]
    (tmp_path / "huge-string.avro").write_bytes(packet_with_string_length(packet.read_bytes(), 10**12))
    shutil.copy(packet, tmp_path)

    db = make_database()
    proc, summary = ingest(db.url, tmp_path)
    assert_loaded(proc, summary, 1, 1)
    reason, _ = rejects(db)[str(tmp_path / "huge-string.avro")]
    assert "length 1000000000000" in reason, reason


def test_a_string_that_is_not_utf8_rejects_its_packet_and_the_rest_loads(make_database, ingest, shared_dir, tmp_path):
    # Found by the fuzz test: the batch's COPY failed ("invalid byte sequence for encoding
    # UTF8") and the whole run ended with exit 1, nothing after it loaded.
    *packets, damaged = shared_packets(shared_dir)[:4]
    for packet in packets:
        shutil.copy(packet, tmp_path)
    container = Container.parse(damaged.read_bytes())
    length, at = read_long(container.record, 0)  # schemavsn, a string
    record = bytearray(container.record)
    record[at] = 0xFF
    (tmp_path / "latin1.avro").write_bytes(container.with_block(container.count, len(record), bytes(record)))

    db = make_database()
    proc, summary = ingest(db.url, tmp_path)
    assert_loaded(proc, summary, 3, 1)
    reason, _ = rejects(db)[str(tmp_path / "latin1.avro")]
    assert "not valid UTF-8" in reason, reason


def test_crafted_messages_are_rejected_and_consume_goes_on(make_database, kafka, consume, shared_dir, tmp_path):
    # On the Kafka path one such message crashed `consume` on every restart: the offset was
    # never committed, so the stream stopped there for good.
    packets = shared_packets(shared_dir)
    container = Container.parse(packets[5].read_bytes())
    length, at = read_long(container.record, 0)
    latin1 = bytearray(container.record)
    latin1[at] = 0xFF
    crafted = [
        container.with_block(1, 2**63 - 20, container.record),
        packet_with_string_length(packets[6].read_bytes(), 10**12),
        container.with_block(container.count, len(latin1), bytes(latin1)),
    ]
    good = tmp_path / "good"
    good.mkdir()
    for packet in packets[:5]:
        shutil.copy(packet, good)

    mock = kafka((NIGHT_TOPIC, 1))
    assert mock.produce(NIGHT_TOPIC, good) == 5  # offsets 0..4
    for message in crafted:  # offsets 5..7
        assert mock.produce_bytes(NIGHT_TOPIC, message) == 1
    for packet in packets[7:10]:  # offsets 8..10
        assert mock.produce_bytes(NIGHT_TOPIC, packet.read_bytes()) == 1

    db = make_database()
    summary = consume(db, mock, NIGHT_TOPIC, new_group(), "--idle-exit", 3).finished()
    assert (summary.read, summary.loaded, summary.rejected) == (11, 8, 3), summary.line
    reasons = rejects(db)
    assert sorted(reasons) == [f"kafka:{NIGHT_TOPIC}/0@{offset}" for offset in (5, 6, 7)], reasons
    assert "runs past the end" in reasons[f"kafka:{NIGHT_TOPIC}/0@5"][0]
    assert "length 1000000000000" in reasons[f"kafka:{NIGHT_TOPIC}/0@6"][0]
    assert "not valid UTF-8" in reasons[f"kafka:{NIGHT_TOPIC}/0@7"][0]


def test_a_gzipped_packet_that_inflates_to_a_gibibyte_is_rejected_in_bounded_memory(
    make_database, alertdb_bin, shared_dir, tmp_path
):
    # Read to the end into memory: 1 GiB of zeros behind 1 MB of gzip.
    bomb = tmp_path / "bomb.avro.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(bomb, "wb") as out:
        zeros = bytes(1 << 20)
        for _ in range(1024):
            out.write(compressor.compress(zeros))
        out.write(compressor.flush())
    shutil.copy(shared_packets(shared_dir)[0], tmp_path)

    db = make_database()
    status, peak_kb, output = run_measured([str(alertdb_bin), "ingest", "--database", db.url, str(tmp_path)])
    assert status == 0, output
    reason, _ = rejects(db)[str(bomb)]
    assert "too large for an alert packet" in reason, reason
    assert peak_kb < 400 * 1024, f"peak RSS {peak_kb} kB"


def test_a_gzip_stream_cut_short_is_rejected_not_taken_for_a_shorter_whole(make_database, ingest, shared_dir, tmp_path):
    # zlib reports a truncated member as a soft error: a packet followed by the first bytes
    # of a second member loaded as if the file were whole.
    packet = shared_packets(shared_dir)[0].read_bytes()
    (tmp_path / "cut.avro.gz").write_bytes(gzip.compress(packet) + gzip.compress(packet)[:100])
    shutil.copy(shared_packets(shared_dir)[1], tmp_path)

    db = make_database()
    proc, summary = ingest(db.url, tmp_path)
    assert_loaded(proc, summary, 1, 1)
    reason, _ = rejects(db)[str(tmp_path / "cut.avro.gz")]
    assert "truncated" in reason, reason


# --------------------------------------------------------------------------- tar


def test_a_negative_base_256_member_size_is_a_damaged_header(make_database, ingest, shared_dir, tmp_path):
    # The size was decoded into a negative Int, and reading that many bytes trapped.
    packets = shared_packets(shared_dir)[:5]
    archive = tar_of(packets)
    at = header_offsets(archive)[2]
    archive[at + 124:at + 136] = b"\xff" * 12  # base-256 -1
    fix_checksum(archive, at)
    path = tmp_path / "negative.tar"
    path.write_bytes(archive)

    db = make_database()
    proc, summary = ingest(db.url, path)
    assert_loaded(proc, summary, 4, 1)
    reason, _ = rejects(db)[f"{path}:{at}"]
    member = BLOCK + (packets[2].stat().st_size + BLOCK - 1) // BLOCK * BLOCK
    assert reason == f"damaged tar header at byte {at}; skipped {member} bytes to the next header", reason
    assert "skipped 1 damaged archive region" in summary_line(proc)


def test_a_long_name_claiming_a_tebibyte_is_skipped_and_the_members_after_it_load(
    make_database, ingest, shared_dir, tmp_path
):
    # A GNU long name was read into memory whatever its size: a 1 TiB allocation, exit 134.
    packets = shared_packets(shared_dir)[:5]
    archive = tar_of(packets)
    at = header_offsets(archive)[2]
    crafted = archive[:at] + long_name_header(1 << 40) + archive[at:]
    path = tmp_path / "long-name.tar"
    path.write_bytes(crafted)

    db = make_database()
    proc, summary = ingest(db.url, path)
    assert_loaded(proc, summary, 5, 1)
    reason, _ = rejects(db)[f"{path}:{at}"]
    assert reason.startswith(f"tar header claiming a GNU long name of {1 << 40} bytes"), reason
    assert reason.endswith(f"at byte {at}; skipped {BLOCK} bytes to the next header"), reason


def test_an_archive_whose_first_header_is_damaged_loads_from_its_second_member(
    make_database, ingest, shared_dir, tmp_path
):
    # Without a readable first header the archive was taken for one packet and rejected whole.
    packets = shared_packets(shared_dir)[:5]
    archive = tar_of(packets)
    archive[257:262] = b"xxxxx"  # no ustar magic, and a checksum that fails
    path = tmp_path / "night.tar.gz"
    path.write_bytes(gzip.compress(bytes(archive)))

    db = make_database()
    proc, summary = ingest(db.url, path)
    assert_loaded(proc, summary, 4, 1)
    skipped = header_offsets(archive)[1]
    assert rejects(db) == {f"{path}:0": (f"damaged tar header at byte 0; skipped {skipped} bytes to the next header", skipped)}


def test_a_pax_path_with_a_nul_names_its_member_up_to_the_nul(make_database, ingest, shared_dir, tmp_path):
    # Found by the fuzz test once pax records were read by their lengths: the NUL reached the
    # reject table's source, and "invalid byte sequence for encoding UTF8: 0x00" ended the run.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        garbage = b"not a packet" * 10
        info = tarfile.TarInfo("placeholder")
        info.size = len(garbage)
        info.pax_headers = {"path": "bad\x00name.avro"}
        archive.addfile(info, io.BytesIO(garbage))
        archive.add(shared_packets(shared_dir)[0], arcname="good.avro")
    path = tmp_path / "nul.tar"
    path.write_bytes(buffer.getvalue())

    db = make_database()
    proc, summary = ingest(db.url, path)
    assert_loaded(proc, summary, 1, 1)
    assert list(rejects(db)) == [f"{path}:bad"]


def summary_line(proc) -> str:
    return proc.stdout.decode(errors="replace")


@pytest.fixture(scope="module")
def night_archive(shared_dir, tmp_path_factory):
    """Every shared packet (1,104) in one .tar.gz, the header of the middle member damaged:
    (path, the damaged header's offset, the bytes from it to the next header, its packet)."""
    packets = shared_packets(shared_dir) + shared_packets(shared_dir, "ztf-2017")
    archive = tar_of(packets, format=tarfile.USTAR_FORMAT)
    offsets = header_offsets(archive)
    middle = len(offsets) // 2
    at = offsets[middle]
    archive[at + 20] ^= 0x55  # a flipped name byte: the checksum no longer verifies
    path = tmp_path_factory.mktemp("night") / "ztf_public_20190110.tar.gz"
    path.write_bytes(gzip.compress(bytes(archive), compresslevel=1))
    return path, at, offsets[middle + 1] - at, packets[middle], len(packets)


def test_a_damaged_header_in_a_night_archive_loses_only_its_member(make_database, ingest, night_archive):
    # The damaged header ended the archive: the 552 members after it were skipped, exit 0.
    path, at, skipped, lost, count = night_archive
    db = make_database()
    proc, summary = ingest(db.url, path)
    assert_loaded(proc, summary, count - 1, 1)
    assert db.count("candidate") == count - 1
    assert rejects(db) == {
        f"{path}:{at}": (f"damaged tar header at byte {at}; skipped {skipped} bytes to the next header", skipped)
    }
    # The skipped bytes are kept: the lost packet is inside them, whole.
    kept = db.conn.execute("SELECT bytes FROM reject").fetchone()[0]
    assert lost.read_bytes() in bytes(kept)
    assert f"skipped 1 damaged archive region ({skipped} bytes)" in summary_line(proc)

    # Loading it again adds nothing.
    proc, summary = ingest(db.url, path)
    assert (summary.loaded, summary.duplicate) == (0, count - 1), summary.line
    assert db.count("reject") == 1


# --------------------------------------------------------------------------- stamps


def test_a_gzip_bomb_stamp_is_refused_as_png_in_bounded_memory(make_database, ingest, start_server, shared_dir):
    # The stamp inflated to 512 MiB before the pixel check (1.6 GB peak RSS).
    db = make_database()
    proc, _ = ingest(db.url, shared_packets(shared_dir)[0])
    assert proc.returncode == 0
    candid, id_ = db.conn.execute("SELECT candid, id FROM candidate").fetchone()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # a gzip member, as ZTF stamps are
    zeros = bytes(1 << 20)
    bomb = b"".join(compressor.compress(zeros) for _ in range(512)) + compressor.flush()
    db.conn.execute("UPDATE cutout SET stamp_data = %s WHERE candid = %s AND kind = 'Science'", (bomb, candid))

    server = start_server(db)
    response = get(server.url, f"/{id_}/cutout/Science/", [("format", "png")])
    with open(f"/proc/{server.process.pid}/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    assert peak_kb < 200 * 1024, f"server peak RSS {peak_kb} kB"
    assert response.status == 404, response.status
    assert b"cannot be shown as PNG" in response.body and b"inflates to more than" in response.body, response.body
    # The other stamps of the alert still render.
    assert get(server.url, f"/{id_}/cutout/Template/", [("format", "png")]).status == 200


# --------------------------------------------------------------------------- values


def rewrite(source, path, change) -> dict:
    """The packet at `source`, its record changed by `change`, written to `path` by fastavro
    with the packet's own schema; returns the record as it was."""
    import fastavro

    with open(source, "rb") as packet:
        reader = fastavro.reader(packet)
        schema, record = reader.writer_schema, next(reader)
    original = copy.deepcopy(record)
    change(record)
    with open(path, "wb") as out:
        fastavro.writer(out, schema, [record])
    return original


def write_variant(shared_dir, path, candid: int, change) -> None:
    """The first shared packet, its candid set to `candid` and its record changed by `change`."""
    def changed(record):
        record["candid"] = record["candidate"]["candid"] = candid
        change(record)
    rewrite(shared_packets(shared_dir)[0], path, changed)


def rubin_packet(shared_dir):
    return sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro"))[0]


def write_rubin_variant(shared_dir, path, source_id: int, change) -> dict:
    """The first shared Rubin packet, its diaSourceId set to `source_id` and its diaSource
    changed by `change`; returns the packet's record as it was."""
    def changed(record):
        record["diaSourceId"] = record["diaSource"]["diaSourceId"] = source_id
        change(record["diaSource"])
    return rewrite(rubin_packet(shared_dir), path, changed)


def test_subnormal_numbers_load_and_every_page_shows_them(make_database, ingest, start_server, shared_dir, tmp_path):
    # A double of 5e-324 read back from PostgreSQL's text failed as an "underflow" (glibc's
    # strtod), and the alert's page, the listing's HTML, CSV and VOTable answered 500.
    def subnormal(record):
        record["candidate"]["ra"] = 5e-324
        record["candidate"]["magpsf"] = 1e-40  # a float: subnormal in single precision too
    write_variant(shared_dir, tmp_path / "subnormal.avro", 10**15, subnormal)

    db = make_database()
    proc, summary = ingest(db.url, tmp_path / "subnormal.avro")
    assert_loaded(proc, summary, loaded=1, rejected=0)
    (id_,) = db.conn.execute("SELECT id FROM candidate").fetchone()
    server = start_server(db)
    for path, params in [(f"/{id_}/", [("format", "json")]), (f"/{id_}/", []), ("/", []), ("/", [("format", "json")]),
                         ("/", [("format", "csv")]), ("/", [("format", "votable")])]:
        response = get(server.url, path, params)
        assert response.status == 200, (path, params, response.text[:300])
    listed = get(server.url, "/", [("format", "json")]).json()["results"][0]["candidate"]
    assert listed["ra"] == 4.94065645841247e-324 and listed["magpsf"] > 0, listed
    detail = get(server.url, f"/{id_}/", [("format", "json")]).json()["candidate"]
    assert detail["ra"] == listed["ra"], detail["ra"]


def test_a_value_the_database_refuses_rejects_its_packet_and_the_rest_of_the_batch_loads(
        make_database, ingest, start_server, shared_dir, tmp_path):
    # An infinite ra made the object's mean position fail (cosd refuses an infinity); a 20,000
    # character objectId makes its index entry too large. Either failed the whole batch, and
    # ingest stopped at it on every run: a poison packet.
    folder = tmp_path / "packets"
    folder.mkdir()
    for packet in shared_packets(shared_dir):
        shutil.copy(packet, folder)

    def infinite(record):
        record["objectId"] = "ZTF99infinit"
        record["candidate"]["ra"] = float("inf")
        record["candidate"]["dec"] = float("-inf")
    write_variant(shared_dir, folder / "infinite.avro", 10**15 + 1, infinite)

    def huge_name(record):
        letters = random.Random(1)  # incompressible, as PostgreSQL would otherwise compress the entry
        record["objectId"] = "".join(letters.choice(string.ascii_letters) for _ in range(20000))
    write_variant(shared_dir, folder / "huge-name.avro", 10**15 + 2, huge_name)

    db = make_database()
    count = len(shared_packets(shared_dir))
    proc, summary = ingest(db.url, folder)
    assert_loaded(proc, summary, loaded=count + 1, rejected=1)
    reason, kept = rejects(db)[str(folder / "huge-name.avro")]
    assert reason.startswith("the database refused it: index row requires"), reason
    proc, summary = ingest(db.url, folder)
    assert_loaded(proc, summary, loaded=0, rejected=1)
    assert summary.duplicate == count + 1

    (id_,) = db.conn.execute("SELECT id FROM candidate WHERE candid = %s", (10**15 + 1,)).fetchone()
    ra, dec = db.conn.execute("""SELECT ra, dec FROM object WHERE "objectId" = 'ZTF99infinit'""").fetchone()
    assert math.isfinite(ra) and math.isfinite(dec), "the infinite position counts nowhere; the history's do"
    server = start_server(db)
    for path, params in [(f"/{id_}/", []), (f"/{id_}/", [("format", "json")]), ("/objects/ZTF99infinit/", []),
                         ("/", [("format", "csv")]), ("/", [("format", "votable")]), ("/objects/", [("format", "json")])]:
        response = get(server.url, path, params)
        assert response.status == 200, (path, params, response.text[:300])
    assert get(server.url, f"/{id_}/", [("format", "json")]).json()["candidate"]["ra"] is None


def test_a_rubin_object_with_extreme_values_has_its_page(make_database, ingest, start_server, shared_dir, tmp_path):
    # The object's light curve was built as jsonb, which prints 1e308 as 309 digits: an integer
    # the page's JSON reader refused, and the object's HTML page answered 500. An infinite flux
    # had the magnitude -Infinity.
    for n, (field, value) in enumerate([("midpointMjdTai", 1e308), ("psfFlux", float("inf"))], 1):
        record = write_rubin_variant(shared_dir, tmp_path / f"{field}.avro", 3 * 10**15 + n,
                                     lambda source: source.update({field: value}))
    db = make_database()
    proc, summary = ingest(db.url, tmp_path / "midpointMjdTai.avro", tmp_path / "psfFlux.avro")
    assert_loaded(proc, summary, loaded=2, rejected=0)
    object_id = record["diaSource"]["diaObjectId"]
    server = start_server(db)
    assert get(server.url, f"/rubin/objects/{object_id}/", []).status == 200
    response = get(server.url, f"/rubin/objects/{object_id}/", [("format", "json")])
    assert response.status == 200, response.text[:300]
    points = [p for band in response.json()["lightcurve"].values() for p in band["detections"] if p["kind"] == "alert"]
    assert {p["diaSourceId"] for p in points} == {3 * 10**15 + 1, 3 * 10**15 + 2}
    assert any(p["midpointMjdTai"] == 1e308 for p in points), points
    assert all(p["mag"] is None for p in points if p["psfFlux"] == "Infinity"), points


def test_an_alert_dated_nan_or_in_the_far_future_is_not_the_newest(make_database, ingest, start_server, shared_dir, tmp_path):
    # The newest alert was the greatest jd, and PostgreSQL sorts NaN above every number: one
    # packet dated NaN, infinity or 1e308 stood as the archive's newest for good, and /latest/
    # answered "jd": "NaN", "age_seconds": "NaN" (or -Infinity for Rubin).
    folder = tmp_path / "packets"
    folder.mkdir()
    for packet in shared_packets(shared_dir) + [rubin_packet(shared_dir)]:
        shutil.copy(packet, folder)
    for n, jd in enumerate([float("nan"), float("inf"), 1e308, 2_500_000.5], 1):
        write_variant(shared_dir, folder / f"dated-{n}.avro", 10**15 + n, lambda record: record["candidate"].update(jd=jd))
    for n, mjd in enumerate([float("nan"), float("inf"), 1e308, 100_000.0], 1):
        record = write_rubin_variant(shared_dir, folder / f"rubin-dated-{n}.avro", 3 * 10**15 + n,
                                     lambda source: source.update(midpointMjdTai=mjd))
    observed = record["diaSource"]["midpointMjdTai"]

    db = make_database()
    proc, summary = ingest(db.url, folder)
    assert_loaded(proc, summary, loaded=len(shared_packets(shared_dir)) + 9, rejected=0)
    server = start_server(db)
    latest = get(server.url, "/latest/", [("format", "json")]).json()
    newest_shared = db.conn.execute("SELECT max(jd) FROM candidate WHERE candid NOT BETWEEN %s AND %s",
                                    (10**15, 10**15 + 10)).fetchone()[0]
    assert latest["jd"] == newest_shared and latest["age_seconds"] > 0, latest
    listed = get(server.url, "/", [("format", "json")]).json()["latest"]
    assert listed["jd"] == newest_shared, listed
    rubin = get(server.url, "/rubin/latest/", [("format", "json")]).json()
    assert rubin["midpointMjdTai"] == observed and rubin["age_seconds"] > 0, rubin
