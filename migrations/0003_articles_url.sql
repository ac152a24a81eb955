-- Reprocessing finds the article a page was made from by the page's URL.
CREATE INDEX articles_url ON articles (url);
