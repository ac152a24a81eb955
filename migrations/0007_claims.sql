-- vigia schema, version 7: claims and stories.
-- A claim is one figure however many articles repeat it: figures with the same unit, value (or
-- low and high), topic, location, reference year and change, published within
-- `claims::CLAIM_WINDOW_DAYS` of the claim's first report, share `statistics.claim_id`, the id
-- of the claim's first figure (earliest article day, then lowest id). A story is a set of
-- near-identical article texts (syndicated copies): `articles.story_id` is the id of its first
-- article; `articles.simhash` is the 64-bit fingerprint of the text it was found by.
-- Only current versions belong to claims and stories; superseded rows hold NULL.
-- Existing rows hold NULL until the next `vigia run` or `vigia reprocess` groups them. The views
-- that show these columns come with version 8.

ALTER TABLE statistics ADD COLUMN claim_id INTEGER;
ALTER TABLE articles ADD COLUMN simhash INTEGER;
ALTER TABLE articles ADD COLUMN story_id INTEGER;

CREATE INDEX statistics_claim ON statistics (claim_id);
-- Regrouping after a run reads the figures of one key at a time (`change` is checked on the
-- few rows the rest of the key leaves).
CREATE INDEX statistics_claim_key ON statistics (unit, value, low, high, topic, location, year);
CREATE INDEX articles_story ON articles (story_id);
