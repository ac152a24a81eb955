//! URL canonicalisation: one spelling per article, so the same page found twice is kept once.

use url::Url;

/// Query parameters that only say how a reader arrived (campaigns, click ids, referrers).
/// Names are compared case-insensitively; a name ending in `*` is a prefix.
pub const TRACKING_PARAMS: &[&str] = &[
    "utm_*", "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "_hsenc",
    "_hsmi", "mkt_tok", "ref", "ref_src", "cmpid", "ocid",
];

/// The canonical spelling of a URL, or `None` when it is not an absolute URL.
///
/// For `http` and `https`: lower-cased scheme and host, no default port, no fragment, no
/// tracking parameters ([`TRACKING_PARAMS`]), the remaining query parameters sorted by name
/// (parameters of the same name keep their order, and their encoding is left as written), and
/// no trailing slash except on the root path. Any other scheme (`file://` above all) only
/// loses its fragment, since its path is a file name that must stay exact.
pub fn canonical_url(url: &str) -> Option<String> {
    let mut parsed = Url::parse(url.trim()).ok()?;
    parsed.set_fragment(None);
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(parsed.into());
    }
    // The parser has already lower-cased the scheme and host and dropped a default port.
    let path = parsed.path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed }.to_string();
        parsed.set_path(&trimmed);
    }
    let query = parsed.query().map(clean_query);
    match query {
        Some(q) if !q.is_empty() => parsed.set_query(Some(&q)),
        _ => parsed.set_query(None),
    }
    Some(parsed.into())
}

/// The URL to fetch for a discovered link: without its fragment (never sent to a server) and
/// without tracking parameters, so links that differ only in those are fetched once. Unlike
/// [`canonical_url`] it keeps the path and the order of the other parameters as written, since
/// many servers answer a changed spelling with a redirect (one more request). Anything that is
/// not an absolute http(s) URL is returned as it is.
pub fn fetch_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url.trim()) else {
        return url.to_string();
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return url.to_string();
    }
    parsed.set_fragment(None);
    if let Some(query) = parsed.query() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|piece| !piece.is_empty() && !is_tracking(&param_name(piece)))
            .collect();
        let kept = kept.join("&");
        parsed.set_query((!kept.is_empty()).then_some(kept.as_str()));
    }
    parsed.into()
}

/// The query without tracking parameters or empty pieces, sorted by parameter name.
fn clean_query(query: &str) -> String {
    let mut kept: Vec<(String, &str)> = query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| (param_name(piece), piece))
        .filter(|(name, _)| !is_tracking(name))
        .collect();
    // A stable sort keeps repeated parameters (`tag=a&tag=b`) in their written order.
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.iter().map(|(_, p)| *p).collect::<Vec<_>>().join("&")
}

/// The decoded name of one `name=value` query piece.
fn param_name(piece: &str) -> String {
    let raw = piece.split('=').next().unwrap_or_default();
    url::form_urlencoded::parse(raw.as_bytes())
        .next()
        .map(|(name, _)| name.into_owned())
        .unwrap_or_default()
}

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.iter().any(|t| match t.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(url: &str) -> String {
        canonical_url(url).unwrap_or_else(|| panic!("{url} should canonicalise"))
    }

    #[test]
    fn lower_cases_scheme_and_host_but_not_path() {
        assert_eq!(
            c("HTTPS://WWW.Example.ORG/Noticias/Homicidios"),
            "https://www.example.org/Noticias/Homicidios"
        );
    }

    #[test]
    fn drops_fragment() {
        assert_eq!(c("https://e.org/a#comentarios"), "https://e.org/a");
        assert_eq!(c("https://e.org/a#"), "https://e.org/a");
    }

    #[test]
    fn drops_default_ports_only() {
        assert_eq!(c("http://e.org:80/a"), "http://e.org/a");
        assert_eq!(c("https://e.org:443/a"), "https://e.org/a");
        assert_eq!(c("https://e.org:80/a"), "https://e.org:80/a");
        assert_eq!(c("http://e.org:8080/a"), "http://e.org:8080/a");
    }

    #[test]
    fn trailing_slash_goes_except_on_root() {
        assert_eq!(c("https://e.org/2024/03/nota/"), "https://e.org/2024/03/nota");
        assert_eq!(c("https://e.org/nota//"), "https://e.org/nota");
        assert_eq!(c("https://e.org/"), "https://e.org/");
        assert_eq!(c("https://e.org"), "https://e.org/");
    }

    #[test]
    fn tracking_parameters_go_and_the_rest_are_sorted() {
        assert_eq!(
            c("https://e.org/a?utm_source=tw&z=1&fbclid=abc&b=2&UTM_Medium=x&gclid=1"),
            "https://e.org/a?b=2&z=1"
        );
        assert_eq!(
            c("https://e.org/a?ref=home&ref_src=twsrc&mc_cid=1&mc_eid=2&_ga=3&igshid=4"),
            "https://e.org/a"
        );
        assert_eq!(c("https://e.org/a?cmpid=rss&ocid=x&msclkid=y&dclid=z"), "https://e.org/a");
    }

    #[test]
    fn similar_but_meaningful_parameters_stay() {
        assert_eq!(c("https://e.org/a?reference=7"), "https://e.org/a?reference=7");
        assert_eq!(c("https://e.org/a?id=7&page=2"), "https://e.org/a?id=7&page=2");
    }

    #[test]
    fn repeated_parameters_keep_their_order_and_encoding() {
        assert_eq!(
            c("https://e.org/buscar?tag=b&q=secuestro%20express&tag=a"),
            "https://e.org/buscar?q=secuestro%20express&tag=b&tag=a"
        );
    }

    #[test]
    fn empty_query_goes() {
        assert_eq!(c("https://e.org/a?"), "https://e.org/a");
        assert_eq!(c("https://e.org/a?&&"), "https://e.org/a");
        assert_eq!(c("https://e.org/a?utm_campaign=x"), "https://e.org/a");
    }

    #[test]
    fn two_spellings_of_one_article_agree() {
        let a = c("https://Example.org:443/2024/nota-1/?utm_source=rss#top");
        let b = c("https://example.org/2024/nota-1");
        assert_eq!(a, b);
    }

    #[test]
    fn file_urls_only_lose_their_fragment() {
        assert_eq!(
            c("file:///data/Saved/Page/?utm_source=x#frag"),
            "file:///data/Saved/Page/?utm_source=x"
        );
        assert_eq!(c("file:///data/a.html"), "file:///data/a.html");
    }

    #[test]
    fn not_a_url_is_none() {
        assert_eq!(canonical_url("/relative/path"), None);
        assert_eq!(canonical_url(""), None);
        assert_eq!(canonical_url("http://"), None);
    }

    #[test]
    fn fetch_urls_lose_fragment_and_tracking_only() {
        assert_eq!(
            fetch_url("https://e.org/2024/nota/?utm_source=rss&utm_medium=feed#respond"),
            "https://e.org/2024/nota/"
        );
        assert_eq!(fetch_url("https://e.org/a?z=1&fbclid=x&b=2"), "https://e.org/a?z=1&b=2");
        assert_eq!(fetch_url("https://e.org/a?id=7"), "https://e.org/a?id=7");
        assert_eq!(fetch_url("file:///data/a.html#x"), "file:///data/a.html#x");
        assert_eq!(fetch_url("not a url"), "not a url");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(c("  https://e.org/a \n"), "https://e.org/a");
    }
}
