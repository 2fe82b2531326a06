-- A change counter on articles: every write gives the row the next number, so that a derived
-- index can ask exactly what changed since the number it last saw. (Timestamps are not enough:
-- many writes share a second.)
ALTER TABLE articles ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET change_seq = id;
CREATE INDEX articles_by_change ON articles (change_seq);
