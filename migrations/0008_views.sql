-- vigia schema, version 8: views that carry each row's provenance, so a researcher needs no joins.
-- Each view starts with the columns of its export (`vigia export`), in the same order and under
-- the same names, and the exports read them from here; more columns follow for queries. Every
-- version of an article is in them: add `WHERE superseded_at IS NULL` for current rows only.
-- (A later migration that rebuilds `articles` must drop these views first and create them again.)

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
