-- Ingest: sources that can be paused, their fetch state and health, the feed entries seen, and
-- the media cache.

ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

-- One row per source once it has been fetched; what `xinwen source list` and the source page
-- show, and what the scheduler reads to decide who is due.
CREATE TABLE source_health (
    source_id             INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    -- Validators of the last feed response, for the next conditional GET.
    etag                  TEXT,
    last_modified         TEXT,
    last_attempt_at       INTEGER,
    last_success_at       INTEGER,
    -- The last failure in words a person can act on; NULL after a success.
    last_error            TEXT,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    -- When the current run of failures began; NULL while the source works.
    failing_since         INTEGER,
    next_check_at         INTEGER NOT NULL DEFAULT 0,
    articles_added        INTEGER NOT NULL DEFAULT 0,
    -- The median gap between the source's publications, as last observed.
    publish_interval_secs INTEGER
);

-- The feed entries already turned into articles, so that an entry seen again updates its
-- article (even if its URL changed) and an unchanged one is not fetched again.
CREATE TABLE feed_entries (
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid       TEXT    NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- A hash of what the feed said of the entry: unchanged means nothing to fetch.
    entry_hash TEXT    NOT NULL,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (source_id, guid)
);

CREATE INDEX feed_entries_by_article ON feed_entries (article_id);

-- Images fetched for the media proxy. The bytes live on disk, named by their content hash;
-- this table maps an original URL to them.
CREATE TABLE media (
    url_hash     TEXT    PRIMARY KEY,
    url          TEXT    NOT NULL,
    content_hash TEXT,
    content_type TEXT,
    size         INTEGER,
    fetched_at   INTEGER NOT NULL,
    -- Why the image could not be fetched, when it could not; retried after a while.
    error        TEXT
);
