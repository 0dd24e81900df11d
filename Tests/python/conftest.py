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
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT / ".." / "shared"

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
def alertdb_bin() -> Path:
    """Path of the alertdb executable under test."""
    path = Path(os.environ.get("ALERTDB_BIN", REPO_ROOT / ".build" / "debug" / "alertdb"))
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
        admin_conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
