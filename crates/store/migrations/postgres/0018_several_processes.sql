-- What several processes sharing one store must agree on.

-- A fetch worker's claim on a source it is about to fetch: no other worker takes the source
-- until the claim is released or runs out (its worker died).
CREATE TABLE source_leases (
    source_id  BIGINT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    holder     TEXT    NOT NULL,
    -- Unix milliseconds.
    expires_at BIGINT NOT NULL
);

-- When each host may next be asked, across every worker: the minimum delay between requests,
-- a robots.txt Crawl-delay and a Retry-After, all in Unix milliseconds.
CREATE TABLE host_turns (
    host    TEXT    PRIMARY KEY,
    next_at BIGINT NOT NULL
);

-- A number every editorial change (a takedown, a hidden or edited article, a source removed)
-- raises: each web node watches it, and forgets its rendered pages when it moves.
CREATE TABLE site_changes (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO site_changes (id, generation) VALUES (1, 0);

-- Keys every process of a site must share (the media proxy's signing key, the key that hashes
-- visitors' addresses): each process on each machine copies them into its data directory. Hex
-- text.
CREATE TABLE site_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
