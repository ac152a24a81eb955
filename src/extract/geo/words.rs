//! Word splitting, case shapes, accent folding and multi-word gazetteers shared by the
//! entity finder and the country lookup.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use super::Mention;
use crate::extract::entities::OrgMention;
use crate::extract::lexicon::{HashBits, PreHashed};
pub use crate::extract::tokens::fold;
use crate::extract::tokens::{Kind, Tokens, fold_char, fold_into, is_alphabetic, is_alphanumeric, is_caseless_letter, is_combining};

/// FNV-1a: word lists are looked up several times per word of every text, and their keys
/// are short, so a simple hash beats the default SipHash several times over.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// Maps keyed by a word hash already computed: hashing the hash again would only cost time.
type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;
type HashSetOf = HashSet<u64, BuildHasherDefault<PreHashed>>;

/// How a word is capitalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Starts with a lowercase letter.
    Lower,
    /// Starts with a capital and has lowercase letters ("Peru", "InSight").
    Initial,
    /// All letters are capitals, two or more of them ("UNODC", "MS-13").
    Upper,
    /// A single capital letter ("U" of "U.S.").
    Letter,
    /// No leading letter (digits).
    Other,
}

impl Shape {
    pub fn of(word: &str) -> Shape {
        // Most words start with a lowercase ASCII letter, and any other ASCII character but a
        // capital decides as soon: only the rest are read through.
        let first = match word.as_bytes().first() {
            None => return Shape::Other,
            Some(b) if b.is_ascii_lowercase() => return Shape::Lower,
            Some(b) if b.is_ascii() && !b.is_ascii_uppercase() => return Shape::Other,
            Some(_) => word.chars().next(),
        };
        let Some(first) = first else {
            return Shape::Other;
        };
        if !is_alphabetic(first) {
            return Shape::Other;
        }
        if first.is_lowercase() {
            return Shape::Lower;
        }
        let mut letters = 0;
        let mut lower = false;
        for c in word.chars() {
            if c.is_ascii() {
                letters += usize::from(c.is_ascii_alphabetic());
                lower |= c.is_ascii_lowercase();
            } else if is_caseless_letter(c) {
                letters += 1;
            } else if is_alphabetic(c) {
                letters += 1;
                lower |= c.is_lowercase();
            }
        }
        if lower {
            Shape::Initial
        } else if letters == 1 {
            Shape::Letter
        } else {
            Shape::Upper
        }
    }

    /// Starts with a capital letter.
    pub fn is_cap(self) -> bool {
        matches!(self, Shape::Initial | Shape::Upper | Shape::Letter)
    }
}

/// A word of a text: byte range and shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
}

/// Splits `text` into words: runs of letters and digits, joined across single inner hyphens
/// ("Guinea-Bissau", "MS-13"). Everything else separates words.
pub fn words(text: &str) -> Vec<Word> {
    Folded::new(text).words
}

fn word(text: &str, start: usize, end: usize) -> Word {
    Word {
        start,
        end,
        shape: Shape::of(&text[start..end]),
    }
}

/// Whether the text between two words lets them belong to one written name: a single space,
/// or the dots, slash and apostrophe inside "U.S.", "EE.UU.", "Página/12", "O'Higgins".
pub fn name_gap(gap: &str, prev: &str) -> bool {
    match gap {
        " " | "\u{a0}" | "." | "/" | "'" | "’" => true,
        // "U.S. Army", "EE.UU. y": a dot after a one- or two-letter capital abbreviation.
        ". " => prev.chars().count() <= 2 && prev.chars().all(|c| c.is_uppercase()),
        _ => false,
    }
}

/// What a word of a gazetteer entry asks of the word in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Any capitalisation (Spanish demonyms are lowercase).
    Any,
    /// Starts with a capital, not all capitals ("Peru", not "PERU" in a heading).
    Initial,
    /// All capitals ("UNODC", "US").
    Upper,
    /// A longer acronym, also written like a name ("FARC" or "Farc", "INPE" or "Inpe").
    Acronym,
    /// A lowercase connector inside a name: lowercase or title case ("of", "de", "Of").
    Connector,
}

impl Case {
    fn from_written(word: &str) -> Case {
        match Shape::of(word) {
            Shape::Upper if word.chars().filter(|&c| is_alphabetic(c)).count() >= 4 => Case::Acronym,
            Shape::Upper | Shape::Letter => Case::Upper,
            Shape::Initial => Case::Initial,
            Shape::Lower => Case::Connector,
            Shape::Other => Case::Any,
        }
    }

    fn accepts(self, shape: Shape) -> bool {
        match self {
            Case::Any => true,
            Case::Initial => matches!(shape, Shape::Initial),
            Case::Upper => matches!(shape, Shape::Upper | Shape::Letter),
            Case::Acronym => matches!(shape, Shape::Upper | Shape::Initial),
            Case::Connector => matches!(shape, Shape::Lower | Shape::Initial),
        }
    }
}

/// One entry of a multi-word gazetteer.
#[derive(Debug, Clone)]
struct Entry<T> {
    /// Folded words joined by single spaces.
    key: String,
    value: T,
    cases: Vec<Case>,
}

/// A gazetteer keyed by folded words joined with single spaces. Keys are stored by their
/// FNV hash, which can be extended word by word, so a lookup never builds a string.
#[derive(Debug)]
pub struct Gazetteer<T> {
    entries: HashKeyed<Vec<Entry<T>>>,
    /// Hashes of every word-prefix of a key, so a lookup stops as soon as no key can follow.
    prefixes: HashSetOf,
    /// The same hashes, to skip at once most words, which begin no name.
    prefix_bits: HashBits,
    max_words: usize,
}

impl<T> Default for Gazetteer<T> {
    fn default() -> Self {
        Gazetteer {
            entries: HashKeyed::default(),
            prefixes: HashSetOf::default(),
            prefix_bits: HashBits::default(),
            max_words: 0,
        }
    }
}

fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(s.as_bytes());
    h.finish()
}

impl<T> Gazetteer<T> {
    /// Adds a name as written; `any_case` lifts the capitalisation requirement.
    pub fn insert(&mut self, written: &str, any_case: bool, value: T) {
        let ws = words(written);
        if ws.is_empty() {
            return;
        }
        let mut key = String::new();
        let mut cases = Vec::with_capacity(ws.len());
        for (n, w) in ws.iter().enumerate() {
            if n > 0 {
                key.push(' ');
            }
            let text = &written[w.start..w.end];
            fold_into(text, &mut key);
            self.prefixes.insert(hash_str(&key));
            self.prefix_bits.insert(hash_str(&key));
            cases.push(if any_case { Case::Any } else { Case::from_written(text) });
        }
        self.max_words = self.max_words.max(ws.len());
        let list = self.entries.entry(hash_str(&key)).or_default();
        list.push(Entry { key, value, cases });
    }

    /// Whether a folded key (words joined by single spaces) is a name.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.get(&hash_str(key)).is_some_and(|l| l.iter().any(|e| e.key == key))
    }

    /// The longest entry starting at word `i` of `text`: (number of words, value).
    /// `folded(j)` gives the folded form of word `j`; `joinable(j)` says whether word `j`
    /// may continue the name of word `j - 1`.
    pub fn longest<'a, 'k>(
        &'a self,
        words: &[Word],
        i: usize,
        folded: impl Fn(usize) -> &'k str,
        joinable: impl Fn(usize) -> bool,
    ) -> Option<(usize, &'a T)> {
        if i >= words.len() {
            return None;
        }
        let first = hash_str(folded(i));
        self.may_begin(first)
            .then(|| self.longest_from(words, i, first, folded, joinable))
            .flatten()
    }

    /// The longest entry starting at word `i` of folded text `f`.
    pub fn longest_in<'a>(&'a self, f: &Folded, i: usize, joinable: impl Fn(usize) -> bool) -> Option<(usize, &'a T)> {
        if i >= f.words.len() {
            return None;
        }
        let first = f.hashes[i];
        self.may_begin(first)
            .then(|| self.longest_from(&f.words, i, first, |j| f.key(j), joinable))
            .flatten()
    }

    /// False when no name begins with the word of hash `first`: most words, turned away by
    /// one bit before the search sets anything up.
    #[inline]
    fn may_begin(&self, first: u64) -> bool {
        self.prefix_bits.may_contain(first)
    }

    fn longest_from<'a, 'k>(
        &'a self,
        words: &[Word],
        i: usize,
        first: u64,
        folded: impl Fn(usize) -> &'k str,
        joinable: impl Fn(usize) -> bool,
    ) -> Option<(usize, &'a T)> {
        let mut best = None;
        let mut h = Fnv(first);
        for j in i..words.len().min(i + self.max_words) {
            if j > i {
                if !joinable(j) {
                    break;
                }
                h.write(b" ");
                h.write(folded(j).as_bytes());
            }
            let hash = h.finish();
            if !self.prefix_bits.may_contain(hash) || !self.prefixes.contains(&hash) {
                break;
            }
            let Some(list) = self.entries.get(&hash) else {
                continue;
            };
            let shapes = &words[i..=j];
            let same_words = |e: &Entry<T>| e.key.split(' ').eq((i..=j).map(&folded));
            if let Some(e) = list
                .iter()
                .find(|e| same_words(e) && e.cases.iter().zip(shapes).all(|(c, w)| c.accepts(w.shape)))
            {
                best = Some((j + 1 - i, &e.value));
            }
        }
        best
    }
}

/// The word being read by `Folded::from_tokens`.
struct Current {
    start: usize,
    end: usize,
    /// Where its folded form starts in the buffer.
    from: usize,
    /// Its hash, when it is one token whose hash is known.
    hash: Option<u64>,
}

/// The words found so far by `Folded::from_tokens`, and the one being read.
struct WordBuilder<'t> {
    text: &'t str,
    words: Vec<Word>,
    buf: String,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    current: Option<Current>,
}

impl WordBuilder<'_> {
    /// Adds bytes `start..end` of the text, folded into `folded`, to the word being read
    /// (starting one if none is).
    fn extend(&mut self, start: usize, end: usize, folded: &str) {
        match &mut self.current {
            Some(c) => {
                c.end = end;
                c.hash = None;
            }
            None => {
                self.current = Some(Current {
                    start,
                    end,
                    from: self.buf.len(),
                    hash: None,
                })
            }
        }
        self.buf.push_str(folded);
    }

    /// Ends the word being read, if any.
    fn finish(&mut self) {
        let Some(c) = self.current.take() else { return };
        self.words.push(word(self.text, c.start, c.end));
        self.ends.push(self.buf.len());
        self.hashes.push(c.hash.unwrap_or_else(|| hash_str(&self.buf[c.from..])));
    }
}

/// Words of a text with their folded forms (kept in one buffer) and the hashes of those.
/// The words of a part of a text borrow the buffer, ends and hashes of the whole text's.
pub struct Folded<'b> {
    pub words: Vec<Word>,
    buf: Cow<'b, str>,
    /// Where the folded form of each word ends in `buf`.
    ends: Cow<'b, [usize]>,
    hashes: Cow<'b, [u64]>,
    /// Where the folded form of the first word starts in `buf`.
    base: usize,
    /// The places these words name (`geo::mentions_in`), found on first request: the
    /// statistics ask it of one sentence several times.
    pub(crate) mentions: OnceCell<Vec<Mention>>,
    /// The known organisations these words name (`entities::org_mentions_in`), found on first
    /// request: the text's country and the figures' topics both ask it of a sentence.
    pub(crate) orgs: OnceCell<Vec<OrgMention>>,
}

impl Folded<'_> {
    /// Splits `text` into words (runs of letters and digits, joined across single inner
    /// hyphens: "Guinea-Bissau", "MS-13"; everything else separates words) and folds and
    /// hashes each word.
    pub fn new(text: &str) -> Folded<'static> {
        Folded::from_tokens(&Tokens::new(text))
    }

    /// The words of the text of `toks`, read from its tokens: a word is a run of touching
    /// tokens (letters, digits, the non-ASCII digits and combining accents that the tokens
    /// leave as punctuation, a hyphen between two of them), a written number splits at its
    /// separators, and the tokens' folded forms and hashes are reused, so the text's
    /// characters are not decoded and folded a second time.
    pub fn from_tokens(toks: &Tokens<'_>) -> Folded<'static> {
        let text = toks.text;
        let mut w = WordBuilder {
            text,
            words: Vec::with_capacity(toks.len()),
            buf: String::with_capacity(text.len()),
            ends: Vec::with_capacity(toks.len()),
            hashes: Vec::with_capacity(toks.len()),
            current: None,
        };
        for (i, t) in toks.toks.iter().enumerate() {
            if t.space_before {
                w.finish();
            }
            let raw = toks.raw(i);
            match t.kind {
                Kind::Word if raw.is_ascii() || !raw.chars().any(is_combining) => {
                    // Letters fold alike in tokens and words: the token's form is the word's.
                    let plain = w.current.is_none();
                    w.extend(t.start, t.end, toks.norm(i));
                    if let (true, Some(c)) = (plain, w.current.as_mut()) {
                        c.hash = Some(t.hash);
                    }
                }
                Kind::Word => {
                    // Folding drops combining accents ("Peru\u{301}" is "peru").
                    w.extend(t.start, t.end, "");
                    for c in raw.chars().filter(|&c| !is_combining(c)) {
                        fold_char(c, &mut w.buf);
                    }
                }
                Kind::Number => {
                    // "1,234.5" and "1 234" are words "1" and "234": only digits join.
                    let mut at = 0;
                    for (n, digits) in raw.split(|c: char| !c.is_ascii_digit()).enumerate() {
                        if n > 0 {
                            w.finish();
                            at += raw[at..].chars().next().map_or(0, char::len_utf8);
                        }
                        if !digits.is_empty() {
                            w.extend(t.start + at, t.start + at + digits.len(), digits);
                        }
                        at += digits.len();
                    }
                }
                Kind::Punct => {
                    let Some(c) = raw.chars().next() else { continue };
                    if is_alphanumeric(c) {
                        // Digits of other scripts ("²"): the tokens leave them as punctuation.
                        w.extend(t.start, t.end, "");
                        fold_char(c, &mut w.buf);
                    } else if is_combining(c) && w.current.is_some() {
                        w.extend(t.start, t.end, "");
                    } else if c == '-' && w.current.is_some() && text[t.end..].chars().next().is_some_and(is_alphanumeric) {
                        w.extend(t.start, t.end, "-");
                    } else {
                        w.finish();
                    }
                }
            }
        }
        w.finish();
        Folded {
            words: w.words,
            buf: Cow::Owned(w.buf),
            ends: Cow::Owned(w.ends),
            hashes: Cow::Owned(w.hashes),
            base: 0,
            mentions: OnceCell::new(),
            orgs: OnceCell::new(),
        }
    }

    /// The words of `text[range]`, with offsets from the range's start, taken from these
    /// words of the whole `text`; none when a word crosses an end of the range. Words are
    /// found left to right and only the character after a hyphen is looked ahead at, so
    /// when no word crosses an end, the slice splits into exactly these words.
    pub fn part(&self, range: Range<usize>) -> Option<Folded<'_>> {
        let from = self.words.partition_point(|w| w.end <= range.start);
        let to = self.words.partition_point(|w| w.start < range.end);
        let inside = self.words.get(from..to)?;
        if inside.first().is_some_and(|w| w.start < range.start) || inside.last().is_some_and(|w| w.end > range.end) {
            return None;
        }
        let base = if from == 0 { self.base } else { self.ends[from - 1] };
        Some(Folded {
            words: inside
                .iter()
                .map(|w| Word {
                    start: w.start - range.start,
                    end: w.end - range.start,
                    shape: w.shape,
                })
                .collect(),
            buf: Cow::Borrowed(&self.buf),
            ends: Cow::Borrowed(&self.ends[from..to]),
            hashes: Cow::Borrowed(&self.hashes[from..to]),
            base,
            mentions: OnceCell::new(),
            orgs: OnceCell::new(),
        })
    }

    /// The folded form of word `i`.
    #[inline]
    pub fn key(&self, i: usize) -> &str {
        let start = if i == 0 { self.base } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, ws: &[Word]) -> Vec<&'a str> {
        ws.iter().map(|w| &text[w.start..w.end]).collect()
    }

    #[test]
    fn splits_words_and_keeps_inner_hyphens() {
        let t = "Guinea-Bissau's MS-13 (in Perú) - end-";
        assert_eq!(texts(t, &words(t)), ["Guinea-Bissau", "s", "MS-13", "in", "Perú", "end"]);
    }

    #[test]
    fn shapes() {
        assert_eq!(Shape::of("Perú"), Shape::Initial);
        assert_eq!(Shape::of("InSight"), Shape::Initial);
        assert_eq!(Shape::of("UNODC"), Shape::Upper);
        assert_eq!(Shape::of("MS-13"), Shape::Upper);
        assert_eq!(Shape::of("U"), Shape::Letter);
        assert_eq!(Shape::of("de"), Shape::Lower);
        assert_eq!(Shape::of("2024"), Shape::Other);
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Perú"), "peru");
        assert_eq!(fold("NARIÑO"), "narino");
        assert_eq!(fold("São Paulo"), "sao paulo");
        assert_eq!(fold("Peru\u{301}"), "peru");
        let t = "Basombri\u{301}o dijo";
        assert_eq!(texts(t, &words(t)), ["Basombri\u{301}o", "dijo"]);
    }

    #[test]
    fn gazetteer_finds_longest_entry_with_case_rules() {
        let mut g = Gazetteer::default();
        g.insert("El Salvador", false, 1);
        g.insert("Villa El Salvador", false, 2);
        g.insert("US", false, 3);
        let text = "en Villa El Salvador y US, no us";
        let ws = words(text);
        let folded: Vec<String> = ws.iter().map(|w| fold(&text[w.start..w.end])).collect();
        let at = |i: usize| g.longest(&ws, i, |j| folded[j].as_str(), |_| true).map(|(n, v)| (n, *v));
        assert_eq!(at(1), Some((3, 2)));
        assert_eq!(at(2), Some((2, 1)));
        assert_eq!(at(5), Some((1, 3)));
        assert_eq!(at(7), None);
        assert!(g.contains_key("el salvador"));
        assert!(!g.contains_key("salvador"));
        let f = Folded::new(text);
        assert_eq!(g.longest_in(&f, 1, |_| true).map(|(n, v)| (n, *v)), Some((3, 2)));
    }

    #[test]
    fn folded_keys_and_hashes_are_those_of_each_word_folded() {
        let t = "Basombri\u{301}o, ÑUBLE-Perú; MS-13 end- İzmir ca\u{345}sa x²3 -ya O’Neil";
        let f = Folded::new(t);
        assert_eq!(f.words.len(), 10);
        for (i, w) in f.words.iter().enumerate() {
            let written = &t[w.start..w.end];
            assert_eq!(f.key(i), fold(written), "{written}");
            assert_eq!(f.hashes[i], hash_str(&fold(written)), "{written}");
            assert_eq!(w.shape, Shape::of(written), "{written}");
        }
    }

    /// The word split read character by character: what `Folded::from_tokens` must give.
    fn split_by_chars(text: &str) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut current: Option<(usize, String)> = None;
        for (i, c) in text.char_indices() {
            if is_alphanumeric(c) || (current.is_some() && is_combining(c)) {
                let (_, key) = current.get_or_insert((i, String::new()));
                if !is_combining(c) {
                    fold_char(c, key);
                }
            } else if let Some((s, mut key)) = current.take() {
                if c == '-' && text[i + 1..].chars().next().is_some_and(is_alphanumeric) {
                    key.push('-');
                    current = Some((s, key));
                } else {
                    out.push((s, i, key));
                }
            }
        }
        if let Some((s, key)) = current {
            out.push((s, text.len(), key));
        }
        out
    }

    #[test]
    fn words_from_tokens_are_the_words_read_by_characters() {
        let text = "G20, 1,234.5 y 1\u{a0}234 kg; 7 000x MS-13 -ya end- x²3 Basombri\u{301}o \u{301}a \
                    ca\u{345}sa \u{345}b ÑUBLE-Perú 3-\u{301} a--b US$3.7 O’Neil 2024-25 İzmir 이다";
        for a in (0..=text.len()).filter(|&a| text.is_char_boundary(a)) {
            for b in (a..=text.len()).filter(|&b| text.is_char_boundary(b)) {
                let part = &text[a..b];
                let f = Folded::new(part);
                let got: Vec<(usize, usize, String)> = f
                    .words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (w.start, w.end, f.key(i).to_string()))
                    .collect();
                assert_eq!(got, split_by_chars(part), "{part:?}");
                for (i, w) in f.words.iter().enumerate() {
                    assert_eq!(f.hashes[i], hash_str(f.key(i)), "{part:?}");
                    assert_eq!(w.shape, Shape::of(&part[w.start..w.end]), "{part:?}");
                }
            }
        }
    }

    fn same(a: &Folded<'_>, b: &Folded<'_>) -> bool {
        a.words == b.words && a.hashes == b.hashes && (0..a.words.len()).all(|i| a.key(i) == b.key(i))
    }

    #[test]
    fn part_is_the_slice_folded_unless_a_word_crosses_an_end() {
        let text = "Perú: 3 muertos. Guinea-Bissau y MS-13, ÑUBLE.\nEnd-";
        let f = Folded::new(text);
        for a in 0..=text.len() {
            for b in a..=text.len() {
                if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                    continue;
                }
                if let Some(p) = f.part(a..b) {
                    assert!(same(&p, &Folded::new(&text[a..b])), "{a}..{b}");
                }
            }
        }
        assert!(f.part(0..3).is_none(), "cuts \"Perú\"");
        assert!(f.part(17..24).is_none(), "cuts \"Guinea-Bissau\"");
        assert!(same(
            &f.part(17..47).unwrap_or_else(|| Folded::new("")),
            &Folded::new(&text[17..47])
        ));
    }
}
