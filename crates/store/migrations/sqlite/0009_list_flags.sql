-- Lists show each story once: the home and channel lists by the story's lead, a source's list
-- by that source's first live article of the story. Worked out when a story changes and kept
-- on the row, so that a list page (and its count) reads one small index and nothing else,
-- instead of asking about every row's story on each request.
ALTER TABLE articles ADD COLUMN in_lists INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN in_source_list INTEGER NOT NULL DEFAULT 1;

UPDATE articles SET in_lists = 0
WHERE story_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM stories st WHERE st.id = articles.story_id
        AND st.lead_article_id IS NOT NULL AND st.lead_article_id <> articles.id);

UPDATE articles SET in_source_list = 0
WHERE story_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM articles b WHERE b.story_id = articles.story_id
        AND b.source_id = articles.source_id AND b.status = 'live'
        AND (b.published_at < articles.published_at
             OR (b.published_at = articles.published_at AND b.id < articles.id)));

-- The flags are in the keys, not partial-index conditions, so that a list is a search of the
-- index on its equality prefix, read in order and cut at its limit.
CREATE INDEX articles_listed ON articles (status, in_lists, published_at DESC, id DESC);
CREATE INDEX articles_listed_by_channel
    ON articles (channel_id, status, in_lists, published_at DESC, id DESC);
CREATE INDEX articles_listed_by_source
    ON articles (source_id, status, in_source_list, published_at DESC, id DESC);
