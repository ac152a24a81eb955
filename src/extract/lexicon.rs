//! Word and phrase lexicons loaded from the TSV data files, matched over folded tokens.
//!
//! A term is one or more words; a word ending in `*` matches any word it begins
//! (`homicid*` matches "homicidios"). Matching ignores case, accents and spacing between tokens.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::tokens::{Kind, Token, Tokens, word_hash};

/// A hasher for keys that are already hashes (`word_hash` values).
#[derive(Debug, Default, Clone, Copy)]
pub struct PreHashed(u64);

impl Hasher for PreHashed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type HashIndex = HashMap<u64, Vec<usize>, BuildHasherDefault<PreHashed>>;

/// A set of hashes that answers "surely not" cheaply, one bit per value of the hash's top
/// bits. Most words of a text begin no term of a list, and reading one bit costs far less
/// than probing a hash map, so lookups ask this first.
#[derive(Debug, Clone, Default)]
pub struct HashBits(Vec<u64>);

/// Bits of a `HashBits` (a power of two): 8 KB, a few percent false hits for lists of
/// thousands of words.
const HASH_BITS: usize = 1 << 16;

impl HashBits {
    fn slot(hash: u64) -> (usize, u64) {
        // The top bits: FNV-1a mixes every byte into them.
        let bit = (hash >> (64 - HASH_BITS.trailing_zeros())) as usize;
        (bit / 64, 1 << (bit % 64))
    }

    pub fn insert(&mut self, hash: u64) {
        if self.0.is_empty() {
            self.0 = vec![0; HASH_BITS / 64];
        }
        let (word, mask) = Self::slot(hash);
        if let Some(w) = self.0.get_mut(word) {
            *w |= mask;
        }
    }

    /// False when `hash` was surely never inserted.
    #[inline]
    pub fn may_contain(&self, hash: u64) -> bool {
        let (word, mask) = Self::slot(hash);
        self.0.get(word).is_some_and(|w| w & mask != 0)
    }
}

/// A table of folded words looked up by the hash every token carries.
#[derive(Debug, Clone)]
pub struct WordTable<V> {
    map: HashMap<u64, Vec<(String, V)>, BuildHasherDefault<PreHashed>>,
    /// The keys of `map`, to turn most tokens away without probing it.
    keys: HashBits,
}

impl<V> Default for WordTable<V> {
    fn default() -> Self {
        WordTable {
            map: HashMap::default(),
            keys: HashBits::default(),
        }
    }
}

impl<V> WordTable<V> {
    /// Adds a word (folded by the caller).
    pub fn insert(&mut self, word: String, value: V) {
        let hash = word_hash(&word);
        self.keys.insert(hash);
        self.map.entry(hash).or_default().push((word, value));
    }

    /// The value of a folded word.
    pub fn get(&self, word: &str) -> Option<&V> {
        self.by_hash(word_hash(word), word)
    }

    /// The value of token `i`.
    pub fn get_tok(&self, toks: &Tokens<'_>, i: usize) -> Option<&V> {
        self.by_hash(toks.get(i)?.hash, toks.norm(i))
    }

    /// The value of the folded word `word`, whose `word_hash` is `hash`.
    fn by_hash(&self, hash: u64, word: &str) -> Option<&V> {
        if !self.keys.may_contain(hash) {
            return None;
        }
        self.map.get(&hash)?.iter().find(|(w, _)| w == word).map(|(_, v)| v)
    }

    pub fn contains(&self, word: &str) -> bool {
        self.get(word).is_some()
    }
}

/// Stems are indexed by their first characters (at most this many).
const STEM_KEY: usize = 3;

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Whether `before` ends with one of `phrases` (lower case) as whole words, ignoring case and
/// trailing spaces: "shipped bound for " ends with "bound for", "rebound for " does not.
pub fn ends_with_phrase(before: &str, phrases: &[&str]) -> bool {
    // The longest phrase is short: only the tail (24 characters) needs lower-casing.
    let from = before.char_indices().rev().nth(23).map_or(0, |(i, _)| i);
    let raw = &before[from..];
    if raw.is_ascii() {
        // ASCII lower-cases byte by byte: the tail is compared as it stands.
        let tail = raw.trim_end();
        // A phrase can end the tail only if its last byte does: most are turned away by that byte.
        let last = tail.as_bytes().last().map(u8::to_ascii_lowercase);
        return phrases.iter().any(|m| {
            if !m.is_empty() && m.as_bytes().last().copied() != last {
                return false;
            }
            let Some(cut) = tail.len().checked_sub(m.len()) else { return false };
            let (rest, end) = tail.as_bytes().split_at(cut);
            end.iter().zip(m.bytes()).all(|(x, y)| x.to_ascii_lowercase() == y) && rest.last().is_none_or(|b| !b.is_ascii_alphanumeric())
        });
    }
    let tail = raw.to_lowercase();
    let tail = tail.trim_end();
    // A phrase can end the tail only if its last byte does: most are turned away by that byte.
    let last = tail.as_bytes().last();
    phrases.iter().any(|m| {
        (m.is_empty() || m.as_bytes().last() == last)
            && tail
                .strip_suffix(m)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric()))
    })
}

#[derive(Debug, Clone)]
struct Piece {
    text: String,
    prefix: bool,
}

/// A set of terms, each carrying a value.
#[derive(Debug, Clone)]
pub struct Lexicon<T> {
    entries: Vec<(Vec<Piece>, T)>,
    /// Every key of `exact` and `prefix`, to skip most tokens without probing them.
    keys: HashBits,
    /// Entries by the hash of their first word.
    exact: HashIndex,
    /// First-word stems by the hash of their first `STEM_KEY` characters (or all of a shorter stem).
    prefix: HashIndex,
    /// Character lengths of stems shorter than `STEM_KEY`, so lookups try only those.
    short_lens: Vec<usize>,
    max_pieces: usize,
}

impl<T> Default for Lexicon<T> {
    fn default() -> Self {
        Lexicon {
            entries: Vec::new(),
            keys: HashBits::default(),
            exact: HashIndex::default(),
            prefix: HashIndex::default(),
            short_lens: Vec::new(),
            max_pieces: 0,
        }
    }
}

/// One match of a term: tokens `start..end`.
#[derive(Debug, Clone, Copy)]
pub struct Match<'l, T> {
    pub start: usize,
    pub end: usize,
    pub value: &'l T,
    /// Which term matched (its order of insertion), so repeats of one term can be told apart
    /// from different terms.
    pub entry: usize,
}

impl<T> Lexicon<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a term; it is tokenized and folded like the texts it will be matched against.
    pub fn insert(&mut self, term: &str, value: T) {
        let toks = Tokens::new(term);
        let mut pieces: Vec<Piece> = Vec::new();
        for i in 0..toks.len() {
            if toks.is_punct(i, "*") && toks.attached(i) && !pieces.is_empty() {
                if let Some(last) = pieces.last_mut() {
                    last.prefix = true;
                }
                continue;
            }
            pieces.push(Piece {
                text: toks.norm(i).to_string(),
                prefix: false,
            });
        }
        let Some(first) = pieces.first() else { return };
        let id = self.entries.len();
        if first.prefix {
            let len = first.text.chars().count();
            if len < STEM_KEY && !self.short_lens.contains(&len) {
                self.short_lens.push(len);
            }
            let key = word_hash(head(&first.text, STEM_KEY));
            self.keys.insert(key);
            self.prefix.entry(key).or_default().push(id);
        } else {
            let key = word_hash(&first.text);
            self.keys.insert(key);
            self.exact.entry(key).or_default().push(id);
        }
        self.max_pieces = self.max_pieces.max(pieces.len());
        self.entries.push((pieces, value));
    }

    fn piece_matches(p: &Piece, toks: &Tokens<'_>, i: usize) -> bool {
        let n = toks.norm(i);
        if p.prefix {
            toks.kind(i) == Some(Kind::Word) && n.starts_with(p.text.as_str())
        } else {
            n == p.text
        }
    }

    fn entry_len(&self, id: usize, toks: &Tokens<'_>, i: usize) -> Option<usize> {
        let (pieces, _) = &self.entries[id];
        for (k, p) in pieces.iter().enumerate() {
            if i + k >= toks.len() || !Self::piece_matches(p, toks, i + k) {
                return None;
            }
        }
        Some(pieces.len())
    }

    /// False when no term begins with token `t`: most tokens, turned away by a few bits
    /// before any search is set up. (Every key looked up below is first asked of the bits.)
    #[inline]
    fn may_begin(&self, t: &Token) -> bool {
        self.keys.may_contain(t.hash)
            || (t.kind == Kind::Word
                && !self.prefix.is_empty()
                && (self.keys.may_contain(t.heads[STEM_KEY - 1]) || self.short_lens.iter().any(|&l| self.keys.may_contain(t.heads[l - 1]))))
    }

    /// Calls `f(id, len)` for every term matching at token `i`.
    fn candidates(&self, toks: &Tokens<'_>, i: usize, f: impl FnMut(usize, usize)) {
        if toks.get(i).is_some_and(|t| self.may_begin(t)) {
            self.candidates_of(toks, i, f);
        }
    }

    /// `candidates`, for a token `i` that `may_begin` a term.
    fn candidates_of(&self, toks: &Tokens<'_>, i: usize, mut f: impl FnMut(usize, usize)) {
        let Some(t) = toks.get(i) else { return };
        if let Some(ids) = self.keys.may_contain(t.hash).then(|| self.exact.get(&t.hash)).flatten() {
            for &id in ids {
                if let Some(len) = self.entry_len(id, toks, i) {
                    f(id, len);
                }
            }
        }
        if toks.kind(i) != Some(Kind::Word) {
            return;
        }
        if self.prefix.is_empty() {
            return;
        }
        let mut try_key = |key: u64| {
            if let Some(ids) = self.keys.may_contain(key).then(|| self.prefix.get(&key)).flatten() {
                for &id in ids {
                    if let Some(len) = self.entry_len(id, toks, i) {
                        f(id, len);
                    }
                }
            }
        };
        let heads = t.heads;
        let key = heads[STEM_KEY - 1];
        for &l in &self.short_lens {
            let short = heads[l - 1];
            if short != key {
                try_key(short);
            }
        }
        try_key(key);
    }

    /// The longest term starting at token `i` (ties: the longer stem, then the first inserted).
    pub fn longest_at(&self, toks: &Tokens<'_>, i: usize) -> Option<Match<'_, T>> {
        if !self.may_begin(toks.get(i)?) {
            return None;
        }
        let mut best: Option<(usize, usize, usize)> = None;
        self.candidates_of(toks, i, |id, len| {
            let chars: usize = self.entries[id].0.iter().map(|p| p.text.len()).sum();
            let better = match best {
                None => true,
                Some((_, blen, bchars)) => len > blen || (len == blen && chars > bchars),
            };
            if better {
                best = Some((id, len, chars));
            }
        });
        best.map(|(id, len, _)| Match {
            start: i,
            end: i + len,
            value: &self.entries[id].1,
            entry: id,
        })
    }

    /// The longest term that ends exactly before token `end` (exclusive).
    pub fn longest_ending_at(&self, toks: &Tokens<'_>, end: usize) -> Option<Match<'_, T>> {
        let lo = end.saturating_sub(self.max_pieces);
        for start in lo..end {
            let mut hit: Option<usize> = None;
            self.candidates(toks, start, |id, len| {
                if start + len == end && hit.is_none() {
                    hit = Some(id);
                }
            });
            if let Some(id) = hit {
                return Some(Match {
                    start,
                    end,
                    value: &self.entries[id].1,
                    entry: id,
                });
            }
        }
        None
    }

    /// Every non-overlapping longest match, left to right.
    pub fn find_all(&self, toks: &Tokens<'_>) -> Vec<Match<'_, T>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if let Some(m) = self.longest_at(toks, i) {
                i = m.end;
                out.push(m);
            } else {
                i += 1;
            }
        }
        out
    }

    /// Whether token `i` starts a term.
    pub fn matches_at(&self, toks: &Tokens<'_>, i: usize) -> bool {
        self.longest_at(toks, i).is_some()
    }
}

/// A plain set of folded words or phrases with no value.
pub type WordSet = Lexicon<()>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_end_a_text_as_whole_words_in_any_case() {
        let phrases = ["bound for", "rumbo a", "hacia", "vía"];
        for (text, ends) in [
            ("shipped Bound For  ", true),
            ("shipped rebound for ", false),
            ("iba RUMBO A", true),
            ("iba rumbo a-", false),
            ("bound for", true),
            ("for", false),
            ("", false),
            ("llegó por la Vía ", true),
            ("salió HACIA", true),
            ("salió ÉHACIA", false),
            ("a long line of text that goes on and on, bound for", true),
        ] {
            assert_eq!(ends_with_phrase(text, &phrases), ends, "{text:?}");
        }
    }

    /// `ends_with_phrase` lower-casing every tail.
    fn ends_with_phrase_lowered(before: &str, phrases: &[&str]) -> bool {
        let from = before.char_indices().rev().nth(23).map_or(0, |(i, _)| i);
        let tail = before[from..].to_lowercase();
        let tail = tail.trim_end();
        phrases.iter().any(|m| {
            tail.strip_suffix(m)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric()))
        })
    }

    proptest::proptest! {
        #[test]
        fn phrases_end_any_text_as_when_lowered(before in "[a-zA-Z íÍ.-]{0,40}") {
            let phrases = ["bound for", "a", "rumbo a", "vía", "x-y"];
            proptest::prop_assert_eq!(ends_with_phrase(&before, &phrases), ends_with_phrase_lowered(&before, &phrases));
        }
    }

    #[test]
    fn hash_bits_keep_every_inserted_hash_and_few_others() {
        let mut bits = HashBits::default();
        assert!(!bits.may_contain(word_hash("carcel")));
        let words: Vec<String> = (0..2000).map(|n| format!("w{n}")).collect();
        for w in &words {
            bits.insert(word_hash(w));
        }
        assert!(words.iter().all(|w| bits.may_contain(word_hash(w))));
        let others = (0..2000).filter(|n| bits.may_contain(word_hash(&format!("x{n}")))).count();
        assert!(others < 200, "{others}");
    }

    #[test]
    fn matches_words_stems_and_phrases() {
        let mut lex = Lexicon::new();
        lex.insert("homicid*", 1);
        lex.insert("tasa de homicidios", 2);
        lex.insert("us$", 3);
        let toks = Tokens::new("La tasa de Homicidios y los homicidas, US $ 5");
        assert_eq!(lex.longest_at(&toks, 1).map(|m| (*m.value, m.end)), Some((2, 4)));
        assert_eq!(lex.longest_at(&toks, 6).map(|m| *m.value), Some(1));
        assert_eq!(lex.longest_at(&toks, 8).map(|m| *m.value), Some(3));
        assert_eq!(lex.find_all(&toks).len(), 3);
        assert_eq!(lex.longest_ending_at(&toks, 10).map(|m| m.start), Some(8));
    }
}
