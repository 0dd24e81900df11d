"""Shared fixtures for the Python end-to-end tests of alertdb.

The tests drive the built `alertdb` binary (ALERTDB_BIN, default
<repo>/.build/debug/alertdb) against a PostgreSQL server reached through the
usual libpq environment variables (PGHOST, PGPORT, PGUSER, ...). Every test
module creates its own throwaway databases; all of them are dropped when the
session ends.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"

# The tests reach their server through PGHOST, PGPORT and PGUSER alone (database_url below),
# and every process they start inherits this environment. Anything else in it that names a
# database could lead one of them elsewhere: alertdb reads DATABASE_URL before the PG*
# variables, serve keeps its rate-limit budgets wherever ALERTDB_RATE_LIMIT_DATABASE says
# whatever --database says, and libpq takes PGHOSTADDR over the host of a URL and a
# PGSERVICE's settings over the PG* variables.
for _name in ("DATABASE_URL", "ALERTDB_RATE_LIMIT_DATABASE", "PGHOSTADDR", "PGSERVICE"):
    os.environ.pop(_name, None)

SUMMARY_RE = re.compile(
    r"read (?P<read>\d+), loaded (?P<loaded>\d+), "
    r"duplicate (?P<duplicate>\d+), rejected (?P<rejected>\d+)"
)


# --------------------------------------------------------------------------- paths


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (Tests/python/ -> ../..)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared data folder that sits beside the repository."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found: {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def rubin_packets(shared_dir) -> list[dict]:
    """The 100 shared Rubin alerts of schema 9.0, as fastavro reads them, in file order. Shared
    by every test of the session: copy a record before changing it."""
    import fastavro
    records = []
    for path in sorted((shared_dir / "rubin" / "alerts-9.0").glob("*.avro")):
        with open(path, "rb") as handle:
            records += list(fastavro.reader(handle))
    assert len(records) == 100
    return records


@pytest.fixture(scope="session")
def alertdb_bin() -> Path:
    """Path of the alertdb executable under test."""
    path = Path(os.environ.get("ALERTDB_BIN", REPO_ROOT / ".build" / "debug" / "alertdb")).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"alertdb binary not found or not executable: {path} (set ALERTDB_BIN)")
    return path


# --------------------------------------------------------------------------- running alertdb


@dataclass
class IngestSummary:
    read: int
    loaded: int
    duplicate: int
    rejected: int
    line: str


def parse_summary(output: str) -> IngestSummary:
    """Parse the `read N, loaded N, duplicate N, rejected N ...` line of `alertdb ingest`."""
    match = SUMMARY_RE.search(output)
    if match is None:
        raise AssertionError(f"no ingest summary line in output:\n{output}")
    return IngestSummary(**{k: int(v) for k, v in match.groupdict().items()}, line=match.group(0))


@pytest.fixture(scope="session")
def run_alertdb(alertdb_bin, repo_root):
    """Run `alertdb ARGS...` from the repository root; returns the CompletedProcess."""

    def run(*args, input: bytes | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(alertdb_bin), *map(str, args)],
            cwd=repo_root,
            input=input,
            capture_output=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def ingest(run_alertdb):
    """`alertdb ingest --database URL PATH...`; returns (CompletedProcess, IngestSummary)."""

    def do_ingest(url: str, *paths):
        proc = run_alertdb("ingest", "--database", url, *paths)
        output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        return proc, parse_summary(output)

    return do_ingest


# --------------------------------------------------------------------------- databases


def database_url(dbname: str) -> str:
    """A postgresql:// URL for `dbname` on the server named by the PG* variables."""
    user = quote(os.environ.get("PGUSER", "postgres"), safe="")
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    if host.startswith("/"):  # a Unix-socket directory
        return f"postgresql://{user}@/{dbname}?host={quote(host, safe='')}&port={port}"
    return f"postgresql://{user}@{host}:{port}/{dbname}"


@dataclass
class Database:
    name: str
    url: str
    conn: psycopg.Connection  # autocommit

    def binary_cursor(self, **kwargs):
        """A cursor using the binary protocol: `real` columns come back as the exact
        float32 value widened to a Python float (the text protocol would give the nearest
        double to PostgreSQL's shortest decimal, which is not the same number)."""
        return self.conn.cursor(binary=True, **kwargs)

    def count(self, table: str) -> int:
        return self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


@pytest.fixture(scope="session")
def admin_conn():
    """An autocommit connection to the `postgres` maintenance database."""
    try:
        conn = psycopg.connect(database_url("postgres"), autocommit=True)
    except psycopg.OperationalError as error:
        pytest.fail(f"cannot reach PostgreSQL through the PG* environment variables: {error}")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def make_database(admin_conn, run_alertdb):
    """Factory: create a fresh database `alertdb_pytest_<random>`, run `alertdb migrate`
    on it, and return a Database. All databases are dropped at the end of the session."""
    created: list[Database] = []

    def make(migrate: bool = True) -> Database:
        name = f"alertdb_pytest_{uuid.uuid4().hex[:12]}"
        admin_conn.execute(f'CREATE DATABASE "{name}"')
        url = database_url(name)
        if migrate:
            proc = run_alertdb("migrate", "--database", url)
            assert proc.returncode == 0, (
                f"alertdb migrate failed ({proc.returncode}):\n"
                f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}"
            )
        db = Database(name=name, url=url, conn=psycopg.connect(url, autocommit=True))
        created.append(db)
        return db

    yield make

    for db in created:
        db.conn.close()
        # Each DROP DATABASE waits for a checkpoint (a minute for a whole run): a throwaway
        # cluster (Deploy/test) is deleted with its databases instead.
        if os.environ.get("ALERTDB_PG_THROWAWAY") != "1":
            admin_conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


# --------------------------------------------------------------------------- the HTTP service


# Requests to the local server must not go through any proxy named in the environment.
LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A running `alertdb serve` and the database it serves."""

    url: str  # http://127.0.0.1:PORT, no trailing slash
    db: Database
    port: int
    process: subprocess.Popen
    stderr_path: Path

    def stderr(self) -> str:
        """Everything the server wrote on stderr so far."""
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL when it has not stopped within 5 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


class PortTaken(Exception):
    """The port `free_port` chose was taken by another process before the server listened on it."""


def wait_until_healthy(server: LiveServer, timeout: float = 30) -> None:
    """Poll GET /health until it answers 200; fail with the server's stderr otherwise (raise
    PortTaken when the server could not listen on its port)."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            if "cannot listen on" in server.stderr():
                raise PortTaken(server.stderr())
            pytest.fail(f"alertdb serve exited with {server.process.returncode}:\n{server.stderr()}")
        try:
            with LOCAL_OPENER.open(f"{server.url}/health", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"status {error.code}"
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"alertdb serve not healthy after {timeout} s ({last_error}):\n{server.stderr()}")


@pytest.fixture(scope="session")
def start_server(alertdb_bin, repo_root, tmp_path_factory, make_database):
    """Factory: start `alertdb serve` on a free port for `db`, wait until /health answers
    200, and return a LiveServer. Rate limiting is off unless `rate_limit=True`; `extra_args`
    are added to the command line and `env` to the environment. Every server started is
    stopped at the end of the session (or earlier with `.stop()`). It depends on make_database
    so that the servers stop before their databases are dropped."""
    started: list[LiveServer] = []

    def start(db: Database, *extra_args, rate_limit: bool = False, env: dict | None = None,
              port: int | None = None) -> LiveServer:
        # A port free when chosen can be taken by another process (a cluster, a Kafka stand-in)
        # before the server listens on it: another one is chosen then.
        for attempt in range(3):
            try:
                return start_on(db, *extra_args, rate_limit=rate_limit, env=env, port=port or free_port())
            except PortTaken as error:
                if port or attempt == 2:
                    pytest.fail(f"alertdb serve could not listen:\n{error}")

    def start_on(db: Database, *extra_args, rate_limit: bool, env: dict | None, port: int) -> LiveServer:
        stderr_path = tmp_path_factory.mktemp("serve") / "stderr.txt"
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                [str(alertdb_bin), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", db.url,
                 "--rate-limit", "on" if rate_limit else "off", *map(str, extra_args)],
                cwd=repo_root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, **(env or {})},
            )
        server = LiveServer(url=f"http://127.0.0.1:{port}", db=db, port=port, process=process, stderr_path=stderr_path)
        started.append(server)
        wait_until_healthy(server)
        return server

    yield start

    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(make_database, ingest, shared_dir, start_server) -> LiveServer:
    """`alertdb serve` on a database holding every shared alert (ztf-v3 and ztf-2017)."""
    db = make_database()
    folders = [shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017"]
    proc, summary = ingest(db.url, *folders)
    assert proc.returncode == 0 and summary.rejected == 0, (
        f"ingest failed ({proc.returncode}): {summary.line}\n{proc.stderr.decode(errors='replace')}"
    )
    return start_server(db)


# --------------------------------------------------------------------------- a cluster of one's own


@dataclass
class Cluster:
    """A PostgreSQL cluster that one test owns and may stop and start again (on the same port),
    to see what alertdb does while its database is away. It holds one migrated database."""

    directory: Path
    port: int
    repo_root: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/alertdb"

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True)

    def stop(self) -> None:
        subprocess.run([self.repo_root / "Deploy" / "postgres-local", "stop", self.directory], check=True,
                       capture_output=True)

    def start(self) -> None:
        started = subprocess.run([self.repo_root / "Deploy" / "postgres-local", "start", self.directory], check=True,
                                 capture_output=True, text=True)
        port = int(re.search(r"PGPORT=(\d+)", started.stdout).group(1))
        assert port == self.port, f"the cluster came back on port {port}, not {self.port}"


@pytest.fixture
def own_cluster(repo_root, run_alertdb):
    """A migrated database on a cluster of this test's own (see Cluster), removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="alertdb-own-pg."))
    started = subprocess.run([repo_root / "Deploy" / "postgres-local", "start", directory], check=True,
                             capture_output=True, text=True)
    cluster = Cluster(directory, int(re.search(r"PGPORT=(\d+)", started.stdout).group(1)), repo_root)
    migrated = run_alertdb("migrate", "--database", cluster.url)
    assert migrated.returncode == 0, migrated.stderr
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)
