//! Page metadata from every layer a page may carry it in: JSON-LD, OpenGraph and other
//! `<meta>` tags, microdata, `<time>`, visible bylines and dates, and the URL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::dates::{self, PageDate};
use super::dom::{Dom, Hint, Kind};
use super::lang;

/// The metadata found for one page.
#[derive(Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub description: Option<String>,
}

/// `<meta>` names that carry the publication date, best first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "article.published",
    "original-publish-date",
    "originalpublicationdate",
    "og:published_time",
];

const MODIFIED_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
];

const AUTHOR_KEYS: &[&str] = &[
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
];

/// JSON-LD types describing an article, best first.
const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "Article",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
    "ScholarlyArticle",
];

/// Collects the metadata of a page.
pub fn extract_meta(dom: &Dom, url: Option<&str>, fetched_at: Option<DateTime<Utc>>) -> Meta {
    let tags = collect_meta_tags(dom);
    let ld = JsonLd::parse(dom);
    let get = |k: &str| tags.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());

    let site_name = get("og:site_name")
        .or_else(|| get("application-name"))
        .map(str::to_string)
        .or_else(|| ld.publisher.clone());

    // A headline equal to the site name is a template default, not this page's title.
    let not_site = |t: &String| site_name.as_deref().is_none_or(|s| !s.trim().eq_ignore_ascii_case(t.trim()));
    let title = get("og:title")
        .map(|t| strip_site_name(t, site_name.as_deref(), url))
        .filter(not_site)
        .or_else(|| {
            ld.headline
                .clone()
                .map(|t| strip_site_name(&t, site_name.as_deref(), url))
                .filter(not_site)
        })
        .or_else(|| dom.title.as_deref().map(|t| clean_title(t, site_name.as_deref())))
        .or_else(|| first_text_of(dom, "h1"))
        .map(|t| normalise_space(&t))
        .filter(|t| !t.is_empty());

    let canonical = dom
        .nodes
        .iter()
        .find(|n| {
            n.name() == "link"
                && n.attr("rel")
                    .is_some_and(|r| r.split_whitespace().any(|t| t.eq_ignore_ascii_case("canonical")))
        })
        .and_then(|n| n.attr("href"))
        .and_then(|h| absolute(h, url))
        .or_else(|| get("og:url").and_then(|h| absolute(h, url)));

    let plausible = |d: &PageDate| d.plausible(fetched_at);
    let parsed = |s: &str| dates::parse_date(s).filter(plausible);
    let published = ld
        .published
        .as_deref()
        .and_then(parsed)
        .or_else(|| PUBLISHED_KEYS.iter().find_map(|k| get(k).and_then(parsed)))
        .or_else(|| itemprop_date(dom, "datepublished").and_then(|s| parsed(&s)))
        .or_else(|| time_element_date(dom).and_then(|s| parsed(&s)))
        .or_else(|| visible_date(dom).filter(plausible))
        .or_else(|| url.and_then(dates::date_from_url).filter(plausible))
        .or_else(|| canonical.as_deref().and_then(dates::date_from_url).filter(plausible));
    let modified = ld
        .modified
        .as_deref()
        .and_then(parsed)
        .or_else(|| MODIFIED_KEYS.iter().find_map(|k| get(k).and_then(parsed)))
        .or_else(|| itemprop_date(dom, "datemodified").and_then(|s| parsed(&s)));

    let mut authors: Vec<String> = ld.authors.iter().flat_map(|a| split_authors(a)).collect();
    if authors.is_empty() {
        for key in AUTHOR_KEYS {
            if let Some(v) = get(key) {
                authors = split_authors(v);
                if !authors.is_empty() {
                    break;
                }
            }
        }
    }
    if authors.is_empty() {
        authors = visible_byline(dom);
    }
    dedup(&mut authors);

    let language = dom
        .nodes
        .iter()
        .find(|n| n.name() == "html")
        .and_then(|n| n.attr("lang").or_else(|| n.attr("xml:lang")))
        .and_then(lang::normalise_code)
        .or_else(|| get("og:locale").and_then(lang::normalise_code))
        .or_else(|| get("content-language").and_then(lang::normalise_code))
        .or_else(|| get("language").and_then(lang::normalise_code))
        .or_else(|| ld.language.as_deref().and_then(lang::normalise_code));

    let description = get("og:description").or_else(|| get("description")).map(normalise_space);

    Meta {
        title,
        published: published.map(|d| d.to_iso()),
        modified: modified.map(|d| d.to_iso()),
        authors,
        language,
        canonical_url: canonical,
        description,
    }
}

fn dedup(authors: &mut Vec<String>) {
    let mut seen = Vec::new();
    authors.retain(|a| {
        let key = a.to_lowercase();
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

/// Resolves a link against the page address; keeps it as is when it is already absolute.
fn absolute(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    if let Ok(u) = url::Url::parse(href) {
        return matches!(u.scheme(), "http" | "https").then(|| u.to_string());
    }
    let base = url::Url::parse(base?).ok()?;
    base.join(href).ok().map(|u| u.to_string())
}

/// `<meta>` values by lower-cased property, name, itemprop or http-equiv; the first wins.
fn collect_meta_tags<'a>(dom: &Dom<'a>) -> HashMap<String, &'a str> {
    let mut map = HashMap::new();
    for node in &dom.nodes {
        if node.name() != "meta" {
            continue;
        }
        let Some(el) = node.el else { continue };
        let Some(content) = super::dom::attr(el, "content") else { continue };
        for key in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(k) = super::dom::attr(el, key) {
                map.entry(k.trim().to_ascii_lowercase()).or_insert(content);
            }
        }
    }
    map
}

/// The text under node `i`, whitespace collapsed, skipping scripts and styles.
fn text_of(dom: &Dom, i: usize) -> String {
    let mut out = String::new();
    let end = dom.nodes[i].end as usize;
    let mut j = i + 1;
    while j < end {
        let n = &dom.nodes[j];
        if matches!(n.name(), "script" | "style" | "noscript") {
            j = n.end as usize;
            continue;
        }
        if n.kind == Kind::Text {
            out.push_str(n.text);
            out.push(' ');
        }
        j += 1;
    }
    normalise_space(&out)
}

fn first_text_of(dom: &Dom, tag: &str) -> Option<String> {
    let i = dom.nodes.iter().position(|n| n.name() == tag)?;
    Some(text_of(dom, i)).filter(|t| !t.is_empty())
}

pub fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A microdata date: `itemprop` on a non-`<meta>` element (`<time>`, `<span content>`).
fn itemprop_date(dom: &Dom, prop: &str) -> Option<String> {
    let (i, n) = dom
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| n.name() != "meta" && n.attr("itemprop").is_some_and(|p| p.trim().eq_ignore_ascii_case(prop)))?;
    n.attr("datetime")
        .or_else(|| n.attr("content"))
        .map(str::to_string)
        .or_else(|| Some(text_of(dom, i)))
}

/// The `datetime` of the page's `<time>`: one marked `pubdate` or as published first.
fn time_element_date(dom: &Dom) -> Option<String> {
    let times: Vec<_> = dom
        .nodes
        .iter()
        .filter(|n| n.name() == "time" && n.attr("datetime").is_some())
        .collect();
    let marked = times.iter().find(|n| {
        n.attr("pubdate").is_some()
            || n.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("pubdate")
            })
    });
    marked.or(times.first()).and_then(|n| n.attr("datetime")).map(str::to_string)
}

/// Whether a class/id string names a date or a byline container.
fn attr_words(dom: &Dom, i: usize) -> String {
    let n = &dom.nodes[i];
    let mut s = String::new();
    for a in ["class", "id", "itemprop", "rel"] {
        if let Some(v) = n.attr(a) {
            if a == "itemprop" || a == "rel" {
                s.push_str(a);
                s.push(' ');
            }
            s.push_str(v);
            s.push(' ');
        }
    }
    s.make_ascii_lowercase();
    s
}

/// A date printed in an element named like a date ("date", "fecha", "published", "time").
fn visible_date(dom: &Dom) -> Option<PageDate> {
    for (i, n) in dom.nodes.iter().enumerate() {
        // The cheap test first: this runs over every element of the page.
        if n.kind == Kind::Text || n.kind == Kind::Junk && n.name() != "footer" || n.el.is_none() || n.end as usize - i > 60 {
            continue;
        }
        let words = attr_words(dom, i);
        if words.is_empty() {
            continue;
        }
        if !["date", "fecha", "publi", "time", "byline", "meta"]
            .iter()
            .any(|k| words.contains(k))
        {
            continue;
        }
        if words.contains("update") || words.contains("modif") || words.contains("actualiz") {
            continue;
        }
        let text = text_of(dom, i);
        if text.chars().count() > 200 {
            continue;
        }
        if let Some(d) = dates::parse_visible_date(&text) {
            return Some(PageDate::Day(d));
        }
    }
    None
}

/// Author names printed in a byline element.
fn visible_byline(dom: &Dom) -> Vec<String> {
    // Elements marked as the author's name first, then whole bylines.
    let passes: [&[&str]; 2] = [
        &[
            "itemprop author",
            "rel author",
            "author-name",
            "authorname",
            "author__name",
            "autor-nombre",
            "nombre-autor",
            "byline__name",
            "byline-name",
            "byline_name",
        ],
        &["byline", "author", "autor", "firma", "writer", "reporter"],
    ];
    for keys in passes {
        for (i, n) in dom.nodes.iter().enumerate() {
            if n.el.is_none() || n.kind == Kind::Junk || n.hint == Hint::StrongNegative || n.end as usize - i > 40 {
                continue;
            }
            let words = attr_words(dom, i);
            if words.is_empty() || !keys.iter().any(|k| words.contains(k)) {
                continue;
            }
            if ["bio", "avatar", "image", "photo", "comment", "url"]
                .iter()
                .any(|k| words.contains(k))
            {
                continue;
            }
            if inside_junk(dom, i) {
                continue;
            }
            let text = text_of(dom, i);
            if text.is_empty() || text.chars().count() > 120 {
                continue;
            }
            let authors = split_authors(&text);
            if !authors.is_empty() {
                return authors;
            }
        }
    }
    date_line_byline(dom)
}

/// A byline folded into the date line: "Publicado: 14/11/2024 - Por Ana Ruiz".
fn date_line_byline(dom: &Dom) -> Vec<String> {
    const KEYS: [&str; 6] = ["fecha", "date", "meta", "info", "dateline", "datos"];
    for (i, n) in dom.nodes.iter().enumerate() {
        if n.el.is_none() || n.kind == Kind::Junk || n.hint == Hint::StrongNegative || n.end as usize - i > 40 {
            continue;
        }
        let words = attr_words(dom, i);
        if words.is_empty() || !KEYS.iter().any(|k| words.contains(k)) || inside_junk(dom, i) {
            continue;
        }
        let text = text_of(dom, i);
        if text.chars().count() > 120 {
            continue;
        }
        if let Some(byline) = after_byline_mark(&text) {
            let authors = split_authors(byline);
            if !authors.is_empty() {
                return authors;
            }
        }
    }
    Vec::new()
}

/// The byline after the first separator followed by "por"/"by" (" - Por Ana Ruiz" gives
/// "Por Ana Ruiz"), matched whatever the letter case.
fn after_byline_mark(text: &str) -> Option<&str> {
    const SEPARATORS: [&str; 3] = [" - ", " | ", " — "];
    const WORDS: [&str; 2] = ["por ", "by "];
    // ASCII lower-casing changes no byte length, so an offset in `lower` is one in `text`
    // (full lower-casing does: "İ" grows from two bytes to three).
    let lower = text.to_ascii_lowercase();
    SEPARATORS
        .iter()
        .flat_map(|sep| WORDS.iter().map(move |word| (sep, word)))
        .filter_map(|(sep, word)| lower.find(&format!("{sep}{word}")).map(|at| at + sep.len()))
        .min()
        .and_then(|at| text.get(at..))
}

/// Whether a form, navigation or comment area holds node `i` (a few levels up).
fn inside_junk(dom: &Dom, i: usize) -> bool {
    let mut at = dom.nodes[i].parent;
    for _ in 0..30 {
        if at == u32::MAX {
            return false;
        }
        let n = &dom.nodes[at as usize];
        if matches!(n.name(), "form" | "nav" | "footer" | "aside") || n.hint == Hint::StrongNegative {
            return true;
        }
        at = n.parent;
    }
    false
}

/// Splits "A, B and C" / "A y B" into cleaned names.
pub fn split_authors(text: &str) -> Vec<String> {
    let text = strip_byline_prefix(text);
    let mut parts = vec![text.to_string()];
    for sep in [" and ", " y ", " & ", " e ", ";", ", "] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts
        .iter()
        .filter_map(|p| clean_author(p))
        .filter(|p| !is_credential(p) && !p.split_whitespace().next().is_some_and(is_date_word))
        .collect()
}

/// Degrees and titles listed after a name: "MS", "RDN", "PhD".
fn is_credential(part: &str) -> bool {
    let letters: String = part.chars().filter(|c| c.is_alphabetic()).collect();
    !part.contains(' ') && letters.chars().count() <= 4 && letters.chars().filter(|c| c.is_uppercase()).count() >= 2
}

fn strip_byline_prefix(text: &str) -> &str {
    let t = text.trim();
    for prefix in [
        "by:",
        "by ",
        "por:",
        "por ",
        "de:",
        "escrito por",
        "written by",
        "reporting by",
        "posted by",
        "publicado por",
        "text:",
        "texto:",
    ] {
        if t.len() >= prefix.len() && t.is_char_boundary(prefix.len()) && t[..prefix.len()].eq_ignore_ascii_case(prefix) {
            return t[prefix.len()..].trim_start();
        }
    }
    t
}

/// Cleans an author name: no "By"/"Por", no trailing "| Outlet", no dates; None when what
/// is left does not look like a name (a URL, an e-mail, a sentence).
pub fn clean_author(raw: &str) -> Option<String> {
    let mut t = normalise_space(raw);
    loop {
        let s = strip_byline_prefix(&t).to_string();
        if s == t {
            break;
        }
        t = s;
    }
    for sep in [" | ", " - ", " – ", " — ", ",", "|"] {
        if let Some((head, _)) = t.split_once(sep) {
            t = head.trim().to_string();
        }
    }
    // A date or time glued to the byline starts with a digit, a weekday or a month, or
    // with "Published"/"Updated".
    if let Some(pos) = t.find(|c: char| c.is_ascii_digit()) {
        t = t[..pos].trim().to_string();
        // "Mark Holloway May 14": a month right before the digits belongs to the date, even
        // the months that are also names.
        if let Some((head, last)) = t.rsplit_once(' ')
            && (is_date_word(last)
                || [
                    "may", "mayo", "sept", "sep", "oct", "nov", "dec", "dic", "jan", "ene", "feb", "mar", "apr", "abr", "jun", "jul",
                    "aug", "ago",
                ]
                .contains(&last.trim_end_matches('.').to_lowercase().as_str()))
        {
            t = head.trim().to_string();
        }
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if let Some(cut) = words.iter().skip(1).position(|w| is_date_word(w)) {
        t = words[..cut + 1].join(" ");
    }
    let t = t
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
        .trim()
        .to_string();
    let words = t.split_whitespace().count();
    if t.is_empty() || words > 6 || t.contains('@') || t.contains("://") || t.starts_with("www.") {
        return None;
    }
    if !t.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some(t)
}

/// Words that start the date or status part of a byline.
fn is_date_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "published",
        "updated",
        "posted",
        "publicado",
        "actualizado",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "enero",
        "febrero",
        "marzo",
        "abril",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let w = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    WORDS.contains(&w.as_str())
}

/// Separators between a headline and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / "];

fn split_title(raw: &str) -> Vec<String> {
    let mut parts = vec![normalise_space(raw)];
    for sep in TITLE_SEPARATORS {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(|s| s.trim().to_string()).collect::<Vec<_>>())
            .collect();
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Cleans a `<title>`: drops the site name and keeps the most headline-like part (the one
/// with the most words).
pub fn clean_title(raw: &str, site_name: Option<&str>) -> String {
    let parts = split_title(raw);
    if parts.len() <= 1 {
        return normalise_space(raw);
    }
    let site = site_name.map(str::to_lowercase);
    parts
        .iter()
        .filter(|p| site.as_deref() != Some(p.to_lowercase().as_str()))
        .max_by_key(|p| p.split_whitespace().count())
        .cloned()
        .unwrap_or_else(|| normalise_space(raw))
}

/// Removes a leading or trailing site name from a headline that is otherwise kept whole
/// (its own dashes stay): the part must equal the site name or the host's name.
fn strip_site_name(title: &str, site_name: Option<&str>, url: Option<&str>) -> String {
    let title = normalise_space(title);
    let host = url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .map(|h| h.trim_start_matches("www.").to_lowercase());
    let is_site = |part: &str| {
        let p = part.trim().to_lowercase();
        let compact: String = p.chars().filter(|c| c.is_alphanumeric()).collect();
        site_name.is_some_and(|s| s.trim().to_lowercase() == p)
            || host.as_deref().is_some_and(|h| {
                let label = h.split('.').next().unwrap_or(h);
                !compact.is_empty() && (compact == label || h.starts_with(&compact))
            })
    };
    for sep in TITLE_SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && is_site(tail)
            && !head.trim().is_empty()
        {
            return head.trim().to_string();
        }
        if let Some((head, tail)) = title.split_once(sep)
            && is_site(head)
            && !tail.trim().is_empty()
        {
            return tail.trim().to_string();
        }
    }
    title
}

/// Drops the first paragraph of the body when it only repeats the title.
pub fn strip_leading_title(body: String, title: &str) -> String {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let (first, rest) = match body.split_once("\n\n") {
        Some((f, r)) => (f, r),
        None => (body.as_str(), ""),
    };
    if !first.is_empty() && key(first) == key(title) {
        return rest.to_string();
    }
    body
}

/// What the page's JSON-LD says about its article.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    publisher: Option<String>,
}

fn type_rank(obj: &serde_json::Map<String, Value>) -> Option<usize> {
    let names: Vec<&str> = match obj.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    names
        .iter()
        .filter_map(|n| {
            let n = n.rsplit(['/', ':']).next().unwrap_or(n);
            ARTICLE_TYPES
                .iter()
                .position(|t| t.eq_ignore_ascii_case(n))
                .or_else(|| (n == "WebPage").then_some(ARTICLE_TYPES.len()))
        })
        .min()
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(string_of),
        Value::Object(o) => o.get("name").or_else(|| o.get("@value")).and_then(string_of),
        _ => None,
    }
}

impl JsonLd {
    fn parse(dom: &Dom) -> JsonLd {
        let mut objects: Vec<Value> = Vec::new();
        for raw in &dom.json_ld {
            let raw = raw.trim().trim_start_matches("<!--").trim_end_matches("-->").trim();
            let parsed = serde_json::from_str::<Value>(raw).or_else(|_| {
                // Some sites leave raw line breaks inside strings.
                let cleaned: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                serde_json::from_str::<Value>(&cleaned)
            });
            if let Ok(v) = parsed {
                objects.push(v);
            }
        }
        // Every object, flattened without recursion, and those with an `@id` by id.
        let mut all: Vec<&serde_json::Map<String, Value>> = Vec::new();
        let mut stack: Vec<&Value> = objects.iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.iter().rev()),
                Value::Object(o) => {
                    all.push(o);
                    for key in ["@graph", "mainEntity", "itemListElement"] {
                        if let Some(child) = o.get(key) {
                            stack.push(child);
                        }
                    }
                }
                _ => {}
            }
        }
        let by_id: HashMap<&str, &serde_json::Map<String, Value>> = all
            .iter()
            .filter_map(|o| o.get("@id").and_then(Value::as_str).map(|id| (id, *o)))
            .collect();
        let best = all
            .iter()
            .enumerate()
            .filter_map(|(i, o)| type_rank(o).map(|r| (r, i, *o)))
            .min_by_key(|(r, i, _)| (*r, *i));
        let mut ld = JsonLd::default();
        let Some((_, _, art)) = best else { return ld };
        ld.headline = art.get("headline").or_else(|| art.get("name")).and_then(string_of);
        ld.published = art.get("datePublished").or_else(|| art.get("dateCreated")).and_then(string_of);
        ld.modified = art.get("dateModified").and_then(string_of);
        ld.language = art.get("inLanguage").and_then(string_of);
        ld.publisher = art.get("publisher").and_then(|p| resolve(p, &by_id)).and_then(string_of);
        if let Some(author) = art.get("author").or_else(|| art.get("creator")) {
            let list: Vec<&Value> = match author {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for a in list {
                let a = resolve(a, &by_id).unwrap_or(a);
                if let Some(name) = string_of(a) {
                    ld.authors.push(name);
                }
            }
        }
        ld
    }
}

/// Follows an `{"@id": ...}` reference to the object it names.
fn resolve<'v>(v: &'v Value, by_id: &HashMap<&str, &'v serde_json::Map<String, Value>>) -> Option<&'v Value> {
    if let Value::Object(o) = v
        && !o.contains_key("name")
        && let Some(id) = o.get("@id").and_then(Value::as_str)
        && let Some(target) = by_id.get(id)
    {
        return target.get("name");
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_cleaning() {
        assert_eq!(
            clean_title("Police seize 2 tons of cocaine in port | The Daily Post", None),
            "Police seize 2 tons of cocaine in port"
        );
        assert_eq!(
            clean_title("El Diario - Capturan a 5 presuntos extorsionadores en Lima", None),
            "Capturan a 5 presuntos extorsionadores en Lima"
        );
        assert_eq!(
            clean_title("News – Mexico — Homicides fall by 10% in the first quarter", Some("News")),
            "Homicides fall by 10% in the first quarter"
        );
        assert_eq!(clean_title("Just a headline", None), "Just a headline");
        assert_eq!(
            strip_site_name("Army takes over prison - El Heraldo", Some("El Heraldo"), None),
            "Army takes over prison"
        );
        assert_eq!(
            strip_site_name("Gang truce - what we know", None, Some("https://www.example.com/a")),
            "Gang truce - what we know"
        );
        assert_eq!(
            strip_site_name("Gang truce | Example", None, Some("https://www.example.com/a")),
            "Gang truce"
        );
    }

    #[test]
    fn author_cleaning() {
        assert_eq!(clean_author("By Jane Doe").as_deref(), Some("Jane Doe"));
        assert_eq!(clean_author("Por: Juan Pérez | El Diario").as_deref(), Some("Juan Pérez"));
        assert_eq!(clean_author("Mark Holloway May 14, 2024").as_deref(), Some("Mark Holloway"));
        assert_eq!(
            clean_author("Sofía Reyes Turcios September 10, 2024").as_deref(),
            Some("Sofía Reyes Turcios")
        );
        assert_eq!(clean_author("Daniel May").as_deref(), Some("Daniel May"));
        assert_eq!(clean_author("POR María López 22 de agosto de 2024").as_deref(), Some("María López"));
        assert_eq!(clean_author("https://example.com/authors/jane"), None);
        assert_eq!(
            split_authors("By Ann Lee and Bo Kim"),
            vec!["Ann Lee".to_string(), "Bo Kim".to_string()]
        );
        assert_eq!(
            split_authors("Por Ana Ruiz y Luis Gómez"),
            vec!["Ana Ruiz".to_string(), "Luis Gómez".to_string()]
        );
    }

    fn meta_of(html: &str, url: Option<&str>) -> Meta {
        let doc = scraper::Html::parse_document(html);
        extract_meta(&super::super::dom::build(&doc), url, None)
    }

    #[test]
    fn dates_from_every_layer() {
        let cases = [
            (r#"<meta name="DC.date.issued" content="2024-02-03">"#, "2024-02-03"),
            (
                r#"<meta name="sailthru.date" content="2024-02-03 14:00:00 -0500">"#,
                "2024-02-03T19:00:00Z",
            ),
            (
                r#"<meta name="parsely-pub-date" content="2024-02-03T14:00:00Z">"#,
                "2024-02-03T14:00:00Z",
            ),
            (
                r#"<meta name="cXenseParse:recs:publishtime" content="2024-02-03T14:00:00+0100">"#,
                "2024-02-03T13:00:00Z",
            ),
            (
                r#"<span itemprop="datePublished" content="2024-02-03T08:00:00-03:00">3 feb</span>"#,
                "2024-02-03T11:00:00Z",
            ),
            (
                r#"<time datetime="2024-02-03T10:00:00Z" pubdate>3 Feb</time>"#,
                "2024-02-03T10:00:00Z",
            ),
            (
                r#"<div class="fecha-publicacion">Publicado el 3 de febrero de 2024</div>"#,
                "2024-02-03",
            ),
            (r#"<p class="article-date">February 3, 2024 at 9:00 am</p>"#, "2024-02-03"),
        ];
        for (markup, want) in cases {
            let m = meta_of(&format!("<html><head></head><body>{markup}<p>Texto.</p></body></html>"), None);
            assert_eq!(m.published.as_deref(), Some(want), "{markup}");
        }
    }

    #[test]
    fn language_title_and_canonical() {
        let html = r#"<html lang="es-CO"><head><title>Portal Noticias | Capturan a alias El Flaco en Cali</title>
            <link rel="canonical" href="/judicial/capturan-alias-el-flaco"></head>
            <body><h1>Capturan a alias El Flaco</h1><span class="byline">Por: Ana Ruiz</span></body></html>"#;
        let m = meta_of(html, Some("https://noticias.example.co/judicial/capturan-alias-el-flaco?ref=home"));
        assert_eq!(m.language.as_deref(), Some("es"));
        assert_eq!(m.title.as_deref(), Some("Capturan a alias El Flaco en Cali"));
        assert_eq!(
            m.canonical_url.as_deref(),
            Some("https://noticias.example.co/judicial/capturan-alias-el-flaco")
        );
        assert_eq!(m.authors, vec!["Ana Ruiz"]);
    }

    #[test]
    fn json_ld_graph_and_authors() {
        let html = r##"<html><head><script type="application/ld+json">
        {"@context":"https://schema.org","@graph":[
          {"@type":"WebSite","@id":"#site","name":"Example"},
          {"@type":"Person","@id":"#p1","name":"Ana Ruiz"},
          {"@type":["NewsArticle"],"headline":"Seizure at the port","datePublished":"2024-03-15T10:00:00-03:00",
           "dateModified":"2024-03-16T09:00:00Z","author":[{"@id":"#p1"},{"@type":"Person","name":"By Bo Kim"}, "Cy Dee"]}
        ]}</script></head><body><p>x</p></body></html>"##;
        let doc = scraper::Html::parse_document(html);
        let dom = super::super::dom::build(&doc);
        let meta = extract_meta(&dom, None, None);
        assert_eq!(meta.title.as_deref(), Some("Seizure at the port"));
        assert_eq!(meta.published.as_deref(), Some("2024-03-15T13:00:00Z"));
        assert_eq!(meta.modified.as_deref(), Some("2024-03-16T09:00:00Z"));
        assert_eq!(meta.authors, vec!["Ana Ruiz", "Bo Kim", "Cy Dee"]);
    }
}

#[cfg(test)]
mod unicode_bylines {
    use super::*;

    fn authors_of(markup: &str) -> Vec<String> {
        let html = format!("<html><body>{markup}<p>Texto.</p></body></html>");
        let doc = scraper::Html::parse_document(&html);
        extract_meta(&super::super::dom::build(&doc), None, None).authors
    }

    #[test]
    fn date_line_bylines_in_any_script() {
        let cases = [
            ("November 8, 2012 10:22 pm AEST — By Jane Roe", "Jane Roe"),
            ("Publicado: 14/11/2024 — Por José Núñez", "José Núñez"),
            // Lower-casing "İ" adds a byte: offsets from a lower-cased copy would shift.
            ("İSTANBUL, 3 Mart 2024 - By Ayşe Yılmaz", "Ayşe Yılmaz"),
            ("STRAẞE 5, 2 July 2024 | POR María López", "María López"),
        ];
        for (line, author) in cases {
            let got = authors_of(&format!(r#"<div class="dateline">{line}</div>"#));
            assert_eq!(got, vec![author], "{line}");
        }
    }

    /// Pieces that change byte lengths when case-mapped, are several bytes long, or combine.
    const PIECES: &[&str] = &[
        "İ",
        "ẞ",
        "ß",
        "Σ",
        "ς",
        "ΐ",
        "—",
        "–",
        "\u{a0}",
        "e\u{301}",
        "\u{308}",
        "🇵🇪",
        "👩‍👧",
        "ﬁ",
        "Å",
        " ",
        " - ",
        " | ",
        " — ",
        "By ",
        "by ",
        "Por ",
        "POR ",
        ": ",
        "de ",
        "November 8, 2012",
        "22 de agosto de 2024",
        "14/11/2024",
        "10:22 pm",
        "AEST",
        "Jane Roe",
        "José Núñez",
        "May",
        ".",
        ",",
        "@",
        "http://x.y",
        "1",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn unicode_bylines_and_dates_never_panic(picks in proptest::collection::vec(0..PIECES.len(), 0..14)) {
            let line: String = picks.iter().map(|&i| PIECES[i]).collect();
            let _ = split_authors(&line);
            let _ = clean_author(&line);
            let _ = after_byline_mark(&line);
            let _ = clean_title(&line, Some(&line));
            let _ = strip_site_name(&line, Some("Σ"), Some("https://www.example.com/a"));
            let _ = strip_leading_title(line.clone(), &line);
            let _ = dates::parse_visible_date(&line);
            let _ = dates::parse_date(&line);
            let page = format!(
                r#"<html><head><title>{line}</title><meta name="author" content="{line}"></head><body>
                <h1>{line}</h1><div class="dateline">{line}</div><span class="byline">{line}</span>
                <p class="date">{line}</p><p>{line}</p></body></html>"#
            );
            let _ = crate::article::extract_article(&page, Some("https://e.org/2024/03/05/nota"), None);
        }
    }
}
