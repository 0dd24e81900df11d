-- The jsonb columns of the Rubin tables are compressed with lz4, as the stamps are (0008),
-- instead of PostgreSQL's default pglz. A dia_source row carries its packet's diaObject (about
-- 2 kB of JSON), which takes the row past the size at which PostgreSQL compresses it: with pglz
-- that was about 3% of the server's time loading synthetic Rubin alerts; with lz4, under 0.5%. Rows
-- stored before keep their pglz values; both read back the same.
ALTER TABLE dia_source ALTER COLUMN "diaObject" SET COMPRESSION lz4, ALTER COLUMN extra SET COMPRESSION lz4;
ALTER TABLE prv_dia_source ALTER COLUMN extra SET COMPRESSION lz4;
ALTER TABLE prv_dia_forced_source ALTER COLUMN extra SET COMPRESSION lz4;
ALTER TABLE dia_object ALTER COLUMN extra SET COMPRESSION lz4;
