-- Rubin's alerts, history and stamps partitioned by observation time, as ZTF's are (0009): a
-- partition per calendar month of midpointMjdTai, so that a query bounded in time reads only
-- its months and `alertdb retention` retires a month of Rubin stamps or rows by dropping a
-- table. dia_object (the latest state of each object) stays one table, as ZTF's object does.
--
-- The tables are partitioned by midpointMjdTai itself, in MJD TAI as Rubin sends it, with the
-- month boundaries written as MJDs: the listing's midpointMjdTai__gt and a where= on it are
-- pruned with no extra column. A month here is a month of TAI, 37 seconds off UTC's: what
-- matters is that every row has one month and every month one table.
--
-- ensure_partition(s) and retention read a table's partition key to know its unit: a Julian
-- date (ZTF's jd) or an MJD (Rubin's midpointMjdTai). The month of an MJD is taken from the MJD
-- itself, never from MJD + 2400000.5, which rounds a time within microseconds of a month's end
-- into the next month (whose partition would then not take the row).
--
-- diaSourceId stays unique across the months of dia_source as candid does across candidate's:
-- `dia_source_key` holds every stored diaSourceId with its time, the loader claims its batch's
-- there first and stores only what it claimed. A history source (prvDiaSources) or a forced
-- measurement (prvDiaForcedSources) was made at one time, so adding midpointMjdTai to their
-- unique keys changes nothing those keys allow.

-- The Julian date of `parent`'s partition key value 0: 0 for a table partitioned by jd, MJD's
-- origin for one partitioned by midpointMjdTai.
CREATE FUNCTION partition_key_origin(parent text) RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN (SELECT CASE a.attname WHEN 'midpointMjdTai' THEN 2400000.5 ELSE 0 END
        FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
        WHERE p.partrelid = parent::regclass);

-- The month an MJD falls in, or NULL when it has no month partition (as jd_month).
CREATE FUNCTION mjd_month(mjd double precision) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN mjd >= 47892 AND mjd < 124593   -- 1990-01-01 .. 2200-01-01
            THEN date_trunc('month', (DATE '1858-11-17' + floor(mjd)::integer)::timestamp)::date END;

-- As 0009's, with the month's bounds in the unit of the parent's partition key.
CREATE OR REPLACE FUNCTION ensure_partition(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
    origin double precision;
    target record;
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('alertdb partition ' || name));
    origin := partition_key_origin(parent);
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                       name, parent, month_jd(month) - origin, month_jd((month + interval '1 month')::date) - origin);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        RETURN;
    END;
    FOR target IN SELECT attname, attstattarget FROM pg_attribute
                  WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped AND attstattarget > 0 LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS %s', name, target.attname, target.attstattarget);
    END LOOP;
END
$$;

-- The partitions of `parent` for every month of `key_values`, values of its partition key (Julian
-- dates for ZTF's tables, MJDs for Rubin's), in month order, as 0009's (which took Julian dates).
DROP FUNCTION ensure_partitions(text, double precision[]);
CREATE FUNCTION ensure_partitions(parent text, key_values double precision[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month date;
    mjd boolean := partition_key_origin(parent) <> 0;
BEGIN
    FOR month IN SELECT DISTINCT m FROM (SELECT CASE WHEN mjd THEN mjd_month(v) ELSE jd_month(v) END AS m FROM unnest(key_values) v) s
                 WHERE m IS NOT NULL ORDER BY 1 LOOP
        PERFORM ensure_partition(parent, month);
    END LOOP;
END
$$;

-- 0009's, which lives only as long as the session that ran 0009.
CREATE OR REPLACE FUNCTION pg_temp.move_indexes(old_table text, new_table text) RETURNS void
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

-- The undated partition (a time NULL, NaN or outside 1990..2199) and the months of `mjds`, and
-- the current and next month.
CREATE OR REPLACE FUNCTION pg_temp.make_time_partitions(parent text, mjds double precision[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_undated', parent);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK ("midpointMjdTai" IS NULL OR NOT ("midpointMjdTai" >= 47892 AND "midpointMjdTai" < 124593))',
                   parent || '_undated', parent || '_undated_time_check');
    PERFORM ensure_partitions(parent, mjds || ARRAY[extract(epoch FROM now()) / 86400 + 40587,
                                                    extract(epoch FROM now() + interval '1 month') / 86400 + 40587]);
END
$$;

-- Every stored diaSourceId, with its time: the key that keeps diaSourceId unique.
CREATE TABLE dia_source_key (
    "diaSourceId"     bigint PRIMARY KEY,
    "midpointMjdTai"  double precision
);
INSERT INTO dia_source_key SELECT "diaSourceId", "midpointMjdTai" FROM dia_source;

-- dia_source, prv_dia_source and prv_dia_forced_source: each copied into a partitioned table of
-- the same columns, its rows routed to their months.
CREATE OR REPLACE FUNCTION pg_temp.partition_by_time(name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    old text := name || '_unpartitioned';
    times double precision[];
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', name, old);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE
                                     INCLUDING COMPRESSION INCLUDING COMMENTS) PARTITION BY RANGE ("midpointMjdTai")', name, old);
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT floor("midpointMjdTai") FROM %I)', old) INTO times;
    PERFORM pg_temp.make_time_partitions(name, times);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', name, old);
END
$$;
SELECT pg_temp.partition_by_time(t) FROM unnest(ARRAY['dia_source', 'prv_dia_source', 'prv_dia_forced_source']) t;

-- dia_source_cutout, with its alert's time: a month of stamps goes with the month of its alerts.
ALTER TABLE dia_source_cutout RENAME TO dia_source_cutout_unpartitioned;
CREATE TABLE dia_source_cutout (LIKE dia_source_cutout_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                                INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS,
                                "midpointMjdTai" double precision)
    PARTITION BY RANGE ("midpointMjdTai");
SELECT pg_temp.make_time_partitions('dia_source_cutout', ARRAY(SELECT DISTINCT floor(k."midpointMjdTai")
                                                          FROM dia_source_cutout_unpartitioned s JOIN dia_source_key k USING ("diaSourceId")));
INSERT INTO dia_source_cutout ("diaSourceId", kind, stamp_data, "midpointMjdTai")
SELECT s."diaSourceId", s.kind, s.stamp_data, k."midpointMjdTai" FROM dia_source_cutout_unpartitioned s JOIN dia_source_key k USING ("diaSourceId");

-- The old tables go (stamps first: they refer to the sources), and their indexes are built anew.
SELECT pg_temp.move_indexes('dia_source_cutout_unpartitioned', 'dia_source_cutout');
SELECT pg_temp.move_indexes('prv_dia_forced_source_unpartitioned', 'prv_dia_forced_source');
SELECT pg_temp.move_indexes('prv_dia_source_unpartitioned', 'prv_dia_source');
SELECT pg_temp.move_indexes('dia_source_unpartitioned', 'dia_source');

ALTER TABLE dia_source ADD CONSTRAINT dia_source_diasourceid_key UNIQUE NULLS NOT DISTINCT ("diaSourceId", "midpointMjdTai");
ALTER TABLE dia_source ADD CONSTRAINT dia_source_schema_id_fkey FOREIGN KEY (schema_id) REFERENCES avro_schema (id);
ALTER TABLE prv_dia_source ADD CONSTRAINT prv_dia_source_diasourceid_key UNIQUE NULLS NOT DISTINCT ("diaSourceId", "midpointMjdTai");
CREATE UNIQUE INDEX prv_dia_forced_source_object_visit_key
    ON prv_dia_forced_source ("diaObjectId", (coalesce(visit, "ccdVisitId")), "midpointMjdTai") NULLS NOT DISTINCT;
ALTER TABLE dia_source_cutout ADD CONSTRAINT dia_source_cutout_diasourceid_kind_key UNIQUE NULLS NOT DISTINCT ("diaSourceId", kind, "midpointMjdTai");
ALTER TABLE dia_source_cutout ADD CONSTRAINT "dia_source_cutout_diaSourceId_fkey"
    FOREIGN KEY ("diaSourceId") REFERENCES dia_source_key ("diaSourceId") ON DELETE CASCADE;

ANALYZE dia_source_key, dia_source, prv_dia_source, prv_dia_forced_source, dia_source_cutout;
