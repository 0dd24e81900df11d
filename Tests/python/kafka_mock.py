"""Drives `alertdb-kafka-mock`: a Kafka-protocol cluster on loopback (librdkafka's mock).

The tool prints `bootstrap HOST:PORT[,...]` once it listens, then answers each command read on
stdin with one line on stdout. `KafkaMock` starts it, waits for that line, sends commands and
returns their answers; `stop()` (or leaving a `with` block) ends it. Used by the consume tests
and by Bench/consume (which imports this file from Tests/python).
"""

from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path


class KafkaMockError(RuntimeError):
    """The tool exited, answered something unexpected, or did not answer in time."""


class KafkaMock:
    """One running `alertdb-kafka-mock` process.

    `topics` is a list of (name, partitions) created at start; the tool's default (one topic
    `ztf_20260101_programid1` of one partition) applies when it is empty.
    """

    def __init__(self, binary: str | os.PathLike, topics: list[tuple[str, int]] = (), brokers: int = 1,
                 start_timeout: float = 30):
        args = [str(binary), "--brokers", str(brokers)]
        for name, partitions in topics:
            args += ["--topic", name, "--partitions", str(partitions)]
        self.args = args
        # librdkafka logs on stderr; keep it in a file so that a failure can show it, and so
        # that a full pipe never blocks the tool.
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._stderr, bufsize=0)
        # Answers are read by a thread so that every wait can have a timeout.
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()
        first = self._next_line(start_timeout, "the bootstrap line")
        if not first.startswith("bootstrap "):
            self.stop()
            raise KafkaMockError(f"expected 'bootstrap HOST:PORT', got {first!r}\n{self.stderr()}")
        self.bootstrap = first.split(" ", 1)[1].strip()

    def _read_lines(self) -> None:
        for raw in self.process.stdout:
            self._lines.put(raw.decode(errors="replace").rstrip("\n"))
        self._lines.put(None)

    def _next_line(self, timeout: float, what: str) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise KafkaMockError(f"no answer within {timeout} s for {what}\n{self.stderr()}") from None
        if line is None:
            self.process.wait(timeout=5)
            raise KafkaMockError(f"alertdb-kafka-mock exited ({self.process.returncode}) waiting for {what}\n"
                                 f"{self.stderr()}")
        return line

    def stderr(self) -> str:
        """Everything the tool wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def command(self, line: str, timeout: float = 120) -> str:
        """Sends one command line; returns its one-line answer."""
        if self.process.poll() is not None:
            raise KafkaMockError(f"alertdb-kafka-mock has exited ({self.process.returncode})\n{self.stderr()}")
        self.process.stdin.write((line + "\n").encode())
        self.process.stdin.flush()
        return self._next_line(timeout, repr(line[:200]))

    def produce(self, topic: str, *paths: str | os.PathLike, timeout: float = 300) -> int:
        """Produces every *.avro file under `paths`, one message each; returns how many."""
        answer = self.command(" ".join(["produce", topic, *map(str, paths)]), timeout=timeout)
        return self._produced(answer)

    def produce_bytes(self, topic: str, data: bytes) -> int:
        """Produces one message holding `data`; returns 1."""
        return self._produced(self.command(f"produce-bytes {topic} {data.hex()}"))

    def create_topic(self, name: str, partitions: int) -> None:
        answer = self.command(f"topic {name} {partitions}")
        if answer != f"created {name}":
            raise KafkaMockError(f"expected 'created {name}', got {answer!r}\n{self.stderr()}")

    def _produced(self, answer: str) -> int:
        words = answer.split()
        if len(words) != 2 or words[0] != "produced" or not words[1].isdigit():
            raise KafkaMockError(f"expected 'produced N', got {answer!r}\n{self.stderr()}")
        return int(words[1])

    def stop(self) -> int | None:
        """Sends `quit` and waits; kills the tool when it has not exited within 10 s.
        Returns its exit status."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write(b"quit\n")
                self.process.stdin.flush()
                self.process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode

    def __enter__(self) -> "KafkaMock":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def mock_binary_beside(alertdb: str | os.PathLike) -> Path:
    """`alertdb-kafka-mock` of the same build as the `alertdb` executable at `alertdb`."""
    return Path(alertdb).parent / "alertdb-kafka-mock"
