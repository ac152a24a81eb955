-- vigia schema, version 4: whether a figure is a change from an earlier value, and where its
-- country was read (the `change` and `location_from` fields of `vigia extract`).
-- Rows stored before this version hold NULL in both until `vigia reprocess` reads their pages again.

ALTER TABLE statistics ADD COLUMN change TEXT CHECK (change IN ('increase', 'decrease'));
ALTER TABLE statistics ADD COLUMN location_from TEXT CHECK (location_from IN ('sentence', 'article'));
