-- vigia schema, version 5: source health and polite polling across passes.

-- The running state of each source: failed fetches in a row (any URL of the source), how many
-- of them in a row the server refused (403, 429, Retry-After), passes in a row that failed,
-- and when a failing source may be tried again.
ALTER TABLE sources ADD COLUMN error_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN error_kind TEXT;
ALTER TABLE sources ADD COLUMN refused_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN failed_passes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN backoff_until TEXT;

-- Fetch outcomes per source and day, by kind (`ok`, `not_modified`, `dns`, `connect`, `tls`,
-- `timeout`, `http` with its status, `robots`, `deferred`, `not_html`, `empty`, `filtered`,
-- `other`). Days older than the health window are dropped, so the table stays small.
CREATE TABLE source_outcomes (
    source  TEXT NOT NULL,
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    status  INTEGER NOT NULL DEFAULT 0,
    count   INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (source, day, kind, status)
) WITHOUT ROWID;

-- Validators of the feeds, sitemaps and section pages a source is read from, for conditional
-- GET. Kept only after a pass that took every candidate they listed.
CREATE TABLE discovery_validators (
    url           TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Per host, what a server asked of us that must outlive a pass: no request before
-- `not_before` (Retry-After), and a gap of `crawl_delay_ms` (robots.txt Crawl-delay) after
-- the last request, made at `last_request_at`.
CREATE TABLE hosts (
    host            TEXT PRIMARY KEY,
    not_before      TEXT,
    crawl_delay_ms  INTEGER,
    last_request_at TEXT
) WITHOUT ROWID;
