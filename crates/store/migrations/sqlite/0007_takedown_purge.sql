-- When what an approved takedown removed was purged from everything derived from it (the
-- media cache, the stories' leads and counts). An approved takedown without it was cut short
-- between its commit and its purge (a crash): the next start finishes the purge. Takedowns
-- approved before this column existed are purged again once, which is harmless.
ALTER TABLE takedowns ADD COLUMN purged_at INTEGER;

-- The articles of one takedown, found without reading every article.
CREATE INDEX articles_by_takedown ON articles (takedown_id) WHERE takedown_id IS NOT NULL;
