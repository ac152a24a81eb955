//! Discovery: which article URLs (or files) a source offers now.

use std::path::PathBuf;

use crate::config::{SourceConfig, SourceKind};
use crate::fetch::Fetcher;

/// An article a source points to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    /// Absolute URL (for `files`, a `file://` URL of the saved page).
    pub url: String,
    /// For `files`: the page on disk.
    pub path: Option<PathBuf>,
    /// What the feed or sitemap says, when it says it.
    pub title: Option<String>,
    pub published: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("cannot parse {what} at {url}: {message}")]
    Parse { what: &'static str, url: String, message: String },
    #[error("{0}")]
    Files(String),
    #[error("{url} answered {outcome}")]
    Unusable { url: String, outcome: String },
}

/// Lists the candidates a source offers now.
pub async fn discover(source: &SourceConfig, fetcher: &Fetcher) -> Result<Vec<Candidate>, DiscoverError> {
    let _ = fetcher;
    match source.kind {
        SourceKind::Rss | SourceKind::Sitemap | SourceKind::Page | SourceKind::Files => Ok(Vec::new()),
    }
}

/// The canonical form of a URL used for dedup.
pub fn canonical_url(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.to_string())
}
