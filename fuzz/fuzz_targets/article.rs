//! Fuzz target: the article extractor on arbitrary bytes, decoded as the pipeline decodes a
//! page, never panics, stays within the parse's work bound, and dates what it dates in ISO 8601.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigia::markup::{LIMITS, parse_document_with, work_budget};

const URL: &str = "https://e.org/2024/03/05/nota";

fuzz_target!(|data: &[u8]| {
    let html = vigia::article::charset::decode_with_url(data, Some("text/html"), Some(URL));
    let article = vigia::article::extract_article(&html, Some(URL), None);
    if let Some(published) = &article.published {
        assert!(vigia::article::parse_date(published).is_some(), "{published}");
    }
    let (_, work) = parse_document_with(&html, &LIMITS);
    assert!(work.looks < 2 * work_budget(html.len()), "{work:?}");
});
