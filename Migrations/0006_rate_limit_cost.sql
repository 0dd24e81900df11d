-- A request may cost more than one unit of its budget: a bulk POST / pays one per query it
-- holds, so that ten queries in one body cost what ten requests cost. The function takes the
-- cost (default 1, so a process still calling it with four arguments during an upgrade gets
-- the old meaning); a bucket is taken from only when it holds the whole cost.
DROP FUNCTION rate_limit_take(text, text, double precision, double precision);

CREATE FUNCTION rate_limit_take(p_client text, p_budget text, p_burst double precision, p_interval double precision,
                                p_cost double precision DEFAULT 1,
                                OUT allowed boolean, OUT remaining double precision,
                                OUT retry_after double precision, OUT reset_after double precision)
LANGUAGE plpgsql AS $$
DECLARE
    available double precision;
BEGIN
    INSERT INTO rate_limit_bucket (client, budget, tokens, updated, full_at)
    VALUES (p_client, p_budget, p_burst, clock_timestamp(), clock_timestamp())
    ON CONFLICT (client, budget) DO NOTHING;
    SELECT least(p_burst, tokens + greatest(0, extract(epoch FROM clock_timestamp() - updated)) / p_interval)
      INTO available
      FROM rate_limit_bucket WHERE client = p_client AND budget = p_budget FOR UPDATE;
    allowed := available >= p_cost;
    IF allowed THEN
        available := available - p_cost;
    END IF;
    UPDATE rate_limit_bucket
       SET tokens = available, updated = clock_timestamp(),
           full_at = clock_timestamp() + make_interval(secs => (p_burst - available) * p_interval)
     WHERE client = p_client AND budget = p_budget;
    remaining := available;
    retry_after := CASE WHEN allowed THEN 0 ELSE (p_cost - available) * p_interval END;
    reset_after := (p_burst - available) * p_interval;
END
$$;
