//! How much a text is about public security, and which topics it is about.

use super::{Lang, Statistic};

/// Returns (relevance 0..1, topics most important first).
pub fn score(body: &str, statistics: &[Statistic], lang: Lang) -> (f64, Vec<String>) {
    let _ = (body, statistics, lang);
    (0.0, Vec::new())
}
