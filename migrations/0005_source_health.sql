-- vigia schema, version 5: source health and polite polling across passes.

-- The running state of each source: failed fetches in a row (any URL of the source) and the
-- kind of the latest, how many of them in a row the server refused (403, 429, Retry-After),
-- runs in a row that failed, and when a failing source may be tried again. Every statement
-- here can run twice, so a file whose version number was set back by hand still upgrades.
CREATE TABLE IF NOT EXISTS source_state (
    source         TEXT PRIMARY KEY,
    error_streak   INTEGER NOT NULL DEFAULT 0,
    error_kind     TEXT,
    refused_streak INTEGER NOT NULL DEFAULT 0,
    failed_passes  INTEGER NOT NULL DEFAULT 0,
    backoff_until  TEXT
) WITHOUT ROWID;

-- Fetch outcomes per source and day, by kind (`ok`, `not_modified`, `dns`, `connect`, `tls`,
-- `timeout`, `http` with its status, `robots`, `deferred`, `not_html`, `empty`, `filtered`,
-- `other`). Days older than the health window are dropped, so the table stays small.
CREATE TABLE IF NOT EXISTS source_outcomes (
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
CREATE TABLE IF NOT EXISTS discovery_validators (
    url           TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Per host, what a server asked of us that must outlive a pass: no request before
-- `not_before` (Retry-After), and a gap of `crawl_delay_ms` (robots.txt Crawl-delay) after
-- the last request, made at `last_request_at`.
CREATE TABLE IF NOT EXISTS hosts (
    host            TEXT PRIMARY KEY,
    not_before      TEXT,
    crawl_delay_ms  INTEGER,
    last_request_at TEXT
) WITHOUT ROWID;
