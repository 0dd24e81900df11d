-- Indexes that let the listing's filters avoid sequential scans at 10 M alerts.
--
-- Each index costs ingest time (every COPY updates it), so only these are kept; see
-- Docs/indexes.md for the measured cost of each and why the others were left out.
-- The listing orders by jd, so any filter can walk jd backwards and stop after one page;
-- an index is needed only where a filter can match so few rows that such a walk would
-- read most of the table: exact lookups, the sky, and the commonly selective cuts.

-- Newest first, time ranges, keyset pagination.
CREATE INDEX candidate_jd_idx ON candidate (jd);
-- An object's alerts.
CREATE INDEX candidate_objectid_idx ON candidate ("objectId");
-- Cone search and ra/dec boxes through q3c.
CREATE INDEX candidate_q3c_idx ON candidate (q3c_ang2ipix(ra, dec));
-- objectidps matches any of the three nearest PS1 sources; most alerts have one.
CREATE INDEX candidate_objectidps1_idx ON candidate (objectidps1);
CREATE INDEX candidate_objectidps2_idx ON candidate (objectidps2);
CREATE INDEX candidate_objectidps3_idx ON candidate (objectidps3);
-- Bright alerts (magpsf__lte) and confident ones (rb__gte, drb__gte) are the selective cuts users make.
CREATE INDEX candidate_magpsf_idx ON candidate (magpsf);
CREATE INDEX candidate_rb_idx ON candidate (rb);
CREATE INDEX candidate_drb_idx ON candidate (drb);
