//! A flat, pre-order copy of the parsed page that the extractor walks with plain index loops.
//!
//! Every node knows its parent and where its subtree ends, so "the descendants of n" is the
//! index range `n+1..end`, aggregates are computed bottom-up by one reverse loop, and nothing
//! recurses over the document depth.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use scraper::node::{Element, Node as HtmlNode};

/// How the extractor treats an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Inline markup: its text belongs to the surrounding block.
    Inline,
    /// A block container (div, section, article, li, td, ...).
    Block,
    /// A paragraph-like leaf block (p, pre, dd).
    Para,
    Heading,
    ListItem,
    Quote,
    Br,
    Link,
    /// Never part of the main text (scripts, forms controls, navigation, captions, embeds).
    Junk,
    Text,
    /// A data-table cell: its text joins the row's line.
    Cell,
}

/// A hint taken from the element's class, id and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hint {
    StrongNegative,
    Negative,
    Neutral,
    Positive,
}

pub struct Node<'a> {
    pub el: Option<&'a Element>,
    pub text: &'a str,
    pub kind: Kind,
    pub hint: Hint,
    pub parent: u32,
    /// One past the last index of the subtree.
    pub end: u32,
    /// Inside an `<a>`.
    pub in_link: bool,
}

impl Node<'_> {
    pub fn name(&self) -> &str {
        self.el.map_or("", |e| e.name())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.el.and_then(|e| attr(e, name))
    }
}

pub struct Dom<'a> {
    pub nodes: Vec<Node<'a>>,
    /// Raw text of `<script type="application/ld+json">` elements.
    pub json_ld: Vec<&'a str>,
    /// `<title>` text.
    pub title: Option<String>,
}

struct HintRules {
    positive: Regex,
    negative: Regex,
    strong: Regex,
}

/// Hint words: `kind word` per line; words starting with `=` match a whole class token only.
static HINTS: LazyLock<HintRules> = LazyLock::new(|| {
    let mut groups: [Vec<String>; 3] = Default::default();
    for line in include_str!("data/hints.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(kind), Some(word)) = (parts.next(), parts.next()) else {
            continue;
        };
        let slot = match kind {
            "positive" => 0,
            "negative" => 1,
            "strong" => 2,
            _ => continue,
        };
        let pattern = match word.strip_prefix('=') {
            Some(token) => format!("(?:^|[^a-z0-9]){}(?:[^a-z0-9]|$)", regex::escape(token)),
            None => regex::escape(word),
        };
        groups[slot].push(pattern);
    }
    let build = |words: &[String]| Regex::new(&words.join("|")).unwrap_or_else(|_| Regex::new("$^").expect("empty regex"));
    HintRules {
        positive: build(&groups[0]),
        negative: build(&groups[1]),
        strong: build(&groups[2]),
    }
});

/// An attribute of an element, by local name. `Element::attr` makes an interned name of
/// `name` on every call; an element has a handful of attributes, so comparing their names
/// as they are costs far less, and the extractor asks millions of times per run.
pub fn attr<'e>(el: &'e Element, name: &str) -> Option<&'e str> {
    el.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// Classifies a tag name.
fn kind_of(name: &str) -> Kind {
    match name {
        "p" | "pre" | "dd" | "dt" | "address" | "summary" => Kind::Para,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
        "li" => Kind::ListItem,
        "blockquote" => Kind::Quote,
        "br" => Kind::Br,
        "a" => Kind::Link,
        "div" | "section" | "article" | "main" | "header" | "ul" | "ol" | "dl" | "table" | "tbody" | "thead" | "tfoot" | "tr" | "td"
        | "th" | "center" | "body" | "html" | "details" | "fieldset" | "hgroup" | "caption" | "hr" | "form" | "span-block" => Kind::Block,
        "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe" | "object" | "embed" | "canvas" | "video" | "audio"
        | "select" | "option" | "button" | "input" | "textarea" | "label" | "nav" | "aside" | "footer" | "figcaption" | "figure"
        | "head" | "title" | "meta" | "link" | "picture" | "source" | "map" | "dialog" | "menu" => Kind::Junk,
        _ => Kind::Inline,
    }
}

/// Embedded posts from social networks are quoted in a blockquote or div with a known class.
fn is_embed(class: &str) -> bool {
    let c = class.to_ascii_lowercase();
    [
        "twitter-tweet",
        "instagram-media",
        "tiktok-embed",
        "fb-post",
        "twitter-timeline",
        "reddit-card",
    ]
    .iter()
    .any(|k| c.contains(k))
}

fn is_hidden(el: &Element) -> bool {
    // Streaming server rendering (React) sends late parts of the page in a hidden
    // `<div id="S:n">` that a script moves into place: that text is shown.
    if attr(el, "hidden").is_some() && !attr(el, "id").is_some_and(|id| id.starts_with("S:")) {
        return true;
    }
    if let Some(style) = attr(el, "style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// The words an element's hint is read from: its class, id, role and the like, lower-cased.
fn hint_key(el: &Element) -> String {
    let mut key = String::new();
    for name in ["class", "id", "role", "itemprop", "data-component", "data-testid"] {
        if let Some(v) = attr(el, name) {
            key.push_str(v);
            key.push(' ');
        }
    }
    key.make_ascii_lowercase();
    key
}

fn hint_of_key(key: &str) -> Hint {
    if key.is_empty() {
        return Hint::Neutral;
    }
    let rules = &*HINTS;
    if rules.strong.is_match(key) {
        return Hint::StrongNegative;
    }
    let neg = rules.negative.is_match(key);
    let pos = rules.positive.is_match(key);
    match (pos, neg) {
        (true, false) => Hint::Positive,
        (false, true) => Hint::Negative,
        _ => Hint::Neutral,
    }
}

#[cfg(test)]
fn hint_of(el: &Element) -> Hint {
    hint_of_key(&hint_key(el))
}

/// Copies the parsed page into a flat pre-order list, iteratively.
pub fn build(html: &Html) -> Dom<'_> {
    let mut nodes: Vec<Node> = Vec::with_capacity(1024);
    let mut json_ld = Vec::new();
    let mut title = None;
    // Open ancestors: index in `nodes` and whether it is a link.
    let mut stack: Vec<u32> = Vec::with_capacity(64);
    let mut link_depth = 0usize;
    let mut hints: HashMap<String, Hint> = HashMap::new();
    let mut embeds: HashMap<&str, bool> = HashMap::new();
    let root = html.tree.root();
    let mut cur = root.first_child();
    while let Some(node) = cur {
        let parent = stack.last().copied().unwrap_or(u32::MAX);
        let mut descend = false;
        match node.value() {
            HtmlNode::Text(t) => nodes.push(Node {
                el: None,
                text: t,
                kind: Kind::Text,
                hint: Hint::Neutral,
                parent,
                end: nodes.len() as u32 + 1,
                in_link: link_depth > 0,
            }),
            HtmlNode::Element(el) => {
                let name = el.name();
                let mut kind = kind_of(name);
                match name {
                    "script" if attr(el, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) => {
                        let text = node.children().filter_map(|c| c.value().as_text()).map(|t| &**t).next();
                        if let Some(text) = text {
                            json_ld.push(text);
                        }
                    }
                    "title" if title.is_none() => {
                        let t: String = node.children().filter_map(|c| c.value().as_text()).map(|t| &**t).collect();
                        title = Some(t);
                    }
                    _ => {}
                }
                let class = attr(el, "class").unwrap_or("");
                // Pages repeat the same few class names on thousands of elements: each
                // distinct one is matched against the word lists once.
                let embed = !class.is_empty() && *embeds.entry(class).or_insert_with(|| is_embed(class));
                if kind != Kind::Junk && (embed || is_hidden(el)) {
                    kind = Kind::Junk;
                }
                let mut hint = Hint::Neutral;
                if kind != Kind::Junk {
                    let key = hint_key(el);
                    if !key.is_empty() {
                        hint = match hints.get(&key) {
                            Some(&h) => h,
                            None => *hints.entry(key).or_insert_with_key(|k| hint_of_key(k)),
                        };
                    }
                }
                // A page or article header holds the headline, standfirst and byline, not the text.
                if name == "header" && hint == Hint::Neutral {
                    hint = Hint::Negative;
                }
                // Metadata lives in head and in meta/link/time elements, so those stay in
                // the copy; only subtrees that never hold text for us are skipped.
                descend = !matches!(
                    name,
                    "script" | "style" | "svg" | "math" | "template" | "noscript" | "iframe" | "canvas"
                );
                let idx = nodes.len() as u32;
                nodes.push(Node {
                    el: Some(el),
                    text: "",
                    kind,
                    hint,
                    parent,
                    end: idx + 1,
                    in_link: link_depth > 0,
                });
                if descend && node.has_children() {
                    stack.push(idx);
                    if kind == Kind::Link {
                        link_depth += 1;
                    }
                } else {
                    descend = false;
                }
            }
            HtmlNode::Document | HtmlNode::Fragment => descend = node.has_children(),
            _ => {}
        }
        if descend && let Some(child) = node.first_child() {
            cur = Some(child);
            continue;
        }
        // Move to the next sibling, closing finished ancestors on the way up.
        let mut at = node;
        cur = None;
        loop {
            if let Some(next) = at.next_sibling() {
                cur = Some(next);
                break;
            }
            let Some(up) = at.parent() else { break };
            if up == root {
                break;
            }
            if up.value().is_element()
                && let Some(idx) = stack.pop()
            {
                nodes[idx as usize].end = nodes.len() as u32;
                if nodes[idx as usize].kind == Kind::Link {
                    link_depth = link_depth.saturating_sub(1);
                }
            }
            at = up;
        }
    }
    while let Some(idx) = stack.pop() {
        nodes[idx as usize].end = nodes.len() as u32;
    }
    // A figure is an image with its caption, unless it wraps a data table.
    // Bottom-up in one pass: whether a table or a block element lies below each node.
    // A cell with no block inside is a data cell (one row, one line); a cell holding
    // blocks is page layout and stays a block.
    let mut has_table = vec![false; nodes.len()];
    let mut has_block = vec![false; nodes.len()];
    for i in (0..nodes.len()).rev() {
        let name = nodes[i].el.map_or("", |e| e.name());
        if has_table[i] && name == "figure" {
            nodes[i].kind = Kind::Block;
        }
        if matches!(name, "td" | "th") && !has_block[i] {
            nodes[i].kind = Kind::Cell;
        }
        let table_below = has_table[i] || name == "table";
        let block_below = has_block[i] || !matches!(nodes[i].kind, Kind::Inline | Kind::Text | Kind::Link | Kind::Cell);
        let parent = nodes[i].parent;
        if parent != u32::MAX {
            has_table[parent as usize] |= table_below;
            has_block[parent as usize] |= block_below;
        }
    }
    Dom { nodes, json_ld, title }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(class: &str) -> Hint {
        let html = format!("<div class=\"{class}\">x</div>");
        let doc = Html::parse_fragment(&html);
        let div = doc
            .tree
            .nodes()
            .find_map(|n| n.value().as_element().filter(|e| e.name() == "div").cloned());
        hint_of(&div.expect("div"))
    }

    #[test]
    fn class_hints() {
        assert_eq!(hint("article-body"), Hint::Positive);
        assert_eq!(hint("nota-cuerpo"), Hint::Positive);
        assert_eq!(hint("sidebar-widget"), Hint::Negative);
        assert_eq!(hint("ad-slot"), Hint::Negative);
        assert_eq!(hint("header-ad"), Hint::Negative);
        // "ad" is a whole token only: "read" and "shadow" are not adverts.
        assert_eq!(hint("shadow read"), Hint::Neutral);
        assert_eq!(hint("lee-tambien"), Hint::StrongNegative);
        assert_eq!(hint("article-related"), Hint::StrongNegative);
        // Both kinds of words cancel out: a wrapper named after both is no evidence.
        assert_eq!(hint("content-sidebar-wrap"), Hint::Neutral);
    }

    #[test]
    fn flat_copy_knows_subtrees() {
        let doc = Html::parse_document("<html><body><div><p>a<b>b</b></p><script>x</script></div></body></html>");
        let dom = build(&doc);
        let div = dom.nodes.iter().position(|n| n.name() == "div").expect("div");
        let p = dom.nodes.iter().position(|n| n.name() == "p").expect("p");
        assert!(p > div && p < dom.nodes[div].end as usize);
        assert_eq!(dom.nodes[p].parent as usize, div);
        assert!(dom.nodes.iter().any(|n| n.name() == "script" && n.kind == Kind::Junk));
        assert!(!dom.nodes.iter().any(|n| n.text == "x"), "script text is not copied");
    }
}
