"""The Rubin half of Bench/query: a million synthetic Rubin alerts, and the requests measured on them.

The 100 shared packets of schema 9.0 (../shared/rubin/alerts-9.0) are loaded with `alertdb
ingest`, then SQL multiplies them, set-based, into --alerts synthetic alerts:
  - diaObjects of 1 to 6 sources each, at positions uniform on the sky south of dec +30
    (Rubin's), their sources spread over 30 nights (two nights apart) and inserted in time
    order, as a live stream would be: diaSourceIds grow with midpointMjdTai, and an object's
    diaObjectId is the diaSourceId of its first source, as Rubin numbers them;
  - every diaSource column copied from one of the real sources, numbers perturbed by +-20 %;
    band spread over u g r i z y, psfFlux around magnitude 22 (sd 1) per object, 8 % negative
    (a fading source), snr from it, reliability spread over 0..1 (one in five >= 0.9);
  - history per object: 2 to 6 earlier detections (prv_dia_source) and 2 to 6 forced
    measurements (prv_dia_forced_source) before its first source, and each source's own
    earlier sources in prv_dia_source, as later packets repeat them; each source lists them
    (prvDiaSourceIds, prvDiaForcedSourceKeys) as its packet would;
  - dia_object: each object's per-band figures (mean, error, sigma, count, min, max) and
    first/last times computed from its detections, its latest source named;
  - the real stamps of one source copied to every 100th source (all of them would be about 60 GB).
Indexes other than the unique ones are dropped for the bulk insert and built after it.
"""
import os, sys, time

from common import ROOT, server_url, sh

DB = "bench_query_rubin"
PACKETS = os.path.join(ROOT, "..", "shared", "rubin", "alerts-9.0")
BASE_MJD = 60930.0                   # 2025-09-11, a week after the shared packets' night
SOURCE_ID = 170_000_000_000_000_000  # + the source's rank in time: above the real ids
HISTORY_ID = 160_000_000_000_000_000
FORCED_ID = 165_000_000_000_000_000
STAMP_EVERY = 100
BANDS = "ugrizy"
NOISE = "(random() + random() + random() - 1.5)"  # roughly normal, sd 0.5
TABLES = ["dia_source", "prv_dia_source", "prv_dia_forced_source", "dia_object", "dia_source_cutout", "dia_source_key"]
# The tables partitioned by month of midpointMjdTai (Migrations/0013).
PARTITIONED = ["dia_source", "prv_dia_source", "prv_dia_forced_source", "dia_source_cutout"]


def visit(mjd):
    """A visit number from a time: one every 43 s, so that an object's measurements, at least
    hours apart, never share one (prv_dia_forced_source is unique per object and visit)."""
    return f"(2025000000000 + floor(({mjd} - 60000) * 2000))::bigint"


def flux(mag):
    """nJy for an AB magnitude (31.4 - 2.5 log10 flux)."""
    return f"power(10, (31.4 - ({mag})) / 2.5)"


def band():
    """A random band, weighted as Rubin's cadence spreads its visits (r and i most)."""
    return "(ARRAY['u','g','g','r','r','r','i','i','i','z','z','y'])[1 + floor(12 * random())::int]"


def columns(db, table):
    return db.sql(f"""SELECT attname || ' ' || format_type(atttypid, NULL) FROM pg_attribute
                      WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped
                      ORDER BY attnum""").splitlines()


def select_list(db, table, overrides, template="t", skip=()):
    """(quoted names, expressions) for every column of `table`: an override, or the template
    row's value (numbers perturbed by +-20 %; positions of the fits follow the source's)."""
    names, expressions = [], []
    for line in columns(db, table):
        name, type_ = line.split(" ", 1)
        if name in skip:
            continue
        if name in overrides:
            expression = overrides[name]
        elif name.endswith("Ra") and type_ == "double precision" and "ra" in overrides:
            expression = f'CASE WHEN {template}."{name}" IS NOT NULL THEN {overrides["ra"]} END'
        elif name.endswith("Dec") and type_ == "double precision" and "dec" in overrides:
            expression = f'CASE WHEN {template}."{name}" IS NOT NULL THEN {overrides["dec"]} END'
        elif type_ in ("real", "double precision"):
            expression = f'{template}."{name}" * (0.8 + 0.4 * random())'
        else:
            expression = f'{template}."{name}"'
        names.append(f'"{name}"')
        expressions.append(expression)
    return ", ".join(names), ", ".join(expressions)


def build(db, alertdb, alerts, cluster):
    started = time.monotonic()

    def step(what):
        print(f"  {time.monotonic() - started:6.1f} s  {what}", file=sys.stderr)

    def sql(*statements):
        return db.sql("SET work_mem = '256MB'", *statements)

    print(f"building {alerts:,} Rubin alerts in {db.name} (kept in {cluster}) ...", file=sys.stderr)
    db.sql(f"DROP DATABASE IF EXISTS {db.name}", database="postgres")
    db.sql(f"CREATE DATABASE {db.name}", database="postgres")
    url = server_url(db.env, db.name)
    sh(alertdb, "migrate", "--database", url)
    sh(alertdb, "ingest", "--database", url, PACKETS)
    step(f"migrated, {db.sql('SELECT count(*) FROM dia_source')} real packets loaded")
    # Secondary indexes (those of any later migration too) go for the bulk insert; the unique
    # ones stay, as the keys the stamps' foreign key and the forced photometry need.
    indexes = db.sql(f"""SELECT indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) FROM pg_index
                         WHERE indrelid = ANY(ARRAY{TABLES}::regclass[]) AND NOT indisunique""").splitlines()
    db.sql(*(f"DROP INDEX {line.split(' ', 1)[0]}" for line in indexes))
    sql("""CREATE UNLOGGED TABLE bench_template AS
           SELECT row_number() OVER (ORDER BY "diaSourceId") - 1 AS k, * FROM dia_source""")
    templates = int(db.sql("SELECT count(*) FROM bench_template"))
    stamped = db.sql("""SELECT "diaSourceId" FROM dia_source_cutout GROUP BY 1 HAVING count(*) = 3
                        ORDER BY 1 LIMIT 1""")

    # Objects: 1..6 sources (3.5 on average), a position, a brightness, a first night, how
    # many earlier detections and forced measurements.
    objects = alerts * 2 // 7 + 1000
    sql(f"""CREATE UNLOGGED TABLE bench_object AS
            SELECT o, n, sum(n) OVER (ORDER BY o) - n AS first, ra, dec, mag, night,
                   2 + o % 5 AS history, 2 + (o / 5) % 5 AS forced
            FROM (SELECT o, 1 + floor(6 * random())::int AS n, 360 * random() AS ra,
                         degrees(asin(-1 + 1.5 * random())) AS dec, 22 + 2 * {NOISE} AS mag,
                         floor(30 * random())::int AS night
                  FROM generate_series(0, {objects - 1}) o) s""")
    db.sql(f"DELETE FROM bench_object WHERE first >= {alerts}")
    step(f"{db.sql('SELECT count(*) FROM bench_object')} objects")

    # The sources, narrow, in time order: a night's visits in its 10 dark hours (UTC 0-10 h in
    # Chile), the object's next source two nights later (the last nights pile up at night 29).
    sql(f"""CREATE UNLOGGED TABLE bench_alert AS
            WITH a AS (
                SELECT o.o, i, (o.o + i) % {templates} AS k,
                       o.ra + {NOISE} / 3600 * 0.1 / greatest(cos(radians(o.dec)), 0.01) AS ra,
                       o.dec + {NOISE} / 3600 * 0.1 AS dec,
                       {BASE_MJD} + least(o.night + 2 * i, 29) + 0.42 * random() AS mjd,
                       {band()} AS band,
                       (CASE WHEN random() < 0.08 THEN -1 ELSE 1 END * {flux(f"o.mag + 0.5 * {NOISE}")})::real AS flux,
                       (600 * (0.8 + 0.4 * random()))::real AS err,
                       power(random(), 0.5)::real AS reliability,
                       floor(189 * random())::int AS detector
                FROM bench_object o CROSS JOIN LATERAL generate_series(0, o.n - 1) i
                WHERE o.first + i < {alerts}
            ), ranked AS (SELECT *, row_number() OVER (ORDER BY mjd) AS n FROM a)
            SELECT *, {SOURCE_ID} + n AS source_id,
                   {SOURCE_ID} + min(n) OVER (PARTITION BY o) AS object_id,
                   row_number() OVER (PARTITION BY o ORDER BY n) AS seq,
                   count(*) OVER (PARTITION BY o) AS sources,
                   coalesce(array_agg({SOURCE_ID} + n) OVER (PARTITION BY o ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING
                                                              AND 1 PRECEDING), '{{}}') AS earlier
            FROM ranked ORDER BY n""")
    sql("""CREATE UNLOGGED TABLE bench_object_id AS SELECT o, min(object_id) AS object_id FROM bench_alert GROUP BY o""")
    # The month partitions of every night from the earliest history (objects' first nights
    # less up to 12 nights of history) to the last night, as the loader makes them.
    db.sql(f"""SELECT ensure_partitions(t, ARRAY(SELECT d::double precision FROM generate_series({BASE_MJD - 15}, {BASE_MJD + 31}) d))
               FROM unnest(ARRAY{PARTITIONED}) t""")
    step("sources laid out")

    # Earlier detections and forced measurements: the nights before the object's first source.
    sql(f"""CREATE UNLOGGED TABLE bench_history AS
            SELECT o.o, i.object_id, j, {HISTORY_ID} + 8 * o.o + j AS source_id, (7 * o.o + j) % {templates} AS k,
                   {BASE_MJD} + o.night - 1 - 2 * j - 0.42 * random() AS mjd, {band()} AS band,
                   {flux(f"o.mag + 0.3 + 0.5 * {NOISE}")}::real AS flux, (600 * (0.8 + 0.4 * random()))::real AS err,
                   o.ra, o.dec
            FROM bench_object o JOIN bench_object_id i USING (o) CROSS JOIN LATERAL generate_series(0, o.history - 1) j""")
    sql(f"""INSERT INTO prv_dia_forced_source ("diaForcedSourceId", "diaObjectId", visit, detector, "midpointMjdTai", band,
                                               "psfFlux", "psfFluxErr", "scienceFlux", "scienceFluxErr", ra, dec, "timeProcessedMjdTai")
            SELECT {FORCED_ID} + 8 * o + j, object_id, {visit("mjd")}, floor(189 * random())::int, mjd, band,
                   flux, err, flux * (1 + 0.1 * random()), err, ra, dec, mjd + 0.002
            FROM (SELECT o.o, i.object_id, j, {BASE_MJD} + o.night - 1.5 - 2 * j - 0.42 * random() AS mjd, {band()} AS band,
                         {flux(f"o.mag + 1 + {NOISE}")}::real * (CASE WHEN random() < 0.3 THEN -1 ELSE 1 END) AS flux,
                         (600 * (0.8 + 0.4 * random()))::real AS err, o.ra, o.dec
                  FROM bench_object o JOIN bench_object_id i USING (o)
                  CROSS JOIN LATERAL generate_series(0, o.forced - 1) j) f""")
    sql("""CREATE UNLOGGED TABLE bench_keys AS
           SELECT "diaObjectId" AS object_id, array_agg(ARRAY["diaObjectId", visit] ORDER BY visit) AS keys
           FROM prv_dia_forced_source GROUP BY 1""")
    db.sql(*(f"ANALYZE {table}" for table in ["bench_template", "bench_object", "bench_alert", "bench_object_id",
                                              "bench_history", "bench_keys"]))
    step("forced photometry inserted")

    names, values = select_list(db, "dia_source", {
        "diaSourceId": "a.source_id", "diaObjectId": "a.object_id", "midpointMjdTai": "a.mjd",
        "ra": "a.ra", "dec": "a.dec", "band": "a.band", "psfFlux": "a.flux", "psfFluxErr": "a.err",
        "snr": "abs(a.flux) / a.err", "reliability": "a.reliability", "isNegative": "a.flux < 0",
        "scienceFlux": "a.flux + abs(t.\"templateFlux\") * (0.8 + 0.4 * random())", "scienceFluxErr": "a.err * 1.02",
        "visit": visit("a.mjd"), "detector": "a.detector", "timeProcessedMjdTai": "a.mjd + 0.002",
        "diaObject": """t."diaObject" || jsonb_build_object('diaObjectId', a.object_id, 'ra', a.ra, 'dec', a.dec,
                                                           'nDiaSources', h.history + a.seq, 'validityStartMjdTai', a.mjd + 0.002)""",
        "prvDiaSourceIds": f"ARRAY(SELECT {HISTORY_ID} + 8 * a.o + j FROM generate_series(h.history - 1, 0, -1) j) || a.earlier",
        "prvDiaForcedSourceKeys": "f.keys",
    }, skip={"ingested_at"})
    sql(f"""INSERT INTO dia_source ({names})
            SELECT {values} FROM bench_alert a JOIN bench_template t ON t.k = a.k
            JOIN bench_object h ON h.o = a.o JOIN bench_keys f ON f.object_id = a.object_id ORDER BY a.n""")
    step("dia_source rows inserted")

    names, values = select_list(db, "prv_dia_source", {
        "diaSourceId": "h.source_id", "diaObjectId": "h.object_id", "midpointMjdTai": "h.mjd",
        "ra": "h.ra", "dec": "h.dec", "band": "h.band", "psfFlux": "h.flux", "psfFluxErr": "h.err",
        "snr": "abs(h.flux) / h.err", "reliability": "power(random(), 0.5)", "isNegative": "h.flux < 0",
        "visit": visit("h.mjd"), "timeProcessedMjdTai": "h.mjd + 0.002", "extra": "NULL",
    })
    sql(f"""INSERT INTO prv_dia_source ({names})
            SELECT {values} FROM bench_history h JOIN bench_template t ON t.k = h.k""")
    # A later packet repeats its object's earlier sources in its history.
    names = ", ".join(f'"{line.split(" ", 1)[0]}"' for line in columns(db, "prv_dia_source") if not line.startswith("extra "))
    sql(f"""INSERT INTO prv_dia_source ({names})
            SELECT {", ".join("d." + name for name in names.split(", "))}
            FROM bench_alert a JOIN dia_source d ON d."diaSourceId" = a.source_id WHERE a.seq < a.sources""")
    step("prv_dia_source rows inserted")

    # Each object's figures, from its detections (its sources and earlier detections).
    figures = {
        "diaObjectId": "s.object_id", "ra": "avg(s.ra)", "dec": "avg(s.dec)", "raErr": "0.00005", "decErr": "0.00005",
        "validityStartMjdTai": "max(s.mjd) + 0.002", "nDiaSources": "count(*)",
        "firstDiaSourceMjdTai": "min(s.mjd)", "lastDiaSourceMjdTai": "max(s.mjd)",
        "latestDiaSourceId": "max(s.source_id) FILTER (WHERE s.alert)",
        "latestMidpointMjdTai": "max(s.mjd) FILTER (WHERE s.alert)",
    }
    for b in BANDS:
        where = f"FILTER (WHERE s.band = '{b}')"
        figures.update({
            f"{b}_psfFluxMean": f"avg(s.flux) {where}", f"{b}_psfFluxMeanErr": f"avg(s.err) {where} / sqrt(count(*) {where})",
            f"{b}_psfFluxSigma": f"stddev_samp(s.flux) {where}", f"{b}_psfFluxNdata": f"nullif(count(*) {where}, 0)",
            f"{b}_psfFluxMin": f"min(s.flux) {where}", f"{b}_psfFluxMax": f"max(s.flux) {where}",
            f"{b}_psfFluxErrMean": f"avg(s.err) {where}",
            f"{b}_scienceFluxMean": f"avg(s.flux) {where}", f"{b}_scienceFluxMeanErr": f"avg(s.err) {where} / sqrt(count(*) {where})",
        })
    sql(f"""INSERT INTO dia_object ({", ".join(f'"{name}"' for name in figures)})
            SELECT {", ".join(figures.values())}
            FROM (SELECT object_id, source_id, mjd, band, flux, err, ra, dec, true AS alert FROM bench_alert
                  UNION ALL SELECT object_id, source_id, mjd, band, flux, err, ra, dec, false FROM bench_history) s
            GROUP BY s.object_id""")
    step("dia_object rows inserted")

    sql("""INSERT INTO dia_source_key ("diaSourceId", "midpointMjdTai") SELECT source_id, mjd FROM bench_alert""")
    sql(f"""INSERT INTO dia_source_cutout ("diaSourceId", kind, stamp_data, "midpointMjdTai")
            SELECT a.source_id, c.kind, c.stamp_data, a.mjd FROM bench_alert a CROSS JOIN dia_source_cutout c
            WHERE a.n % {STAMP_EVERY} = 0 AND c."diaSourceId" = {stamped}""")
    db.sql("UPDATE alert_count SET rubin_stored = (SELECT count(*) FROM dia_source), rubin_last_stored_at = now()")
    step("stamps copied")
    db.sql("DROP TABLE bench_template, bench_object, bench_alert, bench_object_id, bench_history, bench_keys")
    # A partitioned table's index is written `ON ONLY parent`, which would build it on no partition.
    db.sql("SET maintenance_work_mem = '1GB'", *(line.split(" ", 1)[1].replace(" ON ONLY ", " ON ") for line in indexes))
    step("indexes built")
    db.sql(*(f"VACUUM ANALYZE {table}" for table in TABLES))
    db.sql(f"CREATE TABLE bench_built AS SELECT {alerts} AS rows, {time.monotonic() - started:.0f} AS seconds")
    step("analysed: done")


def tree_size(table, measure="pg_total_relation_size"):
    """The size of a table and, when it is partitioned, of all its partitions."""
    return f"pg_size_pretty(coalesce((SELECT sum({measure}(relid)) FROM pg_partition_tree('{table}')), {measure}('{table}')))"


SIZE = ("SELECT format('%s Rubin alerts (built in %s s): dia_source %s + indexes %s, prv_dia_source %s, "
        "prv_dia_forced_source %s, dia_object %s, dia_source_cutout %s, dia_source_key %s; database %s', "
        "(SELECT count(*) FROM dia_source), (SELECT seconds FROM bench_built), "
        f"{tree_size('dia_source', 'pg_table_size')}, {tree_size('dia_source', 'pg_indexes_size')}, "
        + ", ".join(tree_size(t) for t in TABLES[1:])
        + ", pg_size_pretty(pg_database_size(current_database())))")


def targets(db, base):
    """(label, url, p99 goal in ms) for each measured request."""
    # The newest source with stamps, of an object with at least three sources.
    source = db.sql("""SELECT d."diaSourceId" FROM dia_source_cutout c JOIN dia_source d USING ("diaSourceId")
                       WHERE c.kind = 'Difference'
                         AND (SELECT count(*) FROM dia_source o WHERE o."diaObjectId" = d."diaObjectId") >= 3
                       ORDER BY d."diaSourceId" DESC LIMIT 1""")
    obj = db.sql(f'SELECT "diaObjectId" FROM dia_source WHERE "diaSourceId" = {source}')
    print(f"<source>: diaSourceId {source}, <object>: diaObjectId {obj}")
    return [
        ("/rubin/", f"{base}/rubin/?format=json", 50),
        ("/rubin/, HTML", f"{base}/rubin/", 50),
        ("/rubin/?reliability__gte=0.9&band=r", f"{base}/rubin/?format=json&reliability__gte=0.9&band=r", 50),
        ("/rubin/?cone=150,-30,0.5", f"{base}/rubin/?format=json&cone=150,-30,0.5", 50),
        ("/rubin/objects/", f"{base}/rubin/objects/?format=json", 50),
        ("/rubin/objects/<object>/", f"{base}/rubin/objects/{obj}/?format=json", 50),
        ("/rubin/objects/<object>/, HTML", f"{base}/rubin/objects/{obj}/", 50),
        ("/rubin/<source>/", f"{base}/rubin/{source}/?format=json", 50),
        ("/rubin/<source>/, HTML", f"{base}/rubin/{source}/", 50),
        ("/rubin/<source>/cutout/Difference/ PNG", f"{base}/rubin/{source}/cutout/Difference/?format=png", 50),
    ]
