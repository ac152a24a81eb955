-- vigia schema, version 8: claims and stories.
-- A claim is one figure however many articles repeat it: figures with the same unit, value (or
-- low and high), topic, location, reference year and change, published within
-- `claims::CLAIM_WINDOW_DAYS` of the claim's first report, share `statistics.claim_id`, the id
-- of the claim's first figure (earliest article day, then lowest id). A story is a set of
-- near-identical article texts (syndicated copies): `articles.story_id` is the id of its first
-- article; `articles.simhash` is the 64-bit fingerprint of the text it was found by.
-- Only current versions belong to claims and stories; superseded rows hold NULL.
-- Existing rows hold NULL until the next `vigia run` or `vigia reprocess` groups them.

ALTER TABLE statistics ADD COLUMN claim_id INTEGER;
ALTER TABLE articles ADD COLUMN simhash INTEGER;
ALTER TABLE articles ADD COLUMN story_id INTEGER;

CREATE INDEX statistics_claim ON statistics (claim_id);
-- Regrouping after a run reads the figures of one key at a time (`change` is checked on the
-- few rows the rest of the key leaves).
CREATE INDEX statistics_claim_key ON statistics (unit, value, low, high, topic, location, year);
CREATE INDEX articles_story ON articles (story_id);

-- The views of version 7 with the new columns appended (every earlier column in its place).
DROP VIEW IF EXISTS articles_v;
DROP VIEW IF EXISTS statistics_v;
DROP VIEW IF EXISTS entities_v;
DROP VIEW IF EXISTS claims_v;

CREATE VIEW articles_v AS
SELECT a.canonical_url AS url, a.title, a.published, a.language, a.source, a.fetched_at, a.body,
       a.relevance, a.topics, a.version, a.superseded_at,
       a.id AS article_id, a.day, a.url AS fetched_url, a.author, a.modified, a.extractor_version,
       a.story_id
FROM articles a;

CREATE VIEW statistics_v AS
SELECT a.canonical_url AS article_url, a.published, a.source, s.value, s.low, s.high, s.unit,
       s.qualifier, s.counted, s.topic, s.metric, s.year, s.location, s.attributed_to, s.sentence,
       s."start", s."end", s.change, s.location_from, a.version, a.superseded_at,
       s.id AS statistic_id, a.id AS article_id, a.title, a.language, a.day, a.relevance,
       coalesce(s.value, (s.low + s.high) / 2.0) AS midpoint,
       s.claim_id, a.story_id
FROM statistics s JOIN articles a ON a.id = s.article_id;

CREATE VIEW entities_v AS
SELECT a.canonical_url AS article_url, a.published, a.source, e.type, e.name, e.role, e.country,
       e."start", e."end", a.version, a.superseded_at,
       e.id AS entity_id, a.id AS article_id, a.title, a.language, a.day, a.relevance,
       a.story_id
FROM entities e JOIN articles a ON a.id = e.article_id;

-- One row per claim: its figure (as its first report gave it), its first article, and how
-- many figures (reports), articles and outlets (sources) repeat it.
CREATE VIEW claims_v AS
SELECT f.claim_id, s.value, s.low, s.high, s.unit, s.topic, s.location, s.year, s.change,
       a.source AS first_outlet, f.first_date, a.canonical_url AS first_url, a.title AS first_title,
       f.last_date, f.reports, f.articles, f.outlets, a.id AS first_article_id
FROM (SELECT s.claim_id, min(a.day) AS first_date, max(a.day) AS last_date, count(*) AS reports,
             count(DISTINCT s.article_id) AS articles, count(DISTINCT a.source) AS outlets
      FROM statistics s JOIN articles a ON a.id = s.article_id
      WHERE s.claim_id IS NOT NULL AND a.superseded_at IS NULL
      GROUP BY s.claim_id) f
JOIN statistics s ON s.id = f.claim_id
JOIN articles a ON a.id = s.article_id;
