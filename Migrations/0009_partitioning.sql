-- Alerts, their history and their stamps, partitioned by observation time: a partition per
-- calendar month (UTC) of jd, so that a query bounded in time reads only its months, and so
-- that `alertdb retention` can retire a month of stamps or rows by dropping a table instead of
-- deleting rows one by one. Docs/partitioning.md says why, and what this migration costs.
--
-- The tables are partitioned by jd itself, with the month boundaries written as Julian dates:
-- every query that bounds jd (the listing's jd__gte, a where= on jd, the keyset cursor) is
-- pruned by PostgreSQL with no extra column or rewriting. Partitions are made ahead: this
-- migration makes the months the archive holds and the current and next month, and the loader
-- makes the months a batch touches (ensure_partitions below), in the batch's transaction.
--
-- A row whose jd is NULL, NaN or outside 1990..2199 (nothing ZTF or Rubin sends, but a packet
-- may say anything) goes to the table's default partition, `<table>_undated`, whose CHECK keeps
-- every other row out: a month without its partition is an error, not a row hidden there.
--
-- A unique key of a partitioned table must hold the partition key, so `candid` and the public
-- `id` of an alert are kept unique by `candidate_key`, a plain table of (candid, id, jd): the
-- loader claims its batch's candids there first (INSERT ... ON CONFLICT DO NOTHING), and only
-- the candids it claimed are stored; a second loader holding the same candid waits for the
-- first to commit and then finds it taken. `id` comes from candidate_key's sequence, in candid
-- order within a batch as before.

-- The first instant of a month as a Julian date (JD 2440587.5 is 1970-01-01T00:00 UTC).
CREATE FUNCTION month_jd(month date) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (month - DATE '1970-01-01') + 2440587.5;

-- The month a Julian date falls in, or NULL when it has no month partition (see above).
CREATE FUNCTION jd_month(jd double precision) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN jd >= 2447892.5 AND jd < 2524593.5   -- 1990-01-01 .. 2200-01-01
            THEN date_trunc('month', (DATE '1970-01-01' + floor(jd - 2440587.5)::integer)::timestamp)::date END;

-- Makes `parent`'s partition of `month` (`<parent>_YYYY_MM`) unless it exists. Two loaders may
-- ask at once: a transaction-scoped advisory lock lets one make it while the other waits, and
-- a name taken meanwhile (the other committed between the check and the lock) is not an error.
-- The statistics targets of the parent's columns (Migrations/0002) are given to the new table,
-- which CREATE TABLE ... PARTITION OF does not copy.
CREATE FUNCTION ensure_partition(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
    target record;
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('alertdb partition ' || name));
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                       name, parent, month_jd(month), month_jd((month + interval '1 month')::date));
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        RETURN;
    END;
    FOR target IN SELECT attname, attstattarget FROM pg_attribute
                  WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped AND attstattarget > 0 LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS %s', name, target.attname, target.attstattarget);
    END LOOP;
END
$$;

-- The partitions of `parent` for every month of `jds`, in month order (so that two loaders
-- take the partition locks in the same order). One call per table and batch.
CREATE FUNCTION ensure_partitions(parent text, jds double precision[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month date;
BEGIN
    FOR month IN SELECT DISTINCT jd_month(j) FROM unnest(jds) j WHERE jd_month(j) IS NOT NULL ORDER BY 1 LOOP
        PERFORM ensure_partition(parent, month);
    END LOOP;
END
$$;

-- Moves `old_table`'s indexes (all but those of unique and primary keys, which the new table
-- declares with the partition key) and column statistics targets to `new_table`, a partitioned
-- table with the same columns, by their definitions in the catalogue; then drops `old_table`.
-- Its index names are free again only once it is dropped.
CREATE FUNCTION pg_temp.move_indexes(old_table text, new_table text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    definitions text[];
    definition text;
    target record;
BEGIN
    definitions := ARRAY(
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = old_table::regclass AND NOT i.indisunique ORDER BY i.indexrelid);
    FOR target IN SELECT attname, attstattarget FROM pg_attribute
                  WHERE attrelid = old_table::regclass AND attnum > 0 AND NOT attisdropped AND attstattarget > 0 LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS %s', new_table, target.attname, target.attstattarget);
    END LOOP;
    EXECUTE format('DROP TABLE %I CASCADE', old_table);
    FOREACH definition IN ARRAY definitions LOOP
        EXECUTE replace(definition, format(' ON public.%I ', old_table), format(' ON public.%I ', new_table));
    END LOOP;
END
$$;

-- The months a table needs now: those of its rows, and the current and next month.
CREATE FUNCTION pg_temp.make_partitions(parent text, months date[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month date;
BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_undated', parent);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (jd IS NULL OR NOT (jd >= 2447892.5 AND jd < 2524593.5))',
                   parent || '_undated', parent || '_undated_jd_check');
    FOR month IN SELECT DISTINCT m FROM unnest(months || ARRAY[date_trunc('month', now() AT TIME ZONE 'UTC')::date,
                                                               (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')::date]) m
                 WHERE m IS NOT NULL ORDER BY 1 LOOP
        PERFORM ensure_partition(parent, month);
    END LOOP;
END
$$;

-- candidate_key: who owns each candid and id, for every alert stored so far.
CREATE TABLE candidate_key (
    candid  bigint PRIMARY KEY,
    id      bigint GENERATED BY DEFAULT AS IDENTITY CONSTRAINT candidate_key_id_key UNIQUE,
    jd      double precision
);
INSERT INTO candidate_key (candid, id, jd) SELECT candid, id, jd FROM candidate;
-- The next id is the one the old sequence would have given.
SELECT setval(pg_get_serial_sequence('candidate_key', 'id'), last)
FROM (SELECT greatest(pg_sequence_last_value(pg_get_serial_sequence('candidate', 'id')), (SELECT max(id) FROM candidate)) AS last) s
WHERE last IS NOT NULL;

-- candidate. `id` keeps a default from the same sequence for rows written by hand; the loader
-- writes the id it claimed.
ALTER TABLE candidate RENAME TO candidate_unpartitioned;
CREATE TABLE candidate (LIKE candidate_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)
    PARTITION BY RANGE (jd);
ALTER TABLE candidate ALTER COLUMN id SET DEFAULT nextval(pg_get_serial_sequence('candidate_key', 'id')::regclass);
SELECT pg_temp.make_partitions('candidate', ARRAY(SELECT DISTINCT jd_month(jd) FROM candidate_unpartitioned));
INSERT INTO candidate SELECT * FROM candidate_unpartitioned;

-- prv_candidate: one image (pid) has one jd, so adding jd to the key changes nothing it allows.
ALTER TABLE prv_candidate RENAME TO prv_candidate_unpartitioned;
CREATE TABLE prv_candidate (LIKE prv_candidate_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)
    PARTITION BY RANGE (jd);
SELECT pg_temp.make_partitions('prv_candidate', ARRAY(SELECT DISTINCT jd_month(jd) FROM prv_candidate_unpartitioned));
INSERT INTO prv_candidate SELECT * FROM prv_candidate_unpartitioned;

-- cutout, with its alert's jd: a month of stamps goes with the month of its alerts.
ALTER TABLE cutout RENAME TO cutout_unpartitioned;
CREATE TABLE cutout (LIKE cutout_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS,
                     jd double precision)
    PARTITION BY RANGE (jd);
SELECT pg_temp.make_partitions('cutout', ARRAY(SELECT DISTINCT jd_month(k.jd) FROM cutout_unpartitioned s JOIN candidate_key k USING (candid)));
INSERT INTO cutout (candid, kind, file_name, stamp_data, jd)
SELECT s.candid, s.kind, s.file_name, s.stamp_data, k.jd FROM cutout_unpartitioned s JOIN candidate_key k USING (candid);

-- The old tables go, and their indexes are built anew on the partitioned ones.
SELECT pg_temp.move_indexes('cutout_unpartitioned', 'cutout');
SELECT pg_temp.move_indexes('prv_candidate_unpartitioned', 'prv_candidate');
SELECT pg_temp.move_indexes('candidate_unpartitioned', 'candidate');

ALTER TABLE candidate ADD CONSTRAINT candidate_candid_key UNIQUE (candid, jd);
ALTER TABLE candidate ADD CONSTRAINT candidate_schema_id_fkey FOREIGN KEY (schema_id) REFERENCES avro_schema (id);
-- Alert pages are found by id: one small index per month.
CREATE INDEX candidate_id_idx ON candidate (id);
ALTER TABLE prv_candidate ADD CONSTRAINT prv_candidate_object_pid_candid_key UNIQUE NULLS NOT DISTINCT ("objectId", pid, candid, jd);
ALTER TABLE cutout ADD CONSTRAINT cutout_candid_kind_key UNIQUE NULLS NOT DISTINCT (candid, kind, jd);
ALTER TABLE cutout ADD CONSTRAINT cutout_candid_fkey FOREIGN KEY (candid) REFERENCES candidate_key (candid) ON DELETE CASCADE;

-- What `alertdb retention` has retired: a month of a table dropped or detached, and how old its
-- rows had to be. The pages read it to say that a cutout was retired rather than never stored.
CREATE TABLE retired_partition (
    parent      text NOT NULL,
    month       date NOT NULL,
    action      text NOT NULL CHECK (action IN ('dropped', 'detached')),
    kept_days   integer NOT NULL,
    retired_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (parent, month)
);

ANALYZE candidate_key, candidate, prv_candidate, cutout;
