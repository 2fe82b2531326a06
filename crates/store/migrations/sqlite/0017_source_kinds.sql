-- Sources that publish no feed, and what kind of publisher each is.
--
-- `kind` said which platform a source was on (wechat, news_site, other); it now says how the
-- source is read:
--   feed     its RSS, Atom or JSON Feed at feed_url;
--   page     a section or list page at feed_url, whose article links are found on it;
--   sitemap  a sitemap or sitemap index at feed_url, news sitemaps first;
--   wechat   a WeChat public account, read through one or more bridge feeds in order of
--            preference (source_bridges); feed_url is unused.
-- `publisher` is what readers see beside the name: official media, commercial media,
-- self-media (自媒体) or readers. A CHECK constraint cannot change in place, so the table is
-- rebuilt (the runner turns foreign keys off around this migration and checks them after).

CREATE TABLE sources_rebuilt (
    id            INTEGER PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('feed', 'page', 'sitemap', 'wechat')),
    publisher     TEXT    NOT NULL DEFAULT 'commercial'
                  CHECK (publisher IN ('official', 'commercial', 'self_media', 'readers')),
    homepage      TEXT,
    -- The address read: the feed, the list page or the sitemap.
    feed_url      TEXT,
    -- An editor's narrowing of a list page: a CSS selector around its articles' links and a
    -- regular expression their URLs match.
    link_selector TEXT,
    link_pattern  TEXT,
    follow_url    TEXT,
    qr_image      TEXT,
    channel_id    INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    description   TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    paused        INTEGER NOT NULL DEFAULT 0
);

INSERT INTO sources_rebuilt (id, slug, name, kind, publisher, homepage, feed_url, follow_url,
                             qr_image, channel_id, description, created_at, paused)
SELECT id, slug, name,
       CASE kind WHEN 'wechat' THEN 'wechat' ELSE 'feed' END,
       CASE kind WHEN 'wechat' THEN 'self_media' WHEN 'other' THEN 'readers' ELSE 'commercial' END,
       homepage,
       CASE kind WHEN 'wechat' THEN NULL ELSE feed_url END,
       follow_url, qr_image, channel_id, description, created_at, paused
FROM sources;

-- A WeChat account's bridge feeds (RSSHub routes, wewe-rss, we-mp-rss...), the first the
-- preferred; each keeps its own validators and health, so that a failing or stale bridge is
-- passed over for the next.
CREATE TABLE source_bridges (
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    url             TEXT    NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    last_attempt_at INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    -- The newest entry the bridge has given: a bridge that answers but has stopped updating
    -- is stale.
    newest_entry_at INTEGER,
    PRIMARY KEY (source_id, position)
);

INSERT INTO source_bridges (source_id, position, url)
SELECT id, 0, feed_url FROM sources WHERE kind = 'wechat' AND feed_url IS NOT NULL;

DROP TABLE sources;
ALTER TABLE sources_rebuilt RENAME TO sources;

-- How the source was last read, in words: the bridge in use and why, the pages followed.
ALTER TABLE source_health ADD COLUMN read_note TEXT;

-- A WeChat article is named by its account, message and position (__biz, mid, idx); the `sn`
-- signature that stored links also carried differs between forms of one link, so it no
-- longer takes part (sorted parameters put it last). Two rows that now name one article keep
-- the first; the range uses the canonical_url index instead of reading every article.
UPDATE OR IGNORE articles
SET canonical_url = substr(canonical_url, 1, instr(canonical_url, '&sn=') - 1)
WHERE canonical_url >= 'https://mp.weixin.qq.com/s?' AND canonical_url < 'https://mp.weixin.qq.com/s@'
  AND canonical_url LIKE 'https://mp.weixin.qq.com/s?\_\_biz=%&idx=%&mid=%&sn=%' ESCAPE '\';

UPDATE OR IGNORE tombstones
SET canonical_url = substr(canonical_url, 1, instr(canonical_url, '&sn=') - 1)
WHERE canonical_url >= 'https://mp.weixin.qq.com/s?' AND canonical_url < 'https://mp.weixin.qq.com/s@'
  AND canonical_url LIKE 'https://mp.weixin.qq.com/s?\_\_biz=%&idx=%&mid=%&sn=%' ESCAPE '\';
