"""`alertdb ingest` when things go wrong around it: several loaders on the same packets at
once (how ingest scales), and a database restart in the middle of a run."""

from __future__ import annotations

import random
import subprocess
import time

import pytest

from conftest import parse_summary


@pytest.fixture(scope="module")
def packets(shared_dir):
    return sorted((shared_dir / "alerts" / "ztf-2017").glob("*.avro"))


def ordered_folder(paths, folder):
    """A folder of links to `paths`, named so that ingest reads them in the order given."""
    folder.mkdir()
    for number, path in enumerate(paths):
        (folder / f"{number:05d}.avro").symlink_to(path)
    return folder


def test_three_loaders_on_the_same_packets_all_finish_cleanly(make_database, ingest, alertdb_bin, repo_root, packets,
                                                              tmp_path):
    shuffled = list(packets)
    random.Random(7).shuffle(shuffled)
    folders = [ordered_folder(order, tmp_path / name) for name, order in
               [("forward", packets), ("backward", packets[::-1]), ("shuffled", shuffled)]]
    reference = make_database()
    ingest(reference.url, *packets)
    expected = {table: reference.count(table) for table in ("candidate", "prv_candidate", "cutout")}

    for round in range(3):
        db = make_database()
        loaders = [subprocess.Popen([alertdb_bin, "ingest", "--database", db.url, "--batch-size", "25", folder],
                                    cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for folder in folders]
        outputs = [loader.communicate(timeout=600) for loader in loaders]
        for loader, (out, err) in zip(loaders, outputs):
            assert loader.returncode == 0, f"round {round}: {err}"
            summary = parse_summary(out)
            assert summary.read == len(packets) and summary.loaded + summary.duplicate == len(packets), summary.line
        assert sum(parse_summary(out).loaded for out, _ in outputs) == len(packets)
        assert {table: db.count(table) for table in expected} == expected, f"round {round}"


def test_a_restart_of_the_database_ends_ingest_with_what_it_stored(own_cluster, alertdb_bin, repo_root, packets):
    loader = subprocess.Popen([alertdb_bin, "ingest", "--database", own_cluster.url, "--batch-size", "1", *packets],
                              cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with own_cluster.connect() as conn:
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM candidate").fetchone()[0] < 20:
            assert time.monotonic() < deadline and loader.poll() is None, "ingest did not start storing"
            time.sleep(0.02)
    own_cluster.stop()
    own_cluster.start()
    out, err = loader.communicate(timeout=120)
    assert loader.returncode == 1, (out, err)
    summary = parse_summary(out)
    with own_cluster.connect() as conn:
        stored = conn.execute("SELECT count(*) FROM candidate").fetchone()[0]
    assert 0 < summary.loaded == stored < len(packets), (summary.line, stored)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alertdb: stopped: the database went away"), err
    assert "probably means" not in err
