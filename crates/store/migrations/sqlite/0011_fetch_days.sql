-- Each source's fetches by day (China time, as the site shows dates), for the admin's charts:
-- a row per source and day, written with the fetch's outcome. Rows older than the store keeps
-- (FETCH_DAYS_KEPT) are dropped as a source's new days are written.
CREATE TABLE fetch_days (
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    day       INTEGER NOT NULL,
    successes INTEGER NOT NULL DEFAULT 0,
    failures  INTEGER NOT NULL DEFAULT 0,
    articles  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, day)
);

CREATE INDEX fetch_days_by_day ON fetch_days (day);

-- The queues' history reads what was decided in a window of days.
CREATE INDEX submissions_by_decision ON submissions (decided_at);
CREATE INDEX takedowns_by_decision ON takedowns (decided_at);
