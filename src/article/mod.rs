//! Main-text and metadata extraction from an HTML page: pure, bytes in, `Article` out.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the article stage knows of one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    pub title: Option<String>,
    /// ISO 8601: `2016-08-22` or `2016-08-22T10:00:00Z`.
    pub published: Option<String>,
    /// ISO 8601, when the page states a modification date.
    pub modified: Option<String>,
    /// Author names, without "By"/"Por".
    pub authors: Vec<String>,
    /// ISO 639-1 code ("en", "es", ...), when known.
    pub language: Option<String>,
    /// The main text, paragraphs separated by a blank line.
    pub body: String,
    /// The page's `rel=canonical` or `og:url`, absolute, when present.
    pub canonical_url: Option<String>,
    pub description: Option<String>,
}

/// Extracts the article from an HTML document already decoded to text.
///
/// `url` is the page's address (resolves relative links, gives a last-resort date);
/// `fetched_at` bounds the published date (a page cannot be published after it was fetched).
pub fn extract_article(html: &str, url: Option<&str>, fetched_at: Option<DateTime<Utc>>) -> Article {
    let _ = (url, fetched_at);
    let doc = scraper::Html::parse_document(html);
    let body = doc.root_element().text().collect::<Vec<_>>().join(" ");
    Article {
        body,
        ..Article::default()
    }
}

/// Detects the language of a text: "en", "es", or another ISO 639-1 code; None when unsure.
pub fn detect_language(text: &str) -> Option<String> {
    let _ = text;
    None
}
