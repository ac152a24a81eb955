-- vigia schema, version 10: what every pass does costs less. Articles enter the full-text
-- index when their transaction commits, all together, instead of one at a time as each is
-- written; and the story regrouping that ends each pass reads two small indexes instead of
-- every article's row.
--
-- A run writes each article in a savepoint of one larger transaction (so a failed write undoes
-- only itself), and FTS5 writes out what it holds at every savepoint: one small index segment
-- per article, merged again and again. Now a new article's id waits in `articles_fts_pending`,
-- and vigia indexes every waiting article just before it commits (and when it opens a database
-- for writing, for rows another program added). An article changed or deleted while it waits is
-- only taken off the list or left on it; one already indexed leaves the index as before.

CREATE TABLE IF NOT EXISTS articles_fts_pending (id INTEGER PRIMARY KEY);

DROP TRIGGER IF EXISTS articles_fts_insert;
DROP TRIGGER IF EXISTS articles_fts_delete;
DROP TRIGGER IF EXISTS articles_fts_update;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO articles_fts_pending (id) VALUES (new.id);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    SELECT 'delete', old.id, old.title, old.body
    WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = old.id);
    DELETE FROM articles_fts_pending WHERE id = old.id;
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles
WHEN NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = old.id) BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT OR IGNORE INTO articles_fts_pending (id) VALUES (new.id);
END;

-- Each pass fingerprints the current articles that have no fingerprint yet, and then groups
-- every current article into stories by id, day and fingerprint. In the table those columns lie
-- past the body, so both read every article's whole text; these indexes hold what they read.
CREATE INDEX IF NOT EXISTS articles_unfingerprinted ON articles (id) WHERE superseded_at IS NULL AND simhash IS NULL;
CREATE INDEX IF NOT EXISTS articles_current_story ON articles (id, day, simhash, story_id) WHERE superseded_at IS NULL;
