//! Section pages: the article links a listing page points to.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use scraper::Selector;
use url::Url;

static BASE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("base[href]").expect("constant selector"));
static ANCHOR: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").expect("constant selector"));

/// The http(s) links of an HTML page whose absolute URL matches `pattern`, in page order:
/// the first `max` of them.
///
/// Links resolve against the first `<base href>` (itself resolved against `base_url`) or else
/// `base_url`; fragments are dropped before matching, and each URL is listed once.
pub fn page_links(html: &str, base_url: &str, pattern: &Regex, max: usize) -> Vec<String> {
    let Ok(page_url) = Url::parse(base_url) else {
        return Vec::new();
    };
    let doc = crate::markup::parse_document(html);
    let base = doc
        .select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or(page_url);

    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for anchor in doc.select(&ANCHOR) {
        let Some(href) = anchor.value().attr("href") else {
            continue;
        };
        let Ok(mut url) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        url.set_fragment(None);
        let url: String = url.into();
        if pattern.is_match(&url) && seen.insert(url.clone()) {
            links.push(url);
            if links.len() == max {
                break;
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> String {
        let path = format!("{}/tests/fixtures/discover/section.html", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn keeps_article_links_once_in_page_order() {
        let pattern = Regex::new(r"^https://www\.example\.pe/policiales/\d{4}/\d{2}/").unwrap();
        let got = page_links(&section(), "https://www.example.pe/policiales/", &pattern, usize::MAX);
        assert_eq!(
            got,
            [
                // <base href="/"> makes this relative link site-rooted
                "https://www.example.pe/policiales/2024/03/balacera-en-san-juan-de-lurigancho",
                "https://www.example.pe/policiales/2024/03/cae-banda-de-extorsionadores",
                "https://www.example.pe/policiales/2024/03/reos-trasladados-a-challapalca",
                "https://www.example.pe/policiales/2024/02/cifras-de-homicidios-2023",
            ]
        );
    }

    #[test]
    fn without_base_links_resolve_against_the_page() {
        let html = r#"<a href="2024/03/nota-uno">1</a><a href="../otra/2024/03/x">2</a>
            <a href="https://e.pe/sec/2024/03/nota-uno#comentarios">1 again</a>"#;
        let pattern = Regex::new(r"/\d{4}/\d{2}/").unwrap();
        let got = page_links(html, "https://e.pe/sec/", &pattern, usize::MAX);
        assert_eq!(got, ["https://e.pe/sec/2024/03/nota-uno", "https://e.pe/otra/2024/03/x"]);
    }

    #[test]
    fn links_stop_at_the_cap() {
        let html: String = (0..100).map(|i| format!("<a href=\"/n/{i}\">{i}</a>")).collect();
        let got = page_links(&html, "https://e.pe/", &Regex::new("").unwrap(), 5);
        assert_eq!(got.len(), 5);
        assert_eq!(got[4], "https://e.pe/n/4");
    }

    #[test]
    fn non_http_links_and_bad_input_give_nothing() {
        let html = r#"<a href="mailto:x@e.pe">m</a><a href="javascript:void(0)">j</a>
            <a href="http://[::1">broken</a><a>no href</a>"#;
        let any = Regex::new(".").unwrap();
        assert!(page_links(html, "https://e.pe/", &any, usize::MAX).is_empty());
        assert!(page_links("<a href=/x>x</a>", "not a url", &any, usize::MAX).is_empty());
        assert!(page_links("", "https://e.pe/", &any, usize::MAX).is_empty());
    }
}
