//! A small tokenizer shared by the number reader, the statistics and the relevance scorer.
//!
//! Tokens keep byte offsets into the text they came from and a folded form (lowercase,
//! accents removed) so lexicons match "policía", "Policia" and "POLICÍA" alike.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (any script).
    Word,
    /// Digits, with the separators that can sit inside a written number (`1,234.5`, `1 234`).
    Number,
    /// Any other single non-space character.
    Punct,
}

/// One token of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Byte range of the folded form in `Tokens::folded`.
    fstart: u32,
    fend: u32,
    /// Whether whitespace separates this token from the previous one.
    pub space_before: bool,
    /// `word_hash` of the folded form, so lexicons look words up without hashing them again.
    pub hash: u64,
    /// `head_hashes` of the folded form, so lexicons look stems up without hashing again.
    pub heads: [u64; 3],
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hash lexicons use for folded words (FNV-1a over the bytes).
pub fn word_hash(s: &str) -> u64 {
    s.bytes().fold(FNV_OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// `word_hash` of `s` and of its first one, two and three characters (all of it when shorter).
pub fn head_hashes(s: &str) -> [u64; 3] {
    hashes(s).1
}

/// `word_hash` of `s` and its `head_hashes`, in one pass over the bytes.
fn hashes(s: &str) -> (u64, [u64; 3]) {
    let bytes = s.as_bytes();
    let mut h = FNV_OFFSET;
    let mut heads = [0u64; 3];
    let mut n = 0;
    // The first three characters, then the rest without looking for character starts.
    let mut rest = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        // A character starts at every byte that is not a UTF-8 continuation byte.
        if i > 0 && b & 0xC0 != 0x80 {
            heads[n] = h;
            n += 1;
            if n == heads.len() {
                rest = i;
                break;
            }
        }
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    for &b in &bytes[rest..] {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    for head in heads.iter_mut().skip(n) {
        *head = h;
    }
    (h, heads)
}

/// The tokens of one text, with their folded forms. The tokens of a part of a text borrow
/// the folded forms of the whole text's.
#[derive(Debug, Clone, Default)]
pub struct Tokens<'a> {
    pub text: &'a str,
    pub toks: Vec<Token>,
    folded: Cow<'a, str>,
}

/// Characters below U+0800 (Latin, Greek, Cyrillic, Hebrew, Arabic) and the typographic
/// quotes and dashes of U+2000..U+2070 are classified from a table filled once from `char`
/// itself: looking each letter of non-Latin text up in the Unicode tables, in every pass
/// over it, was the largest single cost of extraction.
const SMALL: usize = 0x800;
const PUNCTUATION: std::ops::Range<usize> = 0x2000..0x2070;
const ALPHABETIC: u8 = 1;
const NUMERIC: u8 = 2;

static SMALL_CLASSES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    (0..SMALL)
        .chain(PUNCTUATION)
        .map(|code| {
            let c = char::from_u32(code as u32).unwrap_or('\0');
            (u8::from(c.is_alphabetic()) * ALPHABETIC) | (u8::from(c.is_numeric()) * NUMERIC)
        })
        .collect()
});

#[inline]
fn small_class(c: char) -> Option<u8> {
    let code = c as usize;
    let slot = if code < SMALL {
        code
    } else if PUNCTUATION.contains(&code) {
        code - PUNCTUATION.start + SMALL
    } else {
        return None;
    };
    SMALL_CLASSES.get(slot).copied()
}

/// Characters below U+0800 whose folded form (`fold_char`) is a single character, with that
/// character (`'\0'` for the others), filled once from `char::to_lowercase`: Spanish text
/// folds an accented letter every few words.
static SMALL_FOLDED: LazyLock<[char; SMALL]> = LazyLock::new(|| {
    let mut table = ['\0'; SMALL];
    for (code, folded) in table.iter_mut().enumerate() {
        if let Some(c) = char::from_u32(code as u32) {
            let mut ls = c.to_lowercase();
            if let (Some(l), None) = (ls.next(), ls.next()) {
                *folded = strip_accent(l);
            }
        }
    }
    table
});

/// The folded form of `c` when the table holds it (a single character).
#[inline]
fn single_folded(c: char) -> Option<char> {
    SMALL_FOLDED.get(c as usize).copied().filter(|&f| f != '\0')
}

/// Blocks of letters without case and nothing else: the Hangul syllables and the unified
/// Han ideographs. Korean and Chinese text is all of them, and the Unicode tables are slow to
/// ask one character at a time (a test checks the blocks against `char`).
const CASELESS_LETTERS: [std::ops::RangeInclusive<char>; 2] = ['\u{ac00}'..='\u{d7a3}', '\u{4e00}'..='\u{9fff}'];

/// Whether `c` is in one of `CASELESS_LETTERS`: a letter, neither lowercase nor uppercase.
#[inline]
pub(crate) fn is_caseless_letter(c: char) -> bool {
    CASELESS_LETTERS.iter().any(|r| r.contains(&c))
}

/// Same as `char::is_alphabetic`.
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    small_class(c).map_or_else(|| is_caseless_letter(c) || c.is_alphabetic(), |k| k & ALPHABETIC != 0)
}

/// Same as `char::is_alphanumeric`.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    small_class(c).map_or_else(|| is_caseless_letter(c) || c.is_alphanumeric(), |k| k != 0)
}

/// Spaces that may separate thousands groups: a plain space, a no-break space, thin spaces.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Lowercases a character and strips the accents of Latin letters: the one folding of the
/// extractor, for the tokens, the words of names and places, and the data files alike.
#[inline]
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match single_folded(c) {
        Some(f) => out.push(f),
        None => out.extend(c.to_lowercase().map(strip_accent)),
    }
}

/// A lowercase letter without its accent. The typographic apostrophe becomes the plain one,
/// so "O’Higgins" and "O'Higgins" fold alike (a token never holds either: they are punctuation).
#[inline]
fn strip_accent(l: char) -> char {
    match l {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        '’' => '\'',
        other => other,
    }
}

/// Combining accents of decomposed text ("Peru\u{301}"): part of a word, dropped by folding.
#[inline]
pub fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Folds a string ("Perú" → "peru", "Ñuble" → "nuble", decomposed accents dropped),
/// appending to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let from = out.len();
        out.push_str(text);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in text.chars().filter(|&c| !is_combining(c)) {
        fold_char(c, out);
    }
}

/// Whether `text` split at every character that is not alphanumeric has a piece equal to
/// `word` (ASCII, lowercase) in any ASCII case. Same as testing every piece, but reads bytes:
/// only where the word's first letter stands are the neighbouring characters looked at.
pub fn has_ascii_word(text: &str, word: &str) -> bool {
    let (bytes, w) = (text.as_bytes(), word.as_bytes());
    let Some(&first) = w.first() else { return false };
    let mut from = 0;
    while let Some(p) = bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|b| b.to_ascii_lowercase() == first))
    {
        let (at, end) = (from + p, from + p + w.len());
        from = at + 1;
        // `word` is ASCII, so a match starts and ends on character boundaries.
        let whole = |before: Option<&str>, after: Option<&str>| {
            !before.and_then(|t| t.chars().next_back()).is_some_and(is_alphanumeric)
                && !after.and_then(|t| t.chars().next()).is_some_and(is_alphanumeric)
        };
        if bytes.get(at..end).is_some_and(|c| c.eq_ignore_ascii_case(w)) && whole(text.get(..at), text.get(end..)) {
            return true;
        }
    }
    false
}

/// The words for "and" that join two items of a list or two parts of a name ("Drugs and
/// Crime", "Justicia y Derechos Humanos", "Chile with 3.6 and Peru with 5.1"), folded.
pub const AND_WORDS: &[&str] = &["and", "y", "e"];

/// Folded copy of a string.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

impl<'a> Tokens<'a> {
    /// Splits `text` into words, numbers and punctuation.
    pub fn new(text: &'a str) -> Tokens<'a> {
        let bytes = text.as_bytes();
        // News prose has about one token per five bytes, some texts one per four: room for
        // one per three spares copying the tokens over as they grow.
        let mut toks = Vec::with_capacity(text.len() / 3 + 1);
        let mut folded = String::with_capacity(text.len() + 8);
        let mut i = 0;
        let mut space_before = true;
        while let Some(&b) = bytes.get(i) {
            let start = i;
            let fstart = folded.len();
            // ASCII is classified from its byte; other characters are decoded.
            let kind = if b.is_ascii() {
                if matches!(b, b' ' | b'\t'..=b'\r') {
                    // The ASCII characters `char::is_whitespace` accepts.
                    space_before = true;
                    i += 1;
                    continue;
                }
                if b.is_ascii_digit() {
                    i = number_end(text, i);
                    folded.push_str(&text[start..i]);
                    Kind::Number
                } else if b.is_ascii_alphabetic() {
                    i = fold_word(text, i, &mut folded);
                    Kind::Word
                } else {
                    i += 1;
                    folded.push(char::from(b));
                    Kind::Punct
                }
            } else {
                let Some(c) = text[i..].chars().next() else { break };
                if c.is_whitespace() {
                    space_before = true;
                    i += c.len_utf8();
                    continue;
                }
                if is_alphabetic(c) {
                    i = fold_word(text, i, &mut folded);
                    Kind::Word
                } else {
                    i += c.len_utf8();
                    folded.push(c);
                    Kind::Punct
                }
            };
            let (hash, heads) = hashes(&folded[fstart..]);
            toks.push(Token {
                kind,
                start,
                end: i,
                fstart: fstart as u32,
                fend: folded.len() as u32,
                space_before,
                hash,
                heads,
            });
            space_before = false;
        }
        Tokens {
            text,
            toks,
            folded: Cow::Owned(folded),
        }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The folded form of token `i` (empty past the end).
    pub fn norm(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => &self.folded[t.fstart as usize..t.fend as usize],
            None => "",
        }
    }

    /// Token `i` itself.
    pub fn get(&self, i: usize) -> Option<&Token> {
        self.toks.get(i)
    }

    /// The token as written (empty past the end).
    pub fn raw(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => &self.text[t.start..t.end],
            None => "",
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is_word(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Word)
    }

    pub fn is_number(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Number)
    }

    /// Whether token `i` is the punctuation `p`.
    pub fn is_punct(&self, i: usize, p: &str) -> bool {
        self.kind(i) == Some(Kind::Punct) && self.raw(i) == p
    }

    /// Whether token `i` touches the previous token (no space between).
    pub fn attached(&self, i: usize) -> bool {
        i > 0 && self.toks.get(i).is_some_and(|t| !t.space_before)
    }

    /// Whether the word starts with an uppercase letter.
    pub fn is_capitalized(&self, i: usize) -> bool {
        self.is_word(i)
            && match self.raw(i).as_bytes().first() {
                Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
                _ => self.raw(i).chars().next().is_some_and(char::is_uppercase),
            }
    }

    /// Byte start of token `i`, or the text length past the end.
    pub fn start(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.text.len(), |t| t.start)
    }

    /// Byte end of token `i`.
    pub fn end(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.text.len(), |t| t.end)
    }

    /// The tokens of `self.text[range]`, with offsets from the range's start, taken from
    /// these; none when a token crosses an end of the range, or when the range is followed
    /// by anything but whitespace (a number looks ahead past its end). Tokens are read left
    /// to right, so otherwise the slice splits into exactly these.
    pub fn part(&self, range: Range<usize>) -> Option<Tokens<'_>> {
        self.part_reusing(range, &mut Vec::new())
    }

    /// `part`, its tokens written into the list `spare` (taken, and left empty, when there is
    /// a part): a caller reading part after part hands the list of one back for the next.
    pub fn part_reusing(&self, range: Range<usize>, spare: &mut Vec<Token>) -> Option<Tokens<'_>> {
        let text = self.text.get(range.clone())?;
        if !self.text[range.end..].chars().next().is_none_or(char::is_whitespace) {
            return None;
        }
        let from = self.toks.partition_point(|t| t.end <= range.start);
        let to = self.toks.partition_point(|t| t.start < range.end);
        let inside = self.toks.get(from..to)?;
        if inside.first().is_some_and(|t| t.start < range.start) || inside.last().is_some_and(|t| t.end > range.end) {
            return None;
        }
        let mut toks = std::mem::take(spare);
        toks.clear();
        toks.extend(inside.iter().enumerate().map(|(n, t)| Token {
            start: t.start - range.start,
            end: t.end - range.start,
            // The first token of a text counts as spaced from what is before it.
            space_before: n == 0 || t.space_before,
            ..*t
        }));
        Some(Tokens {
            text,
            toks,
            folded: Cow::Borrowed(&self.folded),
        })
    }
}

/// The end of the word of letters starting at byte `i` of `text`, its folded form appended
/// to `folded`. ASCII letters are read byte by byte; other characters are decoded.
fn fold_word(text: &str, mut i: usize, folded: &mut String) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if !b.is_ascii_alphabetic() {
                break;
            }
            folded.push(char::from(b.to_ascii_lowercase()));
            i += 1;
            continue;
        }
        let Some(ch) = text[i..].chars().next() else { break };
        if !is_alphabetic(ch) {
            break;
        }
        // Accented Latin letters fold from the table, most of them to an ASCII letter.
        match single_folded(ch) {
            Some(f) => folded.push(f),
            None => fold_char(ch, folded),
        }
        i += ch.len_utf8();
    }
    i
}

/// The end of a written number starting at `i`: digits joined by `.`/`,` before a digit, or by a
/// space before exactly three digits (`1 234 567`) when every group so far has at most three.
fn number_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let first_end = digits(i);
    let mut group_len = first_end - i;
    let mut spaced_ok = group_len <= 3;
    i = first_end;
    loop {
        if i + 1 < bytes.len() && (bytes[i] == b'.' || bytes[i] == b',') && bytes[i + 1].is_ascii_digit() {
            let e = digits(i + 1);
            group_len = e - i - 1;
            spaced_ok = false;
            i = e;
            continue;
        }
        if spaced_ok
            && group_len <= 3
            && let Some(c) = text[i..].chars().next()
            && is_group_space(c)
        {
            let j = i + c.len_utf8();
            let e = digits(j);
            let next_is_sep_digit = e + 1 < bytes.len() && bytes[e] == b',' && bytes[e + 1].is_ascii_digit();
            let ends_clean = e >= bytes.len() || !(bytes[e].is_ascii_alphanumeric()) || next_is_sep_digit;
            if e - j == 3 && ends_clean {
                group_len = 3;
                i = e;
                continue;
            }
        }
        return i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(t: &str) -> Vec<&str> {
        let tk = Tokens::new(t);
        (0..tk.len()).map(|i| tk.raw(i)).collect()
    }

    #[test]
    fn splits_words_numbers_and_punctuation() {
        assert_eq!(
            raws("US$3.7 billion, 1 234,5 kg"),
            vec!["US", "$", "3.7", "billion", ",", "1 234,5", "kg"]
        );
        assert_eq!(raws("COVID-19 y 42-9876"), vec!["COVID", "-", "19", "y", "42", "-", "9876"]);
        assert_eq!(raws("in 2014 300 people"), vec!["in", "2014", "300", "people"]);
    }

    #[test]
    fn folds_accents_and_case() {
        let tk = Tokens::new("Policía ÁREA niño");
        assert_eq!(tk.norm(0), "policia");
        assert_eq!(tk.norm(1), "area");
        assert_eq!(tk.norm(2), "nino");
        assert_eq!(tk.norm(9), "");
    }

    #[test]
    fn folds_strings_like_tokens_and_drops_decomposed_accents() {
        assert_eq!(fold("Cárcel de Ñuble"), "carcel de nuble");
        assert_eq!(fold("ca\u{301}rcel O’Higgins"), "carcel o'higgins");
        let tk = Tokens::new("O’Higgins");
        assert_eq!((tk.norm(0), tk.norm(1), tk.norm(2)), ("o", "’", "higgins"));
    }

    #[test]
    fn head_hashes_match_word_hashes() {
        let tk = Tokens::new("homicidios ñu a");
        let t = tk.get(0).copied().unwrap_or_else(|| unreachable!());
        assert_eq!(t.hash, word_hash("homicidios"));
        assert_eq!(t.heads, head_hashes("homicidios"));
        assert_eq!(head_hashes(tk.norm(0)), [word_hash("h"), word_hash("ho"), word_hash("hom")]);
        assert_eq!(head_hashes(tk.norm(1)), [word_hash("n"), word_hash("nu"), word_hash("nu")]);
        assert_eq!(head_hashes(tk.norm(2)), [word_hash("a"); 3]);
    }

    #[test]
    fn records_attachment() {
        let tk = Tokens::new("G20 summit");
        assert!(tk.attached(1));
        assert!(!tk.attached(2));
    }

    #[test]
    fn part_is_the_slice_tokenised_unless_a_token_crosses_an_end() {
        let text = "Se incautaron 1 234,5 kg. Police: 12 345 and 3.4 tons\nÑuble 7 000x y";
        let all = Tokens::new(text);
        let mut taken = 0;
        for a in 0..=text.len() {
            for b in a..=text.len() {
                if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                    continue;
                }
                let Some(p) = all.part(a..b) else { continue };
                let t = Tokens::new(&text[a..b]);
                // The folded ranges of a part point into the whole text's folded forms.
                let plain = |tk: &Tokens<'_>| {
                    tk.toks
                        .iter()
                        .map(|t| (t.kind, t.start, t.end, t.space_before, t.hash, t.heads))
                        .collect::<Vec<_>>()
                };
                assert_eq!(plain(&p), plain(&t), "{a}..{b}");
                assert!((0..t.len()).all(|i| p.norm(i) == t.norm(i)), "{a}..{b}");
                taken += 1;
            }
        }
        assert!(taken > 100);
        // "7 000x": the slice would read "7 000" as one number; the text does not.
        let at = text.find("000x").unwrap_or(0) + 3;
        assert!(all.part(0..at).is_none());
    }

    #[test]
    fn ascii_word_is_a_whole_piece_in_any_case() {
        let split = |t: &str| t.split(|c: char| !is_alphanumeric(c)).any(|w| w.eq_ignore_ascii_case("pesos"));
        for t in [
            "mil Pesos",
            "PESOS,",
            "pesos2",
            "2pesos",
            "ñpesos",
            "pesosñ",
            "pesós",
            "pésos",
            "p",
            "",
            "los pesos.",
            "pes os",
            "superpesos y pesos",
            "peso",
            "(pesos)",
            "ppesos",
            "Pesos-dólares",
        ] {
            assert_eq!(has_ascii_word(t, "pesos"), split(t), "{t:?}");
        }
        assert!(has_ascii_word("cien PeSoS", "pesos"));
        assert!(!has_ascii_word("cien pesosx", "pesos"));
    }

    /// A token as the tests compare it: kind, byte range, spaced, folded form and hashes.
    type Plain = (Kind, usize, usize, bool, String, u64, [u64; 3]);

    /// The tokens read character by character, each folded and hashed on its own: what
    /// `Tokens::new` must give.
    fn tokens_by_chars(text: &str) -> Vec<Plain> {
        let mut out = Vec::new();
        let mut space_before = true;
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c.is_whitespace() {
                space_before = true;
                continue;
            }
            let (kind, end) = if c.is_ascii_digit() {
                let end = number_end(text, start);
                while chars.next_if(|&(i, _)| i < end).is_some() {}
                (Kind::Number, end)
            } else if c.is_alphabetic() {
                while chars.next_if(|&(_, d)| d.is_alphabetic()).is_some() {}
                (Kind::Word, chars.peek().map_or(text.len(), |&(i, _)| i))
            } else {
                (Kind::Punct, start + c.len_utf8())
            };
            let folded = match kind {
                Kind::Word => text[start..end].chars().fold(String::new(), |mut s, c| {
                    fold_char(c, &mut s);
                    s
                }),
                _ => text[start..end].to_string(),
            };
            let (hash, heads) = (word_hash(&folded), head_hashes(&folded));
            out.push((kind, start, end, space_before, folded, hash, heads));
            space_before = false;
        }
        out
    }

    fn same_tokens(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let tk = Tokens::new(text);
        let got: Vec<_> = (0..tk.len())
            .filter_map(|i| {
                tk.get(i)
                    .map(|t| (t.kind, t.start, t.end, t.space_before, tk.norm(i).to_string(), t.hash, t.heads))
            })
            .collect();
        proptest::prop_assert_eq!(got, tokens_by_chars(text), "{:?}", text);
        Ok(())
    }

    #[test]
    fn tokens_are_those_read_character_by_character() {
        for t in [
            "Policía ÁREA niño, O’Higgins: US$3.7 billion; 1 234,5 kg\t\u{b}x\u{a0}y İzmir ΣΑΣ 이다 x²3 ca\u{301}rcel",
            "",
            "  \n",
            "abcDEF\u{e9}ghi\u{301}jk",
        ] {
            assert!(same_tokens(t).is_ok(), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn tokens_of_any_text(text in proptest::prelude::any::<String>()) {
            same_tokens(&text)?;
        }

        #[test]
        fn tokens_of_word_soup(text in "([A-Za-zÁÉÍÓÚáéíóúÑñİΣς]{1,6}|[0-9]{1,4}|[-.,’' \t\u{a0}\u{301}\u{2009}]){0,20}") {
            same_tokens(&text)?;
        }
    }

    #[test]
    fn folding_makes_no_letter_or_digit_of_any_other_character() {
        for code in 0..=0x10_ffff {
            let Some(c) = char::from_u32(code) else { continue };
            if is_alphanumeric(c) || is_combining(c) {
                continue;
            }
            assert!(!fold(&c.to_string()).chars().any(is_alphanumeric), "{c:?}");
        }
    }

    #[test]
    fn caseless_letters_are_letters_without_case() {
        for c in CASELESS_LETTERS.iter().flat_map(|r| r.clone()) {
            assert!(c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase(), "{c:?}");
        }
    }

    #[test]
    fn character_classes_match_char() {
        for code in (0..0x3100)
            .chain(0xa000..0xd800)
            .chain([0x4dff, 0x4e00, 0x9fff, 0xa000, 0x1_0400, 0x1_d7ce, 0x2_0000])
        {
            let Some(c) = char::from_u32(code) else { continue };
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            if let Some(f) = single_folded(c) {
                assert_eq!(c.to_lowercase().map(strip_accent).collect::<String>(), f.to_string(), "{c:?}");
            }
        }
    }
}
