-- The first schema: channels, sources, articles and their images.
--
-- Times are whole seconds since the Unix epoch (UTC) in INTEGER columns: portable to
-- PostgreSQL's BIGINT and cheap to compare and sort. Enumerations are TEXT with CHECK
-- constraints, so a row read back by hand says what it means.

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    -- Order of the channel's section on the home page and in the navigation.
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('wechat', 'news_site', 'other')),
    homepage    TEXT,
    feed_url    TEXT,
    -- How a reader follows the account: a link, and/or a QR image to scan (WeChat).
    follow_url  TEXT,
    qr_image    TEXT,
    -- Where the source's articles go unless an article says otherwise. Deleting a channel
    -- must not delete sources, so the link is cleared instead.
    channel_id  INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    channel_id    INTEGER NOT NULL REFERENCES channels (id),
    title         TEXT    NOT NULL,
    author        TEXT,
    original_url  TEXT    NOT NULL,
    -- The identity of an article: fetching it again updates the row instead of adding one.
    canonical_url TEXT    NOT NULL UNIQUE,
    published_at  INTEGER NOT NULL,
    fetched_at    INTEGER NOT NULL,
    -- Already sanitized when written; pages print it as it is.
    body_html     TEXT    NOT NULL,
    body_text     TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    script        TEXT    NOT NULL CHECK (script IN ('zh-Hans', 'zh-Hant')),
    -- A removed article keeps its row: its page answers 410 and it is not fetched back in.
    status        TEXT    NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'removed')),
    removed_at    INTEGER,
    updated_at    INTEGER NOT NULL
);

-- Every list is "the newest live articles", over everything or one channel or one source.
CREATE INDEX articles_by_time ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_by_channel ON articles (channel_id, status, published_at DESC, id DESC);
CREATE INDEX articles_by_source ON articles (source_id, status, published_at DESC, id DESC);

CREATE TABLE article_images (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Order in the body; the first image is the article's thumbnail in lists.
    position   INTEGER NOT NULL,
    src        TEXT    NOT NULL,
    alt        TEXT    NOT NULL DEFAULT '',
    caption    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, position)
);
