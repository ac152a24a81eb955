//! A byte scan run before parsing that caps how deeply elements nest.
//!
//! The HTML tree builder spends time proportional to the depth of open elements for every
//! new element, so a page of 200,000 nested `<div>`s takes minutes to parse. Real pages
//! nest a few dozen levels; past the cap, start tags (and the end tags that match them) are
//! left out, so the deepest text still reaches the parser, one level up.

use std::borrow::Cow;

/// Deepest nesting of elements that need an end tag; far beyond any real page.
pub const MAX_DEPTH: usize = 4_000;

/// Elements without content, or whose end tag may be implied, never add depth.
fn adds_depth(name: &[u8]) -> bool {
    const FLAT: &[&[u8]] = &[
        b"area",
        b"base",
        b"br",
        b"col",
        b"embed",
        b"hr",
        b"img",
        b"input",
        b"link",
        b"meta",
        b"param",
        b"source",
        b"track",
        b"wbr",
        b"p",
        b"li",
        b"dt",
        b"dd",
        b"option",
        b"optgroup",
        b"tr",
        b"td",
        b"th",
        b"tbody",
        b"thead",
        b"tfoot",
        b"colgroup",
        b"rp",
        b"rt",
        b"html",
        b"head",
        b"body",
    ];
    !FLAT.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// Elements whose content is raw text, where `<` does not open a tag.
fn is_raw_text(name: &[u8]) -> bool {
    [
        b"script".as_slice(),
        b"style",
        b"textarea",
        b"title",
        b"xmp",
        b"iframe",
        b"noembed",
        b"noframes",
    ]
    .iter()
    .any(|f| f.eq_ignore_ascii_case(name))
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Returns the page with start tags beyond `max_depth` (and their end tags) removed; the
/// page itself, untouched, when it never nests that deep.
pub fn limit_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut suppressed = 0usize;
    // Byte ranges to leave out, in order.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0usize;
    while let Some(off) = b.get(i..).and_then(|s| s.iter().position(|&c| c == b'<')) {
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find(b, lt + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = b[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let name = &b[name_start..name_start + name_len];
        let gt = b[name_start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |p| name_start + p + 1);
        if closing {
            if adds_depth(name) {
                if suppressed > 0 {
                    suppressed -= 1;
                    cuts.push((lt, gt));
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            i = gt;
            continue;
        }
        let self_closing = gt >= 2 && b[gt - 2] == b'/';
        if is_raw_text(name) {
            // Skip the raw text up to the matching end tag, which is handled as usual.
            let mut close = Vec::with_capacity(name.len() + 2);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            i = find(b, gt, &close).unwrap_or(b.len());
            if adds_depth(name) && !self_closing {
                depth += 1;
            }
            continue;
        }
        if adds_depth(name) && !self_closing {
            if depth >= max_depth {
                suppressed += 1;
                cuts.push((lt, gt));
            } else {
                depth += 1;
            }
        }
        i = gt;
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for (start, end) in cuts {
        // Cuts fall on '<' and after '>', both ASCII, so they are character boundaries.
        out.push_str(&html[at..start]);
        at = end;
    }
    out.push_str(&html[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_untouched() {
        let html = "<html><body><div><p>uno<p>dos<ul><li>a<li>b</ul><script>if (a<b) {}</script><!-- <div> --></div></body></html>";
        assert!(matches!(limit_nesting(html, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = format!("<div>{}<p>texto</p>{}</div>", "<div>".repeat(10), "</div>".repeat(10));
        let out = limit_nesting(&html, 4);
        assert_eq!(out.matches("<div>").count(), 4);
        assert_eq!(out.matches("</div>").count(), 4);
        assert!(out.contains("<p>texto</p>"));
    }

    #[test]
    fn unclosed_paragraphs_do_not_count() {
        let html = "<div>".to_string() + &"<p>línea ".repeat(50) + "</div>";
        assert!(matches!(limit_nesting(&html, 5), Cow::Borrowed(_)));
    }
}
