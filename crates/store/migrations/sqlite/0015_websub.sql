-- Subscribers of the site's feeds through its WebSub hub: whom to push each feed to when it
-- changes, until the lease they asked for runs out.
CREATE TABLE websub_subscriptions (
    id               INTEGER PRIMARY KEY,
    topic            TEXT    NOT NULL,
    callback         TEXT    NOT NULL,
    -- Signs each push (X-Hub-Signature), when the subscriber gave one.
    secret           TEXT,
    expires_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_delivery_at INTEGER,
    last_error       TEXT,
    UNIQUE (topic, callback)
);
CREATE INDEX websub_by_expiry ON websub_subscriptions (expires_at);
