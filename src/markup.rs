//! The one way untrusted HTML reaches the parser: a byte scan caps its size, nesting,
//! element count, attributes and open formatting elements before html5ever builds the tree,
//! and the tree builder's own work is bounded while it runs.
//!
//! The tree builder walks its stack of open elements for most tags and its list of active
//! formatting elements for most text, so some plain-looking markup costs the square of its
//! size: 80,000 `<div/>` (the slash does not close a `<div>`) nest 80,000 deep and take 20 s,
//! and a few thousand unclosed `<b class=…>` are reopened in every later paragraph,
//! multiplying the tree. The scan follows the tree builder's rules closely enough to
//! over-estimate both, and leaves out each start tag (and the end tag that matches it) that
//! would pass a cap; past the element cap or the byte cap the rest of the page is left out.
//! Text is never removed before those two caps, and real pages stay far below all of them.
//! The code inside `<script>` (JSON-LD aside) and `<style>`, and attributes nothing reads
//! (image sources, SVG paths, `data-*`, `aria-*`), are left out too.
//! As the scan only approximates the tree builder, the parse also counts the elements the
//! builder looks at and creates, and leaves out the rest of the page once that work outgrows
//! the page: no markup the scan misjudges can make a parse quadratic.

use std::borrow::Cow;
use std::cell::{Cell, Ref};

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName, driver, local_name, ns};
use scraper::{Html, HtmlTreeSink};

/// The caps; [`LIMITS`] holds the ones every parse uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of markup read; the rest of the page is left out.
    pub max_bytes: usize,
    /// Elements open at once. Elements the parser closes by itself (`<p>`, `<li>`, table
    /// rows and cells and the like) are not counted, so the parser's own stack may be a few
    /// times deeper.
    pub max_depth: usize,
    /// Elements in the page, counting those the parser recreates; the rest is left out.
    pub max_elements: usize,
    /// Attributes kept on one tag (the tokenizer compares each with all before it).
    pub max_attributes: usize,
    /// Formatting elements (`<b>`, `<font>`, `<a>`, …) left open at once: the parser reopens
    /// every one of them in each later block.
    pub max_formatting: usize,
}

/// The caps of every parse: far beyond any real page.
pub const LIMITS: Limits = Limits {
    max_bytes: 16 * 1024 * 1024,
    max_depth: 256,
    max_elements: 200_000,
    max_attributes: 64,
    max_formatting: 24,
};

/// Parses a whole page, within [`LIMITS`].
pub fn parse_document(html: &str) -> Html {
    parse_document_with(html, &LIMITS).0
}

/// Parses a piece of markup (a feed title, a summary) as the content of a `<body>`, within
/// [`LIMITS`].
pub fn parse_fragment(html: &str) -> Html {
    let capped = cap(html, &LIMITS);
    let body = QualName::new(None, ns!(html), local_name!("body"));
    let parser = driver::parse_fragment(Watched::new(Html::new_fragment()), Default::default(), body, Vec::new(), false);
    run_watched(parser, &capped, &LIMITS).0
}

/// Elements the tree builder may look at per byte of markup, beyond [`WORK_BASE`]: real
/// pages need less than one.
const WORK_PER_BYTE: u64 = 64;
const WORK_BASE: u64 = 8_000_000;
/// Markup handed to the tree builder at once, between two looks at its work.
const CHUNK_BYTES: usize = 4 * 1024;

/// What a watched parse did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Times the tree builder looked at an element of its stack or lists.
    pub looks: u64,
    /// Elements it created.
    pub elements: u64,
    /// Whether the work bound left out the end of the markup.
    pub cut_short: bool,
}

/// Feeds `html` to `parser` a chunk at a time and stops once the tree builder's work passes
/// what the markup's size allows, or once it has created more elements than the caps allow.
fn run_watched(mut parser: driver::Parser<Watched>, html: &str, limits: &Limits) -> (Html, Work) {
    let budget = work_budget(html.len());
    // The parser's own elements (implied ones, reopened ones) come on top of those the scan
    // counts.
    let max_elements = 4 * limits.max_elements as u64;
    let mut from = 0;
    let mut cut_short = false;
    while from < html.len() {
        let sink = &parser.tokenizer.sink.sink;
        if sink.looks.get() > budget || sink.elements.get() > max_elements {
            cut_short = true;
            break;
        }
        let mut to = (from + CHUNK_BYTES).min(html.len());
        while !html.is_char_boundary(to) {
            to += 1;
        }
        parser.process(StrTendril::from_slice(&html[from..to]));
        from = to;
    }
    let sink = &parser.tokenizer.sink.sink;
    let work = Work {
        looks: sink.looks.get(),
        elements: sink.elements.get(),
        cut_short,
    };
    (parser.finish(), work)
}

/// How many looks at elements the tree builder may take over `bytes` of markup.
pub fn work_budget(bytes: usize) -> u64 {
    WORK_BASE + WORK_PER_BYTE * bytes as u64
}

/// Parses a whole page within `limits` and says what the tree builder did.
pub fn parse_document_with(html: &str, limits: &Limits) -> (Html, Work) {
    let capped = cap(html, limits);
    let parser = driver::parse_document(Watched::new(Html::new_document()), Default::default());
    run_watched(parser, &capped, limits)
}

/// scraper's tree sink, counting the tree builder's looks at elements and the elements it
/// creates; parse errors are dropped, as nothing reads them and a hostile page makes millions.
struct Watched {
    inner: HtmlTreeSink,
    looks: Cell<u64>,
    elements: Cell<u64>,
}

impl Watched {
    fn new(html: Html) -> Watched {
        Watched {
            inner: HtmlTreeSink::new(html),
            looks: Cell::new(0),
            elements: Cell::new(0),
        }
    }

    fn look(&self) {
        self.looks.set(self.looks.get() + 1);
    }
}

type Handle = <HtmlTreeSink as TreeSink>::Handle;

impl TreeSink for Watched {
    type Handle = Handle;
    type Output = Html;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> Ref<'a, QualName> {
        self.look();
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        self.elements.set(self.elements.get() + 1);
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> Handle {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Handle {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.inner.append(parent, child)
    }

    fn append_based_on_parent_node(&self, element: &Handle, prev_element: &Handle, child: NodeOrText<Handle>) {
        self.inner.append_based_on_parent_node(element, prev_element, child)
    }

    fn append_doctype_to_document(&self, name: StrTendril, public_id: StrTendril, system_id: StrTendril) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }

    fn mark_script_already_started(&self, node: &Handle) {
        self.inner.mark_script_already_started(node)
    }

    fn get_template_contents(&self, target: &Handle) -> Handle {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        self.look();
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        self.inner.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }

    fn remove_from_parent(&self, target: &Handle) {
        self.inner.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.inner.reparent_children(node, new_parent)
    }
}

/// The markup with whatever passes `limits` left out; the markup itself when nothing does.
pub fn cap<'a>(html: &'a str, limits: &Limits) -> Cow<'a, str> {
    let mut end = html.len().min(limits.max_bytes);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let mut scan = Scan::new(&html.as_bytes()[..end], limits);
    scan.run();
    let Scan { cuts, stop, .. } = scan;
    if cuts.is_empty() && stop == html.len() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(stop);
    let mut at = 0;
    for (from, to) in cuts {
        // Cuts start at '<', after '>' or at an attribute name and end after '>', at '<' or
        // after an attribute, all ASCII, so they are character boundaries of `html`.
        out.push_str(&html[at..from]);
        at = to;
    }
    out.push_str(&html[at..stop]);
    Cow::Owned(out)
}

/// How the tree builder treats an element, as far as the caps are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No content and no end tag (`<br>`, `<img>`).
    Void,
    /// Closed by the parser when a sibling or the parent ends (`<p>`, `<li>`, `<td>`),
    /// or never more than one (`<html>`, `<head>`, `<body>`).
    SelfClosing,
    /// Raw text up to its own end tag (`<script>`, `<title>`); `<plaintext>` to the end.
    RawText,
    PlainText,
    /// On the list of active formatting elements: reopened after a block closes it.
    Formatting,
    /// What the specification calls special: it stops the search for an end tag's element.
    Special,
    Ordinary,
}

fn kind_of(name: &[u8]) -> Kind {
    match name {
        b"area" | b"base" | b"basefont" | b"bgsound" | b"br" | b"col" | b"embed" | b"frame" | b"hr" | b"image" | b"img" | b"input"
        | b"keygen" | b"link" | b"meta" | b"param" | b"source" | b"track" | b"wbr" => Kind::Void,
        b"html" | b"head" | b"body" | b"p" | b"li" | b"dd" | b"dt" | b"option" | b"optgroup" | b"tr" | b"td" | b"th" | b"tbody"
        | b"thead" | b"tfoot" | b"colgroup" | b"rb" | b"rp" | b"rt" | b"rtc" => Kind::SelfClosing,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed" | b"noframes" | b"noscript" => Kind::RawText,
        b"plaintext" => Kind::PlainText,
        b"a" | b"b" | b"big" | b"code" | b"em" | b"font" | b"i" | b"nobr" | b"s" | b"small" | b"strike" | b"strong" | b"tt" | b"u" => {
            Kind::Formatting
        }
        b"address" | b"applet" | b"article" | b"aside" | b"blockquote" | b"button" | b"caption" | b"center" | b"details" | b"dialog"
        | b"dir" | b"div" | b"dl" | b"fieldset" | b"figcaption" | b"figure" | b"footer" | b"form" | b"frameset" | b"h1" | b"h2" | b"h3"
        | b"h4" | b"h5" | b"h6" | b"header" | b"hgroup" | b"listing" | b"main" | b"marquee" | b"menu" | b"nav" | b"object" | b"ol"
        | b"pre" | b"search" | b"section" | b"select" | b"summary" | b"table" | b"template" | b"ul" => Kind::Special,
        // Where MathML and SVG hand back to HTML: they bound the search like special elements.
        b"mi" | b"mo" | b"mn" | b"ms" | b"mtext" | b"annotation-xml" | b"foreignobject" | b"desc" => Kind::Special,
        _ => Kind::Ordinary,
    }
}

/// Elements that end the scope in which the parser looks for an element to close.
fn is_scope_boundary(name: &[u8]) -> bool {
    matches!(
        name,
        b"applet"
            | b"caption"
            | b"html"
            | b"table"
            | b"td"
            | b"th"
            | b"marquee"
            | b"object"
            | b"select"
            | b"template"
            | b"mi"
            | b"mo"
            | b"mn"
            | b"ms"
            | b"mtext"
            | b"annotation-xml"
            | b"foreignobject"
            | b"desc"
            | b"title"
    )
}

fn is_heading(name: &[u8]) -> bool {
    matches!(name, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6")
}

/// Longest tag name the scan tells apart; longer ones are ordinary elements.
const NAME_CAP: usize = 16;

/// A tag name lower-cased, or an empty name for one longer than [`NAME_CAP`].
#[derive(Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; NAME_CAP],
    len: usize,
    /// Longer than the cap: compared by its first bytes only, never classified.
    long: bool,
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let mut bytes = [0u8; NAME_CAP];
        let len = raw.len().min(NAME_CAP);
        for (to, from) in bytes.iter_mut().zip(raw) {
            *to = from.to_ascii_lowercase();
        }
        Name {
            bytes,
            len,
            long: raw.len() > NAME_CAP,
        }
    }

    /// The lower-cased name for classifying; empty (ordinary) when too long.
    fn known(&self) -> &[u8] {
        if self.long { b"" } else { &self.bytes[..self.len] }
    }
}

/// An element the scan holds open.
struct Open {
    name: Name,
    kind: Kind,
    boundary: bool,
    /// `<svg>` or `<math>`: what it holds is foreign content.
    foreign: bool,
}

/// How many `<html>` or `<body>` tags are kept (pages pasted into pages repeat them).
const MAX_ROOT_TAGS: usize = 8;

/// Elements the parser may create for one misnested formatting end tag: the adoption agency
/// algorithm runs at most 8 rounds, each cloning the formatting element and up to 3 others.
const ADOPTION_ELEMENTS: usize = 32;

struct Scan<'a, 'l> {
    b: &'a [u8],
    limits: &'l Limits,
    /// Byte ranges left out, in order.
    cuts: Vec<(usize, usize)>,
    /// Where the output ends.
    stop: usize,
    stack: Vec<Open>,
    /// Names of the formatting elements the parser may still reopen.
    formatting: Vec<Name>,
    /// Something may have closed formatting elements since they were last reopened.
    maybe_closed: bool,
    elements: usize,
    foreign: usize,
    /// Start tags left out, by name, whose end tags are to go too.
    suppressed: Vec<(Name, usize)>,
    html_tags: usize,
    body_tags: usize,
    /// Attributes of the tag in hand that nothing reads, as byte ranges.
    unread: Vec<(usize, usize)>,
}

/// One tag as the tokenizer reads it.
struct Tag {
    name: Name,
    /// From '<' to after '>'.
    from: usize,
    to: usize,
    /// Attributes past the cap, as a byte range.
    extra: Option<(usize, usize)>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    // Looks for the first byte, then checks the rest: most candidates fail at once.
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    loop {
        i += hay.get(i..)?.iter().position(|&c| c == first)?;
        if hay.get(i + 1..i + 1 + rest.len()) == Some(rest) {
            return Some(i);
        }
        i += 1;
    }
}

impl<'a, 'l> Scan<'a, 'l> {
    fn new(b: &'a [u8], limits: &'l Limits) -> Self {
        Scan {
            b,
            limits,
            cuts: Vec::new(),
            stop: b.len(),
            stack: Vec::new(),
            formatting: Vec::new(),
            maybe_closed: false,
            elements: 0,
            foreign: 0,
            suppressed: Vec::new(),
            html_tags: 0,
            body_tags: 0,
            unread: Vec::new(),
        }
    }

    fn run(&mut self) {
        let b = self.b;
        let mut i = 0;
        while let Some(off) = b.get(i..).and_then(|s| s.iter().position(|&c| c == b'<')) {
            let lt = i + off;
            if lt > i && !self.text(i) {
                return;
            }
            let next = b.get(lt + 1).copied();
            let after = b.get(lt + 2).copied();
            i = match (next, after) {
                (Some(b'!'), _) if b[lt..].starts_with(b"<!--") => comment_end(b, lt),
                (Some(b'!' | b'?'), _) => find(b, lt, b">").map_or(b.len(), |p| p + 1),
                (Some(b'/'), Some(c)) if c.is_ascii_alphabetic() => match read_tag(b, lt, self.limits.max_attributes, &mut self.unread) {
                    Some(tag) if self.end_tag(&tag) => tag.to,
                    _ => return,
                },
                (Some(b'/'), Some(b'>')) => lt + 3,
                (Some(b'/'), Some(_)) => find(b, lt, b">").map_or(b.len(), |p| p + 1),
                (Some(c), _) if c.is_ascii_alphabetic() => match read_tag(b, lt, self.limits.max_attributes, &mut self.unread) {
                    Some(tag) => match self.start_tag(&tag) {
                        Some(next) => next,
                        None => return,
                    },
                    None => return,
                },
                // A '<' that opens no tag is text.
                _ => {
                    if !self.text(lt) {
                        return;
                    }
                    lt + 1
                }
            };
        }
    }

    /// Counts `n` elements the parser will create; past the cap, the page ends at `at`.
    fn count(&mut self, n: usize, at: usize) -> bool {
        self.elements += n;
        if self.elements > self.limits.max_elements {
            self.stop = at;
            return false;
        }
        true
    }

    /// Text (or a tag that takes part in the text) at `at`: the parser reopens every
    /// formatting element a block has closed.
    fn text(&mut self, at: usize) -> bool {
        if !self.maybe_closed {
            return true;
        }
        self.maybe_closed = false;
        self.count(self.formatting.len(), at)
    }

    fn cut(&mut self, tag: &Tag) {
        self.cuts.push((tag.from, tag.to));
    }

    fn suppress(&mut self, tag: &Tag) {
        self.cut(tag);
        match self.suppressed.iter_mut().find(|(n, _)| *n == tag.name) {
            Some((_, count)) => *count += 1,
            None => self.suppressed.push((tag.name, 1)),
        }
    }

    /// Handles a start tag; returns where scanning goes on, or None when the page ends here.
    fn start_tag(&mut self, tag: &Tag) -> Option<usize> {
        let name = tag.name.known();
        let mut kind = kind_of(name);
        // Inside SVG or MathML most tags make foreign elements, open until closed whatever
        // their HTML name; some leave foreign content for HTML instead, which the scan does
        // not follow. Held open and special, they count as open and stop end tags' searches
        // in either case.
        if self.foreign > 0 && matches!(kind, Kind::Void | Kind::SelfClosing | Kind::RawText | Kind::PlainText) {
            kind = Kind::Special;
        }
        // Later <html> and <body> tags only add their attributes to the first ones, each
        // compared with all those already there.
        if name == b"html" || name == b"body" {
            let seen = if name == b"html" {
                &mut self.html_tags
            } else {
                &mut self.body_tags
            };
            *seen += 1;
            if *seen > MAX_ROOT_TAGS {
                self.cut(tag);
                return Some(tag.to);
            }
        }
        if !self.text(tag.from) {
            return None;
        }
        // A new <a> or <nobr> first closes the one still open.
        if kind == Kind::Formatting && self.foreign == 0 && matches!(name, b"a" | b"nobr") && self.formatting.contains(&tag.name) {
            self.close(tag.name, tag.from)?;
        }
        // An <a> never opens inside another (a new one closes the last), so a link still
        // gets through past the depth cap.
        let link = name == b"a" && self.foreign == 0;
        let opens = matches!(kind, Kind::Formatting | Kind::Special | Kind::Ordinary);
        let too_deep = opens && !link && self.stack.len() >= self.limits.max_depth;
        if too_deep || kind == Kind::Formatting && self.formatting.len() >= self.limits.max_formatting {
            self.suppress(tag);
            return Some(tag.to);
        }
        if !self.count(1, tag.from) {
            return None;
        }
        self.cuts.append(&mut self.unread);
        if let Some(extra) = tag.extra {
            self.cuts.push(extra);
        }
        match kind {
            Kind::Void => {}
            Kind::SelfClosing => self.maybe_closed = true,
            // Its end tag is read as any other once the raw text is skipped.
            Kind::RawText => {
                let end = raw_text_end(self.b, tag.to, name);
                // Nothing reads the code of scripts and styles, a third of a modern page's
                // bytes: the parser is spared it. JSON-LD scripts hold metadata and stay.
                if end > tag.to && (name == b"style" || name == b"script" && !is_json_ld(&self.b[tag.from..tag.to])) {
                    self.cuts.push((tag.to, end));
                }
                return Some(end);
            }
            Kind::PlainText => return None,
            Kind::Formatting => {
                self.formatting.push(tag.name);
                self.push(tag.name, kind);
            }
            // A slash does not close an HTML element, and inside SVG or MathML the scan
            // cannot always tell which elements are foreign: open either way.
            Kind::Special | Kind::Ordinary => {
                self.push(tag.name, kind);
                self.maybe_closed |= kind == Kind::Special;
            }
        }
        Some(tag.to)
    }

    fn push(&mut self, name: Name, kind: Kind) {
        let known = name.known();
        let foreign = known == b"svg" || known == b"math";
        self.foreign += usize::from(foreign);
        self.stack.push(Open {
            name,
            kind,
            boundary: is_scope_boundary(known),
            foreign,
        });
    }

    /// Pops the stack down to (and including) index `at`.
    fn pop_to(&mut self, at: usize) {
        for open in self.stack.drain(at..) {
            self.foreign -= usize::from(open.foreign);
        }
    }

    /// Handles an end tag; false when the page ends here.
    fn end_tag(&mut self, tag: &Tag) -> bool {
        if let Some((_, count)) = self.suppressed.iter_mut().find(|(n, c)| *n == tag.name && *c > 0) {
            *count -= 1;
            self.cut(tag);
            return true;
        }
        // A stray </p> or </br> makes an element of its own.
        let name = tag.name.known();
        if matches!(name, b"p" | b"br") && !self.count(1, tag.from) {
            return false;
        }
        if let Some(extra) = tag.extra {
            self.cuts.push(extra);
        }
        self.close(tag.name, tag.from).is_some()
    }

    /// What an end tag named `name` (real, or implied by a start tag) does to the stack and
    /// the formatting list. None when the element cap ends the page.
    fn close(&mut self, name: Name, at: usize) -> Option<()> {
        self.maybe_closed = true;
        let known = name.known();
        match kind_of(known) {
            Kind::Void | Kind::SelfClosing => {}
            Kind::Formatting => {
                let found = self.stack.iter().rposition(|o| o.name == name);
                let blocked = found.is_some_and(|f| self.stack[f + 1..].iter().any(|o| o.kind == Kind::Special));
                match found {
                    // Behind a block the parser clones the formatting element around it,
                    // and its element stays open: keep both counted.
                    Some(_) if blocked => {
                        if !self.count(ADOPTION_ELEMENTS, at) {
                            return None;
                        }
                    }
                    Some(f) => {
                        self.pop_to(f);
                        self.forget_formatting(name);
                    }
                    None => self.forget_formatting(name),
                }
            }
            Kind::Special if known == b"form" => {
                // </form> takes the form out of the stack and leaves what it holds open.
                if let Some(f) = self.find_in_scope(|n| n == b"form", false) {
                    let open = self.stack.remove(f);
                    self.foreign -= usize::from(open.foreign);
                }
            }
            Kind::Special => {
                let table = known == b"table";
                let hit = if is_heading(known) {
                    self.find_in_scope(is_heading, false)
                } else {
                    self.find_in_scope(|n| n == known, table)
                };
                if let Some(f) = hit {
                    self.pop_to(f);
                }
            }
            _ => {
                // Any other element closes only if no special element lies above it.
                for f in (0..self.stack.len()).rev() {
                    if self.stack[f].name == name {
                        self.pop_to(f);
                        break;
                    }
                    if self.stack[f].kind == Kind::Special {
                        break;
                    }
                }
            }
        }
        Some(())
    }

    /// The topmost open element matching `is`, unless a scope boundary comes first (for a
    /// table, only another table or a template is one).
    fn find_in_scope(&self, is: impl Fn(&[u8]) -> bool, table: bool) -> Option<usize> {
        for f in (0..self.stack.len()).rev() {
            let known = self.stack[f].name.known();
            if is(known) {
                return Some(f);
            }
            let boundary = if table {
                matches!(known, b"table" | b"template" | b"html")
            } else {
                self.stack[f].boundary
            };
            if boundary {
                return None;
            }
        }
        None
    }

    fn forget_formatting(&mut self, name: Name) {
        if let Some(f) = self.formatting.iter().rposition(|n| *n == name) {
            self.formatting.remove(f);
        }
    }
}

/// Where a comment that starts at `lt` ends: after `-->` or `--!>`, also when the `--` of
/// its opening takes part (`<!-->` is a whole comment), or the end of the input.
fn comment_end(b: &[u8], lt: usize) -> usize {
    let mut i = lt + 2;
    while let Some(p) = find(b, i, b"--") {
        match b.get(p + 2) {
            Some(b'>') => return p + 3,
            Some(b'!') if b.get(p + 3) == Some(&b'>') => return p + 4,
            _ => i = p + 1,
        }
    }
    b.len()
}

/// Attributes nothing reads and pages have plenty of (image sources, SVG paths, script
/// data, accessibility labels): left out of start tags, they cost the parser nothing.
/// `data-component` and `data-testid` name blocks like a class does and stay.
fn is_unread(name: &[u8]) -> bool {
    let lower = |prefix: &[u8]| name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix);
    let is = |other: &[u8]| name.eq_ignore_ascii_case(other);
    is(b"d")
        || is(b"src")
        || is(b"srcset")
        || is(b"sizes")
        || is(b"alt")
        || lower(b"aria-")
        || (lower(b"data-") && !is(b"data-component") && !is(b"data-testid"))
}

/// Whether a `<script>` start tag declares JSON-LD (`type="application/ld+json"`).
fn is_json_ld(tag: &[u8]) -> bool {
    tag.windows(7).any(|w| w.eq_ignore_ascii_case(b"ld+json"))
}

/// Where the raw text of `<name>` that starts at `from` ends: at its end tag (the first
/// `</name` followed by a space, `/` or `>`), or at the end of the input.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = find(b, i, b"</") {
        let after = p + 2 + name.len();
        let matches = b.get(p + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name));
        if matches && b.get(after).is_some_and(|&c| is_space(c) || c == b'/' || c == b'>') {
            return p;
        }
        i = p + 2;
    }
    b.len()
}

/// Reads the tag at `lt` as the tokenizer does (`<` or `</` then a letter, attributes with
/// quoted or bare values, a `/` before `>` ignored); None when the input ends inside it, as
/// the tokenizer then drops it.
fn read_tag(b: &[u8], lt: usize, max_attributes: usize, unread: &mut Vec<(usize, usize)>) -> Option<Tag> {
    unread.clear();
    let name_from = lt + 1 + usize::from(b.get(lt + 1) == Some(&b'/'));
    let mut i = name_from;
    while !is_space(*b.get(i)?) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = Name::new(&b[name_from..i]);
    let mut attributes = 0usize;
    let mut extra_from = None;
    let mut last_end = i;
    loop {
        while is_space(*b.get(i)?) {
            i += 1;
        }
        match b[i] {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => {
                if b.get(i + 1)? == &b'>' {
                    i += 2;
                    break;
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        // An attribute: its name (which may start with '='), then maybe '=' and a value.
        let from = i;
        i += 1;
        while !is_space(*b.get(i)?) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name_end = i;
        let mut j = i;
        while is_space(*b.get(j)?) {
            j += 1;
        }
        if b[j] == b'=' {
            i = j + 1;
            while is_space(*b.get(i)?) {
                i += 1;
            }
            match b[i] {
                q @ (b'"' | b'\'') => i = find(b, i + 1, &[q])? + 1,
                b'>' => {}
                _ => {
                    while !is_space(*b.get(i)?) && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        attributes += 1;
        if attributes == max_attributes.saturating_add(1) {
            extra_from = Some(from);
        }
        if extra_from.is_none() && is_unread(&b[from..name_end]) {
            unread.push((from, i));
        }
        last_end = i;
    }
    Some(Tag {
        name,
        from: lt,
        to: i,
        extra: extra_from.map(|from| (from, last_end)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        max_bytes: 1 << 20,
        max_depth: 50,
        max_elements: 5_000,
        max_attributes: 4,
        max_formatting: 6,
    };

    /// The deepest element of a parsed tree, counting from the document.
    fn depth(doc: &Html) -> usize {
        doc.tree.nodes().map(|n| n.ancestors().count()).max().unwrap_or(0)
    }

    fn elements(doc: &Html) -> usize {
        doc.tree.nodes().filter(|n| n.value().is_element()).count()
    }

    fn text(doc: &Html) -> String {
        doc.root_element().text().collect()
    }

    #[test]
    fn ordinary_pages_lose_only_script_and_style_code() {
        let html = r#"<!DOCTYPE html><html lang="es"><head><title>a < b</title>
            <script>if (a<b) { document.write("<div><div><div>"); }</script><style>p>b{}</style></head>
            <body class=x><!-- <div> --><!--> <div a="1>2" b='<div>' c=3 k/><p>uno<p>dos <b>negrita <i>y</i></b>
            <ul><li>a<li>b</ul><table><tr><td>1<td>2<tr><td>3</table><select><option>a<option>b</select>
            <svg><path fill="red"/><title>t</title></svg><textarea><div></textarea></div></body></html>"#;
        // Only the code of the script and the style goes.
        let code = [r#"if (a<b) { document.write("<div><div><div>"); }"#, "p>b{}"];
        assert_eq!(cap(html, &SMALL), html.replacen(code[0], "", 1).replacen(code[1], "", 1));
        let plain = html.replacen(code[0], "", 1).replacen(code[1], "", 1);
        assert!(matches!(cap(&plain, &SMALL), Cow::Borrowed(_)));
    }

    #[test]
    fn attributes_nothing_reads_are_left_out() {
        let html = r#"<img src="a.jpg" srcset="a.jpg 1x, b.jpg 2x" alt='x' class=foto><div data-id=7 data-testid="story-body" aria-label="Nota" id=n>texto</div>"#;
        assert_eq!(
            cap(html, &SMALL),
            r#"<img    class=foto><div  data-testid="story-body"  id=n>texto</div>"#
        );
    }

    #[test]
    fn json_ld_scripts_are_kept() {
        let html = r#"<head><script type="application/LD+JSON">{"@type": "NewsArticle"}</script><script>var a = 1;</script></head>"#;
        assert_eq!(
            cap(html, &SMALL),
            r#"<head><script type="application/LD+JSON">{"@type": "NewsArticle"}</script><script></script></head>"#
        );
    }

    #[test]
    fn a_slash_does_not_close_a_div() {
        let html = "<div/>".repeat(1_000) + "texto";
        let capped = cap(&html, &SMALL);
        assert_eq!(capped.matches("<div/>").count(), SMALL.max_depth);
        let doc = Html::parse_document(&capped);
        assert!(depth(&doc) <= SMALL.max_depth + 4, "{}", depth(&doc));
        assert!(text(&doc).contains("texto"));
    }

    #[test]
    fn deep_nesting_keeps_text_and_matching_end_tags() {
        let html = format!(
            "<div>{}<p>texto</p>{}</div><p>después</p>",
            "<div>".repeat(500),
            "</div>".repeat(500)
        );
        let capped = cap(&html, &SMALL);
        assert_eq!(capped.matches("<div>").count(), SMALL.max_depth);
        assert_eq!(capped.matches("</div>").count(), SMALL.max_depth);
        let doc = Html::parse_document(&capped);
        assert!(depth(&doc) <= SMALL.max_depth + 4);
        // The page's last paragraph is outside every div again.
        let p = doc
            .select(&scraper::Selector::parse("body > p").unwrap())
            .next()
            .map(|p| p.text().collect::<String>());
        assert_eq!(p.as_deref(), Some("después"));
    }

    #[test]
    fn links_get_through_past_the_depth_cap() {
        let html = "<div>".repeat(500) + &"<a href=/n>nota</a>".repeat(10);
        let capped = cap(&html, &SMALL);
        assert_eq!(capped.matches("<div>").count(), SMALL.max_depth);
        assert_eq!(capped.matches("<a href=/n>nota</a>").count(), 10);
    }

    #[test]
    fn comments_and_raw_text_end_where_the_tokenizer_ends_them() {
        // `<!-->` is a whole comment: the divs after it are markup.
        let html = "<!-->".to_string() + &"<div>".repeat(200) + "-->";
        assert_eq!(cap(&html, &SMALL).matches("<div>").count(), SMALL.max_depth);
        let html = "<!-- a --!>".to_string() + &"<div>".repeat(200);
        assert_eq!(cap(&html, &SMALL).matches("<div>").count(), SMALL.max_depth);
        // A script ends at its own end tag only.
        let html = "<script>".to_string() + &"<div>".repeat(200) + "</scriptx></script >";
        assert_eq!(cap(&html, &SMALL), "<script></script >");
        // Inside SVG, <style> holds markup.
        let html = "<svg><style>".to_string() + &"<div>".repeat(200);
        assert!(cap(&html, &SMALL).matches("<div>").count() < SMALL.max_depth);
    }

    #[test]
    fn attributes_past_the_cap_are_left_out() {
        let html = r#"<div a=1 b="2>" c='3' k e=5 f=6 g=7>x</div>"#;
        assert_eq!(cap(html, &SMALL), r#"<div a=1 b="2>" c='3' k >x</div>"#);
        let many = format!(
            "<p {}>x</p>",
            (0..10_000).map(|i| format!("a{i}=\"{i}\"")).collect::<Vec<_>>().join(" ")
        );
        let doc = Html::parse_document(&cap(&many, &SMALL));
        let p = doc.select(&scraper::Selector::parse("p").unwrap()).next().unwrap();
        assert_eq!(p.value().attrs().count(), SMALL.max_attributes);
    }

    #[test]
    fn a_tag_left_out_takes_its_attributes_along() {
        let tag = "<div a b c k e f>";
        let html = tag.repeat(60) + "x";
        let capped = cap(&html, &SMALL);
        assert_eq!(capped, "<div a b c k >".repeat(SMALL.max_depth) + "x");
    }

    #[test]
    fn open_formatting_elements_are_capped() {
        let html: String = (0..1_000).map(|i| format!("<b class=c{i}>")).collect::<String>() + "texto";
        let capped = cap(&html, &SMALL);
        assert_eq!(capped.matches("<b ").count(), SMALL.max_formatting);
        assert!(capped.ends_with("texto"));
    }

    #[test]
    fn reopened_formatting_elements_count_towards_the_element_cap() {
        // Every paragraph after the first reopens all the formatting elements.
        let html =
            "<p>".to_string() + &(0..1_000).map(|i| format!("<b class=c{i}>")).collect::<String>() + "</p>" + &"<p>x</p>".repeat(10_000);
        let (doc, work) = parse_document_with(&html, &SMALL);
        assert!(elements(&doc) <= 2 * SMALL.max_elements, "{}", elements(&doc));
        assert!(!work.cut_short);
    }

    #[test]
    fn the_element_cap_ends_the_page() {
        let html = "<span>x</span>".repeat(10_000);
        let capped = cap(&html, &SMALL);
        assert_eq!(capped.matches("<span>").count(), SMALL.max_elements);
        assert!(capped.len() < html.len());
    }

    #[test]
    fn the_byte_cap_ends_on_a_character() {
        let limits = Limits { max_bytes: 10, ..SMALL };
        assert_eq!(cap("<p>ñññññññ</p>", &limits), "<p>ñññ");
    }

    #[test]
    fn repeated_root_tags_are_dropped() {
        let html = "<body a>".repeat(20) + "x";
        assert_eq!(cap(&html, &SMALL).matches("<body").count(), MAX_ROOT_TAGS);
    }

    #[test]
    fn the_work_bound_holds_whatever_the_scan_lets_through() {
        // Without caps the scan lets 20,000 nested divs through; the watched parse stops.
        let open = Limits {
            max_bytes: usize::MAX,
            max_depth: usize::MAX,
            max_elements: usize::MAX / 8,
            max_attributes: usize::MAX,
            max_formatting: usize::MAX,
        };
        let html = "<div>".repeat(20_000);
        let (doc, work) = parse_document_with(&html, &open);
        assert!(work.cut_short);
        // Stopped within a chunk of going over.
        assert!(work.looks < 2 * work_budget(html.len()), "{work:?}");
        assert!(elements(&doc) < 20_000);
    }

    /// Pieces of markup that make the tree builder work hard.
    const SOUP: &[&str] = &[
        "<div>",
        "<div/>",
        "</div>",
        "<b>",
        "<b class=x>",
        "</b>",
        "<i>",
        "</i>",
        "<a href=x>",
        "</a>",
        "<p>",
        "</p>",
        "<li>",
        "<ul>",
        "</ul>",
        "<table>",
        "<td>",
        "<tr>",
        "</table>",
        "<form>",
        "</form>",
        "<button>",
        "<span>",
        "</span>",
        "x",
        "<svg>",
        "</svg>",
        "<style>",
        "</style>",
        "<marquee>",
        "</marquee>",
        "<select>",
        "<option>",
        "<h1>",
        "</h1>",
        "<nobr>",
        "<!-->",
        "<font a b c>",
        "<frameset>",
        "<template>",
        "</template>",
        "</br>",
        "<math>",
        "<mi>",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        #[test]
        fn any_tag_soup_parses_within_the_work_bound(
            picks in proptest::collection::vec(0..SOUP.len(), 1..12),
            repeat in 1usize..3_000,
        ) {
            let unit: String = picks.iter().map(|&i| SOUP[i]).collect();
            let html = unit.repeat(repeat);
            let (doc, work) = parse_document_with(&html, &LIMITS);
            proptest::prop_assert!(work.looks < 2 * work_budget(html.len()), "{:?}", work);
            proptest::prop_assert!(elements(&doc) as u64 <= 5 * LIMITS.max_elements as u64);
        }
    }
}
