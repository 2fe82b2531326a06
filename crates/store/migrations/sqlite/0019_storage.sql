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
