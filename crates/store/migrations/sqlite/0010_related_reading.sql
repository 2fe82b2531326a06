-- Related reading, worked out in the background and kept here: the keyword search that finds
-- it costs more the larger the corpus, so an article page reads the stored list instead.
-- `items` is a JSON array of {"id": article id, "shared": [keywords]}, best first.
CREATE TABLE related_reading (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    computed_at INTEGER NOT NULL,
    items TEXT NOT NULL
);
