//! Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom entries as candidates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use feed_rs::model::{Entry, Link};
use url::Url;

use quick_xml::events::Event;

use super::{Candidate, DiscoverError, absolute_http, gunzip_if_needed};
use crate::config::DiscoverConfig;

/// The entries of a feed, in feed order: the first `limits.max_entries` of them.
///
/// `bytes` is the body as received, so the parser can honour the XML encoding declaration;
/// `base_url` is where the feed was found and resolves relative links (after any `xml:base`).
/// A gzip body is read up to `limits.max_bytes` once decompressed. Entries without an
/// http(s) link are left out.
pub fn parse_feed(bytes: &[u8], base_url: &str, limits: &DiscoverConfig) -> Result<Vec<Candidate>, DiscoverError> {
    let parse_error = |message: String| DiscoverError::Parse {
        what: "feed",
        url: base_url.to_string(),
        message,
    };
    let bytes = gunzip_if_needed(bytes, limits.max_bytes).map_err(parse_error)?;
    let max = limits.max_entries;
    // The parser rejects a whole feed over a base that is not an absolute URL.
    let base = Url::parse(base_url).ok();
    // A feed that is not well-formed XML (a raw `&` in a link, an HTML `&nbsp;`) is read
    // once more after those are escaped; the first error is the one reported. Each attempt
    // needs its own parser: one that has failed keeps state that trips an assertion on its
    // next parse, and no feed may bring the run down with a panic.
    let parse = |input: &[u8]| {
        std::panic::catch_unwind(|| {
            feed_rs::parser::Builder::new()
                .base_uri(base.as_ref().map(Url::as_str))
                .sanitize_content(false)
                .build()
                .parse(input)
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|_| Err("the feed parser gave up on this input".to_string()))
    };
    // The parser holds every entry it reads, so it is given no more than are kept.
    let feed = match parse(&first_entries(&bytes, max)) {
        Ok(feed) => feed,
        Err(first) => repair_xml(&bytes)
            .and_then(|fixed| parse(&first_entries(&fixed, max)).ok())
            .ok_or_else(|| parse_error(first))?,
    };
    Ok(feed
        .entries
        .iter()
        .take(max)
        .filter_map(|entry| candidate(entry, base.as_ref()))
        .collect())
}

/// The feed up to its `max`-th entry (`<item>` or `<entry>`), with the elements still open
/// there closed; the bytes themselves when they hold no more, or cannot be read as XML.
fn first_entries(xml: &[u8], max: usize) -> Cow<'_, [u8]> {
    // Entries sit at most two levels down: rss/channel/item, feed/entry, rdf:RDF/item.
    let is_entry = |open: &[Vec<u8>], local: &[u8]| open.len() <= 2 && matches!(local, b"item" | b"entry");
    let mut entries = 0;
    // Counts one more entry; true when `max` were already there.
    let mut full = || {
        entries += 1;
        entries > max
    };
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = false;
    let mut open: Vec<Vec<u8>> = Vec::new();
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if is_entry(&open, e.local_name().as_ref()) && full() {
                    return Cow::Owned(closed_at(xml, at, &open));
                }
                open.push(e.name().as_ref().to_vec());
            }
            Ok(Event::Empty(e)) if is_entry(&open, e.local_name().as_ref()) && full() => {
                return Cow::Owned(closed_at(xml, at, &open));
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) | Err(_) => return Cow::Borrowed(xml),
            Ok(_) => {}
        }
    }
}

/// `xml` up to `at`, then an end tag for each of the `open` elements, innermost first.
fn closed_at(xml: &[u8], at: usize, open: &[Vec<u8>]) -> Vec<u8> {
    let mut out = xml.get(..at).unwrap_or(xml).to_vec();
    for name in open.iter().rev() {
        out.extend_from_slice(b"</");
        out.extend_from_slice(name);
        out.push(b'>');
    }
    out
}

fn candidate(entry: &Entry, base: Option<&Url>) -> Option<Candidate> {
    let url = entry_link(entry, base)?;
    let title = entry.title.as_ref().map(|t| plain_title(&t.content)).filter(|t| !t.is_empty());
    let published = entry.published.or(entry.updated).map(iso_utc);
    Some(Candidate {
        url,
        path: None,
        title,
        published,
    })
}

/// The entry's own page: its `rel="alternate"` link (or a link without `rel`), else its first
/// http(s) link that is not a comments link, else a permalink `guid`.
fn entry_link(entry: &Entry, base: Option<&Url>) -> Option<String> {
    let usable: Vec<(&Link, String)> = entry
        .links
        .iter()
        .filter(|l| l.target.is_none())
        .filter_map(|l| absolute_http(&l.href, base).map(|u| (l, u)))
        .collect();
    let alternate = usable.iter().find(|(l, _)| matches!(l.rel.as_deref(), None | Some("alternate")));
    let not_meta = usable.iter().find(|(l, _)| {
        !matches!(
            l.rel.as_deref(),
            Some("self" | "edit" | "replies" | "enclosure" | "license" | "via")
        )
    });
    alternate
        .or(not_meta)
        .map(|(_, u)| u.clone())
        .or_else(|| absolute_http(&entry.id, None))
}

/// ISO 8601 in UTC with seconds, as `2024-03-05T10:00:00Z`.
pub(crate) fn iso_utc(when: DateTime<Utc>) -> String {
    when.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A title as plain text: feeds often carry markup or HTML entities in titles.
fn plain_title(text: &str) -> String {
    let text: Cow<str> = if text.contains(['<', '&']) {
        Cow::Owned(crate::markup::parse_fragment(text).root_element().text().collect())
    } else {
        Cow::Borrowed(text)
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML named references (name to code point) that XML does not know.
static HTML_ENTITIES: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    include_str!("data/html_entities.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (name, code) = line.split_once('\t')?;
            Some((name.trim(), code.trim().parse().ok()?))
        })
        .collect()
});

/// The bytes with every `&` that does not start a reference escaped as `&amp;` and HTML named
/// references turned into character references, or `None` when nothing needed it. CDATA
/// sections and comments are left alone. Only ASCII-compatible encodings are repaired.
fn repair_xml(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(&[0xfe, 0xff]) || bytes.starts_with(&[0xff, 0xfe]) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let verbatim = [(&b"<![CDATA["[..], &b"]]>"[..]), (b"<!--", b"-->")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open));
        if let Some((open, close)) = verbatim {
            let end = find(&rest[open.len()..], close).map_or(rest.len(), |at| open.len() + at + close.len());
            out.extend_from_slice(&rest[..end]);
            i += end;
            continue;
        }
        if rest[0] != b'&' {
            out.push(rest[0]);
            i += 1;
            continue;
        }
        match reference(&rest[1..]) {
            Reference::Xml(len) => {
                out.extend_from_slice(&rest[..=len]);
                i += len + 1;
            }
            Reference::Html(code, len) => {
                out.extend_from_slice(format!("&#{code};").as_bytes());
                i += len + 1;
                changed = true;
            }
            Reference::None => {
                out.extend_from_slice(b"&amp;");
                i += 1;
                changed = true;
            }
        }
    }
    changed.then_some(out)
}

enum Reference {
    /// A reference XML resolves, this many bytes long after the `&`.
    Xml(usize),
    /// An HTML named reference: its code point and length after the `&`.
    Html(u32, usize),
    /// A lone `&`.
    None,
}

/// What follows an `&`.
fn reference(after: &[u8]) -> Reference {
    let Some(semi) = after.iter().take(34).position(|&b| b == b';') else {
        return Reference::None;
    };
    let name = &after[..semi];
    let numeric = match name {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', dec @ ..] => !dec.is_empty() && dec.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if numeric {
        return Reference::Xml(semi + 1);
    }
    let Ok(name) = std::str::from_utf8(name) else {
        return Reference::None;
    };
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        return Reference::Xml(semi + 1);
    }
    match HTML_ENTITIES.get(name) {
        Some(&code) => Reference::Html(code, semi + 1),
        None => Reference::None,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/discover/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn limits() -> DiscoverConfig {
        DiscoverConfig::default()
    }

    #[test]
    fn rss2_entries_keep_order_titles_dates_and_unescaped_links() {
        let got = parse_feed(&fixture("rss2_es.xml"), "https://noticias.example.org/feed/", &limits()).unwrap();
        let urls: Vec<&str> = got.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://noticias.example.org/2024/03/05/homicidios-bajan-en-rosario/",
                "https://noticias.example.org/nota.php?id=4821&seccion=seguridad",
                "https://noticias.example.org/2024/03/04/incautan-cocaina-en-el-callao/",
                "https://noticias.example.org/2024/03/03/motin-en-penal/",
            ]
        );
        assert_eq!(
            got[0].title.as_deref(),
            Some("Los homicidios bajan un 12 % en Rosario durante febrero")
        );
        assert_eq!(got[0].published.as_deref(), Some("2024-03-05T13:30:00Z"));
        assert_eq!(
            got[1].title.as_deref(),
            Some("Extorsión & sicariato: la policía detiene a 14 personas")
        );
        // An item without <link> falls back to its permalink guid.
        assert_eq!(got[3].published, None);
        assert!(got.iter().all(|c| c.path.is_none()));
    }

    #[test]
    fn rss1_items_are_read_with_dublin_core_dates() {
        let got = parse_feed(&fixture("rss1.rdf"), "https://boletin.example.net/rss", &limits()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].url, "https://boletin.example.net/informes/2024/carceles");
        assert_eq!(got[0].title.as_deref(), Some("Prison overcrowding reaches 160% in three states"));
        assert_eq!(got[0].published.as_deref(), Some("2024-02-28T09:00:00Z"));
        assert_eq!(got[1].url, "https://boletin.example.net/informes/2024/fentanilo");
    }

    #[test]
    fn atom_links_resolve_against_xml_base_and_the_feed_url() {
        let got = parse_feed(&fixture("atom.xml"), "https://revista.example.com/feeds/atom.xml", &limits()).unwrap();
        let urls: Vec<&str> = got.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                // xml:base on the feed element
                "https://revista.example.com/es/articulos/extorsion-transporte",
                // rel="alternate" wins over an earlier rel="replies"
                "https://revista.example.com/es/articulos/policia-reforma",
                // no xml:base on the entry's ancestors beyond the feed's, absolute path
                "https://revista.example.com/en/analysis/cocaine-seizures",
                // an absolute link is kept as is
                "https://otro.example.org/reportaje/desapariciones",
            ]
        );
        // Atom `published` is preferred, `updated` is the fallback.
        assert_eq!(got[0].published.as_deref(), Some("2024-03-01T15:00:00Z"));
        assert_eq!(got[1].published.as_deref(), Some("2024-03-02T08:15:00Z"));
        assert_eq!(
            got[0].title.as_deref(),
            Some("Extorsión al transporte: 3 de cada 4 choferes pagan \"cupo\"")
        );
        assert_eq!(got[2].title.as_deref(), Some("Cocaine seizures in the Pacific hit a record"));
    }

    #[test]
    fn garbage_is_a_parse_error_naming_the_feed() {
        let err = parse_feed(b"<html><body>not a feed</body></html>", "https://e.org/feed", &limits()).unwrap_err();
        match err {
            DiscoverError::Parse { what, url, .. } => {
                assert_eq!(what, "feed");
                assert_eq!(url, "https://e.org/feed");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse_feed(b"", "https://e.org/feed", &limits()).is_err());
        assert!(parse_feed(&[0xff, 0xfe, 0x00], "https://e.org/feed", &limits()).is_err());
    }

    #[test]
    fn gzipped_feed_is_read() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&fixture("rss1.rdf")).unwrap();
        let got = parse_feed(&gz.finish().unwrap(), "https://boletin.example.net/rss", &limits()).unwrap();
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn entries_past_the_cap_never_reach_the_parser() {
        let items: String = (0..1_000)
            .map(|i| format!("<item><title>n{i}</title><link>https://e.org/{i}</link></item>\n"))
            .collect();
        let rss = format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>"#);
        let cut = first_entries(rss.as_bytes(), 10);
        let cut = String::from_utf8_lossy(&cut);
        assert_eq!(cut.matches("<item>").count(), 10);
        assert!(cut.ends_with("</item>\n</channel></rss>"), "{}", &cut[cut.len() - 40..]);
        let few = DiscoverConfig {
            max_entries: 10,
            ..limits()
        };
        let got = parse_feed(rss.as_bytes(), "https://e.org/feed", &few).unwrap();
        assert_eq!(got.len(), 10);
        assert_eq!(got[9].url, "https://e.org/9");

        let entries: String = (0..100)
            .map(|i| format!("<entry><link href=\"https://e.org/{i}\"/></entry>"))
            .collect();
        let atom = format!(r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>"#);
        assert_eq!(parse_feed(atom.as_bytes(), "https://e.org/feed", &few).unwrap().len(), 10);
        // Fewer entries than the cap, or no XML at all: the bytes as they are.
        assert!(matches!(first_entries(atom.as_bytes(), 100), Cow::Borrowed(_)));
        assert!(matches!(first_entries(b"<rss><channel><item></rss>", 0), Cow::Owned(_)));
        assert!(matches!(first_entries(b"\xff\xfe<\x00", 0), Cow::Borrowed(_)));
    }

    #[test]
    fn gzip_feed_past_the_byte_cap_is_an_error() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&fixture("rss2_es.xml")).unwrap();
        let body = gz.finish().unwrap();
        let small = DiscoverConfig {
            max_bytes: 1_000,
            ..limits()
        };
        let err = parse_feed(&body, "https://e.org/feed", &small).unwrap_err().to_string();
        assert!(err.contains("exceeds 1000 bytes"), "{err}");
    }

    #[test]
    fn feed_with_raw_ampersands_and_html_entities_is_repaired() {
        let xml = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>Uno&nbsp;dos &amp; tres &#233; &ntilde; &bogus;</title>
            <link>https://e.org/a?x=1&y=2</link>
            <description><![CDATA[<p>A & B &nbsp;</p>]]></description></item>
            </channel></rss>"#;
        let got = parse_feed(xml, "https://e.org/feed/", &limits()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url, "https://e.org/a?x=1&y=2");
        assert_eq!(got[0].title.as_deref(), Some("Uno dos & tres é ñ &bogus;"));
    }

    #[test]
    fn repair_leaves_cdata_comments_and_good_references_alone() {
        let good = b"<a>&amp;&lt;&#10;&#x1F600;<![CDATA[ & ]]><!-- & --></a>";
        assert_eq!(repair_xml(good), None);
        let fixed = repair_xml(b"<a>x & y &hellip; &#;</a>").unwrap();
        assert_eq!(fixed, b"<a>x &amp; y &#8230; &amp;#;</a>");
        // An unterminated CDATA section is copied to the end, not an index out of range.
        assert_eq!(repair_xml(b"<a><![CDATA[ & "), None);
        assert_eq!(repair_xml(b"&"), Some(b"&amp;".to_vec()));
    }

    #[test]
    fn html_in_titles_becomes_text() {
        assert_eq!(plain_title("<b>Negrita</b> y &quot;comillas&quot;"), "Negrita y \"comillas\"");
        assert_eq!(plain_title("Robos <5% en   enero"), "Robos <5% en enero");
        assert_eq!(plain_title("Tom & Jerry"), "Tom & Jerry");
    }

    #[test]
    fn entry_without_any_link_is_skipped() {
        let xml = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>Sin enlace</title><guid isPermaLink="false">abc-123</guid></item>
            <item><title>Con enlace</title><link>/nota/1</link></item>
            </channel></rss>"#;
        let got = parse_feed(xml, "https://e.org/feed/", &limits()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].url, "https://e.org/nota/1");
        // Without a usable base, only absolute links remain.
        for base in ["", "not a url"] {
            assert!(parse_feed(xml, base, &limits()).unwrap().is_empty());
        }
    }
}
