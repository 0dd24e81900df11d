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


def start_cluster(directory):
    """Starts (initialising it the first time) a PostgreSQL in `directory`; returns an
    environment whose PG* variables point at it."""
    env = dict(os.environ)
    for key, value in re.findall(r"(\w+)=(\S+)", sh("Deploy/postgres-local", "start", directory)):
        env[key] = value
    return env


def stop_cluster(directory):
    subprocess.run([os.path.join(ROOT, "Deploy", "postgres-local"), "stop", directory])


def server_url(env, database):
    return f"postgresql://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{database}"


def synthetic_packets(alertdb, count):
    """A folder of `count` synthetic packets (`alertdb synth`, kept in .local/bench), read once
    so that every run finds them in the page cache."""
    directory = os.path.join(ROOT, ".local", "bench", f"packets-{count}")
    if not os.path.exists(os.path.join(directory, ".complete")):
        shutil.rmtree(directory, ignore_errors=True)
        sh(alertdb, "synth", str(count), directory)
        open(os.path.join(directory, ".complete"), "w").close()
    for entry in os.scandir(directory):
        with open(entry.path, "rb") as packet:
            while packet.read(1 << 20):
                pass
    return directory
