-- vigia schema, version 1: sources, pages, articles and what was extracted from them.
-- Times are ISO 8601 UTC text ("2026-03-01T12:00:00Z"); article dates are kept as the page gave them.

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    schedule        TEXT NOT NULL DEFAULT '',
    language        TEXT,
    link_pattern    TEXT,
    keywords        TEXT NOT NULL DEFAULT '[]',
    min_relevance   REAL,
    last_fetch_at   TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- One row per URL asked for: the latest attempt, and the latest body received.
CREATE TABLE pages (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    final_url       TEXT NOT NULL,
    source          TEXT NOT NULL,
    status          INTEGER,
    content_type    TEXT,
    etag            TEXT,
    last_modified   TEXT,
    body            BLOB,
    body_size       INTEGER,
    body_fetched_at TEXT,
    fetched_at      TEXT NOT NULL,
    error           TEXT,
    retry_after     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 1,
    failures        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pages_source ON pages (source);
CREATE INDEX pages_body_fetched_at ON pages (body_fetched_at);

CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    canonical_url     TEXT NOT NULL UNIQUE,
    url               TEXT NOT NULL,
    source            TEXT NOT NULL,
    title             TEXT,
    published         TEXT,
    modified          TEXT,
    author            TEXT,
    language          TEXT,
    body              TEXT NOT NULL,
    content_hash      TEXT UNIQUE,
    relevance         REAL NOT NULL DEFAULT 0,
    topics            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),
    extractor_version TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT,
    -- The date filters and trends use: the published day, or the fetch day when undated.
    day               TEXT GENERATED ALWAYS AS (substr(coalesce(published, fetched_at), 1, 10)) VIRTUAL
);
CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_day ON articles (day);

-- Every URL that led to an article: page URLs, final URLs after redirects, canonical URLs.
CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX article_urls_article ON article_urls (article_id);

CREATE TABLE statistics (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    value         REAL,
    low           REAL,
    high          REAL,
    unit          TEXT NOT NULL,
    qualifier     TEXT,
    counted       TEXT,
    topic         TEXT,
    metric        TEXT,
    year          INTEGER,
    location      TEXT,
    attributed_to TEXT,
    sentence      TEXT NOT NULL,
    "start"       INTEGER NOT NULL,
    "end"         INTEGER NOT NULL
);
CREATE INDEX statistics_article ON statistics (article_id, "start");
CREATE INDEX statistics_topic ON statistics (topic, year);
CREATE INDEX statistics_unit ON statistics (unit);
CREATE INDEX statistics_year ON statistics (year);
CREATE INDEX statistics_location ON statistics (location);

CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    type       TEXT NOT NULL CHECK (type IN ('person', 'organization', 'location')),
    name       TEXT NOT NULL,
    role       TEXT,
    country    TEXT,
    "start"    INTEGER NOT NULL,
    "end"      INTEGER NOT NULL
);
CREATE INDEX entities_article ON entities (article_id, "start");
CREATE INDEX entities_name ON entities (type, name);
CREATE INDEX entities_country ON entities (country);

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    sources       INTEGER NOT NULL DEFAULT 0,
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    not_modified  INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    articles_new  INTEGER NOT NULL DEFAULT 0,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    statistics    INTEGER NOT NULL DEFAULT 0,
    entities      INTEGER NOT NULL DEFAULT 0,
    errors        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors))
);
