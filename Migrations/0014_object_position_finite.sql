-- A detection at an infinite ra or dec counts nowhere in its object's mean position, as one at
-- NaN did: cosd() and sind() refuse an infinity ("input is out of range"), so a packet holding
-- one failed its whole batch, and ingest stopped at that batch on every run. Otherwise the
-- function is 0007's.

CREATE OR REPLACE FUNCTION object_figures(ids text[]) RETURNS SETOF object
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
        -- A position counts only when finite: cosd and sind refuse an infinity, and NaN
        -- compares above 'Infinity'.
        SELECT d."objectId", d.id, d.candid, d.fid,
               NULLIF(d.jd, 'NaN') AS jd,
               NULLIF(d.magpsf, 'NaN')::double precision AS magpsf,
               CASE WHEN abs(d.ra) < 'Infinity' AND abs(d.dec) < 'Infinity' THEN (cosd(d.dec) * cosd(d.ra) * 1e15)::bigint END AS x,
               CASE WHEN abs(d.ra) < 'Infinity' AND abs(d.dec) < 'Infinity' THEN (cosd(d.dec) * sind(d.ra) * 1e15)::bigint END AS y,
               CASE WHEN abs(d.ra) < 'Infinity' AND abs(d.dec) < 'Infinity' THEN (sind(d.dec) * 1e15)::bigint END AS z,
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
