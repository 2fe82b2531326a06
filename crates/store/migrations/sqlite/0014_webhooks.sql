-- Addresses the operator registers to be told, as signed JSON, when a story becomes hot, a
-- submission is published or a takedown is decided; and each delivery, retried with backoff.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    -- Signs each delivery (HMAC-SHA256); kept as is, since signing needs it.
    secret     TEXT    NOT NULL,
    -- The events it wants, separated by spaces.
    events     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When to try next; NULL once delivered or given up.
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, id DESC);

-- Stories already announced as hot, so that each is announced once.
CREATE TABLE hot_announced (
    story_id INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL
);
