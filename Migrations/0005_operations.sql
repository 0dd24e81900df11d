-- What the service needs to run in public: per-client rate limiting shared by every
-- `alertdb serve` process on this database, API tokens with budgets of their own, and a running
-- count of stored alerts that /metrics can read without counting a large table.

-- One token bucket per client and budget ('api' or 'cutout'). A client is 'ip:ADDRESS',
-- 'ip:PREFIX/64' for IPv6 or 'token:NAME'. Every limited request rewrites its row, so the
-- table is unlogged (no WAL for it, nothing sent to replicas; it survives a clean restart and is
-- emptied by a crash, which only forgets who spent what) and pages keep room for HOT updates.
CREATE UNLOGGED TABLE rate_limit_bucket (
    client   text NOT NULL,
    budget   text NOT NULL,
    tokens   double precision NOT NULL,
    updated  timestamptz NOT NULL,
    -- When the bucket is full again: a row past it says nothing a missing row does not.
    full_at  timestamptz NOT NULL,
    PRIMARY KEY (client, budget)
) WITH (fillfactor = 50);

-- Takes one request from the bucket (a missing bucket is full), or says how long until one is
-- available. One call per request; the row lock makes concurrent calls from several processes
-- take turns, so a budget is never overspent.
CREATE FUNCTION rate_limit_take(p_client text, p_budget text, p_burst double precision, p_interval double precision,
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
    allowed := available >= 1;
    IF allowed THEN
        available := available - 1;
    END IF;
    UPDATE rate_limit_bucket
       SET tokens = available, updated = clock_timestamp(),
           full_at = clock_timestamp() + make_interval(secs => (p_burst - available) * p_interval)
     WHERE client = p_client AND budget = p_budget;
    remaining := available;
    retry_after := CASE WHEN allowed THEN 0 ELSE (1 - available) * p_interval END;
    reset_after := (p_burst - available) * p_interval;
END
$$;

-- API tokens: a script with a token spends its own budget, not its address's. Only a digest of
-- the token is kept; the token is shown once, when it is made.
CREATE TABLE api_token (
    name             text PRIMARY KEY,
    digest           bytea NOT NULL UNIQUE,
    burst            integer NOT NULL CHECK (burst > 0),
    interval_seconds double precision NOT NULL CHECK (interval_seconds > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz
);

-- Alerts stored so far and when the last of them was stored, kept by every load in the same
-- transaction (one row).
CREATE TABLE alert_count (
    stored          bigint NOT NULL,
    last_stored_at  timestamptz,
    single_row      boolean PRIMARY KEY DEFAULT true CHECK (single_row)
);
INSERT INTO alert_count (stored, last_stored_at) SELECT count(*), max(ingested_at) FROM candidate;
