"""`alertdb consume` end to end: packets produced to a Kafka-protocol cluster on loopback
(`alertdb-kafka-mock`, librdkafka's mock cluster) and what reaches PostgreSQL.

Each test has its own database and its own cluster. What must hold is judged against the
packet files themselves (candids read with fastavro) and against a reference database filled
by `alertdb ingest` of the same files: consuming a stream must store exactly what ingesting
the files stores, every packet once, whatever happens to the consumer on the way.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import fastavro
import pytest

from alert_oracle import (
    Packet,
    candidate_rows,
    compare_candidate,
    compare_cutouts,
    cutout_rows,
    decode_packets,
    report,
    table_columns,
)
from conftest import LOCAL_OPENER, Database, IngestSummary, free_port, parse_summary
from kafka_mock import KafkaMock, mock_binary_beside
from promtool import check_metrics

NIGHT_TOPIC = "ztf_20260101_programid1"
NIGHTLY_REGEX = "^ztf_[0-9]{8}_programid1$"
# The mock cluster keeps about 5 MB per partition and drops the oldest messages beyond that,
# read or not: topics get enough partitions to hold everything produced to them (ztf-2017 is
# 24 MB, ztf-v3 2 MB; partitioning by key hash is uneven by some 10 %).
PARTITIONS_2017 = 8
PARTITIONS_ALL = 12


# --------------------------------------------------------------------------- packets


def packet_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.avro"))


def candid_of(path: Path) -> int:
    with open(path, "rb") as handle:
        return next(iter(fastavro.reader(handle)))["candid"]


@pytest.fixture(scope="module")
def folders(shared_dir):
    return {"ztf-v3": shared_dir / "alerts" / "ztf-v3", "ztf-2017": shared_dir / "alerts" / "ztf-2017"}


@pytest.fixture(scope="module")
def candids(folders) -> dict[str, set[int]]:
    """The candids of each shared folder, read from the packets; each file is named after its
    alert (`<candid>.avro`, one of them with a date prefix), one alert per file."""
    result = {}
    for name, folder in folders.items():
        found = {}
        for path in packet_files(folder):
            candid = candid_of(path)
            assert path.name.endswith(f"{candid}.avro"), f"{path} holds candid {candid}"
            found[candid] = path
        assert len(found) == len(packet_files(folder)), f"{folder}: two files hold the same candid"
        result[name] = set(found)
    assert (len(result["ztf-v3"]), len(result["ztf-2017"])) == (33, 1071)
    return result


def copy_files(paths, folder: Path) -> Path:
    """A folder holding copies of `paths` (produce takes folders; copies keep the shared data read-only)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copyfile(path, folder / path.name)
    return folder


# --------------------------------------------------------------------------- databases


def table_counts(db) -> dict[str, int]:
    """Row count of every table of the public schema."""
    tables = [name for (name,) in db.conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
    return {table: db.count(table) for table in tables}


def stored_candids(db) -> list[int]:
    return [candid for (candid,) in db.conn.execute("SELECT candid FROM candidate").fetchall()]


@pytest.fixture(scope="module")
def reference(make_database, ingest, folders):
    """Factory: table counts of a database filled by `alertdb ingest` of the named shared
    folders (built once per set of folders)."""
    built: dict[tuple, dict[str, int]] = {}

    def counts(*names: str) -> dict[str, int]:
        if names not in built:
            db = make_database()
            proc, summary = ingest(db.url, *(folders[name] for name in names))
            assert proc.returncode == 0 and summary.rejected == 0, (
                f"reference ingest failed: {summary.line}\n{proc.stderr.decode(errors='replace')}")
            built[names] = table_counts(db)
        return built[names]

    return counts


def wait_for(condition, timeout: float, what: str, interval: float = 0.05, process=None):
    """Polls `condition()` until it returns something true; fails after `timeout` seconds, or
    as soon as `process` (a Consumer) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.process.poll() is not None:
            pytest.fail(f"alertdb consume exited ({process.process.returncode}) before {what}:\n{process.stderr()}")
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}"
                + (f"; consume's stderr:\n{process.stderr()}" if process else ""))


# --------------------------------------------------------------------------- processes


@pytest.fixture
def kafka(alertdb_bin):
    """Factory: a fresh mock cluster with the given (topic, partitions); stopped after the test."""
    started: list[KafkaMock] = []
    binary = mock_binary_beside(alertdb_bin)
    if not binary.is_file():
        pytest.fail(f"alertdb-kafka-mock not found beside {alertdb_bin}")

    def start(*topics: tuple[str, int]) -> KafkaMock:
        mock = KafkaMock(binary, list(topics))
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


@dataclass
class Consumer:
    """A running `alertdb consume`."""

    process: subprocess.Popen
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait(self, timeout: float = 180) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            pytest.fail(f"alertdb consume still running after {timeout} s:\n{self.stderr()}")

    def summary(self) -> IngestSummary:
        return parse_summary(self.stderr())

    def finished(self, timeout: float = 180) -> IngestSummary:
        """Waits for exit; asserts status 0; returns the summary line."""
        status = self.wait(timeout)
        assert status == 0, f"alertdb consume exited with {status}:\n{self.stderr()}"
        return self.summary()


@pytest.fixture
def consume(alertdb_bin, repo_root, tmp_path):
    """Factory: starts `alertdb consume --database URL --brokers B --topics T --group G ARGS...`.
    Every consumer still running at the end of the test is killed."""
    started: list[Consumer] = []

    def start(db, mock: KafkaMock, topics: str, group: str, *args) -> Consumer:
        stderr_path = tmp_path / f"consume-{len(started)}.stderr"
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                [str(alertdb_bin), "consume", "--database", db.url, "--brokers", mock.bootstrap,
                 "--topics", topics, "--group", group, *map(str, args)],
                cwd=repo_root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        consumer = Consumer(process, stderr_path)
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        if consumer.process.poll() is None:
            consumer.process.kill()
            consumer.process.wait(timeout=10)


# A SIGKILLed member holds its partitions until its session times out (10 s by default):
# a shorter session lets the next consumer of a test that kills many start sooner.
QUICK_REJOIN = ("--kafka", "session.timeout.ms=3000", "--kafka", "heartbeat.interval.ms=500")


def new_group() -> str:
    return f"alertdb-test-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------- tests


def test_every_shared_packet_arrives_exactly_once(make_database, kafka, consume, folders, candids, reference):
    mock = kafka((NIGHT_TOPIC, PARTITIONS_ALL))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-v3"], folders["ztf-2017"]) == 1104

    db = make_database()
    summary = consume(db, mock, NIGHT_TOPIC, new_group(), "--idle-exit", 3).finished()

    assert (summary.read, summary.loaded, summary.rejected) == (1104, 1104, 0), summary.line
    stored = stored_candids(db)
    assert len(stored) == len(set(stored))
    assert set(stored) == candids["ztf-v3"] | candids["ztf-2017"]
    got, expected = table_counts(db), reference("ztf-v3", "ztf-2017")
    for table in ("candidate", "prv_candidate", "cutout", "avro_schema"):
        assert got[table] == expected[table], f"{table}: {got[table]} rows, {expected[table]} after alertdb ingest"
    assert got["reject"] == 0


def test_sigkill_at_random_moments_loses_nothing_and_stores_nothing_twice(
        make_database, kafka, consume, folders, candids, reference, tmp_path):
    """The packets are produced in six slices, one before each round, so that every round has
    work when it is killed: each consumer is SIGKILLed a random moment (fixed seed) after rows
    of its round start to appear, that is inside or between its batches' transactions and
    offset commits. Batches of 50 make those moments many. A last consumer runs to idle."""
    rng = random.Random(20260101)
    files = packet_files(folders["ztf-2017"])
    slices = [files[i::6] for i in range(6)]
    mock = kafka((NIGHT_TOPIC, PARTITIONS_2017))
    db = make_database()
    group = new_group()
    started = time.monotonic()
    kills = []
    for number, part in enumerate(slices):
        assert mock.produce(NIGHT_TOPIC, copy_files(part, tmp_path / f"slice-{number}")) == len(part)
        before = db.count("candidate")
        consumer = consume(db, mock, NIGHT_TOPIC, group, "--batch-size", 50, *QUICK_REJOIN)
        deadline = time.monotonic() + 90
        while db.count("candidate") == before and consumer.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert consumer.process.poll() is None, f"consumer exited by itself:\n{consumer.stderr()}"
        assert db.count("candidate") > before, f"round {number}: nothing stored in 90 s:\n{consumer.stderr()}"
        time.sleep(rng.uniform(0.0, 0.4))
        consumer.process.send_signal(signal.SIGKILL)
        consumer.process.wait(timeout=10)
        kills.append(db.count("candidate"))

    summary = consume(db, mock, NIGHT_TOPIC, group, "--idle-exit", 3, *QUICK_REJOIN).finished()
    elapsed = time.monotonic() - started

    stored = stored_candids(db)
    assert len(stored) == len(set(stored))
    assert set(stored) == candids["ztf-2017"], (
        f"{len(candids['ztf-2017'] - set(stored))} packets lost; rows after each kill: {kills}; last run: {summary.line}")
    got, expected = table_counts(db), reference("ztf-2017")
    differing = {t: (got[t], expected[t]) for t in expected if got[t] != expected[t]}
    assert not differing, f"(consumed, ingested) row counts differ: {differing}; rows after each kill: {kills}"
    print(f"rows after each kill: {kills}; last run: {summary.line}; {elapsed:.0f} s in all")


def test_two_consumers_of_one_group_share_the_partitions(make_database, kafka, consume, folders, candids, tmp_path):
    """Two members of one group on a topic of 6 partitions: each reads some, every packet is
    stored once. (533 packets, about 13 MB: the mock keeps only ~5 MB per partition.)

    Delivery is at least once: when the second member's arrival moves partitions whose messages
    the first had polled but not yet committed, both read them, and the later one to store them
    counts them as duplicates. So reads may pass 533; loads may not."""
    topic = "ztf_20260102_programid1"
    mock = kafka((topic, 6))
    some_2017 = packet_files(folders["ztf-2017"])[:500]
    assert mock.produce(topic, folders["ztf-v3"], copy_files(some_2017, tmp_path / "some-2017")) == 533

    db = make_database()
    group = new_group()
    consumers = [consume(db, mock, topic, group, "--idle-exit", 8) for _ in range(2)]
    summaries = [consumer.finished() for consumer in consumers]

    reads = [summary.read for summary in summaries]
    assert all(read > 0 for read in reads), f"one consumer read nothing: {[s.line for s in summaries]}"
    lines = [s.line for s in summaries]
    assert all(s.read == s.loaded + s.duplicate + s.rejected for s in summaries), lines
    assert sum(s.loaded for s in summaries) == 533, lines
    assert sum(s.rejected for s in summaries) == 0, lines
    stored = stored_candids(db)
    assert len(stored) == len(set(stored)) == 533
    assert set(stored) == candids["ztf-v3"] | {candid_of(path) for path in some_2017}


def test_a_malformed_message_is_rejected_with_its_coordinates(make_database, kafka, consume, folders, candids,
                                                             tmp_path):
    mock = kafka((NIGHT_TOPIC, 1))
    after = packet_files(folders["ztf-2017"])[:5]
    junk = b"this is not an Avro container\x00\xff" + bytes(range(256))

    assert mock.produce(NIGHT_TOPIC, folders["ztf-v3"]) == 33  # offsets 0..32
    assert mock.produce_bytes(NIGHT_TOPIC, junk) == 1  # offset 33
    assert mock.produce(NIGHT_TOPIC, copy_files(after, tmp_path / "after")) == 5  # offsets 34..38

    db = make_database()
    summary = consume(db, mock, NIGHT_TOPIC, new_group(), "--idle-exit", 3).finished()

    assert (summary.read, summary.loaded, summary.rejected) == (39, 38, 1), summary.line
    rejects = db.conn.execute("SELECT source, reason, bytes FROM reject").fetchall()
    assert len(rejects) == 1, rejects
    source, reason, data = rejects[0]
    assert source == f"kafka:{NIGHT_TOPIC}/0@33"
    assert bytes(data) == junk
    assert reason
    assert set(stored_candids(db)) == candids["ztf-v3"] | {candid_of(path) for path in after}


def test_a_regex_subscription_picks_up_a_topic_created_later(make_database, kafka, consume, folders, candids,
                                                             tmp_path):
    other = "ztf_20260101_programid2"  # does not match the subscription
    mock = kafka((NIGHT_TOPIC, 1), (other, 1))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-v3"]) == 33
    later = packet_files(folders["ztf-2017"])[:20]
    ignored = packet_files(folders["ztf-2017"])[20:30]
    assert mock.produce(other, copy_files(ignored, tmp_path / "ignored")) == 10

    db = make_database()
    consumer = consume(db, mock, NIGHTLY_REGEX, new_group(), "--idle-exit", 60)
    wait_for(lambda: db.count("candidate") == 33, 60, "the first night's 33 packets", process=consumer)

    next_night = "ztf_20260102_programid1"
    mock.create_topic(next_night, 2)
    assert mock.produce(next_night, copy_files(later, tmp_path / "later")) == 20
    picked_up = time.monotonic()
    wait_for(lambda: db.count("candidate") == 53, 30, f"the packets of {next_night}, created after the start",
             interval=0.2, process=consumer)
    delay = time.monotonic() - picked_up

    consumer.process.send_signal(signal.SIGTERM)
    summary = consumer.finished(timeout=60)
    assert (summary.read, summary.loaded) == (53, 53), summary.line
    assert set(stored_candids(db)) == candids["ztf-v3"] | {candid_of(path) for path in later}
    print(f"new topic's packets stored {delay:.1f} s after they were produced")


def test_confluent_wire_format_with_a_schema_file(make_database, kafka, consume, folders, tmp_path):
    # The packets of the most common writer schema text; the first five go in the wire format.
    by_schema: dict[str, list[Path]] = {}
    for path in packet_files(folders["ztf-v3"]):
        with open(path, "rb") as handle:
            by_schema.setdefault(fastavro.reader(handle).metadata["avro.schema"], []).append(path)
    schema_text, same = max(by_schema.items(), key=lambda item: len(item[1]))
    assert len(same) >= 7, "the test needs seven packets of one writer schema"
    wired, containers = decode_packets(same[:5]), same[5:7]
    schema_file = tmp_path / "ztf-alert.avsc"
    schema_file.write_text(schema_text)
    parsed = fastavro.parse_schema(json.loads(schema_text))

    mock = kafka((NIGHT_TOPIC, 1))
    for packet in wired:
        body = BytesIO()
        fastavro.schemaless_writer(body, parsed, packet.record)
        assert mock.produce_bytes(NIGHT_TOPIC, b"\x00" + (1).to_bytes(4, "big") + body.getvalue()) == 1
    # Plain containers are still accepted on the same topic.
    assert mock.produce(NIGHT_TOPIC, copy_files(containers, tmp_path / "containers")) == 2

    db = make_database()
    summary = consume(db, mock, NIGHT_TOPIC, new_group(), "--idle-exit", 3, "--wire-schema", schema_file).finished()

    assert (summary.read, summary.loaded, summary.rejected) == (7, 7, 0), (
        summary.line, db.conn.execute("SELECT source, reason FROM reject").fetchall())
    expected = wired + decode_packets(containers)
    assert set(stored_candids(db)) == {p.record["candid"] for p in expected}
    rows, cutouts, columns = candidate_rows(db), cutout_rows(db), set(table_columns(db, "candidate"))
    diffs = []
    for packet in wired:
        diffs += compare_candidate(packet, rows.get(packet.record["candid"]), columns)
        diffs += compare_cutouts(packet, cutouts)
    assert not diffs, report(diffs, "alerts received in the Confluent wire format")


def scrape(port: int) -> dict[str, float] | None:
    """The /metrics samples as {'name{labels}': value}, or None when nobody answers."""
    try:
        with LOCAL_OPENER.open(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            assert response.status == 200
            text = response.read().decode()
    except (urllib.error.URLError, OSError):
        return None
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)  # every value must parse as a float
    return samples


def test_metrics_while_consuming(make_database, kafka, consume, folders):
    mock = kafka((NIGHT_TOPIC, PARTITIONS_2017))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-2017"]) == 1071
    port = free_port()
    db = make_database()
    consumer = consume(db, mock, NIGHT_TOPIC, new_group(), "--idle-exit", 6, "--metrics-port", port)

    scrapes = []
    while consumer.process.poll() is None:
        samples = scrape(port)
        if samples is not None:
            scrapes.append(samples)
            if samples.get("alertdb_consume_alerts_loaded_total") == 1071:
                break
        time.sleep(0.05)
    assert scrapes, f"nothing answered on http://127.0.0.1:{port}/metrics:\n{consumer.stderr()}"
    during = [s for s in scrapes if 0 < s.get("alertdb_consume_messages_total", 0) < 1071]
    final = scrapes[-1]
    time.sleep(1.5)  # the lag is computed from what the consumer last fetched
    settled = scrape(port) or final
    with LOCAL_OPENER.open(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
        check_metrics(response.read().decode())
    consumer.finished()

    assert final["alertdb_consume_messages_total"] == 1071, final
    assert final["alertdb_consume_alerts_loaded_total"] == 1071, final
    assert final["alertdb_consume_rejected_total"] == 0, final
    buckets = sorted(((float(name.split('le="')[1].split('"')[0]), value)
                      for name, value in final.items() if name.startswith("alertdb_consume_latency_seconds_bucket")))
    assert buckets, final
    assert [value for _, value in buckets] == sorted(value for _, value in buckets), "buckets must be cumulative"
    assert buckets[-1][0] == float("inf")
    assert buckets[-1][1] == final["alertdb_consume_latency_seconds_count"] == 1071
    assert final["alertdb_consume_latency_seconds_sum"] > 0
    lags = {name: value for name, value in settled.items() if name.startswith("alertdb_consume_partition_lag{")}
    assert len(lags) == PARTITIONS_2017 and all(f'topic="{NIGHT_TOPIC}"' in name for name in lags), lags
    assert all(value == 0 for value in lags.values()), f"lag after everything was committed: {lags}"
    print(f"{len(scrapes)} scrapes, {len(during)} while consuming")


def test_sigterm_commits_what_was_read(make_database, kafka, consume, folders, candids):
    mock = kafka((NIGHT_TOPIC, PARTITIONS_2017))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-2017"]) == 1071
    db = make_database()
    group = new_group()

    first = consume(db, mock, NIGHT_TOPIC, group, "--batch-size", 50)
    wait_for(lambda: db.count("candidate") > 0, 60, "the first rows", interval=0.01, process=first)
    first.process.send_signal(signal.SIGTERM)
    first_summary = first.finished(timeout=60)
    stored_after_first = db.count("candidate")
    assert first_summary.loaded == stored_after_first, (first_summary.line, stored_after_first)
    assert first_summary.read == first_summary.loaded, first_summary.line

    second_summary = consume(db, mock, NIGHT_TOPIC, group, "--idle-exit", 3).finished()
    assert first_summary.read + second_summary.read == 1071, (
        f"what the first consumer read was not all committed: {first_summary.line} / {second_summary.line}")
    assert second_summary.duplicate == 0, second_summary.line
    stored = stored_candids(db)
    assert len(stored) == len(set(stored))
    assert set(stored) == candids["ztf-2017"]
    print(f"first: {first_summary.line}; second: {second_summary.line}")


def test_librdkafka_settings_are_passed_on_and_mistakes_named(make_database, run_alertdb):
    """`--kafka name=value` reaches librdkafka: it refuses a setting it does not know, by name,
    before any broker is contacted."""
    db = make_database()
    common = ["consume", "--database", db.url, "--brokers", "127.0.0.1:1", "--topics", "t", "--group", "g"]
    unknown = run_alertdb(*common, "--kafka", "no.such.setting=1", timeout=60)
    assert unknown.returncode == 1 and b"no.such.setting" in unknown.stderr, unknown.stderr
    malformed = run_alertdb(*common, "--kafka", "queued.max.messages.kbytes", timeout=60)
    assert malformed.returncode == 1 and b"--kafka takes name=value" in malformed.stderr, malformed.stderr
    bad_value = run_alertdb(*common, "--kafka", "queued.max.messages.kbytes=lots", timeout=60)
    assert bad_value.returncode == 1 and b"queued.max.messages.kbytes" in bad_value.stderr, bad_value.stderr


def test_every_setting_can_come_from_the_configuration_file(make_database, kafka, folders, candids, alertdb_bin,
                                                             repo_root, tmp_path):
    """The systemd unit runs `alertdb consume --config /etc/alertdb/alertdb.conf` and nothing
    else: the database, brokers, topics, group and batch size all come from the file."""
    mock = kafka((NIGHT_TOPIC, 2))
    mock.produce(NIGHT_TOPIC, folders["ztf-v3"])
    db = make_database()
    config = tmp_path / "alertdb.conf"
    config.write_text(f"""# as Deploy/alertdb.conf, with this test's values
DATABASE_URL={db.url}
ALERTDB_KAFKA_BROKERS={mock.bootstrap}
ALERTDB_KAFKA_TOPICS={NIGHTLY_REGEX}
ALERTDB_KAFKA_GROUP={new_group()}
ALERTDB_KAFKA_OPTIONS=client.id=alertdb-config-test
ALERTDB_CONSUME_BATCH_SIZE=7
ALERTDB_PORT=8080
""")
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run([str(alertdb_bin), "consume", "--config", str(config), "--idle-exit", "3"], cwd=repo_root,
                          env=environment, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    summary = parse_summary(done.stderr)
    assert summary.loaded == len(candids["ztf-v3"]), summary.line
    assert set(stored_candids(db)) == candids["ztf-v3"]

    # A misspelt setting, or a required one missing, stops the start and is named.
    config.write_text(config.read_text() + "ALERTDB_KAFKA_GROUPS=typo\n")
    typo = subprocess.run([str(alertdb_bin), "consume", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert typo.returncode != 0 and "ALERTDB_KAFKA_GROUPS" in typo.stderr, typo.stderr
    config.write_text(f"DATABASE_URL={db.url}\nALERTDB_KAFKA_BROKERS={mock.bootstrap}\n")
    missing = subprocess.run([str(alertdb_bin), "consume", "--config", str(config)], capture_output=True, text=True,
                             env=environment, timeout=60)
    assert missing.returncode != 0 and "ALERTDB_KAFKA_TOPICS is not set" in missing.stderr, missing.stderr


def test_sigterm_while_the_database_is_down_exits_within_seconds(own_cluster, kafka, consume, folders, candids):
    """SIGTERM during an outage: consume gives up the batch it could not store, commits nothing
    for it and exits at once (systemd would SIGKILL it after 90 s); a consumer started after the
    outage stores everything, once."""
    mock = kafka((NIGHT_TOPIC, PARTITIONS_2017))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-2017"]) == 1071
    db = Database("alertdb", own_cluster.url, own_cluster.connect())
    group = new_group()
    first = consume(db, mock, NIGHT_TOPIC, group, "--batch-size", 20)
    wait_for(lambda: db.count("candidate") > 0, 60, "the first rows", interval=0.01, process=first)
    db.conn.close()
    own_cluster.stop()
    time.sleep(2)
    first.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    status = first.wait(timeout=60)
    assert time.monotonic() - started < 10, f"exited {time.monotonic() - started:.1f} s after SIGTERM"
    assert status == 1 and "stopped: the database went away" in first.stderr(), first.stderr()

    own_cluster.start()
    db = Database("alertdb", own_cluster.url, own_cluster.connect())
    stored_by_first = db.count("candidate")
    assert first.summary().loaded == stored_by_first, (first.summary().line, stored_by_first)
    second = consume(db, mock, NIGHT_TOPIC, group, "--idle-exit", 3).finished()
    stored = stored_candids(db)
    assert len(stored) == len(set(stored)) and set(stored) == candids["ztf-2017"], second.line
    db.conn.close()


def test_consume_resumes_within_seconds_of_the_databases_return(own_cluster, kafka, consume, folders, candids, tmp_path):
    mock = kafka((NIGHT_TOPIC, PARTITIONS_ALL))
    assert mock.produce(NIGHT_TOPIC, folders["ztf-v3"]) == 33
    db = Database("alertdb", own_cluster.url, own_cluster.connect())
    consumer = consume(db, mock, NIGHT_TOPIC, new_group())
    wait_for(lambda: db.count("candidate") == 33, 60, "the first packets", process=consumer)
    db.conn.close()

    own_cluster.stop()
    some_2017 = copy_files(sorted(folders["ztf-2017"].glob("*.avro"))[:100], tmp_path / "during-outage")
    assert mock.produce(NIGHT_TOPIC, some_2017) == 100
    time.sleep(10)   # an outage long enough for a doubling backoff to reach 8 s
    own_cluster.start()
    back = time.monotonic()
    db = Database("alertdb", own_cluster.url, own_cluster.connect())
    wait_for(lambda: db.count("candidate") > 33, 30, "a row stored after the outage", interval=0.02, process=consumer)
    resumed = time.monotonic() - back
    assert resumed < 2.5, f"resumed {resumed:.1f} s after the database was back"
    wait_for(lambda: db.count("candidate") == 133, 60, "every packet", process=consumer)
    consumer.process.send_signal(signal.SIGTERM)
    consumer.finished(timeout=30)
    assert "database back after" in consumer.stderr()
    db.conn.close()
    print(f"resumed {resumed:.2f} s after the database was back")
