-- Sources whose feeds name a WebSub hub: xinwen's subscription at that hub, so that the hub
-- tells it when the feed changes and it fetches at once instead of at the next poll.
CREATE TABLE source_push (
    source_id        INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    hub              TEXT    NOT NULL,
    topic            TEXT    NOT NULL,
    -- Checks the hub's signature on each notice.
    secret           TEXT    NOT NULL,
    -- requested, active or denied.
    state            TEXT    NOT NULL,
    requested_at     INTEGER NOT NULL,
    lease_expires_at INTEGER
);
