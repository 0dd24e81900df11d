"""Fuzzing `alertdb ingest` through its real path: mutated packets, tar archives of packets and
gzip streams, thousands of them, in folders loaded by a handful of `alertdb ingest` processes.

Whatever the input, ingest must never die of a signal (a trap, an abort, the OOM killer); it
exits 0, or 1 with "nothing could be loaded" when no input of the run loaded; and every input
that did not load is in the `reject` table with a reason. An input counts as loaded when
fastavro reads it and every alert in it is stored.

The inputs are ZTF packets and Rubin packets, the latter as container files and as single
messages in the Confluent wire format (read with the schemas bundled with alertdb).

Mutations: bit flips, truncations, inserted and deleted runs of bytes, ten-byte varints of
extreme values written anywhere, and the size fields of each format (Avro block counts and
sizes, metadata and string lengths; tar sizes, long names and pax headers, with checksums
recomputed so that the header is believed; gzip trailers and extra fields) set to extremes.

Each run uses a fixed seed and a random one, printed (and in the failure message) so that a
failure can be replayed with ALERTDB_FUZZ_SEED=<seed>. ALERTDB_FUZZ_INPUTS sets the inputs per
seed (default 6,000: 12,000 a run, under a minute with a debug build on two cores).
"""

from __future__ import annotations

import gzip
import io
import os
import random
import subprocess
import tarfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fastavro
import pytest

from rubin_framing import framed_rubin_message, rubin_alert_ids
from crafted import BLOCK, fix_checksum, header_offsets, read_long, shared_packets, tar_of, zigzag

FIXED_SEED = 20261201
INPUTS_PER_SEED = int(os.environ.get("ALERTDB_FUZZ_INPUTS", "6000"))
PROCESSES = 4
EXTREMES = [2**63 - 1, 2**63 - 20, 2**62, 2**40, 10**12, 2**31, 2**31 - 1, -1, -(2**63), 0]


# --------------------------------------------------------------------------- mutations


def avro_size_fields(data: bytes) -> list[tuple[int, int]]:
    """(position, length) of every varint in an Avro container that is a count or a size:
    the metadata map's block counts and key and value lengths, each block's count and size,
    and the first string length of the first record."""
    fields = []
    try:
        at = 4
        while True:
            start = at
            count, at = read_long(data, at)
            fields.append((start, at - start))
            if count == 0:
                break
            if count < 0:
                count = -count
                start = at
                _, at = read_long(data, at)
                fields.append((start, at - start))
            for _ in range(2 * count):
                start = at
                length, at = read_long(data, at)
                fields.append((start, at - start))
                at += length
        at += 16
        first = True
        while at < len(data):
            for _ in range(2):  # count, size
                start = at
                value, at = read_long(data, at)
                fields.append((start, at - start))
            if first:  # the record's first field is a string (schemavsn, or objectId in 2017)
                start = at
                _, end = read_long(data, at)
                fields.append((start, end - start))
                first = False
            at += value + 16
    except IndexError:
        pass
    return fields


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One generic mutation of any input."""
    data = bytearray(data)
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    kind = rng.randrange(6)
    if kind == 0:  # bit flips
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncation
        del data[rng.randrange(len(data)):]
    elif kind == 2:  # an inserted run: random, or one byte repeated
        run = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) if rng.random() < 0.5 \
            else bytes([rng.choice([0, 0xFF, 0x80])]) * rng.randint(1, 4096)
        at = rng.randrange(len(data) + 1)
        data[at:at] = run
    elif kind == 3:  # a deleted run
        at = rng.randrange(len(data))
        del data[at:at + rng.randint(1, 4096)]
    elif kind == 4:  # a large varint written over whatever was there
        at = rng.randrange(len(data))
        varint = zigzag(rng.choice(EXTREMES))
        data[at:at + len(varint)] = varint
    else:  # a byte set to an extreme
        data[rng.randrange(len(data))] = rng.choice([0, 0x7F, 0x80, 0xFF])
    return bytes(data)


def mutate_packet(rng: random.Random, packet: bytes) -> bytes:
    if rng.random() < 0.4:
        fields = avro_size_fields(packet)
        if fields:
            at, length = rng.choice(fields)
            return packet[:at] + zigzag(rng.choice(EXTREMES)) + packet[at + length:]
    return mutate_bytes(rng, packet)


def mutate_tar(rng: random.Random, archive: bytearray) -> bytes:
    offsets = header_offsets(archive)
    choice = rng.randrange(4)
    if choice == 0 and offsets:  # a size field set to an extreme, checksum recomputed
        at = rng.choice(offsets)
        field = rng.choice([b"77777777777\0", b"\x80" + (2**62).to_bytes(11, "big"), b"\xff" * 12,
                            b"\x80" + (2**40).to_bytes(11, "big"), b"\x80" + b"\xff" * 11, b"00000000000\0"])
        archive[at + 124:at + 136] = field
        fix_checksum(archive, at)
    elif choice == 1 and offsets:  # a header turned into a long name or pax header of extreme size
        at = rng.choice(offsets)
        archive[at + 156] = rng.choice([ord("L"), ord("x"), ord("K"), ord("g"), ord("5")])
        archive[at + 124:at + 136] = rng.choice([b"\x80" + (2**40).to_bytes(11, "big"), b"00000001000\0",
                                                 b"\x80" + (2**62).to_bytes(11, "big"), b"77777777777\0"])
        fix_checksum(archive, at)
    elif choice == 2 and offsets:  # a pax header with malformed records
        at = rng.choice(offsets)
        records = rng.choice([b"99999999999999999999 path=x\n", b"5 path=abc\n", b"-3 x\n", b"30 path=" + b"a" * 100,
                              b"0 \n", b"18446744073709551617 path=y\n"])
        pax = bytearray(BLOCK)
        pax[0:12] = b"PaxHeaders/x"
        pax[100:108], pax[108:116], pax[116:124] = b"0000644\0", b"0000000\0", b"0000000\0"
        pax[124:136] = b"%011o\0" % len(records)
        pax[136:148] = b"00000000000\0"
        pax[156] = ord("x")
        pax[257:263] = b"ustar\0"
        fix_checksum(pax, 0)
        archive[at:at] = pax + records.ljust(BLOCK, b"\0")
    else:
        return mutate_bytes(rng, bytes(archive))
    return bytes(archive)


def mutate_gzip(rng: random.Random, stream: bytes) -> bytes:
    data = bytearray(stream)
    choice = rng.randrange(4)
    if choice == 0 and len(data) > 8:  # ISIZE (the trailer's length) set to an extreme
        data[-4:] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\0\0\0\x80"])
    elif choice == 1 and len(data) > 10:  # an FEXTRA field claiming more than there is
        data[3] |= 0x04
        data[10:10] = rng.choice([b"\xff\xff", b"\x00\x80", b"\x10\x00"])
    elif choice == 2:  # two members, the second damaged
        data += mutate_bytes(rng, bytes(data))
    else:
        return mutate_bytes(rng, bytes(data))
    return bytes(data)


def make_inputs(seed: int, count: int, sources: list[bytes], folders: list[Path]) -> int:
    """Writes `count` mutated inputs, spread over `folders`; returns how many were written."""
    rng = random.Random(seed)
    for i in range(count):
        roll = rng.random()
        if roll < 0.6:
            name, data = f"p{i}.avro", mutate_packet(rng, rng.choice(sources))
        elif roll < 0.8:
            members = [rng.choice(sources) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.3:
                members[0] = mutate_packet(rng, members[0])
            archive = tar_of_bytes(members, rng.choice([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT]))
            data = mutate_tar(rng, archive)
            if rng.random() < 0.5:
                name, data = f"t{i}.tar.gz", gzip.compress(data, compresslevel=1)
            else:
                name = f"t{i}.tar"
        else:
            inner = rng.choice(sources)
            if rng.random() < 0.3:
                inner = bytes(tar_of_bytes([inner], tarfile.GNU_FORMAT))
            name, data = f"g{i}.avro.gz", mutate_gzip(rng, gzip.compress(inner, compresslevel=rng.choice([1, 6, 9])))
        (folders[i % len(folders)] / name).write_bytes(data)
    return count


def tar_of_bytes(members: list[bytes], format) -> bytearray:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as archive:
        for number, data in enumerate(members):
            # The first name is long: a GNU long name, a pax path, or a ustar prefix.
            info = tarfile.TarInfo(f"night-{number}/" + "n" * (95 if number == 0 else 8) + ".avro")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return bytearray(buffer.getvalue())


# --------------------------------------------------------------------------- the oracle


def alerts_in(data: bytes) -> list[int] | None:
    """The candids of the alerts in an input as this oracle reads it (packets, tar, gzip), or
    None when it cannot read it whole, in which case ingest must have rejected something."""
    try:
        if data[:2] == b"\x1f\x8b":
            data, whole = gunzip(data)
            if not whole and not is_tar(data):
                return None
        if is_tar(data):
            members = tar_members(data)
            return None if members is None else [c for member in members for c in read_container(member)]
        return read_container(data)
    except Exception:
        return None


def gunzip(data: bytes) -> tuple[bytes, bool]:
    """Every gzip member that inflates cleanly, and whether that was all of `data`. A tar
    archive inside ends at its end-of-archive marker, as tar (and ingest) read it, so damage
    after the marker does not matter."""
    out = bytearray()
    while data:
        if out and data[:2] != b"\x1f\x8b":
            return bytes(out), True  # trailing bytes that are not a member: zlib ignores them, as gzip(1) does
        inflater = zlib.decompressobj(31)
        try:
            out += inflater.decompress(data)
        except zlib.error:
            return bytes(out), False
        if not inflater.eof:
            return bytes(out), False
        data = inflater.unused_data
    return bytes(out), True


def is_tar(data: bytes) -> bool:
    return len(data) >= BLOCK and data[257:262] == b"ustar"


def tar_members(data: bytes) -> list[bytes] | None:
    """The regular members of a tar archive, read independently of ingest and of Python's
    tarfile (which gives up on pax records ingest rightly ignores): None when a header's
    checksum fails or a size cannot be, where ingest must have recorded a damaged region."""
    members, at = [], 0
    while at + BLOCK <= len(data):
        header = data[at:at + BLOCK]
        if header == bytes(BLOCK):
            return members
        stored = header[148:156].strip(b"\0 ")
        checked = bytearray(header)
        checked[148:156] = b" " * 8
        if not stored or int(stored, 8) != sum(checked):
            return None
        field = header[124:136]
        if field[0] & 0x80:
            if field[0] & 0x40:
                return None
            size = int.from_bytes(bytes([field[0] & 0x3F]) + field[1:], "big")
        else:
            size = int(field.strip(b"\0 ") or b"0", 8)
        end = at + BLOCK + size
        if end > len(data):
            return None
        if header[156:157] in (b"0", b"\0", b"7"):
            members.append(data[at + BLOCK:end])
        elif header[156:157] == b"L" and size > 64 << 10 or header[156:157] == b"x" and size > 1 << 20:
            return None
        at = at + BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK
    return members if at == len(data) else None


def read_container(data: bytes) -> list[int]:
    if data[:1] == b"\0":
        return rubin_alert_ids(data)
    try:
        records = list(fastavro.reader(io.BytesIO(data)))
    except Exception:
        # Ingest reads only avro.schema and avro.codec from the header: a damaged key or value
        # of other metadata (fastavro refuses a key that is not UTF-8) does not matter to it.
        records = list(fastavro.reader(io.BytesIO(essential_metadata_only(data))))
    if not records:
        raise ValueError("no records")
    return [record["diaSource"]["diaSourceId"] if "diaSource" in record else record["candid"] for record in records]


def essential_metadata_only(data: bytes) -> bytes:
    """The container with only avro.schema and avro.codec left in its header's metadata."""
    at, kept = 4, []
    while True:
        count, at = read_long(data, at)
        if count == 0:
            break
        if count < 0:
            count = -count
            _, at = read_long(data, at)
        for _ in range(count):
            pair = []
            for _ in range(2):
                length, at = read_long(data, at)
                if length < 0 or at + length > len(data):
                    raise ValueError("damaged metadata")
                pair.append(data[at:at + length])
                at += length
            if pair[0] in (b"avro.schema", b"avro.codec"):
                kept.append(pair)
    metadata = zigzag(len(kept)) + b"".join(zigzag(len(k)) + k + zigzag(len(v)) + v for k, v in kept) + zigzag(0)
    return data[:4] + (metadata if kept else zigzag(0)) + data[at:]


def check_folder(folder: Path, db, stored: set[int]) -> list[str]:
    """Inputs of `folder` that neither loaded nor have a reject row."""
    sources = [row[0] for row in db.conn.execute("SELECT source FROM reject").fetchall()]
    rejected = {source.split(":", 1)[0] for source in sources}
    problems = []
    for path in sorted(folder.iterdir()):
        if str(path) in rejected:
            continue
        candids = alerts_in(path.read_bytes())
        if candids is None:
            problems.append(f"{path.name}: not readable by fastavro, yet not rejected")
        elif not set(candids) <= stored:
            problems.append(f"{path.name}: alerts {sorted(set(candids) - stored)[:3]} neither loaded nor rejected")
    return problems


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("seed", [FIXED_SEED, int.from_bytes(os.urandom(4), "little")], ids=["fixed", "random"])
def test_mutated_inputs_never_crash_ingest_and_every_failure_is_rejected(
    seed, alertdb_bin, make_database, shared_dir, tmp_path, capsys
):
    seed = int(os.environ.get("ALERTDB_FUZZ_SEED", seed))
    with capsys.disabled():
        print(f"\nfuzz seed {seed} ({INPUTS_PER_SEED} inputs; replay with ALERTDB_FUZZ_SEED={seed})")
    sources = [p.read_bytes() for p in shared_packets(shared_dir)]
    sources += [p.read_bytes() for p in shared_packets(shared_dir, "ztf-2017")[::50]]
    # Rubin's packets, about one input in six: containers, and the same alerts framed.
    rubin = [p.read_bytes() for p in sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro"))[:8]]
    rubin += [framed_rubin_message(packet) for packet in rubin]
    sources += rubin * max(1, len(sources) // (5 * len(rubin)))
    folders = [tmp_path / f"run{n}" for n in range(PROCESSES)]
    for folder in folders:
        folder.mkdir()
    started = time.monotonic()
    written = make_inputs(seed, INPUTS_PER_SEED, sources, folders)
    databases = [make_database() for _ in folders]

    def ingest(pair):
        folder, db = pair
        return subprocess.run([str(alertdb_bin), "ingest", "--database", db.url, str(folder)],
                              capture_output=True, timeout=900)

    with ThreadPoolExecutor(PROCESSES) as pool:
        results = list(pool.map(ingest, zip(folders, databases)))

    problems = []
    for folder, db, proc in zip(folders, databases, results):
        output = (proc.stdout + proc.stderr).decode(errors="replace")
        if proc.returncode < 0 or proc.returncode not in (0, 1):
            problems.append(f"{folder.name}: exit {proc.returncode}\n{output[-3000:]}")
            continue
        if proc.returncode == 1 and "nothing could be loaded" not in output:
            problems.append(f"{folder.name}: exit 1 without 'nothing could be loaded'\n{output[-3000:]}")
            continue
        empty = db.conn.execute("SELECT count(*) FROM reject WHERE reason IS NULL OR reason = ''").fetchone()[0]
        if empty:
            problems.append(f"{folder.name}: {empty} rejects without a reason")
        stored = {candid for (candid,) in db.conn.execute("SELECT candid FROM candidate")}
        stored |= {key for (key,) in db.conn.execute('SELECT "diaSourceId" FROM dia_source')}
        problems += check_folder(folder, db, stored)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"fuzz seed {seed}: {written} inputs in {elapsed:.0f} s")
    assert not problems, f"seed {seed} (replay with ALERTDB_FUZZ_SEED={seed}):\n" + "\n".join(problems[:20])
