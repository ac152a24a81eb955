//! Sitemaps: `urlset`, sitemap indexes, Google news sitemaps, gzip-compressed or not.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;

use super::feed::iso_utc;
use super::{Candidate, DiscoverError, gunzip_if_needed};
use crate::config::DiscoverConfig;

/// What one sitemap file lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sitemap {
    /// Page URLs of a `urlset`, in document order.
    pub urls: Vec<Candidate>,
    /// Child sitemaps of a `sitemapindex`, the most recently modified first (children
    /// without `lastmod` last, document order among equals), so a bounded walk reads the
    /// newest ones.
    pub children: Vec<String>,
}

/// The element whose text is being collected.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Loc,
    Lastmod,
    NewsDate,
    NewsTitle,
}

/// The entry (`<url>` or `<sitemap>`) being read.
#[derive(Default)]
struct Entry {
    loc: String,
    lastmod: String,
    news_date: String,
    news_title: String,
}

/// Parses one sitemap file (gzip-compressed or not): XML, or the text form with one URL a
/// line.
///
/// Element names are matched by local name, so any namespace prefix works; `<loc>` counts only
/// directly inside `<url>` or `<sitemap>` (not `image:loc`). A news sitemap's
/// `publication_date` is preferred to `lastmod` as the published date, and its `title` gives the
/// title. Dates are given as ISO 8601 in UTC (`2024-03-05T10:00:00Z`) or as a bare date
/// (`2024-03-05`); a date that cannot be read is left out. Errors carry an empty `url`: the
/// caller knows where the bytes came from.
///
/// A gzip body is read up to `limits.max_sitemap_bytes` once decompressed, and reading stops
/// after `limits.max_entries` URLs or child sitemaps, so what is held grows with what is kept.
pub fn parse_sitemap(bytes: &[u8], limits: &DiscoverConfig) -> Result<Sitemap, DiscoverError> {
    let bytes = gunzip_if_needed(bytes, limits.max_sitemap_bytes).map_err(parse_error)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let max = limits.max_entries;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'<') {
        return text_sitemap(bytes, max);
    }
    let mut reader = Reader::from_reader(bytes);
    // Many sitemaps carry raw `&` in URLs; keep them rather than reject the file.
    reader.config_mut().allow_dangling_amp = true;

    let mut stack: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    let mut entry: Option<Entry> = None;
    let mut field: Option<Field> = None;
    let mut urls = Vec::new();
    let mut children: Vec<(String, Option<String>)> = Vec::new();

    while urls.len() + children.len() < max {
        let event = reader
            .read_event()
            .map_err(|e| parse_error(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(e) => {
                let name = local(e.local_name().as_ref());
                let parent = stack.last().map(String::as_str);
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        return Err(parse_error(format!("root element is <{name}>, not <urlset> or <sitemapindex>")));
                    }
                    root = Some(name.clone());
                } else if stack.len() == 1 && (name == "url" || name == "sitemap") {
                    entry = Some(Entry::default());
                } else if entry.is_some() {
                    field = match (parent, name.as_str()) {
                        (Some("url" | "sitemap"), "loc") => Some(Field::Loc),
                        (Some("url" | "sitemap"), "lastmod") => Some(Field::Lastmod),
                        (Some("news"), "publication_date") => Some(Field::NewsDate),
                        (Some("news"), "title") => Some(Field::NewsTitle),
                        _ => None,
                    };
                }
                stack.push(name);
            }
            Event::End(_) => {
                field = None;
                if stack.len() == 2
                    && let Some(done) = entry.take()
                {
                    let loc = done.loc.trim().to_string();
                    if !loc.is_empty() {
                        let lastmod = w3c_date(&done.lastmod);
                        if root.as_deref() == Some("sitemapindex") {
                            children.push((loc, lastmod));
                        } else {
                            urls.push(Candidate {
                                url: loc,
                                path: None,
                                title: Some(collapse_spaces(&done.news_title)).filter(|t| !t.is_empty()),
                                published: w3c_date(&done.news_date).or(lastmod),
                            });
                        }
                    }
                }
                stack.pop();
            }
            Event::Empty(e) if root.is_none() => {
                let name = local(e.local_name().as_ref());
                if name != "urlset" && name != "sitemapindex" {
                    return Err(parse_error(format!("root element is <{name}/>, not <urlset> or <sitemapindex>")));
                }
                root = Some(name);
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| parse_error(e.to_string()))?;
                push_text(&mut entry, field, &text);
            }
            Event::CData(t) => {
                let text = t.xml10_content().map_err(|e| parse_error(e.to_string()))?;
                push_text(&mut entry, field, &text);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| parse_error(e.to_string()))?;
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => s.to_string(),
                        // An entity we do not know is kept as written.
                        None => format!("&{name};"),
                    },
                };
                push_text(&mut entry, field, &resolved);
            }
            Event::Eof if !stack.is_empty() => {
                return Err(parse_error(format!("document ends inside <{}>", stack.join("><"))));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err(parse_error("no <urlset> or <sitemapindex> element".to_string()));
    }
    // Newest first; ISO strings in one form compare in time order.
    children.sort_by(|a, b| b.1.is_some().cmp(&a.1.is_some()).then(b.1.cmp(&a.1)));
    Ok(Sitemap {
        urls,
        children: children.into_iter().map(|(loc, _)| loc).collect(),
    })
}

/// A text sitemap: one absolute URL a line; the first `max` of them.
fn text_sitemap(bytes: &[u8], max: usize) -> Result<Sitemap, DiscoverError> {
    let urls: Vec<Candidate> = String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("http://") || line.starts_with("https://"))
        .filter(|line| url::Url::parse(line).is_ok())
        .take(max)
        .map(|line| Candidate {
            url: line.to_string(),
            ..Candidate::default()
        })
        .collect();
    if urls.is_empty() {
        return Err(parse_error("neither XML nor a list of URLs one a line".to_string()));
    }
    Ok(Sitemap {
        urls,
        children: Vec::new(),
    })
}

fn parse_error(message: String) -> DiscoverError {
    DiscoverError::Parse {
        what: "sitemap",
        url: String::new(),
        message,
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn push_text(entry: &mut Option<Entry>, field: Option<Field>, text: &str) {
    let (Some(entry), Some(field)) = (entry.as_mut(), field) else {
        return;
    };
    let target = match field {
        Field::Loc => &mut entry.loc,
        Field::Lastmod => &mut entry.lastmod,
        Field::NewsDate => &mut entry.news_date,
        Field::NewsTitle => &mut entry.news_title,
    };
    target.push_str(text);
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A W3C datetime (the sitemap date format) as ISO 8601 in UTC, or a bare `YYYY-MM-DD`.
fn w3c_date(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(iso_utc(dt.with_timezone(&Utc)));
    }
    // W3C allows a time without seconds: `2024-03-05T10:00+01:00`.
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(dt) = DateTime::parse_from_str(text, format) {
            return Some(iso_utc(dt.with_timezone(&Utc)));
        }
    }
    // Seen in the wild: a time with no zone, read as UTC.
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(iso_utc(dt.and_utc()));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
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

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn urlset_lists_urls_with_lastmod_and_whole_query_strings() {
        let map = parse_sitemap(&fixture("urlset.xml"), &limits()).unwrap();
        assert!(map.children.is_empty());
        let urls: Vec<&str> = map.urls.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://diario.example.org/policiales/2024/03/05/robo-a-banco",
                "https://diario.example.org/nota.php?id=77&sec=policiales&p=2",
                "https://diario.example.org/justicia/fallo-caso-<norte>",
                "https://diario.example.org/sin-fecha",
                "https://diario.example.org/crudo?a=1&b=2",
            ]
        );
        let dates: Vec<Option<&str>> = map.urls.iter().map(|c| c.published.as_deref()).collect();
        assert_eq!(
            dates,
            [
                Some("2024-03-05T14:20:00Z"),
                Some("2024-03-04"),
                Some("2024-03-03T09:30:00Z"),
                None,
                None,
            ]
        );
        assert!(map.urls.iter().all(|c| c.title.is_none()));
    }

    #[test]
    fn image_loc_is_not_a_page() {
        let map = parse_sitemap(&fixture("urlset.xml"), &limits()).unwrap();
        assert!(!map.urls.iter().any(|c| c.url.ends_with(".jpg")));
    }

    #[test]
    fn index_lists_children_newest_first() {
        let map = parse_sitemap(&fixture("sitemap_index.xml"), &limits()).unwrap();
        assert!(map.urls.is_empty());
        assert_eq!(
            map.children,
            [
                "https://diario.example.org/sitemap-2024-03.xml.gz",
                "https://diario.example.org/sitemap-2024-02.xml",
                "https://diario.example.org/sitemap-2024-01.xml",
                "https://diario.example.org/sitemap.php?mes=2023-12&anio=2023",
            ]
        );
    }

    #[test]
    fn news_sitemap_gives_titles_and_publication_dates() {
        let map = parse_sitemap(&fixture("news_sitemap.xml"), &limits()).unwrap();
        assert_eq!(map.urls.len(), 2);
        let first = &map.urls[0];
        assert_eq!(first.url, "https://noticias.example.com/seguridad/2024/03/05/capturan-cabecilla");
        assert_eq!(
            first.title.as_deref(),
            Some("Capturan al cabecilla de una red de extorsión & secuestro")
        );
        // publication_date wins over lastmod
        assert_eq!(first.published.as_deref(), Some("2024-03-05T11:45:00Z"));
        let second = &map.urls[1];
        assert_eq!(second.title.as_deref(), Some("Drug seizures: 4.2 tonnes in one week"));
        assert_eq!(second.published.as_deref(), Some("2024-03-04"));
    }

    #[test]
    fn gzipped_sitemap_reads_like_the_plain_one() {
        let plain = fixture("urlset.xml");
        assert_eq!(
            parse_sitemap(&gzip(&plain), &limits()).unwrap(),
            parse_sitemap(&plain, &limits()).unwrap()
        );
    }

    #[test]
    fn broken_gzip_is_an_error_not_a_panic() {
        let mut gz = gzip(&fixture("urlset.xml"));
        gz.truncate(40);
        assert!(parse_sitemap(&gz, &limits()).is_err());
        assert!(parse_sitemap(&[0x1f, 0x8b], &limits()).is_err());
    }

    #[test]
    fn non_sitemaps_are_parse_errors() {
        for bad in [
            &b"<html><body>hola</body></html>"[..],
            b"",
            b"not xml at all",
            b"<urlset><url><loc>https://e.org/a</loc></url>",
            b"<urlset><url><loc>https://e.org/a</wrong></url></urlset>",
            b"<rss version=\"2.0\"/>",
        ] {
            match parse_sitemap(bad, &limits()) {
                Err(DiscoverError::Parse { what: "sitemap", .. }) => {}
                other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(bad)),
            }
        }
    }

    #[test]
    fn reading_stops_at_the_entry_cap() {
        let few = DiscoverConfig {
            max_entries: 3,
            ..limits()
        };
        let urls: String = (0..1_000).map(|i| format!("<url><loc>https://e.org/{i}</loc></url>")).collect();
        let map = parse_sitemap(format!("<urlset>{urls}</urlset>").as_bytes(), &few).unwrap();
        assert_eq!(map.urls.len(), 3);
        let children: String = (0..1_000)
            .map(|i| format!("<sitemap><loc>https://e.org/{i}.xml</loc></sitemap>"))
            .collect();
        let map = parse_sitemap(format!("<sitemapindex>{children}</sitemapindex>").as_bytes(), &few).unwrap();
        assert_eq!(map.children.len(), 3);
        let lines: String = (0..1_000).map(|i| format!("https://e.org/{i}\n")).collect();
        assert_eq!(parse_sitemap(lines.as_bytes(), &few).unwrap().urls.len(), 3);
    }

    #[test]
    fn gzip_sitemap_past_the_byte_cap_is_an_error() {
        let small = DiscoverConfig {
            max_sitemap_bytes: 100,
            ..limits()
        };
        match parse_sitemap(&gzip(&fixture("urlset.xml")), &small) {
            Err(DiscoverError::Parse { message, .. }) => assert!(message.contains("exceeds 100 bytes"), "{message}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn text_sitemap_lists_one_url_a_line() {
        let text = b"https://e.org/a\r\n\n  https://e.org/b?x=1&y=2  \nnot a url\nhttps://\n";
        let map = parse_sitemap(text, &limits()).unwrap();
        let urls: Vec<&str> = map.urls.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls, ["https://e.org/a", "https://e.org/b?x=1&y=2"]);
        assert!(parse_sitemap(&gzip(text), &limits()).is_ok());
    }

    #[test]
    fn bom_and_prefixes_are_accepted() {
        let xml = "\u{feff}<?xml version=\"1.0\"?><sm:urlset xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sm:url><sm:loc> https://e.org/a </sm:loc></sm:url></sm:urlset>";
        let map = parse_sitemap(xml.as_bytes(), &limits()).unwrap();
        assert_eq!(map.urls.len(), 1);
        assert_eq!(map.urls[0].url, "https://e.org/a");
    }

    #[test]
    fn w3c_dates_are_normalised() {
        assert_eq!(w3c_date("2024-03-05T10:00:00+01:00").as_deref(), Some("2024-03-05T09:00:00Z"));
        assert_eq!(w3c_date("2024-03-05T10:00+01:00").as_deref(), Some("2024-03-05T09:00:00Z"));
        assert_eq!(w3c_date("2024-03-05T10:00:00.123Z").as_deref(), Some("2024-03-05T10:00:00Z"));
        assert_eq!(w3c_date("2024-03-05T10:00:00").as_deref(), Some("2024-03-05T10:00:00Z"));
        assert_eq!(w3c_date(" 2024-03-05 ").as_deref(), Some("2024-03-05"));
        assert_eq!(w3c_date("ayer"), None);
        assert_eq!(w3c_date("2024-13-45"), None);
        assert_eq!(w3c_date(""), None);
    }
}
