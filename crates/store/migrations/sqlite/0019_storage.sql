-- Work that one process of a site must do for all of them (sending webhooks, pinging WebSub
-- hubs): whichever web node holds a task's lease does it, and another takes it over when the
-- lease runs out. `mark` is how far the task got (a change number), so that the next holder
-- goes on from there.
CREATE TABLE task_leases (
    task       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    -- Unix milliseconds.
    expires_at INTEGER NOT NULL,
    mark       INTEGER NOT NULL DEFAULT 0
);

-- The requests in flight at each host, across every worker: one row per place, up to the
-- per-host limit, held until its request ends or `expires_at` (Unix milliseconds) passes.
CREATE TABLE host_places (
    host       TEXT    NOT NULL,
    place      INTEGER NOT NULL,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (host, place)
);
