"""The deployment files of Deploy/ work as written.

- the systemd units pass `systemd-analyze verify` (with the install paths pointed at the
  built binary and the repository's script), stay well sandboxed, and every ${VARIABLE}
  they use is in the example configuration; sysusers and tmpfiles lay out the spool;
- the nginx server block passes `nginx -t` inside a minimal main configuration, and in front
  of a stand-in upstream it overwrites X-Forwarded-For, keeps the Host's port and hides
  /metrics;
- PostgreSQL 15 accepts every line of Deploy/postgresql/alertdb.conf;
- Deploy/backup then Deploy/restore into a second cluster gives back every row, and the
  restored database needs no migration;
- Deploy/ingest-spool loads what is dropped in a spool, sets aside what cannot be loaded, and
  leaves files in place when the database is down.

Servers are started as unprivileged users when the tests run as root (PostgreSQL refuses
root; nginx should not need it).
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import http.server
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from conftest import database_url, free_port

IS_ROOT = os.geteuid() == 0


def run(*args, env=None, timeout=120, check=True, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed (see Deploy/debian-packages-test.txt)")
    return path


def shared_dir_for(user: str) -> Path:
    """A fresh folder under /tmp that `user` owns (so that a server run as that user can
    write there, which pytest's private tmp_path does not allow)."""
    path = Path(tempfile.mkdtemp(prefix="alertdb-deploy-", dir="/tmp"))
    path.chmod(0o755)
    if IS_ROOT:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def as_user(user: str, *args) -> list[str]:
    return ["runuser", "-u", user, "--", *map(str, args)] if IS_ROOT else list(map(str, args))


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a systemd EnvironmentFile (the forms the example uses)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", name), f"not NAME=value: {line}"
        assert name not in values, f"{name} twice"
        values[name] = value.strip('"')
    return values


# --------------------------------------------------------------------------- systemd

SYSTEMD = Path(__file__).resolve().parents[2] / "Deploy" / "systemd"
UNITS = sorted(p.name for p in SYSTEMD.glob("alertdb-*.*"))
SERVICES = [u for u in UNITS if u.endswith(".service")]


@pytest.fixture(scope="module")
def installed_units(tmp_path_factory, alertdb_bin, repo_root) -> Path:
    """The units in a folder of their own, with /usr/local/bin/alertdb and the spool script
    pointed at the files under test: verify insists that ExecStart= exists."""
    folder = tmp_path_factory.mktemp("units")
    for name in UNITS:
        text = (SYSTEMD / name).read_text()
        text = text.replace("/usr/local/bin/alertdb-ingest-spool", str(repo_root / "Deploy" / "ingest-spool"))
        text = re.sub(r"/usr/local/bin/alertdb\b", str(alertdb_bin), text)
        (folder / name).write_text(text)
    return folder


def test_the_units_are_the_ones_expected():
    assert set(UNITS) >= {"alertdb-serve.service", "alertdb-consume.service", "alertdb-ingest.service",
                          "alertdb-ingest.path", "alertdb-ingest.timer"}


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_accepts_the_unit(installed_units, unit):
    require("systemd-analyze")
    proc = run("systemd-analyze", "verify", installed_units / unit, check=False, cwd=installed_units)
    # verify exits 0 on unknown keys and bad values, but says so: any output is a finding.
    assert proc.returncode == 0 and proc.stdout.strip() == "" and proc.stderr.strip() == "", (
        f"systemd-analyze verify {unit} ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
    )


@pytest.mark.parametrize("unit", SERVICES)
def test_the_services_are_sandboxed(installed_units, unit):
    require("systemd-analyze")
    proc = run("systemd-analyze", "security", "--offline=yes", installed_units / unit, check=False)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout + proc.stderr)
    assert match, f"no exposure level in:\n{proc.stdout}{proc.stderr}"
    # 10 is a service with no sandbox; below 2 systemd calls it OK.
    assert float(match.group(1)) <= 2.0, proc.stdout
    text = (SYSTEMD / unit).read_text()
    for setting in ["User=alertdb", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n",
                    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "LimitNOFILE=65536", "MemoryDenyWriteExecute=yes"]:
        assert setting in text, setting


def test_every_variable_the_units_use_is_in_the_example_configuration(repo_root):
    config = read_env_file(repo_root / "Deploy" / "alertdb.conf")
    for unit in UNITS:
        settings = "\n".join(l for l in (SYSTEMD / unit).read_text().splitlines() if not l.startswith("#"))
        for name in re.findall(r"\$\{(\w+)\}", settings):
            assert config.get(name), f"{unit} uses ${{{name}}}, which Deploy/alertdb.conf does not set"


def test_sysusers_and_tmpfiles_lay_out_the_spool(tmp_path, repo_root):
    if not IS_ROOT:
        pytest.skip("systemd-tmpfiles --root can only chown as root")
    require("systemd-sysusers")
    root = tmp_path / "root"
    (root / "etc" / "alertdb").mkdir(parents=True)
    (root / "etc" / "alertdb" / "alertdb.conf").write_text("")
    run("systemd-sysusers", f"--root={root}", SYSTEMD / "alertdb.sysusers.conf")
    run("systemd-tmpfiles", f"--root={root}", "--create", SYSTEMD / "alertdb.tmpfiles.conf")
    user = next(line.split(":") for line in (root / "etc" / "passwd").read_text().splitlines()
                if line.startswith("alertdb:"))
    uid, home, shell = int(user[2]), user[5], user[6]
    assert home == "/var/lib/alertdb" and shell.endswith("nologin")
    incoming = root / "var" / "lib" / "alertdb" / "incoming"
    for folder in [incoming, incoming / "done", incoming / "rejected"]:
        st = folder.stat()
        assert st.st_uid == uid and oct(st.st_mode & 0o7777) == "0o2770", folder
    conf = (root / "etc" / "alertdb" / "alertdb.conf").stat()
    assert conf.st_uid == 0 and conf.st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------- configuration

CONTRACT_DEFAULTS = {
    "ALERTDB_HOST": "127.0.0.1", "ALERTDB_PORT": "8080", "ALERTDB_THREADS": "8", "ALERTDB_RENDER_CACHE_MB": "64",
    "ALERTDB_COUNT_CACHE": "on", "ALERTDB_RATE_LIMIT": "on", "ALERTDB_RATE_LIMIT_BURST": "20",
    "ALERTDB_RATE_LIMIT_INTERVAL": "180", "ALERTDB_CUTOUT_BUDGET_FACTOR": "3", "ALERTDB_CONNECTION_TIMEOUT": "30",
    "ALERTDB_MAX_CONNECTIONS": "1024",
}


def test_the_example_configuration_lists_every_setting_with_a_comment(repo_root):
    path = repo_root / "Deploy" / "alertdb.conf"
    config = read_env_file(path)
    for name, default in CONTRACT_DEFAULTS.items():
        assert config.get(name) == default, f"{name}={config.get(name)!r}, default {default}"
    # Set on purpose, and said so: a database on the local socket, and nginx on this machine.
    assert config["DATABASE_URL"] and config["ALERTDB_TRUSTED_PROXIES"] == "127.0.0.1"
    for name in ["ALERTDB_KAFKA_BROKERS", "ALERTDB_KAFKA_TOPICS", "ALERTDB_KAFKA_GROUP", "ALERTDB_CONSUME_METRICS_PORT"]:
        assert config.get(name), name
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"[A-Z_]+=", line):
            assert lines[number - 1].startswith("#"), f"no comment above {line}"


def test_alertdb_serve_starts_with_the_example_configuration(alertdb_bin, repo_root, make_database, tmp_path):
    if "--config" not in run(alertdb_bin, "serve", "--help").stdout:
        pytest.skip("this alertdb serve has no --config")
    db = make_database()
    port = free_port()
    # Flags beat the file: only the port and the database differ from the example.
    with open(tmp_path / "stderr", "wb") as stderr:
        server = subprocess.Popen([str(alertdb_bin), "serve", "--config", str(repo_root / "Deploy" / "alertdb.conf"),
                                   "--port", str(port), "--database", db.url],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"alertdb serve --config Deploy/alertdb.conf did not come up:\n{(tmp_path / 'stderr').read_text()}")
    finally:
        server.terminate()
        server.wait(timeout=10)


# --------------------------------------------------------------------------- nginx

NGINX_MAIN = """\
# A minimal main configuration around the server block, as /etc/nginx/nginx.conf would be.
worker_processes 1;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    default_type application/octet-stream;
    include {dir}/conf.d/*.conf;
}}
"""


def nginx_site(repo_root: Path, listen_port: int, upstream_port: int | list[int]) -> str:
    """Deploy/nginx/alertdb.conf with its lines marked "(rewritten by tests)" changed: the
    IPv4 listen on a loopback port, the IPv6 one dropped, alertdb's address (or addresses)."""
    ports = upstream_port if isinstance(upstream_port, list) else [upstream_port]
    text = (repo_root / "Deploy" / "nginx" / "alertdb.conf").read_text()
    text, listens = re.subn(r"(?m)^(\s*)listen 80;.*$", rf"\1listen 127.0.0.1:{listen_port};", text)
    text, listens6 = re.subn(r"(?m)^\s*listen \[::\]:80;.*\n", "", text)
    text, upstreams = re.subn(r"server 127\.0\.0\.1:8080;", " ".join(f"server 127.0.0.1:{p};" for p in ports), text)
    assert (listens, listens6, upstreams) == (1, 1, 1), "the lines tests rewrite have changed"
    return text


def nginx_prefix(repo_root: Path, listen_port: int, upstream_port: int | list[int]) -> Path:
    user = "nobody"
    prefix = shared_dir_for(user)
    (prefix / "conf.d").mkdir()
    (prefix / "nginx.conf").write_text(NGINX_MAIN.format(dir=prefix))
    (prefix / "conf.d" / "alertdb.conf").write_text(nginx_site(repo_root, listen_port, upstream_port))
    if IS_ROOT:
        entry = pwd.getpwnam(user)
        for path in [prefix / "conf.d", prefix / "nginx.conf", prefix / "conf.d" / "alertdb.conf"]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return prefix


def nginx_command(prefix: Path, *args, directives: str = "") -> list[str]:
    """nginx on the temporary prefix, as nobody when root (nginx honours one -g only)."""
    nginx = require("nginx")
    return as_user("nobody", nginx, "-p", prefix, "-c", prefix / "nginx.conf", "-g",
                   f"pid {prefix}/nginx.pid; {directives}", *args)


def test_nginx_accepts_the_server_block(repo_root):
    prefix = nginx_prefix(repo_root, free_port(), 8080)
    try:
        proc = run(*nginx_command(prefix, "-t"), check=False)
        assert proc.returncode == 0, proc.stderr
        assert "test is successful" in proc.stderr
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the path and headers it received, as JSON."""

    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def do_GET(self):
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
        self.seen.append(record)
        body = json.dumps({**record, "padding": "x" * 4000}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_nginx_passes_the_peer_address_and_the_host_with_its_port(repo_root):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    with running_nginx(repo_root, port, upstream.server_address[1]):
        def request(path, headers, method="GET", body=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read()

        host = f"alerts.example.org:{port}"
        response, body = request("/?format=json", {"Host": host, "X-Forwarded-For": "203.0.113.9",
                                                   "Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.getheader("Content-Encoding") == "gzip"
        seen = json.loads(gzip.decompress(body))["headers"]
        # The client's claim is replaced by the address nginx saw, not appended to.
        assert seen["x-forwarded-for"] == "127.0.0.1"
        assert seen["x-forwarded-proto"] == "http"
        assert seen["host"] == host

        response, _ = request("/metrics", {"Host": host})
        assert response.status == 403
        assert not any(r["path"] == "/metrics" for r in EchoHandler.seen)

        response, _ = request("/", {"Host": host, "Content-Type": "application/json"}, "POST", b"x" * 70_000)
        assert response.status == 413
    upstream.shutdown()


def routes_to_metrics(path: str) -> bool:
    """Whether alertdb would answer `path` (as nginx passed it on) with /metrics: its
    percent-decoded path, split at slashes with empty parts dropped, is just `metrics`."""
    decoded = urllib.parse.unquote(path.split("?", 1)[0])
    return [part for part in decoded.split("/") if part] == ["metrics"]


def test_nginx_hides_every_spelling_of_metrics(repo_root):
    """`location = /metrics` let /metrics/, /metrics//, /metrics%2F and /metrics/?x through to
    alertdb, which answers them all as /metrics; none of them may reach it."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    spellings = ["/metrics", "/metrics/", "/metrics//", "/metrics%2F", "/metrics/?x", "/metrics?x=1", "//metrics",
                 "/%2Fmetrics", "/%6Detrics", "/./metrics", "/x/../metrics", "/metrics/.", "/metrics%20"]
    EchoHandler.seen.clear()
    with running_nginx(repo_root, port, upstream.server_address[1]):
        for path in spellings:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: alerts.example.org\r\nConnection: close\r\n\r\n".encode())
                status = sock.recv(100).split(b" ")[1].decode()
            assert status in ("403", "400"), (path, status)
        # The rest of the site still goes through.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /?format=json HTTP/1.1\r\nHost: alerts.example.org\r\nConnection: close\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
    leaked = [record["path"] for record in EchoHandler.seen if routes_to_metrics(record["path"])]
    assert not leaked, f"nginx passed {leaked} on to alertdb"
    upstream.shutdown()


@contextlib.contextmanager
def running_nginx(repo_root: Path, port: int, upstream_port: int | list[int]):
    """nginx with the example site on 127.0.0.1:`port`, until the block ends."""
    prefix = nginx_prefix(repo_root, port, upstream_port)
    nginx = subprocess.Popen(nginx_command(prefix, directives="daemon off;"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {nginx.communicate()[1]}")
                time.sleep(0.05)
        yield
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def test_behind_nginx_two_serve_processes_limit_each_client_once(repo_root, make_database, ingest, shared_dir,
                                                                 start_server):
    """The example proxy in front of two `serve` processes that trust it: each client (told
    apart by its loopback source address) has one budget whichever process answers, and what
    a client writes in X-Forwarded-For changes nothing."""
    db = make_database()
    proc, _ = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0
    servers = [start_server(db, "--rate-limit-burst", "4", "--trusted-proxies", "127.0.0.1", rate_limit=True)
               for _ in range(2)]
    port = free_port()
    with running_nginx(repo_root, port, [server.port for server in servers]):
        def get(source, headers=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
            connection.request("GET", "/?format=json", headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response

        first = [get("127.0.0.2") for _ in range(4)]
        assert [r.status for r in first] == [200] * 4
        assert [r.getheader("RateLimit-Remaining") for r in first] == ["3", "2", "1", "0"]
        refused = get("127.0.0.2", {"X-Forwarded-For": "198.51.100.1"})
        assert refused.status == 429 and int(refused.getheader("Retry-After")) > 100
        assert get("127.0.0.3").status == 200

    # nginx spread the requests over both processes, and the buckets are the clients', not nginx's.
    for server in servers:
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
            assert re.search(r'^alertdb_http_requests_total\{route="listing",status="200"\} [1-9]', response.read().decode(), re.M)
    clients = {row[0] for row in db.conn.execute("SELECT client FROM rate_limit_bucket")}
    assert clients == {"ip:127.0.0.2", "ip:127.0.0.3"}


# --------------------------------------------------------------------------- PostgreSQL


def pg_bin() -> Path:
    proc = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
    found = Path(proc.stdout.strip()) if proc.returncode == 0 else None
    return found if found and (found / "initdb").exists() else Path("/usr/lib/postgresql/15/bin")


def settings_of(path: Path) -> dict[str, str]:
    """name -> value of every `name = value  # ...` line (quotes removed)."""
    settings = {}
    for line in path.read_text().splitlines():
        match = re.match(r"\s*([a-z_]+)\s*=\s*('(?:[^']|'')*'|[^\s#]+)", line)
        if match:
            value = match.group(2)
            settings[match.group(1)] = value[1:-1].replace("''", "'") if value.startswith("'") else value
    return settings


def test_postgresql_accepts_every_setting(repo_root):
    source = repo_root / "Deploy" / "postgresql" / "alertdb.conf"
    settings = settings_of(source)
    assert {"wal_level", "max_wal_senders", "hot_standby_feedback", "shared_buffers"} <= settings.keys()
    # Every setting says why, on the lines above it.
    lines = source.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"[a-z_]+ =", line):
            assert lines[number - 1].startswith("#"), f"no reason given above: {line}"

    folder = shared_dir_for("postgres")
    try:
        conf = folder / "alertdb.conf"
        shutil.copy(source, conf)
        if IS_ROOT:
            os.chown(conf, pwd.getpwnam("postgres").pw_uid, -1)
        run(*as_user("postgres", pg_bin() / "initdb", "-D", folder / "data", "-U", "postgres", "-A", "trust",
                     "--no-sync", "--no-locale", "-E", "UTF8"))
        with open(folder / "data" / "postgresql.conf", "a") as main:
            main.write(f"include '{conf}'\n")
            # The file is sized for a 16 GB server; a small CI machine gets less shared memory.
            # Everything else stays as written.
            main.write("shared_buffers = 128MB\n")
        port = free_port()
        run(*as_user("postgres", pg_bin() / "pg_ctl", "-D", folder / "data", "-l", folder / "server.log", "-w",
                     "-t", "60", "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {folder}", "start"))
        try:
            url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            with psycopg.connect(url, autocommit=True) as conn:
                lines = conn.execute("SELECT name, setting, applied, error FROM pg_file_settings WHERE sourcefile = %s",
                                     [str(conf)]).fetchall()
                assert {row[0] for row in lines} == set(settings)
                for name, setting, applied, error in lines:
                    assert error is None, f"{name}: {error}"
                    assert applied or name == "shared_buffers", f"{name} = {setting} not applied"
                for name, value in settings.items():
                    if name == "shared_buffers":
                        continue
                    shown = conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0]
                    assert shown == value, f"{name}: file says {value}, server runs with {shown}"
                assert conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_stat_statements'").fetchone()[0] == 1
        finally:
            run(*as_user("postgres", pg_bin() / "pg_ctl", "-D", folder / "data", "-m", "fast", "-w", "stop"), check=False)
        log = (folder / "server.log").read_text()
        problems = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|FATAL|PANIC):", line)]
        assert not problems, "\n".join(problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- backup and restore


def snapshot(conn: psycopg.Connection) -> dict:
    """Everything a restore must give back, as comparable values."""
    one = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
    tables = [row[0] for row in one("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return {
        "candid": {row[0] for row in one("SELECT candid FROM candidate")},
        "prv_candidate per object": dict(one('SELECT "objectId", count(*) FROM prv_candidate GROUP BY 1')),
        "cutouts": {(c, k): md5 for c, k, md5 in one("SELECT candid, kind, md5(stamp_data) FROM cutout")},
        "rejects": set(one("SELECT id, source, reason, md5(bytes), rejected_at FROM reject")),
        # Every row of every table, whatever later migrations add.
        "tables": {t: one(f'SELECT count(*), md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM "{t}" t')[0]
                   for t in tables},
        "sequences": set(one("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")),
        "indexes": set(one("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")),
        "stamp storage": one("SELECT attstorage FROM pg_attribute WHERE attrelid = 'cutout'::regclass AND attname = 'stamp_data'"),
    }


def test_backup_then_restore_into_another_cluster_gives_back_every_row(
    repo_root, make_database, ingest, shared_dir, run_alertdb, tmp_path
):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.loaded == summary.read, summary.line
    garbage = tmp_path / "garbage.avro"
    garbage.write_bytes(b"not an alert" * 100)
    ingest(db.url, garbage)
    before = snapshot(db.conn)
    assert len(before["candid"]) == summary.loaded and len(before["rejects"]) == 1

    dump = tmp_path / "alertdb.dump"
    env = {**os.environ, "DATABASE_URL": db.url}
    backup = run(repo_root / "Deploy" / "backup", dump, env=env)
    assert dump.is_file() and "backup: wrote" in backup.stdout, backup.stdout

    cluster = shared_dir_for("postgres")
    local = repo_root / "Deploy" / "postgres-local"
    try:
        started = run(local, "start", cluster, timeout=120).stdout
        pg_env = dict(re.findall(r"(PG\w+)=(\S+)", started))
        # The second cluster is named by the PG* variables alone, as alertdb would find it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "DATABASE_URL"} | pg_env
        restore = run(repo_root / "Deploy" / "restore", "--jobs", "2", dump, env=env)
        assert "restore: extension q3c" in restore.stdout and "restore: done" in restore.stdout, restore.stdout

        url = f"postgresql://{pg_env['PGUSER']}@{pg_env['PGHOST']}:{pg_env['PGPORT']}/{pg_env['PGDATABASE']}"
        with psycopg.connect(url, autocommit=True) as restored:
            after = snapshot(restored)
            for key in before:
                assert after[key] == before[key], f"{key} differs after the restore"
            assert before["stamp storage"] == [("e",)]
            # Restored with statistics, so the planner has them at once.
            assert restored.execute("SELECT reltuples FROM pg_class WHERE relname = 'candidate'").fetchone()[0] > 0

        migrate = run_alertdb("migrate", "--database", url)
        assert migrate.returncode == 0 and b"database is up to date" in migrate.stdout, migrate.stdout + migrate.stderr

        again = run(repo_root / "Deploy" / "restore", dump, env=env, check=False)
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        run(local, "stop", cluster, check=False)
        shutil.rmtree(cluster, ignore_errors=True)


# --------------------------------------------------------------------------- spool ingest


def spool_env(alertdb_bin, url: str, settle: int = 0) -> dict:
    return {**os.environ, "ALERTDB_BIN": str(alertdb_bin), "DATABASE_URL": url, "ALERTDB_SPOOL_SETTLE": str(settle)}


def test_ingest_spool_loads_archives_and_packets_and_sets_aside_the_rest(
    repo_root, make_database, shared_dir, alertdb_bin, tmp_path
):
    db = make_database()
    spool = tmp_path / "incoming"
    spool.mkdir()
    packets = sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro"))
    for packet in packets[:2]:
        shutil.copy(packet, spool)
    # A night's archive, as ZTF publishes them.
    with tarfile.open(spool / "ztf_public_20190110.tar.gz", "w:gz") as archive:
        for packet in packets[2:5]:
            archive.add(packet, arcname=packet.name)
    (spool / "garbage.avro").write_bytes(b"\x00garbage" * 50)
    (spool / "half.avro.part").write_bytes(packets[5].read_bytes()[:100])  # still being written
    old = time.time() - 60
    for path in spool.iterdir():
        os.utime(path, (old, old))
    # Written just now: waited for (2 s), then loaded in the same run.
    shutil.copy(packets[6], spool)

    proc = run(repo_root / "Deploy" / "ingest-spool", spool, env=spool_env(alertdb_bin, db.url, settle=2))
    loaded = {p.name for p in packets[:2] + [packets[6]]} | {"ztf_public_20190110.tar.gz"}
    assert {p.name for p in (spool / "done").iterdir()} == loaded, proc.stdout
    assert [p.name for p in (spool / "rejected").iterdir()] == ["garbage.avro"]
    assert sorted(p.name for p in spool.iterdir() if p.is_file()) == ["half.avro.part"]
    assert db.count("candidate") == 6
    sources = [row[0] for row in db.conn.execute("SELECT source FROM reject").fetchall()]
    assert sources == [str(spool / "garbage.avro")]
    assert "garbage.avro" in proc.stdout and "-> rejected/" in proc.stdout

    # Nothing left to do: a second run does nothing and succeeds.
    again = run(repo_root / "Deploy" / "ingest-spool", spool, env=spool_env(alertdb_bin, db.url))
    assert again.stdout == "" and db.count("candidate") == 6


def test_ingest_spool_keeps_files_while_the_database_is_unreachable(repo_root, shared_dir, alertdb_bin, tmp_path):
    spool = tmp_path / "incoming"
    spool.mkdir()
    packet = sorted((shared_dir / "alerts" / "ztf-v3").glob("*.avro"))[0]
    shutil.copy(packet, spool)
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/alertdb?connect_timeout=2"
    proc = run(repo_root / "Deploy" / "ingest-spool", spool, env=spool_env(alertdb_bin, down), check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (spool / packet.name).exists()
    assert not any((spool / "done").iterdir()) and not any((spool / "rejected").iterdir())
    assert "left in the spool" in proc.stderr
