-- The Rubin listing (/rubin/) is newest observation first, as ZTF's is newest jd first: by
-- midpointMjdTai descending, diaSourceId breaking ties so that the cursor of a page is one
-- exact place. A source without a time (NULL, or NaN, which PostgreSQL sorts above every
-- number) comes after all others: the listing sorts by the time with a missing one read as
-- -Infinity, and this index holds exactly that expression in that order, so that a page (the
-- first or one after a cursor) is read from the index, not sorted from the whole table.
-- dia_source_midpointmjdtai_idx stays for filters on the time (midpointMjdTai__gt=...).
CREATE INDEX dia_source_newest_idx ON dia_source
    ((coalesce(nullif("midpointMjdTai", 'NaN'), '-Infinity')) DESC, "diaSourceId" DESC);
