"""Building blocks for damaged and crafted inputs: Avro container framing, zig-zag varints,
tar archives and their headers. Used by test_crafted_inputs.py and test_fuzz_ingest.py."""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

BLOCK = 512


# --------------------------------------------------------------------------- Avro


def zigzag(n: int) -> bytes:
    """An Avro long: zig-zag, then a little-endian base-128 varint."""
    z = ((n << 1) ^ (n >> 63)) & (2**64 - 1)
    out = bytearray()
    while True:
        byte, z = z & 0x7F, z >> 7
        if z:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_long(data: bytes, at: int) -> tuple[int, int]:
    """(value, position after it) of the Avro long at `at`."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return (value >> 1) ^ -(value & 1), at


@dataclass
class Container:
    """An Avro object container split into its header and its (single) block."""

    header: bytes  # magic, metadata, sync
    sync: bytes
    count: int
    record: bytes  # the block's bytes (null codec: the record itself)

    @classmethod
    def parse(cls, data: bytes) -> "Container":
        at = 4
        while True:  # the metadata map: blocks of (key, value) pairs
            count, at = read_long(data, at)
            if count == 0:
                break
            if count < 0:
                count = -count
                _, at = read_long(data, at)
            for _ in range(2 * count):
                length, at = read_long(data, at)
                at += length
        sync = data[at:at + 16]
        header = data[:at + 16]
        count, at = read_long(data, at + 16)
        size, at = read_long(data, at)
        assert data[at + size:] == sync, "expected one block"
        return cls(header, sync, count, data[at:at + size])

    def with_block(self, count: int, size: int, record: bytes) -> bytes:
        """The container with a block of any claimed count and size around `record`."""
        return self.header + zigzag(count) + zigzag(size) + record + self.sync


def packet_with_string_length(packet: bytes, length: int) -> bytes:
    """`packet` (schema 3.x: its record starts with the string `schemavsn`) with that
    string's length replaced by `length`, the block's own size kept consistent."""
    container = Container.parse(packet)
    old, at = read_long(container.record, 0)
    record = zigzag(length) + container.record[at:]
    return container.with_block(container.count, len(record), record)


# --------------------------------------------------------------------------- tar


def tar_of(paths, *, format=tarfile.GNU_FORMAT) -> bytearray:
    """A tar archive (in memory) of `paths`, each under its file name."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as archive:
        for path in paths:
            archive.add(path, arcname=Path(path).name)
    return bytearray(buffer.getvalue())


def header_offsets(archive: bytes) -> list[int]:
    """Where each member's header starts, up to the end-of-archive marker."""
    offsets, at = [], 0
    while at + BLOCK <= len(archive) and archive[at:at + BLOCK] != bytes(BLOCK):
        offsets.append(at)
        size = int(archive[at + 124:at + 136].strip(b"\0 ") or b"0", 8)
        at += BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK
    return offsets


def fix_checksum(archive: bytearray, at: int) -> None:
    """Recomputes the checksum of the header at `at`, so that a crafted field passes it."""
    archive[at + 148:at + 156] = b" " * 8
    archive[at + 148:at + 156] = b"%06o\0 " % sum(archive[at:at + BLOCK])


def long_name_header(claimed: int) -> bytearray:
    """A GNU long-name (type L) header claiming `claimed` bytes of name (base-256 size)."""
    header = bytearray(BLOCK)
    header[0:13] = b"././@LongLink"
    header[100:108] = b"0000644\0"
    header[108:116] = header[116:124] = b"0000000\0"
    header[124:136] = b"\x80" + claimed.to_bytes(11, "big")
    header[136:148] = b"00000000000\0"
    header[156] = ord("L")
    header[257:265] = b"ustar  \0"
    fix_checksum(header, 0)
    return header


def shared_packets(shared_dir: Path, folder: str = "ztf-v3") -> list[Path]:
    return sorted((shared_dir / "alerts" / folder).glob("*.avro"))


def run_measured(argv) -> tuple[int, int, str]:
    """Runs `argv` in a child of its own and returns (exit status, or -signal; its peak RSS in
    kB from wait4; stdout and stderr together)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            process.returncode = 0  # reaped by wait4: keep Popen from waiting again
        output.seek(0)
        text = output.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_maxrss, text
