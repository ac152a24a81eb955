//! Entities: people with their office, organisations and places.
//!
//! Two passes over the words of the body. The first finds people introduced by an office
//! ("Interior Minister Rosa Quispe", "la fiscal de la Nación, Delia Espinoza", "Juan Pérez,
//! jefe de la Dirección Antidrogas"). The second reads the remaining capitalised runs:
//! gazetteers of organisations and places first, then organisation head words ("Ministry",
//! "Policía"), then given names. Offsets are code points of the body.

mod lexicon;
mod names;
mod persons;

use super::geo::words::{FastMap, FastSet, Shape, name_gap};
use super::geo::{Folded, GeoKind};
use super::sentences::Sentence;
use super::table;
use super::{Entity, EntityType, Lang};

/// The words of a body and what the passes have decided about them.
pub(crate) struct Doc<'a> {
    pub body: &'a str,
    pub f: &'a Folded<'a>,
    /// First word of a sentence (its capital says nothing).
    pub sent_start: Vec<bool>,
    /// In a title-case line ("Gustavo Petro Announces Ceasefire"), where capitals say little.
    pub headline: Vec<bool>,
    /// Taken by a person's name or an acronym already read.
    pub used: Vec<bool>,
    /// Part of an office ("ministro del Interior"): open to places and organisations only.
    pub in_role: Vec<bool>,
    /// Follows the word before it after a single space (`joined`), read once: every rule
    /// that grows a name asks it of the words ahead.
    join: Vec<bool>,
}

impl<'a> Doc<'a> {
    fn new(body: &'a str, f: &'a Folded, sentences: &[Sentence<'_>]) -> Doc<'a> {
        let n = f.words.len();
        let mut sent_start = vec![false; n];
        let mut join = vec![false; n];
        let mut starts = sentences.iter().map(|s| s.byte_start).peekable();
        for i in 0..n {
            let w = f.words[i];
            while starts.next_if(|&s| s < w.start).is_some() {}
            let gap = if i == 0 {
                &body[..w.start]
            } else {
                &body[f.words[i - 1].end..w.start]
            };
            let prev = if i == 0 {
                ""
            } else {
                &body[f.words[i - 1].start..f.words[i - 1].end]
            };
            sent_start[i] = i == 0 || opens_sentence(gap, prev) || starts.peek() == Some(&w.start);
            join[i] = i > 0 && matches!(gap.as_bytes(), b" " | b"\xc2\xa0");
        }
        let headline = headlines(body, f);
        Doc {
            body,
            f,
            sent_start,
            headline,
            used: vec![false; n],
            in_role: vec![false; n],
            join,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.f.words.len()
    }

    /// Word `i` as written; empty past the end, like `key` and `shape`, so that look-ahead
    /// never has to check bounds first.
    #[inline]
    pub fn text(&self, i: usize) -> &'a str {
        self.f.words.get(i).map_or("", |w| &self.body[w.start..w.end])
    }

    #[inline]
    pub fn key(&self, i: usize) -> &str {
        if i < self.len() { self.f.key(i) } else { "" }
    }

    #[inline]
    pub fn shape(&self, i: usize) -> Shape {
        self.f.words.get(i).map_or(Shape::Other, |w| w.shape)
    }

    /// Text between word `i - 1` and word `i`.
    #[inline]
    pub fn gap(&self, i: usize) -> &'a str {
        let end = if i == 0 { 0 } else { self.f.words[i - 1].end };
        let start = self.f.words.get(i).map_or(self.body.len(), |w| w.start);
        &self.body[end..start]
    }

    /// Word `i` follows word `i - 1` after a single space.
    #[inline]
    pub fn joined(&self, i: usize) -> bool {
        self.join.get(i).is_some_and(|&j| j)
    }

    /// Word `i` may continue a written name begun before it ("U.S.", "Página/12").
    pub fn name_joined(&self, i: usize) -> bool {
        i > 0 && i < self.len() && name_gap(self.gap(i), self.text(i - 1))
    }

    /// Starts with a capital letter (and is not a heading in capitals unless an acronym).
    pub fn cap(&self, i: usize) -> bool {
        i < self.len() && self.shape(i).is_cap()
    }

    /// Capitalised like a name: "Peru", not "PERU" nor "peru".
    pub fn initial(&self, i: usize) -> bool {
        i < self.len() && self.shape(i) == Shape::Initial
    }

    pub fn free(&self, i: usize) -> bool {
        i < self.len() && !self.used[i]
    }
}

/// Marks the words of title-case lines: most words of four letters or more capitalised, and
/// no full stop at the end. A row of a flattened table ("| Mario Andrés Quiroga Salcedo |") is
/// no headline: its cells are names and figures.
fn headlines(body: &str, f: &Folded) -> Vec<bool> {
    let mut out = vec![false; f.words.len()];
    let mut i = 0;
    while i < f.words.len() {
        let line_end = body[f.words[i].start..].find('\n').map_or(body.len(), |p| f.words[i].start + p);
        let mut j = i;
        while j < f.words.len() && f.words[j].start < line_end {
            j += 1;
        }
        // Words of four letters or more, and how many of them are capitalised.
        let (mut long, mut caps) = (0, 0);
        for w in f.words[i..j].iter().filter(|w| w.end - w.start >= 4 && w.shape != Shape::Other) {
            long += 1;
            caps += usize::from(w.shape.is_cap());
        }
        let ends_sentence = || body[f.words[j - 1].end..line_end].trim_end().ends_with(['.', '!', '?', ':']);
        let table_row = || body[f.words[i].start..line_end].contains('|');
        if long >= 3 && caps * 5 >= long * 4 && !ends_sentence() && !table_row() {
            out[i..j].iter_mut().for_each(|h| *h = true);
        }
        i = j;
    }
    out
}

/// Whether the text before a word ends a sentence or opens a quotation or heading.
fn opens_sentence(gap: &str, prev: &str) -> bool {
    // Most words follow a single space, which holds none of the marks below.
    if gap.bytes().all(|b| b == b' ') {
        return false;
    }
    if gap.contains('\n') || gap.contains(['!', '?', ':', ';', '"', '“', '«', '—', '•']) {
        return true;
    }
    // A dot ends a sentence unless it closes a short abbreviation ("U.S.", "Dr.").
    if gap.contains('.') {
        let short = prev.chars().count() <= 2 && prev.chars().next().is_some_and(char::is_uppercase);
        return !short;
    }
    false
}

/// An entity found, in bytes.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub kind: EntityType,
    pub start: usize,
    pub end: usize,
    pub role: Option<String>,
    /// Candidate countries of a place, most likely first.
    pub codes: Vec<&'static str>,
    /// Geographic kind, when the hit is a place or a demonym that only counts for context.
    pub geo: Option<GeoKind>,
}

/// Builds the entity word lists, for the test that loads every data file.
#[cfg(test)]
pub(crate) fn load_tables() -> Result<(), table::TableError> {
    lexicon::build().map(drop)?;
    names::load_name_words().map(drop)
}

static COMMON_SOURCES: std::sync::LazyLock<FastSet<String>> = std::sync::LazyLock::new(|| {
    table::built(table::COMMON_SOURCES.words())
        .into_iter()
        .map(str::to_string)
        .collect()
});

/// Whether a phrase can be a name (a person, an organisation, a publication): capitalised,
/// not only function words, days or months, not a bare country or place, and not a common
/// noun capitalised only because it opens the sentence (`opens`: "Police said").
pub fn is_name(phrase: &str, opens: bool) -> bool {
    use super::geo::words::fold;
    let lex = &lexicon::LEXICON;
    if !phrase.chars().next().is_some_and(char::is_uppercase) || phrase.chars().filter(|c| super::tokens::is_alphanumeric(*c)).count() < 2 {
        return false;
    }
    // An acronym ("UN", "ONU") is a name even when it spells a function word.
    if phrase.chars().all(|c| c.is_uppercase()) {
        return true;
    }
    let words: Vec<String> = phrase
        .split(|c: char| !super::tokens::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    if words
        .iter()
        .all(|w| lex.stop.contains(w) || lex.calendar.contains(w) || (opens && COMMON_SOURCES.contains(w)))
    {
        return false;
    }
    !super::geo::names_place(phrase) || phrase.split_whitespace().count() > 3
}

/// A known organisation named in a text: byte start, byte end, and the country of a
/// national body ("el INEGI" is Mexican).
pub(crate) type OrgMention = (usize, usize, Option<&'static str>);

/// The known organisations named in `text`, left to right: (byte start, byte end, the
/// country of a national body: "el INEGI" is Mexican).
pub fn org_mentions(text: &str) -> Vec<(usize, usize, Option<&'static str>)> {
    org_mentions_in(text, &Folded::new(text)).to_vec()
}

/// `org_mentions` of a text already split and folded into `f` (which must be the words of
/// `text`): read once per `f`.
pub(crate) fn org_mentions_in<'f>(text: &str, f: &'f Folded) -> &'f [OrgMention] {
    f.orgs.get_or_init(|| {
        let mut out = Vec::new();
        let mut i = 0;
        while i < f.words.len() {
            let joinable = |j: usize| {
                let prev = &f.words[j - 1];
                name_gap(&text[prev.end..f.words[j].start], &text[prev.start..prev.end])
            };
            match lexicon::LEXICON.orgs.longest_in(f, i, joinable) {
                Some((n, country)) => {
                    out.push((f.words[i].start, f.words[i + n - 1].end, *country));
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    })
}

/// Finds the entities of a body.
pub fn find(body: &str, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Entity> {
    find_in(body, &Folded::new(body), sentences, lang)
}

/// `find`, given the words of the body, folded.
pub(crate) fn find_in(body: &str, words: &Folded, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Entity> {
    let _ = lang; // Both languages' rules run: Spanish names turn up in English text and back.
    let mut doc = Doc::new(body, words, sentences);
    let mut hits = persons::find(&mut doc);
    names::find(&mut doc, &mut hits);
    finish(body, hits)
}

/// A person named by surname alone ("el ministro Basombrío") is the same person as a full
/// name ending with it: the full name takes the office if it has none, the surname goes.
fn merge_surnames(body: &str, hits: &mut Vec<Hit>) {
    use super::geo::words::fold;
    let full: FastMap<String, usize> = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.kind == EntityType::Person && body[h.start..h.end].contains(' '))
        .filter_map(|(n, h)| {
            let name = fold(&body[h.start..h.end]);
            name.rsplit(' ').next().map(|last| (last.to_string(), n))
        })
        .collect();
    let mut drop = vec![false; hits.len()];
    // Countries the other places of the text belong to.
    let known: Vec<&'static str> = hits
        .iter()
        .filter(|h| h.kind == EntityType::Location)
        .flat_map(|h| h.codes.iter().copied())
        .collect();
    for n in 0..hits.len() {
        let h = &hits[n];
        // "Lagos told lawmakers" after "Security Minister Héctor Lagos": a one-word place that
        // is a person's surname, in a country the text names nowhere else, is that person.
        if h.kind == EntityType::Location && !body[h.start..h.end].contains(' ') && full.contains_key(&fold(&body[h.start..h.end])) {
            let elsewhere = known.iter().filter(|c| h.codes.contains(c)).count() > h.codes.len();
            // "in Guerrero" is the place whatever the people are called.
            let previous = body[..h.start].split_whitespace().next_back().unwrap_or("").to_lowercase();
            let locative = ["in", "en", "from", "desde", "to", "hacia", "near", "at", "de", "del"].contains(&previous.as_str());
            if !h.codes.is_empty() && !elsewhere && !locative {
                drop[n] = true;
            }
            continue;
        }
        if h.kind != EntityType::Person || body[h.start..h.end].contains(' ') {
            continue;
        }
        if let Some(&m) = full.get(&fold(&body[h.start..h.end])) {
            if hits[m].role.is_none() {
                hits[m].role = hits[n].role.take();
            }
            drop[n] = true;
        }
    }
    let mut k = 0;
    hits.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Picks each place's country, drops repeats and demonyms, and turns bytes into code points.
fn finish(body: &str, mut hits: Vec<Hit>) -> Vec<Entity> {
    let mut votes: FastMap<&'static str, usize> = FastMap::default();
    for h in &hits {
        if let [code] = h.codes[..] {
            *votes.entry(code).or_default() += 1;
        }
    }
    hits.sort_by_key(|h| (h.start, h.end));
    merge_surnames(body, &mut hits);
    let mut seen: FastMap<(&str, String), usize> = FastMap::default();
    let mut out: Vec<(Hit, Option<&'static str>)> = Vec::new();
    for h in hits {
        if matches!(h.geo, Some(GeoKind::Demonym | GeoKind::AreaAdjective)) {
            continue;
        }
        let country = h
            .codes
            .iter()
            .enumerate()
            .max_by_key(|(n, c)| (votes.get(*c).copied().unwrap_or(0), usize::MAX - n))
            .map(|(_, c)| *c);
        let key = (h.kind.as_str(), super::geo::words::fold(&body[h.start..h.end]));
        if let Some(&k) = seen.get(&key) {
            if out[k].0.role.is_none() && h.role.is_some() {
                out[k].0.role = h.role;
            }
            continue;
        }
        seen.insert(key, out.len());
        out.push((h, country));
    }
    // One walk over the body converts every byte offset to a code-point offset.
    let mut marks: Vec<usize> = out.iter().flat_map(|(h, _)| [h.start, h.end]).collect();
    marks.sort_unstable();
    marks.dedup();
    let mut chars_at: FastMap<usize, usize> = FastMap::with_capacity_and_hasher(marks.len(), Default::default());
    let mut count = 0;
    let mut last = 0;
    for m in marks {
        count += body[last..m].chars().count();
        last = m;
        chars_at.insert(m, count);
    }
    out.into_iter()
        .map(|(h, country)| Entity {
            kind: h.kind,
            name: body[h.start..h.end].to_string(),
            role: h.role,
            country: country.map(str::to_string),
            start: chars_at[&h.start],
            end: chars_at[&h.end],
        })
        .collect()
}

#[cfg(test)]
mod tests;
