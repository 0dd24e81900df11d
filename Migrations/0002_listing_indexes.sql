-- Indexes for the listing's filters, measured on 10 M alerts with Bench/indexes (the numbers
-- and the reasoning are in Docs/indexes.md).
--
-- The listing orders by jd, so a filter that matches many alerts is served by walking the jd
-- index backwards until a page is full. A filter that matches few alerts (a bright magnitude,
-- a sudden rise, a polar cap) would make that walk read the whole table: 1 to 5 s at 10 M
-- alerts, against under 1 ms with an index on the filter's column. Every listing filter that
-- can match a small share of the alerts therefore has one; each costs about 3 % of ingest
-- speed at 10 M alerts. Not indexed: fid and programid (a few values, never selective) and
-- nbad (mostly 0: every useful nbad__lte keeps nearly all alerts).

-- Newest first, time ranges, and keyset pagination: one exposure gives hundreds of alerts
-- with the same jd, so pages are cut at (jd, id), which this index orders exactly.
CREATE INDEX candidate_jd_idx ON candidate (jd, id);

-- Exact lookups: an object's alerts, and the alerts near a Pan-STARRS source (objectidps
-- matches any of the three nearest; the planner combines the three indexes with BitmapOr).
CREATE INDEX candidate_objectid_idx ON candidate ("objectId");
CREATE INDEX candidate_objectidps1_idx ON candidate (objectidps1);
CREATE INDEX candidate_objectidps2_idx ON candidate (objectidps2);
CREATE INDEX candidate_objectidps3_idx ON candidate (objectidps3);

-- The sky: cones (q3c_radial_query) through q3c; ra, dec, l, b ranges through their own.
CREATE INDEX candidate_q3c_idx ON candidate (q3c_ang2ipix(ra, dec));
CREATE INDEX candidate_ra_idx ON candidate (ra);
CREATE INDEX candidate_dec_idx ON candidate (dec);
CREATE INDEX candidate_l_idx ON candidate (l);
CREATE INDEX candidate_b_idx ON candidate (b);

-- Photometry, scores and image quality.
CREATE INDEX candidate_magpsf_idx ON candidate (magpsf);
CREATE INDEX candidate_sigmapsf_idx ON candidate (sigmapsf);
CREATE INDEX candidate_magap_idx ON candidate (magap);
CREATE INDEX candidate_distnr_idx ON candidate (distnr);
CREATE INDEX candidate_deltamaglatest_idx ON candidate (deltamaglatest);
CREATE INDEX candidate_deltamagref_idx ON candidate (deltamagref);
CREATE INDEX candidate_rb_idx ON candidate (rb);
CREATE INDEX candidate_drb_idx ON candidate (drb);
CREATE INDEX candidate_classtar_idx ON candidate (classtar);
CREATE INDEX candidate_fwhm_idx ON candidate (fwhm);
CREATE INDEX candidate_elong_idx ON candidate (elong);

-- With the default 100 histogram buckets the planner misjudges the tails these indexes are
-- for (17,000 rows estimated for 255 matches) and walks jd instead, reading the whole table;
-- 1,000 buckets bring the estimate close enough to pick the filter's index.
ALTER TABLE candidate
    ALTER COLUMN ra SET STATISTICS 1000,
    ALTER COLUMN dec SET STATISTICS 1000,
    ALTER COLUMN l SET STATISTICS 1000,
    ALTER COLUMN b SET STATISTICS 1000,
    ALTER COLUMN magpsf SET STATISTICS 1000,
    ALTER COLUMN sigmapsf SET STATISTICS 1000,
    ALTER COLUMN magap SET STATISTICS 1000,
    ALTER COLUMN distnr SET STATISTICS 1000,
    ALTER COLUMN deltamaglatest SET STATISTICS 1000,
    ALTER COLUMN deltamagref SET STATISTICS 1000,
    ALTER COLUMN rb SET STATISTICS 1000,
    ALTER COLUMN drb SET STATISTICS 1000,
    ALTER COLUMN classtar SET STATISTICS 1000,
    ALTER COLUMN fwhm SET STATISTICS 1000,
    ALTER COLUMN elong SET STATISTICS 1000;
