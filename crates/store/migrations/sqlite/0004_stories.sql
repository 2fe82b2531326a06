-- Stories: the articles that tell one story, their fingerprints, and who had it first.

-- The story an article belongs to, named by the id of the story's first article; NULL until
-- the article has been compared with the others.
ALTER TABLE articles ADD COLUMN story_id INTEGER;
-- Whom the article says it comes from (a 来源 line), for crediting the original.
ALTER TABLE articles ADD COLUMN credited_source TEXT;
CREATE INDEX articles_by_story ON articles (story_id, published_at);

-- What an article's text is, for comparing with the articles that arrive after it.
CREATE TABLE article_fingerprints (
    article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature    BLOB    NOT NULL,
    shingles     INTEGER NOT NULL,
    content_hash INTEGER NOT NULL,
    numbers      BLOB    NOT NULL
);

-- One row per story with more than nothing to say: derived from its articles, rewritten
-- whenever one joins, leaves or changes.
CREATE TABLE stories (
    id                  INTEGER PRIMARY KEY,
    -- The publication credited with the story: the one the others name, or the earliest.
    original_article_id INTEGER,
    -- The article lists show for the story: the original while it is live.
    lead_article_id     INTEGER,
    first_published_at  INTEGER NOT NULL,
    last_published_at   INTEGER NOT NULL,
    article_count       INTEGER NOT NULL,
    source_count        INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX stories_by_last ON stories (last_published_at);
