-- Work that one process of a site must do for all of them (sending webhooks, pinging WebSub
-- hubs): whichever web node holds a task's lease does it, and another takes it over when the
-- lease runs out. `mark` is how far the task got (a change number), so that the next holder
-- goes on from there.
CREATE TABLE task_leases (
    task       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    -- Unix milliseconds.
    expires_at BIGINT NOT NULL,
    mark       BIGINT NOT NULL DEFAULT 0
);

-- The requests in flight at each host, across every worker: one row per place, up to the
-- per-host limit, held until its request ends or `expires_at` (Unix milliseconds) passes.
-- Taken and given back twice for every request and worth nothing after a crash, it is
-- written without the write-ahead log.
CREATE UNLOGGED TABLE host_places (
    host       TEXT   NOT NULL,
    place      INTEGER NOT NULL,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (host, place)
);

-- How PostgreSQL keeps two things that need not be kept its default way (SQLite has neither
-- choice).

-- Article bodies are compressed with LZ4, where the server was built with it (PostgreSQL 14 and
-- later, as Debian's and most packages are): it costs less CPU than the default pglz on every
-- insert: about 5% more articles a second in two-worker ingest on the machine the benchmark
-- ran on. Values already stored keep their compression. A server without
-- LZ4 keeps pglz, and says so.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE articles ALTER COLUMN body_html SET COMPRESSION lz4, '
            'ALTER COLUMN body_text SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'article bodies stay compressed with pglz: %', SQLERRM;
END
$$;

-- Host turns are taken once per request a worker makes and matter only for the next few
-- seconds: unlogged, they are written without the write-ahead log, and a crash that empties
-- them loses nothing but a few seconds of spacing.
ALTER TABLE host_turns SET UNLOGGED;
