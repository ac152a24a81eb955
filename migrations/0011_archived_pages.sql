-- vigia schema, version 11: a page read from a WARC archive may be kept by reference instead
-- of copied. Such a row has `body` NULL and names where the page's record starts: `archive`,
-- the archive's absolute path, and `archive_offset`, the byte offset of the record (of its
-- gzip member in a `.warc.gz`). `body_size` and `body_fetched_at` are set as for a copy.

ALTER TABLE pages ADD COLUMN archive TEXT;
ALTER TABLE pages ADD COLUMN archive_offset INTEGER;
