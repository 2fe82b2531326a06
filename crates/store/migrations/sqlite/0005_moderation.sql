-- Editors and what they do: accounts, sessions, failed logins, readers' submissions,
-- rights holders' takedown requests, tombstones, the audit log and the operator's pages.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    -- An argon2id PHC string; the password itself is never stored.
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor')),
    created_at    INTEGER NOT NULL
);

-- A logged-in browser. The cookie holds a random token; the row holds only its SHA-256, so a
-- copy of the database does not let anyone in.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The synchronizer token every form of this session must send back.
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed logins, by the name tried and by a keyed hash of the address: what throttling and
-- lockout count. Old rows are pruned as new ones arrive.
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    username     TEXT    NOT NULL,
    address_hash TEXT    NOT NULL,
    at           INTEGER NOT NULL
);

CREATE INDEX login_failures_by_user ON login_failures (username, at);
CREATE INDEX login_failures_by_address ON login_failures (address_hash, at);

-- A reader's tip or article. Everything is kept as the plain text the reader typed (control
-- characters removed); pages escape it when they print it.
CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    -- What the reader is given to check on it: random, so that it cannot be guessed.
    receipt       TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('tip', 'article')),
    title         TEXT    NOT NULL DEFAULT '',
    body          TEXT    NOT NULL,
    url           TEXT,
    author        TEXT,
    contact       TEXT,
    status        TEXT    NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
    address_hash  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    decided_at    INTEGER,
    decided_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- The article an approval published.
    article_id    INTEGER REFERENCES articles (id) ON DELETE SET NULL
);

CREATE INDEX submissions_by_status ON submissions (status, created_at);
CREATE INDEX submissions_by_address ON submissions (address_hash, created_at);

-- A rights holder's request to remove articles.
CREATE TABLE takedowns (
    id           INTEGER PRIMARY KEY,
    receipt      TEXT    NOT NULL UNIQUE,
    claimant     TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    -- The addresses the claimant gave, one per line, as given.
    pages        TEXT    NOT NULL,
    work         TEXT    NOT NULL,
    statement    TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected')),
    address_hash TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- The editor's reason, shown to the claimant with the status.
    decision_note TEXT
);

CREATE INDEX takedowns_by_status ON takedowns (status, created_at);
CREATE INDEX takedowns_by_address ON takedowns (address_hash, created_at);

-- Why a removed article is removed, and by which takedown when one asked for it.
ALTER TABLE articles ADD COLUMN removal_reason TEXT;
ALTER TABLE articles ADD COLUMN takedown_id INTEGER REFERENCES takedowns (id);

-- What must not come back: a removed work's address and the hash of its text. Ingest checks
-- both before writing, so neither the same page nor a copy of it elsewhere returns.
CREATE TABLE tombstones (
    id           INTEGER PRIMARY KEY,
    canonical_url TEXT   NOT NULL UNIQUE,
    content_hash INTEGER,
    article_id   INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    takedown_id  INTEGER REFERENCES takedowns (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL
);

CREATE INDEX tombstones_by_hash ON tombstones (content_hash);

-- Images that must not be fetched or served again.
ALTER TABLE media ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;

-- Every editor's action, and every public request, in order. Never updated, never deleted.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    -- NULL for actions of the public (a submission, a request) and of the command line.
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_kind TEXT    NOT NULL,
    target_id   INTEGER,
    detail      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);

-- The operator's pages as edited in the admin; a page without a row is read from the pages
-- directory or the text built into xinwen.
CREATE TABLE site_pages (
    slug       TEXT    PRIMARY KEY CHECK (slug IN ('about', 'contact', 'privacy', 'terms')),
    markdown   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
