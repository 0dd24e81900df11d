"""`alertdb retention` retires months of cutouts, history rows and alerts older than their
ages; the dry run changes nothing; a retired cutout is answered 410 with a JSON body that says
so, and the alert's page says the cutouts were retired instead of showing broken images; the
objects' figures follow what is left."""

from __future__ import annotations

import subprocess

import pytest

from http_client import get, get_json


@pytest.fixture
def archive(make_database, ingest, shared_dir):
    db = make_database()
    proc, summary = ingest(db.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.rejected == 0, summary.line
    return db


def retention(alertdb_bin, db, *args, env=None):
    import os
    proc = subprocess.run([str(alertdb_bin), "retention", "--database", db.url, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout + proc.stderr


def partitions(db, table):
    return {r[0] for r in db.conn.execute(
        "SELECT relid::regclass::text FROM pg_partition_tree(%s::regclass) WHERE isleaf", (table,)).fetchall()}


def figures_match(db):
    """The object table equals object_figures() over what is stored now."""
    return db.conn.execute(
        'SELECT count(*) FROM (SELECT * FROM object EXCEPT SELECT * FROM object_figures(ARRAY(SELECT "objectId" FROM object))) d'
    ).fetchone()[0] == 0 and db.conn.execute(
        'SELECT count(*) FROM (SELECT "objectId" FROM object) o').fetchone()[0] == db.conn.execute(
        'SELECT count(DISTINCT "objectId") FROM candidate').fetchone()[0]


def test_a_dry_run_lists_and_changes_nothing(archive, alertdb_bin):
    before = {t: archive.count(t) for t in ("candidate", "prv_candidate", "cutout")}
    status, out = retention(alertdb_bin, archive, "--cutouts", "1y", "--history", "5y", "--dry-run")
    assert status == 0, out
    assert "would drop cutout_2018_11 (cutout, 2018-11-01, 93 rows, older than 365 days)" in out
    assert "would drop prv_candidate_2017_12" in out
    assert "candidate_" not in out.replace("prv_candidate_", "")
    assert {t: archive.count(t) for t in before} == before
    assert archive.count("retired_partition") == 0


def test_bad_ages_are_refused(archive, alertdb_bin):
    status, out = retention(alertdb_bin, archive, "--cutouts", "1 fortnight")
    assert status != 0 and "ALERTDB_RETAIN_CUTOUTS must be never or a number" in out
    status, out = retention(alertdb_bin, archive, "--action", "shred")
    assert status != 0 and "ALERTDB_RETENTION_ACTION must be drop or detach" in out


def test_retired_cutouts_are_gone_and_said_so(archive, alertdb_bin, start_server, tmp_path):
    alerts, history = archive.count("candidate"), archive.count("prv_candidate")
    # The ages may come from the shared configuration file.
    conf = tmp_path / "alertdb.conf"
    conf.write_text("ALERTDB_RETAIN_CUTOUTS=1y\nALERTDB_RETENTION_ACTION=detach\n")
    status, out = retention(alertdb_bin, archive, "--config", conf)
    assert status == 0, out
    assert "detach cutout_2018_11 (cutout, 2018-11-01, 93 rows" in out
    assert archive.count("cutout") == 0
    assert archive.count("cutout_2018_11_retired") == 93   # detached: kept, out of the table
    assert (archive.count("candidate"), archive.count("prv_candidate")) == (alerts, history)
    assert "nothing to retire" in retention(alertdb_bin, archive, "--cutouts", "1y")[1]

    server = start_server(archive)
    alert = archive.conn.execute("SELECT id FROM candidate ORDER BY candid DESC LIMIT 1").fetchone()[0]
    gone = get(server.url, f"/{alert}/cutout/Science/")
    assert gone.status == 410 and gone.content_type == "application/json"
    assert gone.json() == {"error": f"the Science cutout of alert {alert} was retired after 365 days", "retired_after_days": 365}
    assert get(server.url, f"/{alert}/cutout/Science/", {"format": "png"}).status == 410
    page = get(server.url, f"/{alert}/")
    assert page.status == 200
    assert "retired after 365 days" in page.text and "<img" not in page.text.split("<h2>Cutouts</h2>")[1].split("<h2>")[0]
    assert get_json(server.url, f"/{alert}/")["cutouts"] == {}
    # An alert whose stamps were never retired still answers 404 for a kind it lacks.
    assert get(server.url, "/999999999/cutout/Science/").status == 404


def test_retired_history_and_alerts_leave_consistent_objects(archive, alertdb_bin, ingest, shared_dir):
    assert figures_match(archive)
    # An age that retires the months before June 2018 whatever today is: the alerts of 2017-12
    # and 2018-04, the history up to 2018-05, and the stamps of those alerts with them.
    days = archive.conn.execute(
        "SELECT floor(extract(epoch FROM now()) / 86400 + 2440587.5 - month_jd('2018-06-01'))::int").fetchone()[0]
    retired = archive.conn.execute("SELECT count(*) FROM candidate WHERE jd < month_jd('2018-06-01')").fetchone()[0]
    kept = archive.count("candidate") - retired
    assert retired > 1000 and kept > 10
    status, out = retention(alertdb_bin, archive, "--history", f"{days}d", "--alerts", f"{days}d")
    assert status == 0, out
    assert f"drop candidate_2017_12 (candidate, 2017-12-01, 1071 rows, older than {days} days)" in out
    assert "drop candidate_2018_04" in out and "drop prv_candidate_2017_12" in out
    assert "drop cutout_2017_12" in out   # stamps go with their alerts
    assert "candidate_2018_11" in partitions(archive, "candidate") and "candidate_2017_12" not in partitions(archive, "candidate")
    assert archive.count("candidate") == kept
    assert archive.conn.execute("SELECT stored FROM alert_count").fetchone()[0] == kept
    assert archive.count("candidate_key") == kept
    assert archive.conn.execute("SELECT count(*) FROM prv_candidate WHERE jd < month_jd('2018-06-01')").fetchone()[0] == 0
    assert figures_match(archive)
    # The retired alerts can be loaded again (their keys went with them), into months made anew.
    proc, summary = ingest(archive.url, shared_dir / "alerts" / "ztf-v3", shared_dir / "alerts" / "ztf-2017")
    assert proc.returncode == 0 and summary.loaded == retired and summary.duplicate == kept, summary.line
    assert "candidate_2017_12" in partitions(archive, "candidate")
    assert figures_match(archive)


def test_an_alert_whose_history_was_retired_is_exported_without_it(archive, alertdb_bin, start_server):
    import io
    import fastavro
    server = start_server(archive)
    alert = archive.conn.execute(
        "SELECT id FROM candidate WHERE jd >= month_jd('2018-11-01') AND jd < month_jd('2018-12-01') "
        "AND cardinality(prv_keys) > 0 ORDER BY candid LIMIT 1").fetchone()[0]

    def history():
        response = get(server.url, f"/{alert}/avro/")
        assert response.status == 200, response.text[:300]
        return next(fastavro.reader(io.BytesIO(response.body)))["prv_candidates"]

    before = history()
    days = archive.conn.execute(
        "SELECT floor(extract(epoch FROM now()) / 86400 + 2440587.5 - month_jd('2018-12-01'))::int").fetchone()[0]
    status, out = retention(alertdb_bin, archive, "--history", f"{days}d")
    assert status == 0 and "drop prv_candidate_2018_11" in out, out
    after = history()
    assert before and len(after) < len(before)
    assert after == [entry for entry in before if entry["jd"] >= 2458453.5]   # those of December on
    assert figures_match(archive)
