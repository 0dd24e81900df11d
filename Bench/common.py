"""What the benchmarks share: the release build, a PostgreSQL of their own, cached packets."""
import os, re, shutil, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args, env=None):
    """Runs a command from the repository root; returns its stdout, fails loudly."""
    return subprocess.run(args, check=True, cwd=ROOT, text=True, capture_output=True, env=env).stdout


def release_build():
    """Builds alertdb for release; returns the executable's path."""
    sh("swift", "build", "-c", "release")
    return os.path.join(sh("swift", "build", "-c", "release", "--show-bin-path").strip(), "alertdb")


# The settings of the deployed PostgreSQL (Deploy/postgresql/alertdb.conf) that shape plans and
# need no restart: a benchmark measures the plans production gets (no JIT, bitmaps that fit in
# work_mem, SSD page costs), not PostgreSQL's defaults.
PLANNER_SETTINGS = {"jit", "work_mem", "random_page_cost", "effective_cache_size", "effective_io_concurrency",
                    "maintenance_io_concurrency", "maintenance_work_mem"}


def start_cluster(directory):
    """Starts (initialising it the first time) a PostgreSQL in `directory`, with the deployed
    planner settings; returns an environment whose PG* variables and DATABASE_URL point at it,
    as `eval` of postgres-local's `unset` and `export` lines would make it."""
    settings = sh("Deploy/postgres-local", "start", directory)
    unset = {name for line in re.findall(r"^unset (.*)$", settings, re.M) for name in line.split()}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(re.findall(r"(\w+)=(\S+)", settings))
    deployed = open(os.path.join(ROOT, "Deploy", "postgresql", "alertdb.conf")).read()
    statements = [f"ALTER SYSTEM SET {name} = '{value}'"
                  for name, value in re.findall(r"^(\w+)\s*=\s*(\S+)", deployed, re.M) if name in PLANNER_SETTINGS]
    sh("psql", "-XqAt", "-v", "ON_ERROR_STOP=1", "-d", "postgres",
       *[arg for statement in statements + ["SELECT pg_reload_conf()"] for arg in ("-c", statement)], env=env)
    return env


def stop_cluster(directory):
    subprocess.run([os.path.join(ROOT, "Deploy", "postgres-local"), "stop", directory])


def server_url(env, database):
    return f"postgresql://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{database}"


def synthetic_packets(alertdb, count, survey="ztf", night_start_jd=None):
    """A folder of `count` synthetic packets of `survey` (ztf or rubin; `alertdb-bench synth`, kept
    in .local/bench), read once so that every run finds them in the page cache. ZTF's fall in
    one night, that of `night_start_jd` when given."""
    name = f"packets-{count}" if survey == "ztf" else f"{survey}-packets-{count}"
    night = [] if night_start_jd is None else ["--night-start-jd", str(night_start_jd)]
    if night:
        name += f"-night-{night_start_jd}"
    directory = os.path.join(ROOT, ".local", "bench", name)
    if not os.path.exists(os.path.join(directory, ".complete")):
        shutil.rmtree(directory, ignore_errors=True)
        sh(bench_tool(alertdb), "synth", "--survey", survey, *night, str(count), directory)
        open(os.path.join(directory, ".complete"), "w").close()
    for entry in os.scandir(directory):
        with open(entry.path, "rb") as packet:
            while packet.read(1 << 20):
                pass
    return directory


def bench_tool(alertdb):
    """`alertdb-bench` (synthetic packets, the raw-COPY ceiling), built beside `alertdb`."""
    return os.path.join(os.path.dirname(alertdb), "alertdb-bench")


def release_build_in(scratch):
    """Builds alertdb for release in its own build folder (`scratch`, relative to the
    repository root), so that it does not wait on other builds; returns the executable's path."""
    build = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch], cwd=ROOT, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if build.returncode != 0:
        raise SystemExit(f"swift build failed:\n{build.stdout[-4000:]}")
    return os.path.join(sh("swift", "build", "-c", "release", "--scratch-path", scratch, "--show-bin-path").strip(), "alertdb")


def galactic_matrix():
    """The ICRS -> galactic rotation of Sources/Model/Sky/Galactic.swift (astropy's chain),
    as 3 x 3 nested lists, for computing l and b in SQL."""
    import math

    def rotation(degrees, axis):
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        return [[[1, 0, 0], [0, c, s], [0, -s, c]], [[c, 0, -s], [0, 1, 0], [s, 0, c]], [[c, s, 0], [-s, c, 0], [0, 0, 1]]][axis]

    def multiply(a, b):
        return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]

    bias = multiply(multiply(rotation(19.9 / 3_600_000, 0), rotation(9.1 / 3_600_000, 1)), rotation(-22.9 / 3_600_000, 2))
    to_galactic = multiply(multiply(rotation(180 - 122.9319185680026, 2), rotation(90 - 27.12825118085622, 1)),
                           rotation(192.8594812065348, 2))
    return multiply(to_galactic, bias)


def process_cpu(pid, children=False):
    """CPU seconds of process `pid` (with `children`: also of its children that have exited)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def cluster_cpu(cluster):
    """CPU seconds of a PostgreSQL cluster: the postmaster, its live backends and those that have exited."""
    postmaster = int(open(os.path.join(cluster, "data", "postmaster.pid")).readline())
    total = process_cpu(postmaster, children=True)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = open(f"/proc/{entry.name}/stat").read()
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += process_cpu(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
    return total
