//! Main-text extraction: the page is cut into text blocks; prose blocks (long enough, few
//! links, punctuated) score the element holding them and, less and less, its ancestors;
//! the best element, its best-scoring ancestor and its article-like siblings are the
//! article; boilerplate containers and lines inside it are left out.
//!
//! Every pass is a loop over the flat node list (`dom.rs`): one to cut the page into
//! blocks, bottom-up sums for text, links and prose, one top-down pass to drop boilerplate
//! containers, and one over the chosen elements to write the text. Nothing recurses.

use std::sync::LazyLock;

use super::dom::{Dom, Hint, Kind};

/// Shortest block counted as article prose, in non-space characters.
const PROSE_MIN: u32 = 60;
/// Highest share of link text in a prose block.
const PROSE_MAX_LINKS: f32 = 0.35;

/// A negatively named container with at least this much prose ...
const TEXT_BLOCK_MIN_PROSE: u32 = 500;
/// ... that is at least this share of its text is article text, not a sidebar widget.
const TEXT_BLOCK_PROSE_SHARE: f32 = 0.85;

/// How much a character of other text (headings, short lines, links) weighs against a
/// character of prose when deciding whether a larger container is still the article: little,
/// since headings, list items and table rows belong to long articles and the lines of a
/// larger container are still filtered one by one.
const CLIMB_OTHER_TEXT_COST: f32 = 0.1;
/// Link characters weigh more still: teasers of other stories are a linked headline and a
/// paragraph each.
const CLIMB_LINK_COST: f32 = 2.0;
/// A larger container must hold at least this many times the prose of the chosen one: an
/// article in pieces is much more than its first piece, while a boilerplate note or two
/// under a whole article is not.
const CLIMB_MIN_GROWTH: u32 = 2;

/// One run of text between block boundaries.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// The innermost block-level element holding it.
    owner: u32,
    chars: u32,
    link_chars: u32,
    /// Sentence punctuation: commas and full stops.
    punct: u32,
}

impl Block {
    fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }

    /// Score given to the containers of a prose block: a paragraph counts, its length
    /// only up to a point, so many paragraphs beat one long caption or teaser.
    fn candidate_score(&self) -> f32 {
        1.0 + self.punct.min(20) as f32 * 0.5 + (self.chars as f32 / 100.0).min(3.0)
    }

    fn is_prose(&self) -> bool {
        self.chars >= PROSE_MIN && self.link_density() < PROSE_MAX_LINKS && self.punct > 0
    }
}

fn is_block_kind(kind: Kind) -> bool {
    matches!(kind, Kind::Block | Kind::Para | Kind::Heading | Kind::ListItem | Kind::Quote)
}

fn count_chars(text: &str) -> (u32, u32) {
    let mut chars = 0u32;
    let mut punct = 0u32;
    for c in text.chars() {
        if !c.is_whitespace() {
            chars += 1;
            if matches!(c, '.' | ',' | ';' | '?' | '!' | '。' | '،' | '，' | '、' | '！' | '？') {
                punct += 1;
            }
        }
    }
    (chars, punct)
}

/// Cuts the whole page into blocks (skipping junk subtrees).
fn segment(dom: &Dom) -> Vec<Block> {
    let nodes = &dom.nodes;
    let mut blocks = Vec::new();
    let mut open: Vec<(u32, u32)> = Vec::new(); // (end, index) of open block elements
    let mut cur = Block {
        owner: 0,
        chars: 0,
        link_chars: 0,
        punct: 0,
    };
    let flush = |cur: &mut Block, blocks: &mut Vec<Block>, owner: u32| {
        if cur.chars > 0 {
            cur.owner = owner;
            blocks.push(*cur);
        }
        *cur = Block {
            owner: 0,
            chars: 0,
            link_chars: 0,
            punct: 0,
        };
    };
    let mut i = 0u32;
    let n = nodes.len() as u32;
    while i < n {
        while let Some(&(end, _)) = open.last() {
            if i < end {
                break;
            }
            let owner = open.last().map_or(0, |o| o.1);
            flush(&mut cur, &mut blocks, owner);
            open.pop();
        }
        let node = &nodes[i as usize];
        match node.kind {
            Kind::Junk => {
                i = node.end;
                continue;
            }
            Kind::Text => {
                let (c, p) = count_chars(node.text);
                cur.chars += c;
                cur.punct += p;
                if node.in_link {
                    cur.link_chars += c;
                }
            }
            Kind::Br => {
                let owner = open.last().map_or(0, |o| o.1);
                flush(&mut cur, &mut blocks, owner);
            }
            k if is_block_kind(k) => {
                let owner = open.last().map_or(0, |o| o.1);
                flush(&mut cur, &mut blocks, owner);
                open.push((node.end, i));
            }
            _ => {}
        }
        i += 1;
    }
    let owner = open.last().map_or(0, |o| o.1);
    flush(&mut cur, &mut blocks, owner);
    blocks
}

/// Boilerplate lines: a short block starting with one of these is not article text.
static BOILERPLATE: LazyLock<Vec<String>> = LazyLock::new(|| {
    include_str!("data/boilerplate.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

fn is_boilerplate_line(text: &str) -> bool {
    if text.chars().count() > 160 {
        return false;
    }
    let lower = text.to_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    BOILERPLATE.iter().any(|b| match b.strip_prefix('=') {
        Some(line) => lower == line,
        // The phrase must end at a word boundary: "advert" is not "advertencia".
        None => lower
            .strip_prefix(b.as_str())
            .is_some_and(|rest| !b.ends_with(char::is_alphanumeric) || !rest.starts_with(char::is_alphanumeric)),
    })
}

/// Extracts the main text of the page: paragraphs separated by a blank line.
pub fn extract_body(dom: &Dom) -> String {
    let nodes = &dom.nodes;
    let n = nodes.len();
    if n == 0 {
        return String::new();
    }
    let blocks = segment(dom);

    // Prose characters under every element, bottom-up.
    let mut prose = vec![0u32; n];
    let mut text = vec![0u32; n];
    for b in &blocks {
        text[b.owner as usize] += b.chars;
        if b.is_prose() {
            prose[b.owner as usize] += b.chars;
        }
    }
    for i in (1..n).rev() {
        let p = nodes[i].parent;
        if p != u32::MAX {
            prose[p as usize] += prose[i];
            text[p as usize] += text[i];
        }
    }
    let total_prose: u32 = (0..n).filter(|&i| nodes[i].parent == u32::MAX).map(|i| prose[i]).sum();

    // Boilerplate containers, top-down: a negative hint drops an element unless it holds
    // most of the page's prose (a page-wide wrapper named "has-sidebar" is not a sidebar).
    // A comment thread can outgrow the article, so a strongly negative element must also
    // hold the headline to stay.
    let h1 = nodes.iter().position(|n| n.name() == "h1");
    // A container made almost only of long prose is text whatever its name says.
    let is_text_block = |i: usize| prose[i] >= TEXT_BLOCK_MIN_PROSE && prose[i] as f32 >= TEXT_BLOCK_PROSE_SHARE * text[i] as f32;
    let drop_pass = |trust_negative: bool| -> Vec<bool> {
        let mut dropped = vec![false; n];
        for i in 0..n {
            let node = &nodes[i];
            if node.kind == Kind::Text {
                continue;
            }
            let parent_dropped = node.parent != u32::MAX && dropped[node.parent as usize];
            let share = if total_prose == 0 {
                0.0
            } else {
                prose[i] as f32 / total_prose as f32
            };
            dropped[i] = parent_dropped
                || node.kind == Kind::Junk
                || match node.hint {
                    Hint::StrongNegative => {
                        let holds_h1 = h1.is_none_or(|h| i < h && h < node.end as usize);
                        (share < 0.6 || !holds_h1) && node.name() != "body"
                    }
                    Hint::Negative => trust_negative && share < 0.3 && node.name() != "body" && !is_text_block(i),
                    _ => false,
                };
        }
        dropped
    };
    // Page builders name every block of the page "widget", "module" and the like: when the
    // negative hints would leave out most of the page's prose they are the theme's
    // vocabulary, not boilerplate, and only the strong ones count.
    let mut dropped = drop_pass(true);
    let kept_prose: u32 = blocks
        .iter()
        .filter(|b| b.is_prose() && !dropped[b.owner as usize])
        .map(|b| b.chars)
        .sum();
    let trust_negative = kept_prose * 2 >= total_prose;
    if !trust_negative {
        dropped = drop_pass(false);
    }

    // Text and link characters under every element, bottom-up (junk excluded).
    let mut chars = vec![0u32; n];
    let mut links = vec![0u32; n];
    let mut punct = vec![0u32; n];
    for b in &blocks {
        chars[b.owner as usize] += b.chars;
        links[b.owner as usize] += b.link_chars;
        punct[b.owner as usize] += b.punct;
    }
    for i in (1..n).rev() {
        let p = nodes[i].parent;
        if p != u32::MAX && nodes[i].kind != Kind::Text && !dropped[i] {
            chars[p as usize] += chars[i];
            links[p as usize] += links[i];
            punct[p as usize] += punct[i];
        }
    }

    // The links of a list the text announces ("Many patches were sent for review:") are
    // the article's own: they make neither the section holding the list a box of links nor
    // a larger container less of an article.
    let mut announced_links = vec![0u32; n];
    for i in 0..n {
        if !dropped[i] && links[i] > 0 && is_announced_list(dom, i) {
            announced_links[i] = links[i];
        }
    }
    for i in (1..n).rev() {
        let p = nodes[i].parent;
        if p != u32::MAX && announced_links[i] > 0 && !dropped[i] {
            announced_links[p as usize] += announced_links[i];
        }
    }
    let own_links = |i: usize| links[i].saturating_sub(announced_links[i]);

    // Candidate scores: each prose block scores its container fully and the container's
    // ancestors less and less, so the element holding the paragraphs themselves wins over
    // page-wide wrappers that merely hold more text.
    let mut score = vec![0f32; n];
    let mut scored = vec![false; n];
    for b in &blocks {
        let o = b.owner as usize;
        if dropped[o] || !b.is_prose() {
            continue;
        }
        let mut c = o;
        if matches!(nodes[o].kind, Kind::Para | Kind::Heading | Kind::ListItem | Kind::Quote) && nodes[o].parent != u32::MAX {
            c = nodes[o].parent as usize;
        }
        let s = b.candidate_score();
        let mut level = 0;
        let mut at = c as u32;
        while at != u32::MAX && level < 5 {
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[at as usize] += s / div;
            scored[at as usize] = true;
            at = nodes[at as usize].parent;
            level += 1;
        }
    }
    let final_score = |i: usize| -> f32 {
        let ld = if chars[i] == 0 { 0.0 } else { links[i] as f32 / chars[i] as f32 };
        let mut s = score[i];
        if is_article_like(dom, i) {
            s += 25.0;
        } else if trust_negative && nodes[i].hint == Hint::Negative {
            s -= 25.0;
        }
        s * (1.0 - ld)
    };
    let mut best: Option<usize> = None;
    let mut best_score = f32::MIN;
    for i in 0..n {
        if !scored[i] || dropped[i] {
            continue;
        }
        let s = final_score(i);
        if s > best_score {
            best_score = s;
            best = Some(i);
        }
    }
    let Some(mut top) = best else {
        return fallback(dom, &dropped);
    };

    // Climb while an ancestor scores at least as well: the paragraphs may sit in several
    // sibling containers whose common parent collects more.
    {
        let threshold = score[top] / 3.0;
        let mut last = score[top];
        let mut at = nodes[top].parent;
        while at != u32::MAX && nodes[at as usize].name() != "body" && nodes[at as usize].name() != "html" {
            let a = at as usize;
            if scored[a] {
                if score[a] < threshold {
                    break;
                }
                if score[a] > last {
                    top = a;
                    break;
                }
                last = score[a];
            }
            at = nodes[a].parent;
        }
    }
    // A container that is its parent's only element child is the same region.
    loop {
        let p = nodes[top].parent;
        if p == u32::MAX || matches!(nodes[p as usize].name(), "body" | "html") || dropped[p as usize] {
            break;
        }
        if element_children(dom, p as usize).filter(|&c| chars[c] > 0).count() == 1 {
            top = p as usize;
        } else {
            break;
        }
    }

    // An article cut into many blocks by a page builder (rows, columns, modules, slides)
    // spreads its paragraphs over containers deeper than siblings: climb to the ancestor
    // that gains more prose than other text, so the rest of the article comes along while
    // page-wide wrappers full of menus and teasers do not.
    {
        let mut kept = vec![0u32; n];
        for b in &blocks {
            if b.is_prose() && !dropped[b.owner as usize] {
                kept[b.owner as usize] += b.chars;
            }
        }
        for i in (1..n).rev() {
            let p = nodes[i].parent;
            if p != u32::MAX && !dropped[i] {
                kept[p as usize] += kept[i];
            }
        }
        let gain = |i: usize| {
            let other = chars[i].saturating_sub(kept[i]);
            kept[i] as f32 - CLIMB_OTHER_TEXT_COST * other as f32 - CLIMB_LINK_COST * own_links(i) as f32
        };
        let base = kept[top];
        let mut best_gain = gain(top);
        let mut at = nodes[top].parent;
        // An `<article>` element says where the article ends.
        let mut stop = is_article_element(dom, top);
        while !stop && at != u32::MAX && !matches!(nodes[at as usize].name(), "body" | "html") && !dropped[at as usize] {
            let a = at as usize;
            if gain(a) > best_gain && kept[a] >= base.saturating_mul(CLIMB_MIN_GROWTH) {
                best_gain = gain(a);
                top = a;
            }
            stop = is_article_element(dom, a);
            at = nodes[a].parent;
        }
    }

    // Siblings that read as part of the article join it.
    let mut roots = vec![top];
    let top_score = final_score(top);
    let p = nodes[top].parent;
    if p != u32::MAX {
        let threshold = (top_score * 0.2).max(5.0);
        let top_class = nodes[top].attr("class").unwrap_or("");
        roots.clear();
        for c in element_children(dom, p as usize) {
            if c == top {
                roots.push(c);
                continue;
            }
            if dropped[c] || chars[c] == 0 {
                continue;
            }
            let mut bonus = 0.0;
            if !top_class.is_empty() && nodes[c].attr("class") == Some(top_class) {
                bonus = top_score * 0.2;
            }
            let ld = links[c] as f32 / chars[c] as f32;
            let join = (scored[c] && final_score(c) + bonus >= threshold)
                || (nodes[c].kind == Kind::Para && ((chars[c] > 80 && ld < 0.25) || (chars[c] > 0 && ld == 0.0 && ends_sentence(dom, c))));
            if join {
                roots.push(c);
            }
        }
    }

    // Inside the article, containers made mostly of links (related stories, tag lists,
    // share bars) go, unless they hold real prose.
    for &r in &roots {
        for i in r + 1..nodes[r].end as usize {
            let node = &nodes[i];
            if node.kind != Kind::Block || chars[i] == 0 || dropped[i] || is_article_like(dom, i) {
                continue;
            }
            let ld = own_links(i) as f32 / chars[i] as f32;
            if ((ld > 0.33 && punct[i] < 10) || ld > 0.5) && !is_announced_list(dom, i) {
                dropped[i] = true;
            }
        }
    }

    if tracing::enabled!(tracing::Level::TRACE) {
        for &r in &roots {
            tracing::trace!(path = %path_of(dom, r), score = final_score(r), prose = prose[r], total_prose, "Article root.");
        }
        for i in 0..n {
            if dropped[i] && prose[i] > 0 && (nodes[i].parent == u32::MAX || !dropped[nodes[i].parent as usize]) {
                tracing::trace!(path = %path_of(dom, i), prose = prose[i], "Boilerplate container dropped.");
            }
        }
    }
    let body = emit(dom, &roots, &dropped, false);
    if body.is_empty() {
        return fallback(dom, &dropped);
    }
    drop_repeated_runs(body)
}

/// Shortest run of paragraphs that, repeated word for word, is a copy of the article.
const REPEAT_RUN_MIN: usize = 3;

/// Leaves out runs of paragraphs that repeat an earlier run: responsive layouts render the
/// same article twice (desktop and mobile), while a single repeated line (a recurring
/// "Warm up" in a training plan) is the author's.
fn drop_repeated_runs(body: String) -> String {
    let paras: Vec<&str> = body.split("\n\n").collect();
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut keep = vec![true; paras.len()];
    let mut i = 0;
    while i < paras.len() {
        if let Some(&j) = first.get(paras[i]) {
            let run = (0..paras.len() - i)
                .take_while(|&k| j + k < i && paras[j + k] == paras[i + k])
                .count();
            if run >= REPEAT_RUN_MIN {
                keep[i..i + run].iter_mut().for_each(|k| *k = false);
                i += run;
                continue;
            }
        }
        first.entry(paras[i]).or_insert(i);
        i += 1;
    }
    if keep.iter().all(|&k| k) {
        return body;
    }
    paras
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| *p)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// When no container wins: every prose-like block of the page, in order, or failing that
/// every block that is not links or boilerplate.
fn fallback(dom: &Dom, dropped: &[bool]) -> String {
    let prose = emit(dom, &[], dropped, true);
    if !prose.is_empty() {
        return prose;
    }
    let root: Vec<usize> = (0..dom.nodes.len()).filter(|&i| dom.nodes[i].parent == u32::MAX).collect();
    emit(dom, &root, dropped, false)
}

/// The element children of node `i`, in order.
fn element_children<'d>(dom: &'d Dom, i: usize) -> impl Iterator<Item = usize> + 'd {
    let end = dom.nodes[i].end as usize;
    let mut j = i + 1;
    std::iter::from_fn(move || {
        while j < end {
            let c = j;
            j = dom.nodes[c].end as usize;
            if dom.nodes[c].kind != Kind::Text {
                return Some(c);
            }
        }
        None
    })
}

/// A list the text introduces with a colon ("Many patches were sent for review:") is part
/// of the article even when every item is a link.
fn is_announced_list(dom: &Dom, i: usize) -> bool {
    if !matches!(dom.nodes[i].name(), "ul" | "ol") {
        return false;
    }
    let Some(j) = (i.saturating_sub(ANNOUNCE_LOOKBACK)..i)
        .rev()
        .find(|&j| dom.nodes[j].kind == Kind::Text && !dom.nodes[j].text.trim().is_empty())
    else {
        return false;
    };
    // "More:" or "Related coverage:" as a heading announces links elsewhere, not text.
    let mut at = dom.nodes[j].parent;
    for _ in 0..ANNOUNCE_DEPTH {
        if at == u32::MAX {
            break;
        }
        if dom.nodes[at as usize].kind == Kind::Heading {
            return false;
        }
        at = dom.nodes[at as usize].parent;
    }
    let t = dom.nodes[j].text.trim();
    t.ends_with(':') && !is_boilerplate_line(t)
}

/// How many levels of inline markup may wrap the introduction of a list.
const ANNOUNCE_DEPTH: usize = 4;

/// How many nodes back the introduction of a list is looked for.
const ANNOUNCE_LOOKBACK: usize = 8;

/// Whether the text under node `i` ends like a sentence.
fn ends_sentence(dom: &Dom, i: usize) -> bool {
    let end = dom.nodes[i].end as usize;
    (i + 1..end)
        .rev()
        .map(|j| &dom.nodes[j])
        .find(|n| n.kind == Kind::Text && !n.text.trim().is_empty())
        .is_some_and(|n| n.text.trim_end().ends_with(['.', '!', '?', '"', '”', '»']))
}

/// An element that marks itself as the article: `<article>` or `itemprop=articleBody`.
fn is_article_element(dom: &Dom, i: usize) -> bool {
    let node = &dom.nodes[i];
    node.name() == "article" || node.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
}

fn is_article_like(dom: &Dom, i: usize) -> bool {
    let node = &dom.nodes[i];
    node.name() == "article" || node.hint == Hint::Positive || node.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
}

/// Collects the text of one block at a time and decides whether it is article text.
struct Emitter {
    out: String,
    text: String,
    chars: u32,
    link_chars: u32,
    punct: u32,
    /// Keep only prose blocks (the whole-page fallback).
    prose_only: bool,
    /// The last kept block announced a list with a colon: its items stay even as links.
    announced: bool,
}

impl Emitter {
    fn finish(&mut self, heading: bool, list_item: bool) {
        if self.chars > 0 && !list_item {
            self.announced = false;
        }
        if self.chars > 0 {
            let t = self.text.trim();
            let ld = self.link_chars as f32 / self.chars as f32;
            let keep = if self.prose_only {
                self.chars >= PROSE_MIN && ld < PROSE_MAX_LINKS && self.punct > 0
            } else {
                let sentence = self.punct >= 2 && t.ends_with(['.', '!', '?', '"', '”']);
                // A heading inside the article that links somewhere (a product, a source) is
                // still one of its headings.
                let linky = if (heading && !self.out.is_empty()) || (list_item && self.announced) {
                    false
                } else if self.chars >= 150 && sentence {
                    ld > 0.8
                } else if sentence {
                    ld > 0.5
                } else {
                    ld > 0.5 || (ld > 0.3 && self.chars < 100)
                };
                let dek = heading && self.chars > 120 && self.out.is_empty();
                // A table row that starts with a date is data ("3/1/2017 | +7.5%"), not a dateline.
                let row = t.contains(" | ");
                !(linky || dek || is_boilerplate_line(t) || (is_dateline(t) && !row) || is_contact(t))
            };
            if !keep {
                tracing::trace!(link_density = ld, text = %t.chars().take(100).collect::<String>(), "Block left out.");
            }
            if keep {
                if !self.out.is_empty() {
                    self.out.push_str("\n\n");
                }
                self.out.push_str(t);
                if t.ends_with(':') && !heading {
                    self.announced = true;
                }
            }
        }
        self.text.clear();
        self.chars = 0;
        self.link_chars = 0;
        self.punct = 0;
    }
}

/// A line that is only an e-mail address or a bare web address (a reporter's contact).
fn is_contact(t: &str) -> bool {
    !t.contains(char::is_whitespace) && (t.contains('@') || t.starts_with("http") || t.starts_with("www.") || t.contains(".com/"))
}

/// A short line that is only a date, a time or a byline.
fn is_dateline(t: &str) -> bool {
    let n = t.chars().count();
    if n > 60 {
        return false;
    }
    let lower = t.to_lowercase();
    let words = t.split_whitespace().count();
    // A sentence ends with a full stop ("By 2030, ..." is one); "5:10 p.m." does not count.
    let sentence = t.ends_with(['.', '!', '?']) && !lower.ends_with("m.");
    if sentence || words > 8 {
        return false;
    }
    let byline = ["by ", "por ", "por:", "updated", "actualizado", "published", "publicado", "posted"];
    byline.iter().any(|b| lower.starts_with(b)) || super::dates::parse_visible_date(t).is_some()
}

/// Writes the text of the blocks under `roots` (or of the whole page in prose-only mode),
/// keeping only the blocks that read as article text.
fn emit(dom: &Dom, roots: &[usize], dropped: &[bool], prose_only: bool) -> String {
    let mut em = Emitter {
        out: String::new(),
        text: String::new(),
        chars: 0,
        link_chars: 0,
        punct: 0,
        prose_only,
        announced: false,
    };
    if prose_only {
        emit_range(dom, usize::MAX, 0, dom.nodes.len() as u32, dropped, &mut em);
    }
    for &root in roots {
        emit_range(dom, root, root as u32, dom.nodes[root].end, dropped, &mut em);
    }
    em.out
}

fn emit_range(dom: &Dom, root: usize, start: u32, end: u32, dropped: &[bool], em: &mut Emitter) {
    let nodes = &dom.nodes;
    // Open headings, counted so that closing an element costs nothing per level.
    let mut headings = 0u32;
    let mut open: Vec<(u32, Kind)> = Vec::new();
    let mut i = start;
    while i < end {
        while let Some(&(e, k)) = open.last() {
            if i < e {
                break;
            }
            em.finish(headings > 0, k == Kind::ListItem);
            if open.pop().is_some_and(|o| o.1 == Kind::Heading) {
                headings -= 1;
            }
        }
        let node = &nodes[i as usize];
        if node.kind != Kind::Text && ((dropped[i as usize] && i as usize != root) || node.kind == Kind::Junk) {
            i = node.end;
            continue;
        }
        match node.kind {
            Kind::Text => {
                let (c, p) = count_chars(node.text);
                if c > 0 || !em.text.ends_with(' ') {
                    push_normalised(&mut em.text, node.text);
                }
                em.chars += c;
                em.punct += p;
                if node.in_link {
                    em.link_chars += c;
                }
            }
            Kind::Cell if !em.text.trim().is_empty() => em.text.push_str(" | "),
            Kind::Br => em.finish(headings > 0, in_item(&open)),
            k if is_block_kind(k) => {
                em.finish(headings > 0, in_item(&open));
                open.push((node.end, k));
                if k == Kind::Heading {
                    headings += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    em.finish(headings > 0, in_item(&open));
}

/// Whether the innermost open block is a list item.
fn in_item(open: &[(u32, Kind)]) -> bool {
    open.last().is_some_and(|o| o.1 == Kind::ListItem)
}

/// Appends text with runs of whitespace collapsed to one space.
fn push_normalised(out: &mut String, text: &str) {
    let mut space = out.ends_with(' ') || out.is_empty();
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
}

/// A readable path to node `i` (tag.class#id from the root), for tracing.
fn path_of(dom: &Dom, i: usize) -> String {
    let mut parts = Vec::new();
    let mut j = i as u32;
    while j != u32::MAX {
        let n = &dom.nodes[j as usize];
        parts.push(format!(
            "{}.{}#{}",
            n.name(),
            n.attr("class").unwrap_or(""),
            n.attr("id").unwrap_or("")
        ));
        j = n.parent;
    }
    parts.reverse();
    parts.join(" > ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(html: &str) -> String {
        let doc = scraper::Html::parse_document(html);
        extract_body(&super::super::dom::build(&doc))
    }

    #[test]
    fn data_tables_are_kept_row_by_row_and_captions_left_out() {
        let html = "<html><body><article>\
            <p>La fiscalía presentó las cifras de homicidios del primer semestre, con una caída en tres de las cinco regiones.</p>\
            <figure class='wp-block-table'><table><tr><th>Región</th><th>Homicidios</th></tr><tr><td>Norte</td><td>1.204</td></tr></table>\
            <figcaption>Fuente: Fiscalía</figcaption></figure>\
            <figure><img src='a.jpg'><figcaption>Peritos en la escena del crimen.</figcaption></figure>\
            <p>Las autoridades atribuyen la reducción a los operativos conjuntos y al patrullaje en zonas rurales.</p>\
            </article></body></html>";
        let body = body_of(html);
        let paragraphs: Vec<&str> = body.split("\n\n").collect();
        assert_eq!(paragraphs.len(), 4, "{body}");
        assert_eq!(paragraphs[1], "Región | Homicidios");
        assert_eq!(paragraphs[2], "Norte | 1.204");
        assert!(!body.contains("Peritos") && !body.contains("Fuente"));
    }

    #[test]
    fn table_rows_starting_with_a_date_are_kept() {
        let html = "<html><body><article>\
            <p>Home prices kept rising through the decade, according to the monthly series below.</p>\
            <table><tr><th>Month</th><th>Change</th></tr><tr><td>3/1/2017</td><td>+7.5%</td></tr>\
            <tr><td>4/1/2017</td><td>+6.9%</td></tr></table>\
            <p>The pace slowed after mortgage rates climbed in the following years.</p>\
            </article></body></html>";
        let body = body_of(html);
        assert!(body.contains("3/1/2017 | +7.5%") && body.contains("4/1/2017 | +6.9%"), "{body}");
    }

    #[test]
    fn repeated_copies_of_the_article_are_left_out() {
        let once = "One.\n\nTwo.\n\nThree.\n\nFour.";
        assert_eq!(drop_repeated_runs(format!("{once}\n\n{once}")), once);
        // A line the author repeats stays.
        let plan = "Warm up.\n\nRun 5 km.\n\nWarm up.\n\nRun 8 km.\n\nWarm up.\n\nRest.";
        assert_eq!(drop_repeated_runs(plan.to_string()), plan);
    }

    #[test]
    fn boilerplate_lines() {
        assert!(is_boilerplate_line("Lee también: Capturan a líder de banda en Lima"));
        assert!(is_boilerplate_line("READ MORE: Police raid in the capital"));
        assert!(is_boilerplate_line("Tags"));
        assert!(!is_boilerplate_line(
            "Advertencia de la policía a los conductores que circulan de noche."
        ));
        assert!(!is_boilerplate_line("Sigue abierta la investigación por el robo."));
    }

    #[test]
    fn datelines_and_bylines() {
        assert!(is_dateline("By Jane Doe"));
        assert!(is_dateline("November 19, 2019 at 5:10 pm"));
        assert!(is_dateline("Actualizado el 22 de agosto de 2024"));
        assert!(!is_dateline(
            "By the end of 2023, homicides had fallen by a third across the three provinces."
        ));
    }

    #[test]
    fn sibling_blocks_are_joined_and_links_left_out() {
        let p = "<p>Las autoridades informaron que el operativo terminó con seis detenidos, dos armas y varios vehículos asegurados en la zona.</p>";
        let html = format!(
            "<html><body><div class='menu'><a href='/'>Inicio</a> <a href='/a'>Política</a></div>\
             <div class='wrap'><div class='part'>{p}{p}{p}</div><div class='ad'>Publicidad</div><div class='part'>{p}{p}</div>\
             <ul class='links'><li><a href='/x'>Otra nota sobre el mismo tema</a></li><li><a href='/y'>Una nota más</a></li></ul></div></body></html>"
        );
        let body = body_of(&html);
        assert_eq!(body.split("\n\n").count(), 5, "{body}");
        assert!(!body.contains("Inicio") && !body.contains("Publicidad") && !body.contains("Otra nota"));
    }
}
