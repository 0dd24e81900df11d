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
-- (an object seen at 359.9999 and 0.0001 is at 0, not 180). The sums are taken in numeric,
-- exactly, so that they do not depend on the order the rows are read in: a recomputation over
-- the same rows gives the same bits, which is what lets the tests ask for equality.
CREATE FUNCTION object_figures(ids text[]) RETURNS SETOF object
LANGUAGE sql STABLE AS $$
    WITH alert AS MATERIALIZED (
        SELECT "objectId", id, candid, jd, fid, magpsf, ra, dec
        FROM candidate WHERE "objectId" = ANY(ids)
    ),
    detection AS (
        SELECT "objectId", id, candid, jd, fid, magpsf, ra, dec FROM alert
        UNION ALL
        (SELECT DISTINCT ON (p."objectId", p.candid) p."objectId", NULL::bigint, p.candid, p.jd, p.fid, p.magpsf, p.ra, p.dec
         FROM prv_candidate p
         WHERE p."objectId" = ANY(ids) AND p.candid IS NOT NULL
           AND NOT EXISTS (SELECT FROM alert a WHERE a."objectId" = p."objectId" AND a.candid = p.candid)
         ORDER BY p."objectId", p.candid, p.pid)
    ),
    measured AS (
        -- NaN as NULL, so that no aggregate sees it (PostgreSQL sorts NaN above every number).
        SELECT "objectId", id, candid, fid,
               NULLIF(jd, 'NaN') AS jd,
               NULLIF(magpsf, 'NaN') AS magpsf,
               CASE WHEN ra <> 'NaN' AND dec <> 'NaN' THEN cosd(dec) * cosd(ra) END AS x,
               CASE WHEN ra <> 'NaN' AND dec <> 'NaN' THEN cosd(dec) * sind(ra) END AS y,
               CASE WHEN ra <> 'NaN' AND dec <> 'NaN' THEN sind(dec) END AS z
        FROM detection
    ),
    figures AS (
        SELECT "objectId",
               count(id)::integer AS nalerts,
               count(*)::integer AS ndet,
               min(jd) AS firstjd,
               max(jd) AS lastjd,
               sum(x::numeric) AS x, sum(y::numeric) AS y, sum(z::numeric) AS z,
               min(magpsf) FILTER (WHERE fid = 1) AS brightest_g,
               (array_agg(magpsf ORDER BY jd DESC, candid DESC) FILTER (WHERE fid = 1 AND magpsf IS NOT NULL AND jd IS NOT NULL))[1] AS lastmag_g,
               max(jd) FILTER (WHERE fid = 1 AND magpsf IS NOT NULL) AS lastjd_g,
               min(magpsf) FILTER (WHERE fid = 2) AS brightest_r,
               (array_agg(magpsf ORDER BY jd DESC, candid DESC) FILTER (WHERE fid = 2 AND magpsf IS NOT NULL AND jd IS NOT NULL))[1] AS lastmag_r,
               max(jd) FILTER (WHERE fid = 2 AND magpsf IS NOT NULL) AS lastjd_r,
               min(magpsf) FILTER (WHERE fid = 3) AS brightest_i,
               (array_agg(magpsf ORDER BY jd DESC, candid DESC) FILTER (WHERE fid = 3 AND magpsf IS NOT NULL AND jd IS NOT NULL))[1] AS lastmag_i,
               max(jd) FILTER (WHERE fid = 3 AND magpsf IS NOT NULL) AS lastjd_i,
               (array_agg(id ORDER BY jd DESC NULLS LAST, id DESC) FILTER (WHERE id IS NOT NULL))[1] AS latest_id
        FROM measured
        GROUP BY "objectId"
    ),
    placed AS (
        SELECT f.*, atan2d(f.y::double precision, f.x::double precision) AS longitude FROM figures f
    )
    SELECT "objectId", nalerts, ndet, firstjd, lastjd,
           -- atan2d gives (-180, 180]; ra is [0, 360), with -0 as 0 and -1e-15 + 360, which
           -- rounds to 360, as 0.
           CASE WHEN longitude >= 0 THEN longitude + 0 WHEN longitude + 360 < 360 THEN longitude + 360 ELSE 0 END,
           atan2d(z::double precision, sqrt(x::double precision ^ 2 + y::double precision ^ 2)),
           brightest_g, lastmag_g, lastjd_g, brightest_r, lastmag_r, lastjd_r, brightest_i, lastmag_i, lastjd_i,
           latest_id
    FROM placed
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
-- `/objects/<objectId>/` and `/<objectId>/` find an object in any letter case.
CREATE INDEX object_lower_objectid_idx ON object (lower("objectId"));
