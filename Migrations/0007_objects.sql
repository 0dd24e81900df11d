-- Objects in science terms: one row per ZTF object with the figures an astronomer asks of it
-- first (how often and when it was seen, where, how bright), kept up to date by every load so
-- that `GET /objects/` lists and filters them like alerts, never computing them per request.
--
-- The figures are defined once, by object_figures() below: the loader recomputes the objects a
-- batch touches with it (Sources/Store/Objects/ObjectTable.swift), this migration fills the table
-- with it, and the tests compare the table with it, so the three cannot drift apart.
--
-- A detection is a stored alert or a history detection (a prv_candidate row with a candid),
-- each once: a history detection whose candid is one of the object's stored alerts is that
-- alert, and a candid repeated in the history counts once. Missing values count nowhere: NaN
-- and NULL (none of the columns read here, jd, fid, magpsf, ra and dec, has a -999 sentinel in
-- ZTFMissingValues) leave a detection out of the figure they would spoil, not out of ndet.

CREATE TABLE object (
    "objectId"   text PRIMARY KEY,
    nalerts      integer NOT NULL DEFAULT 0,   -- stored alerts
    ndet         integer NOT NULL DEFAULT 0,   -- distinct detections: alerts and history detections
    firstjd      double precision,             -- first and last detection
    lastjd       double precision,
    ra           double precision,             -- mean position of the detections [deg]
    dec          double precision,
    brightest_g  real,                         -- per filter: the smallest magpsf,
    lastmag_g    real,                         -- the magpsf of the latest detection with one,
    lastjd_g     double precision,             -- and that detection's jd
    brightest_r  real,
    lastmag_r    real,
    lastjd_r     double precision,
    brightest_i  real,
    lastmag_i    real,
    lastjd_i     double precision,
    latest_id    bigint                        -- candidate.id of the latest alert (by jd, then id)
);

-- The figures of the objects named in `ids`, from what candidate and prv_candidate hold now
-- (a row per object with at least one stored alert), in the column order of `object`.
--
-- The mean position is the direction of the summed unit vectors, which is right across ra = 0
-- (an object seen at 359.9999 and 0.0001 is at 0, not 180). Each component is summed as an
-- integer (in units of 1e-15, far below any position's error), exactly, so that the sums do
-- not depend on the order the rows are read in: a recomputation over the same rows gives the
-- same bits, which is what lets the tests ask for equality.
--
-- "The latest" is the greatest (jd, candid), taken as the max of an array that holds them
-- first: one aggregate pass, where array_agg(... ORDER BY ...) sorts every object's rows once
-- per figure. The candid goes in two parts that a double holds exactly (its high bits, its 26
-- low bits), so that equal jds are told apart by the exact candid.
--
-- PL/pgSQL, so that a loader's session plans the query once and reuses the plan for every
-- batch (planning it, with the function inlined into the caller, cost 5 to 10 ms a batch).
CREATE FUNCTION object_figures(ids text[]) RETURNS SETOF object
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    WITH alert AS MATERIALIZED (
        SELECT c."objectId", c.id, c.candid, c.jd, c.fid, c.magpsf, c.ra, c.dec
        FROM candidate c WHERE c."objectId" = ANY(ids)
    ),
    detection AS (
        SELECT a."objectId", a.id, a.candid, a.jd, a.fid, a.magpsf, a.ra, a.dec FROM alert a
        UNION ALL
        (SELECT DISTINCT ON (p."objectId", p.candid) p."objectId", NULL::bigint, p.candid, p.jd, p.fid, p.magpsf, p.ra, p.dec
         FROM prv_candidate p
         WHERE p."objectId" = ANY(ids) AND p.candid IS NOT NULL
           AND NOT EXISTS (SELECT FROM alert a WHERE a."objectId" = p."objectId" AND a.candid = p.candid)
         ORDER BY p."objectId", p.candid, p.pid)
    ),
    measured AS (
        -- NaN as NULL, so that no aggregate sees it (PostgreSQL sorts NaN above every number).
        SELECT d."objectId", d.id, d.candid, d.fid,
               NULLIF(d.jd, 'NaN') AS jd,
               NULLIF(d.magpsf, 'NaN')::double precision AS magpsf,
               CASE WHEN d.ra <> 'NaN' AND d.dec <> 'NaN' THEN (cosd(d.dec) * cosd(d.ra) * 1e15)::bigint END AS x,
               CASE WHEN d.ra <> 'NaN' AND d.dec <> 'NaN' THEN (cosd(d.dec) * sind(d.ra) * 1e15)::bigint END AS y,
               CASE WHEN d.ra <> 'NaN' AND d.dec <> 'NaN' THEN (sind(d.dec) * 1e15)::bigint END AS z,
               ARRAY[(d.candid >> 26)::double precision, (d.candid & 67108863)::double precision] AS candid_parts
        FROM detection d
    ),
    figures AS (
        SELECT m."objectId",
               count(m.id)::integer AS nalerts,
               count(*)::integer AS ndet,
               min(m.jd) AS firstjd,
               max(m.jd) AS lastjd,
               sum(m.x) AS x, sum(m.y) AS y, sum(m.z) AS z,
               min(m.magpsf) FILTER (WHERE m.fid = 1) AS brightest_g,
               max(ARRAY[m.jd] || m.candid_parts || m.magpsf) FILTER (WHERE m.fid = 1 AND m.magpsf IS NOT NULL AND m.jd IS NOT NULL) AS last_g,
               min(m.magpsf) FILTER (WHERE m.fid = 2) AS brightest_r,
               max(ARRAY[m.jd] || m.candid_parts || m.magpsf) FILTER (WHERE m.fid = 2 AND m.magpsf IS NOT NULL AND m.jd IS NOT NULL) AS last_r,
               min(m.magpsf) FILTER (WHERE m.fid = 3) AS brightest_i,
               max(ARRAY[m.jd] || m.candid_parts || m.magpsf) FILTER (WHERE m.fid = 3 AND m.magpsf IS NOT NULL AND m.jd IS NOT NULL) AS last_i,
               -- The latest alert by (jd, id); an alert without a jd comes before any with one.
               max(ARRAY[coalesce(m.jd, '-Infinity'), m.id::double precision]) FILTER (WHERE m.id IS NOT NULL) AS latest
        FROM measured m
        GROUP BY m."objectId"
    ),
    placed AS (
        SELECT f.*, atan2d(f.y::double precision, f.x::double precision) AS longitude FROM figures f
    )
    SELECT p."objectId", p.nalerts, p.ndet, p.firstjd, p.lastjd,
           -- atan2d gives (-180, 180]; ra is [0, 360), with -0 as 0 and -1e-15 + 360, which
           -- rounds to 360, as 0.
           CASE WHEN p.longitude >= 0 THEN p.longitude + 0 WHEN p.longitude + 360 < 360 THEN p.longitude + 360 ELSE 0 END,
           atan2d(p.z::double precision, sqrt(p.x::double precision ^ 2 + p.y::double precision ^ 2)),
           p.brightest_g::real, p.last_g[4]::real, p.last_g[1],
           p.brightest_r::real, p.last_r[4]::real, p.last_r[1],
           p.brightest_i::real, p.last_i[4]::real, p.last_i[1],
           p.latest[2]::bigint
    FROM placed p;
END
$$;

-- Every object of the alerts stored so far: each alert and history row is read once.
INSERT INTO object SELECT * FROM object_figures(ARRAY(SELECT DISTINCT "objectId" FROM candidate));

-- What the objects listing filters and sorts by (Docs/indexes.md says why candidate has the
-- indexes it has; the same reasoning, on a table a fraction of its size). Each is an entry
-- rewritten at every load that touches the object, as the figures change on every update:
-- only the filters that can be rare and the default order have one.
-- Cones, through q3c.
CREATE INDEX object_q3c_idx ON object (q3c_ang2ipix(ra, dec));
-- The default order (last detection, newest first) and its keyset cursor, recent activity,
-- new objects, and objects seen often.
CREATE INDEX object_lastjd_idx ON object (lastjd, "objectId");
CREATE INDEX object_firstjd_idx ON object (firstjd, "objectId");
CREATE INDEX object_ndet_idx ON object (ndet, "objectId");
