-- vigia schema, version 6: article versions.
-- When the page of a stored article changes (a corrected figure), the new text becomes a new
-- row of `articles` with the next `version`, and the row it replaces keeps its text, figures
-- and entities, with `superseded_at` set to when the change was seen. Current rows are those
-- with `superseded_at IS NULL`: one per canonical URL and per content hash.
--
-- SQLite cannot drop the UNIQUE constraints of a column in place, so the table is rebuilt
-- with the same ids (figures, entities, URLs and the full-text index keep pointing at them).
-- vigia applies this with foreign keys off, so dropping the old table deletes nothing else.
-- Articles stored before this version become version 1, current. (Run again on a file whose
-- version number was set back by hand, every article becomes version 1 again, which fails,
-- changing nothing, when the file holds superseded versions.)

-- Views over `articles` (schema versions 7 and 8) exist only on a file set back by hand; they are made
-- again by version 8.
DROP VIEW IF EXISTS articles_v;
DROP VIEW IF EXISTS statistics_v;
DROP VIEW IF EXISTS entities_v;
DROP VIEW IF EXISTS claims_v;

DROP TRIGGER IF EXISTS articles_fts_insert;
DROP TRIGGER IF EXISTS articles_fts_delete;
DROP TRIGGER IF EXISTS articles_fts_update;

CREATE TABLE articles_v6 (
    id                INTEGER PRIMARY KEY,
    canonical_url     TEXT NOT NULL,
    url               TEXT NOT NULL,
    source            TEXT NOT NULL,
    title             TEXT,
    published         TEXT,
    modified          TEXT,
    author            TEXT,
    language          TEXT,
    body              TEXT NOT NULL,
    content_hash      TEXT,
    relevance         REAL NOT NULL DEFAULT 0,
    topics            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),
    extractor_version TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT,
    day               TEXT GENERATED ALWAYS AS (substr(coalesce(published, fetched_at), 1, 10)) VIRTUAL,
    -- 1 for the text first stored, then 2, 3, ... each time the page's text changed.
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- When a newer version replaced this one; NULL for the current version.
    superseded_at     TEXT
);

INSERT INTO articles_v6 (id, canonical_url, url, source, title, published, modified, author, language,
                         body, content_hash, relevance, topics, extractor_version, fetched_at,
                         created_at, updated_at)
SELECT id, canonical_url, url, source, title, published, modified, author, language,
       body, content_hash, relevance, topics, extractor_version, fetched_at,
       created_at, updated_at
FROM articles;

DROP TABLE articles;
ALTER TABLE articles_v6 RENAME TO articles;

CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_day ON articles (day);
CREATE INDEX articles_url ON articles (url);
-- One current version per canonical URL and per text; every version numbered once.
CREATE UNIQUE INDEX articles_current_url ON articles (canonical_url) WHERE superseded_at IS NULL;
CREATE UNIQUE INDEX articles_current_hash ON articles (content_hash) WHERE superseded_at IS NULL;
CREATE UNIQUE INDEX articles_versions ON articles (canonical_url, version);
-- A copy of an earlier text is found by its hash too.
CREATE INDEX articles_superseded_hash ON articles (content_hash) WHERE superseded_at IS NOT NULL;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- Runs gain `changed` (articles whose page changed), also by a rebuild, so that this file can
-- run again on a database whose version number was set back by hand.
CREATE TABLE runs_v6 (
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
    errors        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
    changed       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO runs_v6 (id, started_at, finished_at, sources, pages_fetched, not_modified, failed,
                     skipped, articles_new, duplicates, statistics, entities, errors)
SELECT id, started_at, finished_at, sources, pages_fetched, not_modified, failed,
       skipped, articles_new, duplicates, statistics, entities, errors
FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v6 RENAME TO runs;
