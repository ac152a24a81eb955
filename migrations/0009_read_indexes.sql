-- vigia schema, version 9: indexes that let the reading commands skip rows they do not need.

-- `vigia trend statistics --location MX --topic homicide` reads the figures of that country and
-- topic (and unit, when given) by this index instead of every figure. The country is compared
-- ignoring ASCII case (`mx` is MX), so the index folds case too; the plain index on `location`
-- stays for queries that compare it exactly. The index also holds every other column a trend
-- reads of a figure, so the trend never reads the figure's row (nor its sentence).
CREATE INDEX IF NOT EXISTS statistics_location_topic
    ON statistics (location COLLATE NOCASE, topic, unit, article_id, value, low, high, year, change, qualifier, metric, claim_id);

-- Whether an article is current, beside its id: in the table `superseded_at` lies past the body,
-- so reading it there reads the whole text. `vigia search` ranks every match and keeps the
-- current ones by this index, and regrouping claims joins each figure to its article by it.
CREATE INDEX IF NOT EXISTS articles_current_id ON articles (id, superseded_at);
