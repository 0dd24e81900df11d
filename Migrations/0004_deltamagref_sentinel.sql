-- deltamagref is magnr - magpsf when the nearest reference source is within 2 pixels. The
-- 2017 schema says "no reference source" with distnr = magnr = -999, which passed the
-- distnr < 2 test and gave values near -1000; those alerts have no deltamagref.
UPDATE candidate SET deltamagref = NULL WHERE distnr < 0 AND deltamagref IS NOT NULL;
