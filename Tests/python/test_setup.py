"""Deploy/setup as a stranger runs it: in a fresh clone with nothing beside it, on a machine
that has only what running needs, from a shell that has a DATABASE_URL of its own.

- Deploy/setup's package list brings no test tool; the test tools are a list of their own,
  which Deploy/test and CI install;
- Deploy/setup refers to nothing outside the repository, and a fresh clone has every sample
  packet of the working tree;
- Deploy/setup in a fresh clone, with the binary under test (ALERTDB_BIN) instead of a
  release build, starts its own cluster, loads every sample packet and serves them, whatever
  DATABASE_URL and PG* variables the shell has; run again, it loads nothing twice;
- the settings Deploy/postgres-local prints (`start` and `env`) beat those variables, for a
  shell that evals them and for the benchmarks, which parse them.

The shell's variables name nothing that answers (port 1, a loopback address nothing listens
on, a service no file defines), so a script that followed one fails rather than touching a
database that is there.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import fastavro
import psycopg
import pytest

from conftest import LiveServer, free_port, parse_summary, wait_until_healthy
from http_client import all_pages, get_json

# What a user's shell may hold. postgres-local's settings must replace or remove every one.
STRANGER = {
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/elsewhere",
    "PGHOST": "127.0.0.1",
    "PGPORT": "1",
    "PGUSER": "nobody",
    "PGDATABASE": "elsewhere",
    "PGHOSTADDR": "127.0.0.2",
    "PGSERVICE": "alertdb-test-elsewhere",
}

TEST_TOOLS = {"chromium", "nginx", "prometheus", "wrk", "systemd", "python3-venv", "python3-pip", "git", "curl"}


def stranger_env(**extra: str) -> dict[str, str]:
    """This process's environment with the stranger's database variables in place of its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")} | STRANGER | extra


def packages(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def sample_files(root: Path) -> list[Path]:
    """Every packet Deploy/setup loads: the files below the folders of Samples/."""
    return sorted(path for folder in (root / "Samples").iterdir() if folder.is_dir()
                  for path in folder.rglob("*") if path.is_file() and not path.name.startswith("."))


def ztf_files(files: list[Path]) -> list[Path]:
    """The ZTF packets of the samples (Rubin's are in Samples/rubin-*/)."""
    return [path for path in files if not path.parent.name.startswith("rubin-")]


def sample_candids(files: list[Path]) -> list[int]:
    """The candids of the ZTF packets, as fastavro reads them."""
    candids = []
    for path in ztf_files(files):
        with open(path, "rb") as packet:
            candids += [record["candid"] for record in fastavro.reader(packet)]
    return sorted(candids)


def folder_for_a_cluster(prefix: str) -> Path:
    """A fresh folder under /tmp, where the postgres user can reach a cluster (pytest's
    private tmp_path is closed to it)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def bash(script: str, *, cwd: Path, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    proc = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{script}\nexited with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def cluster_url(cluster: Path) -> str:
    """The alertdb database of the cluster postgres-local runs in `cluster`."""
    return f"postgresql://postgres@127.0.0.1:{(cluster / 'port').read_text().strip()}/alertdb"


# --------------------------------------------------------------------------- what setup installs


def test_setup_installs_what_running_needs_and_no_test_tool(repo_root):
    deploy = repo_root / "Deploy"
    runtime = packages(deploy / "debian-packages.txt")
    test = packages(deploy / "debian-packages-test.txt")
    assert not runtime & TEST_TOOLS, f"test tools in the runtime list: {runtime & TEST_TOOLS}"
    assert TEST_TOOLS <= test
    assert {"pkg-config", "libpq-dev", "libavro-dev", "postgresql-15", "postgresql-15-q3c"} <= runtime
    # postgres-local asks python3 for a free port, and setup runs postgres-local.
    assert "python3" in (deploy / "postgres-local").read_text() and "python3" in runtime

    setup = (deploy / "setup").read_text().splitlines()
    assert "Deploy/install-deps" in setup, "Deploy/setup should install the runtime list alone"
    assert not any("--test" in line for line in setup if not line.startswith("#"))
    assert "Deploy/install-deps --test" in (deploy / "test").read_text().splitlines()
    ci = (repo_root / ".ci" / "run").read_text()
    assert "Deploy/debian-packages.txt" in ci and "Deploy/debian-packages-test.txt" in ci


def test_setup_refers_to_nothing_outside_the_repository(repo_root):
    code = "\n".join(line for line in (repo_root / "Deploy" / "setup").read_text().splitlines()
                     if not line.lstrip().startswith("#"))
    code = code.replace('cd "$(dirname "$0")/.."', "")  # to the repository root
    assert not re.search(r"(?<!\.)\.\.(?!\.)", code), "a path to the parent folder"
    assert "shared" not in code, code
    assert "Samples/" in code


# --------------------------------------------------------------------------- a fresh clone


@pytest.fixture(scope="module")
def fresh_clone(repo_root):
    """`git clone` of the repository into an empty folder: no shared/ beside it, no build, no
    .local. The cluster that Deploy/setup starts there is stopped at the end."""
    folder = folder_for_a_cluster("alertdb-clone-")
    clone = folder / "alertdb"
    subprocess.run(["git", "clone", "-q", str(repo_root), str(clone)], check=True, capture_output=True, timeout=120)
    yield clone
    if (clone / ".local" / "pg").exists():
        subprocess.run([clone / "Deploy" / "postgres-local", "stop", clone / ".local" / "pg"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_fresh_clone_has_the_samples(fresh_clone, repo_root):
    assert not (fresh_clone.parent / "shared").exists()
    files = sample_files(fresh_clone)
    # Everything the working tree would load is committed (none of it ignored, say).
    assert [p.relative_to(fresh_clone) for p in files] == [p.relative_to(repo_root) for p in sample_files(repo_root)]
    by_folder = defaultdict(int)
    for path in files:
        by_folder[path.relative_to(fresh_clone / "Samples").parts[0]] += 1
    assert by_folder["ztf-v3"] == 33 and 50 <= by_folder["ztf-2017"] <= 70, dict(by_folder)
    assert by_folder["rubin-9.0"] == 5, dict(by_folder)
    assert sum(path.stat().st_size for path in files) < 4_500_000
    assert (fresh_clone / "Samples" / "README.md").is_file()
    # Nothing but the folders and their README at the top: setup loads every file below the folders.
    assert {p.name for p in (fresh_clone / "Samples").iterdir() if p.is_file()} == {"README.md"}


def test_setup_in_a_fresh_clone_loads_and_serves_the_samples(fresh_clone, alertdb_bin, tmp_path):
    """Deploy/setup end to end, but with the binary under test instead of a release build (which
    takes minutes), run twice from another folder; each time serving until stopped here."""
    files = sample_files(fresh_clone)
    candids = sample_candids(files)
    port = free_port()
    # The clone's own migrations, not those beside the binary under test.
    env = stranger_env(ALERTDB_BIN=str(alertdb_bin), ALERTDB_PORT=str(port),
                       ALERTDB_MIGRATIONS=str(fresh_clone / "Migrations"))
    for run in ("first", "again"):
        output = tmp_path / f"setup-{run}.txt"
        with open(output, "wb") as out:
            process = subprocess.Popen([str(fresh_clone / "Deploy" / "setup")], cwd=tmp_path, env=env,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        # setup ends by exec-ing `alertdb serve`: the process is the server.
        server = LiveServer(url=f"http://127.0.0.1:{port}", db=None, port=port, process=process, stderr_path=output)
        try:
            wait_until_healthy(server, timeout=180)
            summary = parse_summary(output.read_text())
            if run == "first":
                assert (summary.read, summary.loaded, summary.rejected) == (len(files), len(files), 0), summary.line
            else:
                assert (summary.loaded, summary.duplicate) == (0, len(files)), summary.line

            with psycopg.connect(cluster_url(fresh_clone / ".local" / "pg")) as conn:
                assert conn.execute("SELECT count(*) FROM candidate").fetchone()[0] == len(ztf_files(files))
                assert conn.execute("SELECT count(*) FROM dia_source").fetchone()[0] == len(files) - len(ztf_files(files))
            listing = all_pages(server.url, {})
            assert sorted(alert["candid"] for alert in listing) == candids

            # Objects with more than one alert: each alert's page shows the others in its history.
            by_object = defaultdict(set)
            for alert in listing:
                by_object[alert["objectId"]].add(alert["lco_id"])
            several = {o: ids for o, ids in by_object.items() if len(ids) > 1}
            assert several, "no sample object has more than one alert"
            for ids in several.values():
                for alert_id in ids:
                    history = get_json(server.url, f"/{alert_id}/")["prv_candidate"]
                    assert {e["lco_id"] for e in history if e["kind"] == "alert"} == ids - {alert_id}
        finally:
            server.stop()


# --------------------------------------------------------------------------- postgres-local's settings


@pytest.fixture
def cluster():
    folder = folder_for_a_cluster("alertdb-setup-pg-")
    yield folder
    subprocess.run([Path(__file__).resolve().parents[2] / "Deploy" / "postgres-local", "stop", folder],
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_the_local_clusters_settings_beat_the_shells(repo_root, alertdb_bin, cluster):
    """`eval` of `postgres-local start`, then migrate and ingest, as Deploy/setup does; then
    `eval` of `postgres-local env` in another shell, as the README says: both reach the local
    cluster, not the DATABASE_URL (nor the PG* variables) the shell had."""
    files = sample_files(repo_root)
    env = stranger_env(ALERTDB_BIN=str(alertdb_bin))
    folder = shlex.quote(str(cluster))
    first = bash(f'set -euo pipefail; eval "$(Deploy/postgres-local start {folder})"; '
                 f'"$ALERTDB_BIN" migrate; "$ALERTDB_BIN" ingest Samples/*/', cwd=repo_root, env=env)
    summary = parse_summary(first.stdout + first.stderr)
    assert (summary.loaded, summary.rejected) == (len(files), 0), summary.line

    url = cluster_url(cluster)
    again = bash(f'set -euo pipefail; eval "$(Deploy/postgres-local env {folder})"; '
                 f'"$ALERTDB_BIN" ingest Samples/*/; '
                 f'echo "$DATABASE_URL"; psql -XAtc "SELECT current_database(), count(*) FROM candidate"',
                 cwd=repo_root, env=env)
    summary = parse_summary(again.stdout + again.stderr)
    assert (summary.loaded, summary.duplicate) == (0, len(files)), summary.line
    assert again.stdout.splitlines()[-2:] == [url, f"alertdb|{len(ztf_files(files))}"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM candidate").fetchone()[0] == len(ztf_files(files))
        assert conn.execute("SELECT count(*) FROM dia_source").fetchone()[0] == len(files) - len(ztf_files(files))


def test_the_benchmarks_read_the_local_clusters_settings(repo_root, cluster, monkeypatch):
    """Bench/common.py's start_cluster parses what postgres-local prints into an environment:
    the cluster's variables in, the shell's stray ones out."""
    for name, value in STRANGER.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("bench_common", repo_root / "Bench" / "common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    env = common.start_cluster(str(cluster))
    port = (cluster / "port").read_text().strip()
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == ("127.0.0.1", port, "postgres", "alertdb")
    assert env["DATABASE_URL"] == cluster_url(cluster)
    assert "PGHOSTADDR" not in env and "PGSERVICE" not in env
    assert common.server_url(env, "postgres") == f"postgresql://postgres@127.0.0.1:{port}/postgres"
    proc = subprocess.run(["psql", "-XAtc", "SELECT current_database()"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "alertdb", proc.stderr
