//! Decoding page bytes to text: BOM, header charset, `<meta charset>`, then detection.
//!
//! The order follows what browsers do, with one addition: a body that is valid UTF-8 and holds
//! non-ASCII text is taken as UTF-8 whatever its labels say, because servers that send
//! `charset=iso-8859-1` by default in front of UTF-8 pages are common, while legacy text that
//! happens to be valid multi-byte UTF-8 is vanishingly rare.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How much of the body is searched for a `<meta>` or XML declaration.
const PRESCAN_BYTES: usize = 4096;

/// Decodes an HTML (or XML) body to text, never failing: unknown bytes become U+FFFD.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    decode_with_url(body, content_type, None)
}

/// Like [`decode`], with the page URL whose top-level domain guides detection (`.mx`, `.ar`…)
/// when the page declares no charset.
pub fn decode_with_url(body: &[u8], content_type: Option<&str>, url: Option<&str>) -> String {
    let encoding = detect(body, content_type, url);
    // `decode` strips a BOM and lets it override `encoding`, as browsers do.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

/// The encoding a body is in, judged from its BOM, the Content-Type header, the document's own
/// declaration and finally its bytes.
pub fn detect(body: &[u8], content_type: Option<&str>, url: Option<&str>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return encoding;
    }
    let is_utf8 = std::str::from_utf8(body).is_ok();
    if is_utf8 && !body.is_ascii() {
        return UTF_8;
    }
    if let Some(encoding) = content_type.and_then(header_charset) {
        // A UTF-8 label on bytes that are not UTF-8 is a misconfigured server: look further.
        if encoding != UTF_8 || is_utf8 {
            return encoding;
        }
    }
    if let Some(encoding) = declared_charset(&body[..body.len().min(PRESCAN_BYTES)])
        && (encoding != UTF_8 || is_utf8)
    {
        return encoding;
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(body, true);
    let tld = url.and_then(tld_of);
    detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow)
}

/// The `charset` parameter of a Content-Type header value.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes())
    })
}

/// The charset a document declares in its first bytes: `<?xml encoding=…?>`, `<meta charset=…>`
/// or `<meta http-equiv="Content-Type" content="…; charset=…">`.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let start = lower.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    if lower[start..].starts_with(b"<?xml") {
        let decl = &lower[start..];
        let end = find(decl, b"?>").unwrap_or(decl.len());
        if let Some(label) = attribute_value(&decl[..end], b"encoding") {
            return fix_meta_label(Encoding::for_label(label)?);
        }
    }
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let tag_start = from + at + 5;
        let tag_end = lower[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| tag_start + p);
        if let Some(label) = attribute_value(&lower[tag_start..tag_end], b"charset")
            && let Some(encoding) = Encoding::for_label(label)
        {
            return fix_meta_label(encoding);
        }
        from = tag_end;
    }
    None
}

/// A document cannot declare itself UTF-16 in ASCII bytes; browsers read such a label as
/// UTF-8, and `x-user-defined` as windows-1252.
fn fix_meta_label(encoding: &'static Encoding) -> Option<&'static Encoding> {
    if encoding == encoding_rs::UTF_16BE || encoding == encoding_rs::UTF_16LE {
        Some(UTF_8)
    } else if encoding == encoding_rs::X_USER_DEFINED {
        Some(WINDOWS_1252)
    } else {
        Some(encoding)
    }
}

/// The value after `name` `=` in a lower-cased tag, quoted or not. Finds `charset=` inside a
/// `content="text/html; charset=…"` value as well.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(at) = find(&tag[from..], name) {
        let mut i = from + at + name.len();
        from = i;
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if tag.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if matches!(tag.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        let len = tag[i..]
            .iter()
            .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
            .unwrap_or(tag.len() - i);
        if len > 0 {
            return Some(&tag[i..i + len]);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The top-level domain of a URL in the form chardetng accepts (lower-case ASCII, no dot).
fn tld_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    let tld = host.trim_end_matches('.').rsplit('.').next()?.to_ascii_lowercase();
    let valid = !tld.is_empty() && tld.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then_some(tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPANISH: &str = "<html><head><title>Decomiso</title></head><body><p>La policía \
        decomisó dos toneladas de cocaína en Santiváñez, según informó el ministro. La \
        operación se realizó en una zona rural donde también se halló una pista clandestina \
        y armas de fuego.</p></body></html>";

    fn cp1252(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn header_charset_is_used() {
        let bytes = cp1252("<p>cocaína</p>");
        let text = decode(&bytes, Some("text/html; Charset=\"ISO-8859-1\""));
        assert_eq!(text, "<p>cocaína</p>");
    }

    #[test]
    fn bom_wins_over_header() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("Santiváñez".as_bytes());
        assert_eq!(decode(&bytes, Some("text/html; charset=windows-1252")), "Santiváñez");
        let bytes = [0xFF, 0xFE, b'a', 0, 0xF1, 0];
        assert_eq!(decode(&bytes, None), "añ");
    }

    #[test]
    fn meta_charset_and_http_equiv_are_found() {
        let mut bytes = b"<html><head><meta charset='windows-1252'></head>".to_vec();
        bytes.extend(cp1252("<p>cocaína</p>"));
        assert!(decode(&bytes, Some("text/html")).ends_with("<p>cocaína</p>"));

        let mut bytes = b"<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-15\">".to_vec();
        bytes.extend(encoding_rs::ISO_8859_15.encode("<p>€ Santiváñez</p>").0.into_owned());
        assert_eq!(detect(&bytes, None, None), encoding_rs::ISO_8859_15);
        assert!(decode(&bytes, None).ends_with("<p>€ Santiváñez</p>"));
    }

    #[test]
    fn xml_declaration_is_found() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>".to_vec();
        bytes.extend(cp1252("<title>Santiváñez</title></rss>"));
        assert_eq!(detect(&bytes, None, None), WINDOWS_1252);
        assert!(decode(&bytes, None).contains("<title>Santiváñez</title>"));
    }

    #[test]
    fn undeclared_windows_1252_spanish_is_detected() {
        let bytes = cp1252(SPANISH);
        assert_eq!(detect(&bytes, None, None), WINDOWS_1252);
        let text = decode(&bytes, Some("text/html"));
        assert!(text.contains("cocaína") && text.contains("Santiváñez"), "{text}");
        let text = decode_with_url(&bytes, None, Some("https://diario.example.bo/nota/1"));
        assert!(text.contains("cocaína") && text.contains("Santiváñez"), "{text}");
    }

    #[test]
    fn utf8_bytes_win_over_a_wrong_legacy_label() {
        let text = decode(SPANISH.as_bytes(), Some("text/html; charset=iso-8859-1"));
        assert_eq!(text, SPANISH);
    }

    #[test]
    fn wrong_utf8_label_falls_back_to_detection() {
        let bytes = cp1252(SPANISH);
        let text = decode(&bytes, Some("text/html; charset=utf-8"));
        assert!(text.contains("cocaína"), "{text}");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\xFFb", None), "a\u{FFFD}b");
        let text = decode(b"abc \xFF\xFE\xFD", Some("text/html; charset=utf-8"));
        assert!(text.starts_with("abc "));
        assert_eq!(decode(b"", None), "");
    }

    #[test]
    fn tld_is_safe_for_the_detector() {
        assert_eq!(tld_of("https://Diario.Example.MX./a").as_deref(), Some("mx"));
        assert_eq!(tld_of("http://127.0.0.1:8080/").as_deref(), Some("1"));
        assert_eq!(tld_of("not a url"), None);
        // A digit-only label must not panic the detector.
        let bytes = cp1252(SPANISH);
        let _ = decode_with_url(&bytes, None, Some("http://127.0.0.1:8080/"));
        let _ = decode_with_url(&bytes, None, Some("http://[::1]:8080/"));
    }
}
