//! Main-text and metadata extraction from an HTML page: pure, bytes in, `Article` out.

mod body;
pub mod charset;
mod dates;
mod dom;
mod lang;
mod meta;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use dates::{PageDate, parse_date, parse_visible_date};
pub use meta::{clean_author, clean_title};

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

/// Extracts the article from a page's raw bytes: the one way from a body to an [`Article`].
///
/// `content_type` is the Content-Type header, when known, and weighs in on the charset;
/// `url` and `fetched_at` are as for [`extract_article`] (the URL's domain also guides
/// charset detection).
pub fn from_bytes(bytes: &[u8], content_type: Option<&str>, url: Option<&str>, fetched_at: Option<DateTime<Utc>>) -> Article {
    let html = charset::decode_with_url(bytes, content_type, url);
    extract_article(&html, url, fetched_at)
}

/// Extracts the article from an HTML document already decoded to text.
///
/// `url` is the page's address (resolves relative links, gives a last-resort date);
/// `fetched_at` bounds the published date (a page cannot be published after it was fetched).
pub fn extract_article(html: &str, url: Option<&str>, fetched_at: Option<DateTime<Utc>>) -> Article {
    let doc = crate::markup::parse_document(html);
    extract_from_document(&doc, url, fetched_at)
}

/// Extracts the article from a page already parsed (by a caller that needs the tree too).
pub fn extract_from_document(doc: &scraper::Html, url: Option<&str>, fetched_at: Option<DateTime<Utc>>) -> Article {
    let dom = dom::build(doc);
    let mut body = body::extract_body(&dom);
    let meta = meta::extract_meta(&dom, url, fetched_at);
    if let Some(title) = &meta.title {
        body = meta::strip_leading_title(body, title);
    }
    let language = choose_language(meta.language.clone(), &body);
    Article {
        title: meta.title,
        published: meta.published,
        modified: meta.modified,
        authors: meta.authors,
        language,
        body,
        canonical_url: meta.canonical_url,
        description: meta.description,
    }
}

/// Shortest body (in letters) whose detected language may overrule the declared one.
const OVERRULE_MIN_LETTERS: usize = 400;

/// The declared language, unless a long body clearly reads as another: templates often
/// declare the theme's default language ("en") over Spanish text.
fn choose_language(declared: Option<String>, body: &str) -> Option<String> {
    let Some(declared) = declared else { return detect_language(body) };
    let letters = body.chars().filter(|c| c.is_alphabetic()).take(OVERRULE_MIN_LETTERS).count();
    if letters < OVERRULE_MIN_LETTERS {
        return Some(declared);
    }
    Some(detect_language(body).unwrap_or(declared))
}

/// Detects the language of a text: "en", "es", or another ISO 639-1 code; None when unsure.
pub fn detect_language(text: &str) -> Option<String> {
    lang::detect(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_bytes_decodes_by_the_header_charset() {
        // "Привет" in windows-1251; read in any other charset these bytes are other letters.
        let page = b"<html><head><title>\xcf\xf0\xe8\xe2\xe5\xf2</title></head><body></body></html>";
        let art = from_bytes(page, Some("text/html; charset=windows-1251"), None, None);
        assert_eq!(art.title.as_deref(), Some("\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}"));
    }

    #[test]
    fn long_body_overrules_a_template_language() {
        let es =
            "La fiscalía informó que los detenidos fueron trasladados al penal estatal, donde permanecerán mientras avanza el proceso. "
                .repeat(6);
        assert_eq!(choose_language(Some("en".into()), &es).as_deref(), Some("es"));
        assert_eq!(choose_language(Some("en".into()), "Texto corto en español.").as_deref(), Some("en"));
        assert_eq!(choose_language(None, &es).as_deref(), Some("es"));
        assert_eq!(choose_language(Some("es".into()), &es).as_deref(), Some("es"));
    }
}
