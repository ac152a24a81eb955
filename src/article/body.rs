//! Main-text extraction: text blocks scored by length and link density, the best-scoring
//! container chosen, boilerplate blocks inside it dropped.
//!
//! Every pass is a loop over the flat node list (`dom.rs`): one to cut the page into text
//! blocks, one bottom-up to sum their scores into every ancestor, one top-down to drop
//! boilerplate containers, one over the chosen container to write the text.

use std::sync::LazyLock;

use super::dom::{Dom, Hint, Kind};

/// Shortest block counted as article prose, in non-space characters.
const PROSE_MIN: u32 = 60;
/// Highest share of link text in a prose block.
const PROSE_MAX_LINKS: f32 = 0.35;

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

    fn is_prose(&self) -> bool {
        self.chars >= PROSE_MIN && self.link_density() < PROSE_MAX_LINKS && self.punct > 0
    }

    /// Contribution to the score of every container holding the block.
    fn score(&self) -> f32 {
        let ld = self.link_density();
        if self.is_prose() {
            self.chars as f32 * (1.0 - ld) + 20.0 * self.punct.min(10) as f32
        } else if ld >= 0.5 {
            -(self.chars as f32) - 20.0
        } else {
            -(self.chars as f32) * 0.3 - 10.0
        }
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
            if matches!(c, '.' | ',' | ';' | '?' | '!' | '。' | '،') {
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
    BOILERPLATE.iter().any(|b| lower.starts_with(b.as_str()))
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
    for b in &blocks {
        if b.is_prose() {
            prose[b.owner as usize] += b.chars;
        }
    }
    for i in (1..n).rev() {
        let p = nodes[i].parent;
        if p != u32::MAX {
            prose[p as usize] += prose[i];
        }
    }
    let total_prose: u32 = (0..n).filter(|&i| nodes[i].parent == u32::MAX).map(|i| prose[i]).sum();

    // Boilerplate containers, top-down: a negative hint drops an element unless it holds
    // most of the page's prose (a page-wide wrapper named "has-sidebar" is not a sidebar).
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
                Hint::StrongNegative => share < 0.6 && node.name() != "body",
                Hint::Negative => share < 0.3 && node.name() != "body",
                _ => false,
            };
    }

    // Container scores, bottom-up.
    let mut score = vec![0f32; n];
    for b in &blocks {
        if !dropped[b.owner as usize] {
            score[b.owner as usize] += b.score();
        }
    }
    for i in (1..n).rev() {
        let p = nodes[i].parent;
        if p != u32::MAX && nodes[i].kind != Kind::Text {
            score[p as usize] += score[i];
        }
    }
    let mut best: Option<usize> = None;
    let mut best_score = 0f32;
    for i in 0..n {
        let node = &nodes[i];
        if node.kind == Kind::Text || node.kind == Kind::Junk || dropped[i] || prose[i] == 0 {
            continue;
        }
        let mut s = score[i];
        if s > 0.0 && is_article_like(dom, i) {
            s *= 1.15;
        }
        if s >= best_score {
            best_score = s;
            best = Some(i);
        }
    }

    let body = match best {
        Some(b) if total_prose > 0 && prose[b] as f32 >= 0.3 * total_prose as f32 => emit(dom, b, &dropped, false),
        _ => String::new(),
    };
    if body.is_empty() {
        // Fallback: every prose-like block on the page, in order.
        return emit(dom, 0, &dropped, true);
    }
    body
}

fn is_article_like(dom: &Dom, i: usize) -> bool {
    let node = &dom.nodes[i];
    node.name() == "article" || node.hint == Hint::Positive || node.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
}

/// Writes the text of the blocks under `root` (or of the whole page when `whole`), keeping
/// only the blocks that read as article text.
fn emit(dom: &Dom, root: usize, dropped: &[bool], whole: bool) -> String {
    let nodes = &dom.nodes;
    let (start, end) = if whole {
        (0, nodes.len() as u32)
    } else {
        (root as u32, nodes[root].end)
    };
    let mut out = String::new();
    let mut text = String::new();
    let mut chars = 0u32;
    let mut link_chars = 0u32;
    let mut punct = 0u32;
    let mut heading = false;
    let mut open: Vec<(u32, Kind)> = Vec::new();
    let finish = |out: &mut String, text: &mut String, chars: &mut u32, link: &mut u32, punct: &mut u32, heading: bool| {
        let t = text.trim();
        if *chars > 0 {
            let ld = *link as f32 / *chars as f32;
            let keep = if whole {
                *chars >= PROSE_MIN && ld < PROSE_MAX_LINKS && *punct > 0
            } else {
                let linky = ld > 0.5 || (ld > 0.3 && *chars < 100);
                !linky && !is_boilerplate_line(t) && !(heading && *chars > 200)
            };
            if keep {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(t);
            }
        }
        text.clear();
        *chars = 0;
        *link = 0;
        *punct = 0;
    };
    let mut i = start;
    while i < end {
        while let Some(&(e, _)) = open.last() {
            if i < e {
                break;
            }
            finish(&mut out, &mut text, &mut chars, &mut link_chars, &mut punct, heading);
            open.pop();
            heading = open.iter().any(|o| o.1 == Kind::Heading);
        }
        let node = &nodes[i as usize];
        if node.kind != Kind::Text && (dropped[i as usize] && i as usize != root || node.kind == Kind::Junk) {
            i = node.end;
            continue;
        }
        match node.kind {
            Kind::Text => {
                let (c, p) = count_chars(node.text);
                if c > 0 || !text.ends_with(' ') {
                    push_normalised(&mut text, node.text);
                }
                chars += c;
                punct += p;
                if node.in_link {
                    link_chars += c;
                }
            }
            Kind::Br => finish(&mut out, &mut text, &mut chars, &mut link_chars, &mut punct, heading),
            k if is_block_kind(k) => {
                finish(&mut out, &mut text, &mut chars, &mut link_chars, &mut punct, heading);
                open.push((node.end, k));
                if k == Kind::Heading {
                    heading = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    finish(&mut out, &mut text, &mut chars, &mut link_chars, &mut punct, heading);
    out
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
