//! Reads numbers written with digits or words, in English and Spanish conventions.
//!
//! Digits: `1,234.5` (English), `1.234,5` and `1 234,5` (Spanish). A single separator followed
//! by exactly three digits is a thousands separator when it is a comma, and also when it is a
//! point in Spanish text (`22.500` = 22500); in English text `22.500` reads 22.5. Scale words
//! multiply (`3.7 billion`, `4.800 millones`, `mil millones`; Spanish `billón` is 10^12).
//!
//! Every number found is classified: a quantity, or a year, date, clock time, ordinal,
//! identifier or fraction/multiplier, which are not statistics. Vague amounts ("hundreds of",
//! "miles de", "dozens") are not read as numbers at all.
//!
//! Ranges: "between X and Y", "entre X y Y", "X-Y", "X to Y", "X a Y", "X or Y" are one range
//! when X < Y. "from X to Y" / "de X a Y" is a range unless a word of change comes just before
//! it ("rose from 2,000 to 18,000", "pasó de 2.000 a 18.000"): then X and Y are two figures,
//! a before and an after.

use std::sync::LazyLock;

use super::Lang;
use super::lexicon::{WordSet, WordTable};
use super::table::{self, TableError};
use super::tokens::{Tokens, fold};
use super::units;

/// A point or a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    Point(f64),
    Range(f64, f64),
}

impl Quantity {
    /// The point, or the upper end of a range.
    pub fn high(self) -> f64 {
        match self {
            Quantity::Point(v) | Quantity::Range(_, v) => v,
        }
    }

    fn scaled(self, f: f64) -> Quantity {
        match self {
            Quantity::Point(v) => Quantity::Point(v * f),
            Quantity::Range(a, b) => Quantity::Range(a * f, b * f),
        }
    }
}

/// What a number found in text stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// A measurable amount: the only kind that can become a statistic.
    Quantity,
    Year,
    Date,
    Time,
    Ordinal,
    /// A name or code: law and article numbers, phone numbers, "COVID-19", "G20".
    Identifier,
    /// A fraction, ratio or multiplier ("two-thirds", "1/3", "eight times", "1 in 5").
    Fraction,
}

/// A number found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub kind: NumberKind,
    pub value: Quantity,
    /// Byte range of the number phrase (scale words included, and "between" for a range).
    pub start: usize,
    pub end: usize,
    /// The same range in Unicode code points.
    pub char_start: usize,
    pub char_end: usize,
    /// Token range of the phrase (see `tokens::Tokens`).
    pub first_tok: usize,
    pub end_tok: usize,
    /// Written in words ("cinco", "two hundred").
    pub words: bool,
    /// The scale word multiplier applied (1 without one).
    pub scale: f64,
    /// The "before" of a change "from X to Y" (the next number is the "after").
    pub change_from: bool,
    /// The "after" of a change "from X to Y".
    pub change_to: bool,
    /// Written as a plain run of digits (no separators, no scale): years look like this.
    plain: bool,
    /// Joined to the next number by a hyphen with no spaces ("200-400", "18-19").
    hyphen_next: bool,
    /// The whole the value is a part of: "4 de cada 10" (10), "49.9/100,000" (100000).
    pub out_of: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    One,
    Unit,
    Teen,
    Tens,
    Hundreds,
    Hundred,
    Scale,
}

pub(crate) struct LangData {
    words: WordTable<(f64, WordKind)>,
    months: WordSet,
    weekdays: WordSet,
    ordinals: WordTable<()>,
    suffixes: WordTable<()>,
    identifiers: WordSet,
    short_identifiers: WordSet,
    time: WordSet,
    fraction: WordSet,
    ratio: WordSet,
    between: WordSet,
    and: WordSet,
    to: WordSet,
    or: WordSet,
    from: WordSet,
    change: WordSet,
    since: WordSet,
}

/// The kinds of cue rows in `data/numbers.tsv`, in the order of `LangData`'s sets.
const CUE_KINDS: [&str; 16] = [
    "month",
    "weekday",
    "ordinal",
    "suffix",
    "identifier",
    "short_identifier",
    "time",
    "fraction",
    "ratio",
    "between",
    "and",
    "to",
    "or",
    "from",
    "change",
    "since",
];

pub(crate) fn load(lang: Lang) -> Result<LangData, TableError> {
    let mut words = WordTable::default();
    for row in table::NUMBER_WORDS.rows()? {
        let value = row.number::<f64>(2)?;
        let kind = row.choice(
            3,
            "kind",
            &[
                ("one", WordKind::One),
                ("unit", WordKind::Unit),
                ("teen", WordKind::Teen),
                ("tens", WordKind::Tens),
                ("hundreds", WordKind::Hundreds),
                ("hundred", WordKind::Hundred),
                ("scale", WordKind::Scale),
            ],
        )?;
        if row.applies(0, lang)? {
            words.insert(fold(row.get(1)), (value, kind));
        }
    }
    // Each kind's terms, in file order: a set of phrases, or of single folded words.
    let mut terms: Vec<Vec<&'static str>> = vec![Vec::new(); CUE_KINDS.len()];
    for row in table::NUMBERS.rows()? {
        let kind = CUE_KINDS
            .iter()
            .position(|k| *k == row.get(0))
            .ok_or_else(|| row.unknown(0, "kind"))?;
        if row.applies(1, lang)? {
            terms[kind].push(row.get(2));
        }
    }
    let terms_of = |kind: &str| {
        CUE_KINDS
            .iter()
            .position(|k| *k == kind)
            .map(|i| terms[i].as_slice())
            .unwrap_or_default()
    };
    let folded_set = |kind: &str| -> WordTable<()> {
        let mut t = WordTable::default();
        for term in terms_of(kind) {
            t.insert(fold(term), ());
        }
        t
    };
    let set = |kind: &str| {
        let mut set = WordSet::new();
        for term in terms_of(kind) {
            set.insert(term, ());
        }
        set
    };
    Ok(LangData {
        words,
        months: set("month"),
        weekdays: set("weekday"),
        ordinals: folded_set("ordinal"),
        suffixes: folded_set("suffix"),
        identifiers: set("identifier"),
        short_identifiers: set("short_identifier"),
        time: set("time"),
        fraction: set("fraction"),
        ratio: set("ratio"),
        between: set("between"),
        and: set("and"),
        to: set("to"),
        or: set("or"),
        from: set("from"),
        change: set("change"),
        since: set("since"),
    })
}

static EN: LazyLock<LangData> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<LangData> = LazyLock::new(|| table::built(load(Lang::Es)));

fn data(lang: Lang) -> &'static LangData {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// Reads a run of digits and separators (`1,234.5`, `1.234,5`, `1 234,5`, `22.500`).
///
/// Returns `None` when the groups do not form a number (`22.08.2016`, `1,23,4`).
pub fn parse_digits(raw: &str, lang: Lang) -> Option<f64> {
    let mut groups: Vec<&str> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let mut last = 0;
    for (i, c) in raw.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        groups.push(&raw[last..i]);
        seps.push(if c == '.' || c == ',' { c } else { ' ' });
        last = i + c.len_utf8();
    }
    groups.push(&raw[last..]);
    if groups.iter().any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    if seps.is_empty() {
        return raw.parse::<f64>().ok();
    }
    let n = seps.len();
    let last_sep = seps[n - 1];
    let count = |c: char| seps.iter().filter(|&&s| s == c).count();
    let has_space = count(' ') > 0;
    // Which separator (by position) is the decimal one, if any.
    let decimal_at: Option<usize> = if last_sep == ' ' {
        None
    } else if count('.') > 0 && count(',') > 0 {
        // Both kinds: the last one is the decimal separator and appears once.
        if count(last_sep) != 1 {
            return None;
        }
        Some(n - 1)
    } else if count(last_sep) > 1 {
        None
    } else if has_space {
        Some(n - 1)
    } else {
        // One separator, once: three digits after it and a short non-zero head read as thousands,
        // except a point in English text.
        let head = groups[0];
        let thousands_shape = groups[1].len() == 3 && head.len() <= 3 && head != "0";
        let thousands = thousands_shape && (last_sep == ',' || lang == Lang::Es);
        if thousands { None } else { Some(0) }
    };
    let int_groups = decimal_at.unwrap_or(n) + 1;
    // Thousands groups: a head of 1-3 digits, then groups of exactly 3.
    if int_groups > 1 {
        let head = groups[0];
        if head.len() > 3 || (head.starts_with('0') && head.len() > 1) {
            return None;
        }
        if groups[1..int_groups].iter().any(|g| g.len() != 3) {
            return None;
        }
        // The thousands separators must all be of one kind.
        let tsep = seps[0];
        if seps[..int_groups - 1].iter().any(|&s| s != tsep) {
            return None;
        }
    }
    let mut s = String::with_capacity(raw.len());
    for g in &groups[..int_groups] {
        s.push_str(g);
    }
    if decimal_at.is_some() {
        s.push('.');
        s.push_str(groups[int_groups]);
    }
    s.parse::<f64>().ok()
}

/// Every number in `text`, classified, with byte and code-point offsets.
pub fn scan(text: &str, lang: Lang) -> Vec<Number> {
    let toks = Tokens::new(text);
    let mut nums = scan_tokens(&toks, lang);
    set_char_offsets(text, &mut nums);
    nums
}

/// The quantities of `text` (numbers that can be statistics), ranges merged.
pub fn find(text: &str, lang: Lang) -> Vec<Number> {
    let mut nums = scan(text, lang);
    nums.retain(|n| n.kind == NumberKind::Quantity);
    nums
}

/// Fills `char_start`/`char_end` from the byte offsets in one pass over the text.
pub fn set_char_offsets(text: &str, nums: &mut [Number]) {
    let mut marks: Vec<(usize, usize, bool)> = Vec::with_capacity(nums.len() * 2);
    for (k, n) in nums.iter().enumerate() {
        marks.push((n.start, k, true));
        marks.push((n.end, k, false));
    }
    marks.sort_unstable();
    let mut chars = 0;
    let mut pos = 0;
    for (byte, k, is_start) in marks {
        let byte = byte.min(text.len());
        if byte > pos {
            chars += text.get(pos..byte).map_or(0, |s| s.chars().count());
            pos = byte;
        }
        if is_start {
            nums[k].char_start = chars;
        } else {
            nums[k].char_end = chars;
        }
    }
}

/// Every number in a tokenized text (char offsets left at 0).
pub fn scan_tokens(toks: &Tokens<'_>, lang: Lang) -> Vec<Number> {
    scan_tokens_with(toks, lang, lang)
}

/// Like `scan_tokens`, with digits written by the conventions of `digits` (a text in one
/// language that writes its numbers the other way).
pub fn scan_tokens_with(toks: &Tokens<'_>, lang: Lang, digits: Lang) -> Vec<Number> {
    let d = data(lang);
    let mut items: Vec<Number> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks.is_number(i) {
            i = read_digits(toks, i, d, (lang, digits), &mut items);
        } else if toks.is_word(i) {
            match read_words(toks, i, d, digits) {
                Some(next) => {
                    i = next.end_tok;
                    items.push(next);
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    for k in 0..items.len() {
        classify(toks, d, lang, &mut items, k);
    }
    mark_ratios(toks, d, &mut items);
    pair(toks, d, items)
}

fn new_number(toks: &Tokens<'_>, kind: NumberKind, value: f64, first: usize, end: usize) -> Number {
    Number {
        kind,
        value: Quantity::Point(value),
        start: toks.start(first),
        end: toks.end(end.saturating_sub(1).max(first)),
        char_start: 0,
        char_end: 0,
        first_tok: first,
        end_tok: end,
        words: false,
        scale: 1.0,
        change_from: false,
        change_to: false,
        plain: false,
        hyphen_next: false,
        out_of: None,
    }
}

fn is_hyphen(toks: &Tokens<'_>, i: usize) -> bool {
    toks.is_punct(i, "-") || toks.is_punct(i, "–") || toks.is_punct(i, "—")
}

/// Whether a currency symbol sits right before token `i` ("$5m", "€2bn").
fn money_symbol_before(toks: &Tokens<'_>, i: usize) -> bool {
    i > 0 && ["$", "€", "£"].iter().any(|s| toks.is_punct(i - 1, s))
}

/// Reads scale words after a number starting at token `j`: (multiplier, next token).
fn read_scale(toks: &Tokens<'_>, j: usize, d: &LangData, money: bool) -> (f64, usize) {
    let mut s = 1.0;
    let mut k = j;
    while toks.is_word(k) {
        let w = toks.norm(k);
        if let Some(&(v, WordKind::Scale)) = d.words.get(w) {
            s *= v;
            k += 1;
            continue;
        }
        if k == j && toks.attached(k) && (w == "k" || (money && w == "m")) {
            s *= if w == "k" { 1e3 } else { 1e6 };
            k += 1;
            continue;
        }
        break;
    }
    (s, k)
}

/// `langs`: the language of the text, and the one whose conventions its digits follow.
fn read_digits(toks: &Tokens<'_>, i: usize, d: &LangData, langs: (Lang, Lang), items: &mut Vec<Number>) -> usize {
    let (lang, digits) = langs;
    let attached = |k: usize| toks.attached(k);
    // Clock times: 7:15, 7:15:30.
    if toks.is_punct(i + 1, ":") && attached(i + 1) && toks.is_number(i + 2) && attached(i + 2) {
        let mut e = i + 3;
        if toks.is_punct(e, ":") && attached(e) && toks.is_number(e + 1) && attached(e + 1) {
            e += 2;
        }
        items.push(new_number(toks, NumberKind::Time, 0.0, i, e));
        return e;
    }
    // A rate written with a slash: "49.9/100,000".
    if toks.is_punct(i + 1, "/")
        && attached(i + 1)
        && toks.is_number(i + 2)
        && attached(i + 2)
        && !(toks.is_punct(i + 3, "/") && attached(i + 3))
        && let (Some(v), Some(base)) = (parse_digits(toks.raw(i), digits), parse_digits(toks.raw(i + 2), digits))
        && RATE_BASES.contains(&base)
    {
        let mut n = new_number(toks, NumberKind::Quantity, v, i, i + 3);
        n.out_of = Some(base);
        items.push(n);
        return i + 3;
    }
    // Dates and fractions with slashes: 22/08/2016, 2/3.
    if toks.is_punct(i + 1, "/") && attached(i + 1) && toks.is_number(i + 2) && attached(i + 2) {
        let mut e = i + 3;
        while toks.is_punct(e, "/") && attached(e) && toks.is_number(e + 1) && attached(e + 1) {
            e += 2;
        }
        items.push(new_number(toks, NumberKind::Fraction, 0.0, i, e));
        return e;
    }
    // Numbers joined by hyphens without spaces: a range (300-500) or a code (01-555-0199).
    let mut parts = vec![i];
    let mut e = i + 1;
    while is_hyphen(toks, e) && attached(e) && toks.is_number(e + 1) && attached(e + 1) {
        parts.push(e + 1);
        e += 2;
    }
    let prev_word_attached = attached(i) && toks.is_word(i - 1) && !units::is_currency_code(toks.raw(i - 1));
    let prev_word_hyphen = attached(i) && i >= 2 && is_hyphen(toks, i - 1) && attached(i - 1) && toks.is_word(i - 2);
    // "+51 1 ...": a phone number; "+5%" is a change, not an identifier.
    let phone_plus = i > 0 && toks.is_punct(i - 1, "+") && toks.raw(i).len() >= 2 && (toks.is_number(e) || toks.raw(i).len() >= 6);
    let prev_symbol = attached(i) && (toks.is_punct(i - 1, "#") || phone_plus || toks.is_punct(i - 1, "."));
    let prev_slash = attached(i) && toks.is_punct(i - 1, "/") && i >= 2 && toks.is_number(i - 2);
    if parts.len() >= 3 || prev_word_attached || prev_word_hyphen || prev_slash || (prev_symbol && !is_sol_symbol(toks, i)) {
        let mut end = e;
        while attached(end) && (toks.is_word(end) || toks.is_number(end)) {
            end += 1;
        }
        items.push(new_number(toks, NumberKind::Identifier, 0.0, i, end));
        return end;
    }
    // Letters written right after the digits.
    if toks.is_word(e) && attached(e) {
        let w = toks.norm(e);
        if parts.len() == 1 && d.ordinals.contains(w) {
            items.push(new_number(toks, NumberKind::Ordinal, 0.0, i, e + 1));
            return e + 1;
        }
        // "500g" is grams, "5G" a network.
        let grams = w == "g" && parse_digits(toks.raw(i), digits).is_some_and(|v| v >= 10.0);
        if !d.suffixes.contains(w) && !d.words.contains(w) && !grams {
            let mut end = e + 1;
            while attached(end) && (toks.is_word(end) || toks.is_number(end)) {
                end += 1;
            }
            items.push(new_number(toks, NumberKind::Identifier, 0.0, i, end));
            return end;
        }
    }
    if ["°", "º", "ª"].iter().any(|p| toks.is_punct(e, p)) && attached(e) {
        items.push(new_number(toks, NumberKind::Ordinal, 0.0, i, e + 1));
        return e + 1;
    }
    let money = money_symbol_before(toks, i);
    for (pi, &p) in parts.iter().enumerate() {
        let raw = toks.raw(p);
        let is_last = pi + 1 == parts.len();
        let parsed = parse_digits(raw, digits);
        let leading_zero = raw.len() > 1 && raw.starts_with('0') && raw.as_bytes()[1].is_ascii_digit();
        let plain = raw.bytes().all(|b| b.is_ascii_digit());
        let Some(value) = parsed.filter(|_| !leading_zero) else {
            let mut n = new_number(toks, NumberKind::Identifier, 0.0, p, p + 1);
            n.hyphen_next = !is_last;
            items.push(n);
            continue;
        };
        let (mut scale, mut end) = if is_last { read_scale(toks, p + 1, d, money) } else { (1.0, p + 1) };
        let mut value = value * scale;
        if let Some((v, e, s)) = compound_tail(toks, end, scale, value, d, digits) {
            (value, end, scale) = (v, e, s);
        }
        let mut n = new_number(toks, NumberKind::Quantity, value, p, end);
        n.scale = scale;
        n.plain = plain && scale == 1.0;
        n.hyphen_next = !is_last;
        if plain && raw.len() >= 7 && scale == 1.0 && !units::starts_unit(toks, end, lang) {
            n.kind = NumberKind::Identifier;
        }
        items.push(n);
    }
    items.last().map_or(e, |n| n.end_tok.max(e))
}

/// Mexican and Central American writing splits a number around its scale words: "20 mil 525"
/// is 20525, "118 mil 240.6 millones" is 118240.6 million, "3 mil 218 millones 740 mil" is
/// 3218740000. Given a number worth `value` whose last scale word was `last`, ending before
/// token `end`, reads the groups that continue it: (value, end token, largest scale).
fn compound_tail(toks: &Tokens<'_>, end: usize, last: f64, value: f64, d: &LangData, lang: Lang) -> Option<(f64, usize, f64)> {
    let (mut value, mut end, mut last) = (value, end, last);
    let mut largest = last;
    let mut read = false;
    while last >= 1e3 && toks.is_number(end) && !toks.attached(end) {
        let raw = toks.raw(end);
        let head = raw.split(['.', ',']).next().unwrap_or(raw);
        let Some(tail) = parse_digits(raw, lang).filter(|&v| v < 1000.0 && head.len() <= 3) else {
            break;
        };
        // "mil 5-10", "mil 20:30", "mil 3/4": the digits belong to something else.
        let next = end + 1;
        if toks.attached(next) && (is_hyphen(toks, next) || toks.is_punct(next, ":") || toks.is_punct(next, "/")) {
            break;
        }
        let (s2, e2) = read_scale(toks, next, d, false);
        let whole = tail.fract() == 0.0;
        if s2 > last && value < s2 {
            value = (value + tail) * s2;
        } else if s2 > 1.0 && s2 < last && whole {
            value += tail * s2;
        } else if s2 == 1.0 && last == 1e3 && whole {
            value += tail;
        } else {
            break;
        }
        (end, last, read) = (e2, s2, true);
        largest = largest.max(s2);
    }
    read.then_some((value, end, largest))
}

/// "S/.35": the point belongs to the Peruvian sol symbol, not to an identifier.
fn is_sol_symbol(toks: &Tokens<'_>, i: usize) -> bool {
    i >= 3 && toks.is_punct(i - 1, ".") && toks.is_punct(i - 2, "/") && toks.raw(i - 3) == "S"
}

fn word_info(toks: &Tokens<'_>, i: usize, d: &LangData) -> Option<(f64, WordKind)> {
    if !toks.is_word(i) {
        return None;
    }
    d.words.get_tok(toks, i).copied()
}

/// Reads a number written in words starting at token `i`.
/// `digits`: the conventions of the digits that may continue the number.
fn read_words(toks: &Tokens<'_>, i: usize, d: &LangData, digits: Lang) -> Option<Number> {
    // Most words are no number word and begin none of the phrases below: one lookup turns
    // them away.
    let info = word_info(toks, i, d);
    if info.is_none() && !matches!(toks.norm(i), "medio" | "half" | "un" | "una") {
        return None;
    }
    // "medio millón", "half a million": half of a scale word.
    let half = match (toks.norm(i), toks.norm(i + 1), toks.norm(i + 2)) {
        ("medio", s, _) => d
            .words
            .get(s)
            .filter(|w| w.1 == WordKind::Scale && w.0 >= 1e6)
            .map(|w| (w.0, i + 2)),
        ("half", "a", s) => d
            .words
            .get(s)
            .filter(|w| w.1 == WordKind::Scale && w.0 >= 1e6)
            .map(|w| (w.0, i + 3)),
        _ => None,
    };
    if let Some((scale, end)) = half {
        let mut n = new_number(toks, NumberKind::Quantity, scale / 2.0, i, end);
        n.words = true;
        n.scale = scale;
        return Some(n);
    }
    // "one and a half", "two and a half": the half belongs to the number.
    if let Some((v, WordKind::One | WordKind::Unit)) = info
        && (toks.norm(i + 1), toks.norm(i + 2), toks.norm(i + 3)) == ("and", "a", "half")
    {
        let mut n = new_number(toks, NumberKind::Quantity, v + 0.5, i, i + 4);
        n.words = true;
        return Some(n);
    }
    // "una tonelada y media": the article is the one unit the half is added to.
    if matches!(toks.norm(i), "un" | "una")
        && toks.is_word(i + 1)
        && toks.norm(i + 2) == "y"
        && matches!(toks.norm(i + 3), "medio" | "media")
    {
        let mut n = new_number(toks, NumberKind::Quantity, 1.0, i, i + 1);
        n.words = true;
        return Some(n);
    }
    // "el Centro de Estudios Nacionales (Cien)": a number word capitalised
    // inside a sentence is a name.
    if toks.is_capitalized(i)
        && i > 0
        && !toks.is_punct(i - 1, ".")
        && !toks.is_punct(i - 1, "\"")
        && !toks.is_punct(i - 1, "“")
        && !toks.is_punct(i - 1, ":")
    {
        return None;
    }
    let (_, k0) = info?;
    let next_is_multiplier = |j: usize| matches!(word_info(toks, j, d), Some((_, WordKind::Scale | WordKind::Hundred)));
    match k0 {
        WordKind::One if !next_is_multiplier(i + 1) => {
            // English "one" before a noun counts ("one police officer", "one year"); "a", "un",
            // "una" are articles, and "one of", "no one", "one another" are not amounts.
            let uno_de_cada = matches!(toks.norm(i), "uno" | "una") && toks.norm(i + 1) == "de" && toks.norm(i + 2) == "cada";
            if !uno_de_cada && (toks.norm(i) != "one" || !one_counts(toks, i)) {
                return None;
            }
            let mut n = new_number(toks, NumberKind::Quantity, 1.0, i, i + 1);
            n.words = true;
            return Some(n);
        }
        WordKind::Hundred => return None,
        WordKind::Scale if toks.norm(i) != "mil" => return None,
        _ => {}
    }
    let mut total = 0.0_f64;
    let mut current = 0.0_f64;
    let mut top_scale = 0.0_f64;
    let mut max_scale = 1.0_f64;
    let mut last_scale = 1.0_f64;
    let mut last: Option<WordKind> = None;
    let mut j = i;
    let mut end = i;
    loop {
        if let Some((v, k)) = word_info(toks, j, d) {
            let ok = match k {
                WordKind::One => matches!(last, None | Some(WordKind::Scale)) && next_is_multiplier(j + 1) || last == Some(WordKind::Tens),
                WordKind::Unit => matches!(
                    last,
                    None | Some(WordKind::Tens | WordKind::Hundred | WordKind::Hundreds | WordKind::Scale)
                ),
                WordKind::Teen | WordKind::Tens => matches!(last, None | Some(WordKind::Hundred | WordKind::Hundreds | WordKind::Scale)),
                WordKind::Hundreds => matches!(last, None | Some(WordKind::Scale)),
                WordKind::Hundred => matches!(last, Some(WordKind::One | WordKind::Unit | WordKind::Teen | WordKind::Tens)),
                WordKind::Scale => last.is_some() || toks.norm(j) == "mil",
            };
            // Words in one number touch only through a hyphen, "and"/"y", or a space.
            if !ok {
                break;
            }
            match k {
                WordKind::One | WordKind::Unit | WordKind::Teen | WordKind::Tens | WordKind::Hundreds => current += v,
                WordKind::Hundred => current = current.max(1.0) * v,
                WordKind::Scale => {
                    let c = if current == 0.0 && total == 0.0 { 1.0 } else { current };
                    if v > top_scale {
                        total = (total + c) * v;
                        top_scale = v;
                    } else {
                        total += c * v;
                    }
                    current = 0.0;
                    max_scale = max_scale.max(v);
                    last_scale = v;
                }
            }
            last = Some(k);
            j += 1;
            end = j;
            continue;
        }
        // Connectors inside a number: twenty-five, one hundred and five, treinta y cinco.
        let next = word_info(toks, j + 1, d).map(|(_, k)| k);
        let joins = if is_hyphen(toks, j) && toks.attached(j) && toks.attached(j + 1) {
            matches!(last, Some(WordKind::Tens)) && matches!(next, Some(WordKind::Unit | WordKind::One))
        } else if toks.norm(j) == "and" {
            matches!(last, Some(WordKind::Hundred | WordKind::Scale))
                && matches!(next, Some(WordKind::Unit | WordKind::Teen | WordKind::Tens))
        } else if toks.norm(j) == "y" {
            matches!(last, Some(WordKind::Tens)) && matches!(next, Some(WordKind::Unit | WordKind::One))
        } else {
            false
        };
        if !joins {
            break;
        }
        j += 1;
    }
    if end == i || (end == i + 1 && last == Some(WordKind::One)) {
        return None;
    }
    let value = total + current;
    if value <= 0.0 {
        return None;
    }
    let (mut value, mut end, mut max_scale) = (value, end, max_scale);
    if last == Some(WordKind::Scale)
        && let Some((v, e, s)) = compound_tail(toks, end, last_scale, value, d, digits)
    {
        (value, end, max_scale) = (v, e, max_scale.max(s));
    }
    let mut n = new_number(toks, NumberKind::Quantity, value, i, end);
    n.words = true;
    n.scale = max_scale;
    // "two-thirds", "dos tercios", "eight times", "tres veces".
    let after = if is_hyphen(toks, end) && toks.attached(end) { end + 1 } else { end };
    if let Some(m) = d.fraction.longest_at(toks, after)
        && (after == end || toks.attached(after))
    {
        n.kind = NumberKind::Fraction;
        n.end_tok = m.end;
        n.end = toks.end(m.end - 1);
    }
    Some(n)
}

/// Whether English "one" at token `i` is a count: a noun follows, and it is not an idiom.
fn one_counts(toks: &Tokens<'_>, i: usize) -> bool {
    const NOT_AFTER: [&str; 12] = [
        "no", "any", "every", "the", "this", "that", "which", "each", "someone", "anyone", "everyone", "such",
    ];
    const NOT_BEFORE: [&str; 37] = [
        "every", "each", "per", "of", "another", "by", "day", "time", "times", "way", "thing", "reason", "point", "side", "hand", "such",
        "more", "or", "and", "who", "that", "which", "in", "is", "was", "has", "had", "would", "could", "will", "can", "to", "for", "at",
        "on", "the", "a",
    ];
    if i > 0 && NOT_AFTER.contains(&toks.norm(i - 1)) {
        return false;
    }
    // "one in five", "one out of ten": read it, so that the ratio is seen as a whole.
    let ratio_at = match (toks.norm(i + 1), toks.norm(i + 2)) {
        ("in", _) => Some(i + 2),
        ("out", "of") => Some(i + 3),
        _ => None,
    };
    if let Some(j) = ratio_at {
        return toks.is_number(j) || (toks.is_word(j) && data(Lang::En).words.get_tok(toks, j).is_some());
    }
    if is_hyphen(toks, i + 1) {
        return false;
    }
    toks.is_word(i + 1) && !NOT_BEFORE.contains(&toks.norm(i + 1)) && !toks.is_capitalized(i + 1)
}

/// Whether a plain four-digit value looks like a year.
fn year_like(v: f64) -> bool {
    (1800.0..=2100.0).contains(&v) && v.fract() == 0.0
}

/// Sets the kind of `items[k]` from its neighbours: year, date, time, identifier, fraction.
fn classify(toks: &Tokens<'_>, d: &LangData, lang: Lang, items: &mut [Number], k: usize) {
    let n = &items[k];
    if n.kind != NumberKind::Quantity {
        return;
    }
    let (first, end) = (n.first_tok, n.end_tok);
    let v = n.value.high();
    // "junio (1890), julio (2045)": a count in brackets after a month is no year.
    // "71.3 por ciento (1974)": the count behind a percentage.
    let bracketed = first >= 2 && toks.is_punct(first - 1, "(") && toks.is_punct(end, ")");
    let after_month = bracketed
        && (d.months.longest_at(toks, first - 2).is_some()
            || toks.is_number(first - 2)
            || matches!(toks.norm(first - 2), "%" | "ciento" | "percent" | "cent"));
    // "se registraron 1974 homicidios": a plural noun right after a bare four-digit number
    // is what it counts ("in 2023 murders rose", "the 2023 murders" keep their year).
    let counts_noun = toks.is_word(end)
        && !is_month(toks, d, first.saturating_sub(1))
        && !toks.is_capitalized(end)
        && toks.norm(end).len() >= 4
        && toks.norm(end).ends_with('s')
        && !(first > 0
            && matches!(
                toks.norm(first - 1),
                "in" | "en"
                    | "de"
                    | "del"
                    | "el"
                    | "la"
                    | "los"
                    | "las"
                    | "the"
                    | "of"
                    | "since"
                    | "desde"
                    | "hasta"
                    | "for"
                    | "para"
                    | "a"
                    | "al"
                    | "year"
                    | "ano"
            ));
    let kind = if !n.words && n.plain && toks.raw(first).len() == 4 && year_like(v) {
        if units::starts_unit(toks, end, lang) || units::currency_before(toks, first).is_some() || after_month || counts_noun {
            NumberKind::Quantity
        } else {
            NumberKind::Year
        }
    } else if !n.words && is_date(toks, d, first, end, v) {
        NumberKind::Date
    } else if is_time(toks, d, first, end, v) {
        NumberKind::Time
    } else if !n.words && is_identifier(toks, d, first) {
        NumberKind::Identifier
    } else if d.fraction.longest_at(toks, end).is_some() {
        NumberKind::Fraction
    } else {
        NumberKind::Quantity
    };
    items[k].kind = kind;
}

/// The population bases a rate is written against ("per 100,000", "/1,000").
pub const RATE_BASES: [f64; 4] = [1e3, 1e4, 1e5, 1e6];

/// "1 in 5", "nueve de cada diez": the part is a share of the whole (`out_of`), the whole is
/// not a figure (run after `classify`). A whole of a thousand or more is a rate base, read
/// with its population noun by the unit reader.
fn mark_ratios(toks: &Tokens<'_>, d: &LangData, items: &mut [Number]) {
    for k in 0..items.len().saturating_sub(1) {
        let (a, b) = (&items[k], &items[k + 1]);
        if a.kind == NumberKind::Quantity
            && b.kind == NumberKind::Quantity
            && d.ratio.longest_at(toks, a.end_tok).is_some_and(|m| m.end == b.first_tok)
            && b.value.high() >= a.value.high()
            && b.value.high() < 1e3
            && let Quantity::Point(whole) = b.value
        {
            let (end_tok, end) = (b.end_tok, b.end);
            items[k].out_of = Some(whole);
            items[k].end_tok = end_tok;
            items[k].end = end;
            items[k + 1].kind = NumberKind::Fraction;
        }
    }
}

fn is_month(toks: &Tokens<'_>, d: &LangData, i: usize) -> bool {
    toks.is_word(i)
        && d.months.longest_at(toks, i).is_some()
        && (toks.is_capitalized(i) || !toks.raw(i).is_ascii() || toks.norm(i).len() > 3 && !matches!(toks.norm(i), "may" | "march"))
}

fn is_date(toks: &Tokens<'_>, d: &LangData, first: usize, end: usize, v: f64) -> bool {
    if !(1.0..=31.0).contains(&v) || v.fract() != 0.0 {
        return false;
    }
    let mut j = first;
    if j >= 2 && toks.is_punct(j - 1, ".") {
        j -= 1;
    }
    if j >= 1 && (is_month(toks, d, j - 1) || (toks.is_capitalized(j - 1) && d.weekdays.matches_at(toks, j - 1))) {
        return true;
    }
    if j >= 1 && d.weekdays.matches_at(toks, j - 1) && !toks.raw(j - 1).is_ascii() {
        return true;
    }
    if j >= 1
        && matches!(
            toks.norm(j - 1),
            "lunes" | "martes" | "jueves" | "viernes" | "domingo" | "miercoles" | "sabado"
        )
    {
        return true;
    }
    // "15 ene", "3 feb.": an abbreviated month right after the day, unless it is also a
    // common word written without its point ("15 mar", "may").
    let short_month = |i: usize| {
        toks.is_word(i) && d.months.longest_at(toks, i).is_some() && (toks.is_punct(i + 1, ".") || !matches!(toks.norm(i), "mar" | "may"))
    };
    if is_month(toks, d, end) || short_month(end) {
        return true;
    }
    matches!(toks.norm(end), "de" | "of") && (is_month(toks, d, end + 1) || short_month(end + 1))
}

fn is_time(toks: &Tokens<'_>, d: &LangData, first: usize, end: usize, v: f64) -> bool {
    if v > 24.0 || v.fract() != 0.0 {
        return false;
    }
    if d.time.matches_at(toks, end) {
        // "10 am" / "10am", but "horas"/"hours" only in "a las 10 horas" style.
        let w = toks.norm(end);
        if !matches!(w, "horas" | "hours" | "h" | "hs" | "hrs") || a_las_before(toks, first) {
            return true;
        }
    }
    if a_las_before(toks, first) {
        return !toks.is_word(end) || matches!(toks.norm(end), "y" | "de" | "del" | "horas" | "hrs" | "h");
    }
    false
}

/// "a las", "desde las", "hasta la" before a number: a clock time in Spanish.
fn a_las_before(toks: &Tokens<'_>, first: usize) -> bool {
    first >= 2
        && matches!(toks.norm(first - 1), "las" | "la")
        && matches!(toks.norm(first - 2), "a" | "desde" | "hasta" | "entre" | "sobre" | "pasadas")
}

fn is_identifier(toks: &Tokens<'_>, d: &LangData, first: usize) -> bool {
    let mut j = first;
    let mut skipped = false;
    while j > 0 && (toks.is_punct(j - 1, ".") || toks.is_punct(j - 1, "°") || toks.is_punct(j - 1, ":") || toks.is_punct(j - 1, "#")) {
        j -= 1;
        skipped = true;
        if first - j >= 2 {
            break;
        }
    }
    if j == 0 || !toks.is_word(j - 1) {
        return false;
    }
    let w = j - 1;
    if d.identifiers.longest_at(toks, w).is_some_and(|m| m.end == j) {
        return true;
    }
    let raw = toks.raw(w);
    // "DL 1186", "RM 045": a plain number right after an acronym (not a currency code).
    let acronym = raw.len() >= 2 && raw.len() <= 4 && raw.chars().all(|c| c.is_ascii_uppercase()) && !units::is_currency_code(raw);
    if acronym && j == first && toks.raw(first).bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    d.short_identifiers.longest_at(toks, w).is_some_and(|m| m.end == j) && (skipped || raw == "No" || raw == "Nº" || raw == "N")
}

/// Merges ranges and marks "from X to Y" changes among consecutive quantities.
fn pair(toks: &Tokens<'_>, d: &LangData, items: Vec<Number>) -> Vec<Number> {
    let mut out: Vec<Number> = Vec::with_capacity(items.len());
    let mut it = items.into_iter().peekable();
    while let Some(mut a) = it.next() {
        let Some(b) = it.peek() else {
            out.push(a);
            break;
        };
        if a.hyphen_next {
            let (ak, bk) = (a.kind, b.kind);
            let years = (a.plain && year_like(a.value.high()) && toks.raw(a.first_tok).len() == 4) || bk == NumberKind::Year;
            if years || ak == NumberKind::Date || bk == NumberKind::Date || ak == NumberKind::Year {
                let kind = if years { NumberKind::Year } else { NumberKind::Date };
                a.kind = kind;
                out.push(a);
                if let Some(mut b) = it.next() {
                    b.kind = kind;
                    out.push(b);
                }
                continue;
            }
            // "555-1234": a phone number, not a range.
            // "0-3": a score.
            let phone = (toks.raw(a.first_tok).len() == 3 && toks.raw(b.first_tok).len() == 4 && a.plain && b.plain)
                || toks.raw(a.first_tok) == "0";
            if ak == NumberKind::Quantity && bk == NumberKind::Quantity && !phone {
                let b = it.next().unwrap_or_else(|| a.clone());
                match merge_range(toks, &a, &b, a.first_tok) {
                    Some(r) => out.push(r),
                    None => {
                        // "3-1": a score or a code, not a quantity.
                        a.kind = NumberKind::Identifier;
                        let mut b = b;
                        b.kind = NumberKind::Identifier;
                        out.push(a);
                        out.push(b);
                    }
                }
                continue;
            }
            if phone {
                a.kind = NumberKind::Identifier;
                out.push(a);
                if let Some(mut b) = it.next() {
                    b.kind = NumberKind::Identifier;
                    out.push(b);
                }
                continue;
            }
            out.push(a);
            continue;
        }
        // "del 10 al 15 de mayo", "between May 1 and 15": a day next to a date is a date.
        let linked = b.first_tok == a.end_tok + 1 && (d.to.matches_at(toks, a.end_tok) || d.and.matches_at(toks, a.end_tok));
        if linked && a.kind == NumberKind::Quantity && b.kind == NumberKind::Date && (1.0..=31.0).contains(&a.value.high()) && !a.words {
            a.kind = NumberKind::Date;
        }
        if linked && a.kind == NumberKind::Date && b.kind == NumberKind::Quantity && (1.0..=31.0).contains(&b.value.high()) && !b.words {
            out.push(a);
            if let Some(mut b) = it.next() {
                b.kind = NumberKind::Date;
                out.push(b);
            }
            continue;
        }
        if a.kind != NumberKind::Quantity || b.kind != NumberKind::Quantity || b.first_tok != a.end_tok + 1 {
            out.push(a);
            continue;
        }
        let c = a.end_tok;
        let spaced_dash = is_hyphen(toks, c);
        let between = d.between.longest_ending_at(toks, a.first_tok);
        let from = d.from.longest_ending_at(toks, a.first_tok);
        let range_start = if spaced_dash || d.or.matches_at(toks, c) {
            Some(a.first_tok)
        } else if d.and.matches_at(toks, c) {
            between.map(|m| m.start)
        } else if d.to.matches_at(toks, c) {
            match from {
                Some(m) if change_before(toks, d, m.start) => {
                    a.change_from = true;
                    out.push(a);
                    if let Some(mut b) = it.next() {
                        b.change_to = true;
                        out.push(b);
                    }
                    continue;
                }
                Some(m) => Some(m.start),
                None if toks.norm(c) == "hasta" => None,
                None if toks.norm(a.first_tok.saturating_sub(1)) == "up" => None,
                None => Some(a.first_tok),
            }
        } else {
            None
        };
        if let Some(start) = range_start
            && let Some(r) = merge_range(toks, &a, b, start)
        {
            it.next();
            out.push(r);
            continue;
        }
        out.push(a);
    }
    out
}

/// Whether a word of change comes shortly before token `from` (same sentence part).
fn change_before(toks: &Tokens<'_>, d: &LangData, from: usize) -> bool {
    let lo = from.saturating_sub(8);
    (lo..from)
        .rev()
        .take_while(|&j| !toks.is_punct(j, ".") && !toks.is_punct(j, ";"))
        .any(|j| d.change.matches_at(toks, j))
}

/// One range from two quantities when the first is below the second; the first borrows the
/// second's scale word ("between 2 and 3 million").
fn merge_range(toks: &Tokens<'_>, a: &Number, b: &Number, start: usize) -> Option<Number> {
    let (Quantity::Point(mut lo), Quantity::Point(hi)) = (a.value, b.value) else {
        return None;
    };
    if a.scale == 1.0 && b.scale > 1.0 && lo * b.scale <= hi {
        lo *= b.scale;
    }
    if lo >= hi {
        return None;
    }
    let mut r = new_number(toks, NumberKind::Quantity, 0.0, start, b.end_tok);
    r.value = Quantity::Range(lo, hi);
    r.scale = b.scale;
    r.words = a.words || b.words;
    Some(r)
}

/// Scales a quantity (used by units: tons to kg and the like).
pub fn scale_quantity(q: Quantity, f: f64) -> Quantity {
    q.scaled(f)
}

/// Whether a word of change ("rose", "pasó") comes shortly before token `i`.
pub fn change_word_before(toks: &Tokens<'_>, lang: Lang, i: usize) -> bool {
    change_before(toks, data(lang), i)
}

/// Whether token `i` is a day of the week ("Tuesday", "martes").
pub fn is_weekday_at(toks: &Tokens<'_>, lang: Lang, i: usize) -> bool {
    data(lang).weekdays.matches_at(toks, i)
}

/// Years named in a text that can be the reference year of a figure (not "since 2015").
pub fn is_since(toks: &Tokens<'_>, lang: Lang, first: usize) -> bool {
    data(lang).since.longest_ending_at(toks, first).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, lang: Lang) -> Vec<Quantity> {
        find(text, lang).into_iter().map(|n| n.value).collect()
    }

    fn p(v: f64) -> Quantity {
        Quantity::Point(v)
    }

    #[test]
    fn digit_conventions() {
        assert_eq!(parse_digits("1,234.5", Lang::En), Some(1234.5));
        assert_eq!(parse_digits("1.234,5", Lang::Es), Some(1234.5));
        assert_eq!(parse_digits("1 234,5", Lang::Es), Some(1234.5));
        assert_eq!(parse_digits("22.500", Lang::Es), Some(22500.0));
        assert_eq!(parse_digits("22.500", Lang::En), Some(22.5));
        assert_eq!(parse_digits("22.5", Lang::Es), Some(22.5));
        assert_eq!(parse_digits("8,5", Lang::Es), Some(8.5));
        assert_eq!(parse_digits("3,417", Lang::En), Some(3417.0));
        assert_eq!(parse_digits("3,417", Lang::Es), Some(3417.0));
        assert_eq!(parse_digits("0,125", Lang::Es), Some(0.125));
        assert_eq!(parse_digits("12.345.678", Lang::En), Some(12345678.0));
        assert_eq!(parse_digits("12,345,678.25", Lang::Es), Some(12345678.25));
        assert_eq!(parse_digits("22.08.2016", Lang::Es), None);
        assert_eq!(parse_digits("1,23,4", Lang::En), None);
    }

    #[test]
    fn scale_words_multiply() {
        assert_eq!(values("worth $3.7 billion", Lang::En), vec![p(3.7e9)]);
        assert_eq!(values("unos US$ 4.800 millones", Lang::Es), vec![p(4.8e9)]);
        assert_eq!(values("tres mil millones de pesos", Lang::Es), vec![p(3e9)]);
        assert_eq!(values("un billón de pesos", Lang::Es), vec![p(1e12)]);
        assert_eq!(values("1.2 million soles", Lang::En), vec![p(1.2e6)]);
        assert_eq!(values("100 mil habitantes", Lang::Es), vec![p(1e5)]);
        assert_eq!(values("a $5m fine", Lang::En), vec![p(5e6)]);
    }

    #[test]
    fn number_words_english() {
        assert_eq!(values("seven boats and twenty-five men", Lang::En), vec![p(7.0), p(25.0)]);
        assert_eq!(values("two hundred and forty officers", Lang::En), vec![p(240.0)]);
        assert_eq!(values("a million dollars", Lang::En), vec![p(1e6)]);
        assert_eq!(values("one of the worst, a man, no one else", Lang::En), vec![]);
        assert_eq!(values("killed one police officer", Lang::En), vec![p(1.0)]);
    }

    #[test]
    fn number_words_spanish() {
        assert_eq!(values("cinco tripulantes", Lang::Es), vec![p(5.0)]);
        assert_eq!(values("veintitrés presos", Lang::Es), vec![p(23.0)]);
        assert_eq!(values("noventa y nueve casos", Lang::Es), vec![p(99.0)]);
        assert_eq!(
            values("treinta y una víctimas y doscientas familias", Lang::Es),
            vec![p(31.0), p(200.0)]
        );
        assert_eq!(values("twenty-one boats", Lang::En), vec![p(21.0)]);
        assert_eq!(values("cien mil soles", Lang::Es), vec![p(100000.0)]);
        assert_eq!(values("doscientos cuarenta agentes", Lang::Es), vec![p(240.0)]);
        assert_eq!(values("mil policías", Lang::Es), vec![p(1000.0)]);
        assert_eq!(values("un hombre y una mujer", Lang::Es), vec![]);
    }

    #[test]
    fn ranges() {
        assert_eq!(values("between 250 and 450 tons", Lang::En), vec![Quantity::Range(250.0, 450.0)]);
        assert_eq!(values("entre 120 y 180 familias", Lang::Es), vec![Quantity::Range(120.0, 180.0)]);
        assert_eq!(values("some 300-500 fighters", Lang::En), vec![Quantity::Range(300.0, 500.0)]);
        assert_eq!(values("15 to 20 years", Lang::En), vec![Quantity::Range(15.0, 20.0)]);
        assert_eq!(values("penas de 8 a 12 años", Lang::Es), vec![Quantity::Range(8.0, 12.0)]);
        assert_eq!(values("between 2 and 3 million", Lang::En), vec![Quantity::Range(2e6, 3e6)]);
    }

    #[test]
    fn change_from_to_is_two_figures() {
        let n = find("las denuncias pasaron de 2.000 a 18.000", Lang::Es);
        assert_eq!(n.iter().map(|n| n.value).collect::<Vec<_>>(), vec![p(2000.0), p(18000.0)]);
        assert!(n[0].change_from && n[1].change_to);
        assert_eq!(values("murders fell from 940 to 610", Lang::En), vec![p(940.0), p(610.0)]);
    }

    fn kinds(text: &str, lang: Lang) -> Vec<NumberKind> {
        scan(text, lang).into_iter().map(|n| n.kind).collect()
    }

    #[test]
    fn years_and_dates_are_not_quantities() {
        use NumberKind::*;
        assert_eq!(kinds("in 2014 and 2014-2018", Lang::En), vec![Year, Year, Year]);
        assert_eq!(kinds("on March 3, after 15 de mayo", Lang::En), vec![Date, Quantity]);
        assert_eq!(kinds("el 15 de mayo de 2023", Lang::Es), vec![Date, Year]);
        assert_eq!(kinds("held on October 18-19", Lang::En), vec![Date, Date]);
        assert_eq!(kinds("Aug. 9 and 22/08/2016", Lang::En), vec![Date, Fraction]);
        assert_eq!(kinds("2,014 officers", Lang::En), vec![Quantity]);
    }

    #[test]
    fn times_ordinals_identifiers() {
        use NumberKind::*;
        assert_eq!(kinds("at 7:15 a.m. and 9 pm", Lang::En), vec![Time, Time]);
        assert_eq!(kinds("a las 8 de la noche", Lang::Es), vec![Time]);
        assert_eq!(kinds("the 1st and 3er lugar", Lang::En), vec![Ordinal, Ordinal]);
        assert_eq!(kinds("Ley 30077 y artículo 108", Lang::Es), vec![Identifier, Identifier]);
        assert_eq!(
            kinds("COVID-19, G20, MS-13, 4x4", Lang::En),
            vec![Identifier, Identifier, Identifier, Identifier]
        );
        assert_eq!(kinds("call 911 or 01-555-0199", Lang::En), vec![Identifier, Identifier]);
        assert_eq!(kinds("Law No. 27", Lang::En), vec![Identifier]);
        assert_eq!(kinds("the 1990s", Lang::En), vec![Identifier]);
    }

    #[test]
    fn fractions_and_vague_amounts() {
        use NumberKind::*;
        assert_eq!(kinds("two-thirds and eight times", Lang::En), vec![Fraction, Fraction]);
        assert_eq!(kinds("dos tercios, tres veces", Lang::Es), vec![Fraction, Fraction]);
        // A ratio is a share of its whole; the whole is not a figure.
        for (text, lang, whole) in [
            ("1 in 5 residents", Lang::En, 5.0),
            ("one in five residents", Lang::En, 5.0),
            ("nueve de cada diez", Lang::Es, 10.0),
            ("uno de cada cinco", Lang::Es, 5.0),
        ] {
            let found = scan(text, lang);
            assert_eq!(found.iter().map(|n| n.kind).collect::<Vec<_>>(), [Quantity, Fraction], "{text}");
            assert_eq!(found[0].out_of, Some(whole), "{text}");
        }
        // "49.9/100,000" is a rate; "2/3" stays a fraction.
        assert_eq!(scan("49.9/100,000", Lang::En)[0].out_of, Some(1e5));
        assert_eq!(kinds("2/3", Lang::En), vec![Fraction]);
        assert!(scan("dozens of people, hundreds of families, a few hundred", Lang::En).is_empty());
        assert!(scan("cientos de familias y miles de personas, millones de dólares", Lang::Es).is_empty());
    }

    #[test]
    fn offsets_are_code_points() {
        let text = "Según él, unos 1.245 detenidos";
        let n = find(text, Lang::Es);
        assert_eq!(n.len(), 1);
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[n[0].char_start..n[0].char_end].iter().collect();
        assert_eq!(s, "1.245");
        assert_eq!(&text[n[0].start..n[0].end], "1.245");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Writes `int` with a thousands separator every three digits and `places` decimals.
        fn write(int: u64, dec: u64, places: usize, thousands: char, decimal: char) -> String {
            let digits = int.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(thousands);
                }
                out.push(c);
            }
            if places > 0 {
                out.push(decimal);
                out.push_str(&format!("{dec:0places$}"));
            }
            out
        }

        fn expected(int: u64, dec: u64, places: usize) -> f64 {
            int as f64 + dec as f64 / 10f64.powi(places as i32)
        }

        fn close(a: Option<f64>, b: f64) -> bool {
            a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
        }

        proptest! {
            #[test]
            fn english_convention_reads_back(int in 0u64..100_000_000_000, dec in 0u64..100, places in 0usize..3) {
                let dec = dec % 10u64.pow(places as u32);
                let s = write(int, dec, places, ',', '.');
                prop_assert!(close(parse_digits(&s, Lang::En), expected(int, dec, places)), "{}", s);
            }

            #[test]
            fn spanish_convention_reads_back(int in 0u64..100_000_000_000, dec in 0u64..100, places in 0usize..3, space in any::<bool>()) {
                let dec = dec % 10u64.pow(places as u32);
                let s = write(int, dec, places, if space { ' ' } else { '.' }, ',');
                prop_assert!(close(parse_digits(&s, Lang::Es), expected(int, dec, places)), "{}", s);
                // The same through the scanner, in a sentence.
                let text = format!("Se hallaron {s} kilos.");
                let found = find(&text, Lang::Es);
                prop_assert_eq!(found.len(), 1, "{}", text);
                prop_assert!(close(Some(found[0].value.high()), expected(int, dec, places)), "{}", text);
            }

            #[test]
            fn scanning_never_panics(text in "[0-9.,:/ %$a-zA-Záéñ°\\-]{0,60}") {
                for lang in [Lang::En, Lang::Es] {
                    for n in scan(&text, lang) {
                        prop_assert!(n.start <= n.end && n.end <= text.len());
                        prop_assert!(n.char_start <= n.char_end);
                    }
                }
            }
        }
    }
}

/// Written forms of quantities in both languages, read through the whole statistics reader:
/// (language, sentence, value or (low, high), unit).
#[cfg(test)]
mod forms {
    use super::super::{Lang, sentences, stats};

    enum V {
        P(f64),
        R(f64, f64),
    }
    use V::{P, R};

    const EN: Lang = Lang::En;
    const ES: Lang = Lang::Es;

    #[rustfmt::skip]
    const FORMS: &[(Lang, &str, V, &str)] = &[
        // Digits and separators.
        (EN, "Police arrested 1,245 suspects.", P(1245.0), "count"),
        (EN, "The agency counted 12,345,678 visits.", P(12345678.0), "count"),
        (EN, "Inspectors found 3.5 tons of cocaine.", P(3500.0), "kg"),
        (EN, "Officers seized 0.75 kilograms of heroin.", P(0.75), "kg"),
        (ES, "La policía detuvo a 1.245 sospechosos.", P(1245.0), "count"),
        (ES, "Se decomisaron 8,5 toneladas de cocaína.", P(8500.0), "kg"),
        (ES, "El censo registró 1 234 reclusos.", P(1234.0), "count"),
        (ES, "Hallaron 2.300 kilos de marihuana.", P(2300.0), "kg"),
        (ES, "Se erradicaron 18.500 hectáreas de coca.", P(18500.0), "hectare"),
        (EN, "Farmers planted 95,008 hectares of coca.", P(95008.0), "hectare"),
        // Scale words.
        (EN, "The ministry spent $2.6 billion on prisons.", P(2.6e9), "USD"),
        (EN, "The fund lost 4 million dollars.", P(4e6), "USD"),
        (EN, "Gangs extorted 300 thousand dollars.", P(3e5), "USD"),
        (EN, "Traffickers moved $5m through the port.", P(5e6), "USD"),
        (EN, "The budget reached $1.2bn this year.", P(1.2e9), "USD"),
        (ES, "El presupuesto fue de 3 mil millones de dólares.", P(3e9), "USD"),
        (ES, "Se asignaron 600 millones de quetzales a la policía.", P(6e8), "GTQ"),
        (ES, "La banda movió 1,2 millones de soles.", P(1.2e6), "PEN"),
        (ES, "La deuda llegó a 4 billones de pesos colombianos.", P(4e12), "COP"),
        (ES, "Incautaron 120 mil dólares en efectivo.", P(120000.0), "USD"),
        // Compound numerals.
        (ES, "Se registraron 20 mil 525 homicidios en el año.", P(20525.0), "count"),
        (ES, "Hubo mil 229 secuestros.", P(1229.0), "count"),
        (ES, "El Congreso aprobó Q5 mil 476 millones para seguridad.", P(5476e6), "GTQ"),
        (ES, "Los daños sumaron 2 millones 300 mil pesos mexicanos.", P(2300000.0), "MXN"),
        (ES, "Se ejercieron 118 mil 240.6 millones de pesos mexicanos.", P(118240.6e6), "MXN"),
        (ES, "El ministerio recibió Q3 mil 218 millones 740 mil este año.", P(3218740000.0), "GTQ"),
        (ES, "La multa fue de 7 millones 412 mil 380 pesos mexicanos.", P(7412380.0), "MXN"),
        (ES, "Se contaron 6 mil 040 millones de pesos mexicanos.", P(6040e6), "MXN"),
        (EN, "The state spent 212 thousand 318 million pesos on security in Mexico.", P(212318e6), "MXN"),
        (ES, "Son 4 mil 318 pesos mexicanos por persona.", P(4318.0), "MXN"),
        // Number words.
        (EN, "Gunmen killed five police officers.", P(5.0), "count"),
        (EN, "Twenty-five inmates escaped.", P(25.0), "count"),
        (EN, "Officers detained one hundred and five people.", P(105.0), "count"),
        (EN, "Guards found two thousand rounds of ammunition.", P(2000.0), "count"),
        (EN, "Half a million people fled the violence.", P(5e5), "count"),
        (EN, "Agents seized one and a half tons of cocaine.", P(1500.0), "kg"),
        (EN, "Police found two and a half kilograms of heroin.", P(2.5), "kg"),
        (ES, "Murieron cinco tripulantes.", P(5.0), "count"),
        (ES, "Se fugaron treinta y cinco reos.", P(35.0), "count"),
        (ES, "Llegaron veinte mil quinientos migrantes.", P(20500.0), "count"),
        (ES, "Se incautó una tonelada y media de cocaína.", P(1500.0), "kg"),
        (ES, "Se hallaron dos toneladas y media de marihuana.", P(2500.0), "kg"),
        (ES, "Medio millón de personas fueron desplazadas.", P(5e5), "count"),
        (ES, "Hubo cien mil denuncias.", P(1e5), "count"),
        (ES, "Se detuvo a doscientas cuarenta personas.", P(240.0), "count"),
        // Percentages.
        (EN, "Homicides fell 12 percent.", P(12.0), "percent"),
        (EN, "Theft rose 12% last month.", P(12.0), "percent"),
        (EN, "Robberies rose 7 per cent.", P(7.0), "percent"),
        (EN, "Clearance stood at 56.6 pct.", P(56.6), "percent"),
        (EN, "Some 90 percent of the cocaine came by sea.", P(90.0), "percent"),
        (ES, "El 56,6 % de los presos no tiene condena.", P(56.6), "percent"),
        (ES, "Los robos subieron un 12,5 por ciento.", P(12.5), "percent"),
        (ES, "Los hurtos bajaron un 7 por cien.", P(7.0), "percent"),
        (ES, "La ocupación llegó al 57%.", P(57.0), "percent"),
        (ES, "Cuatro de cada 10 víctimas eran mujeres.", P(40.0), "percent"),
        (ES, "Uno de cada cinco secuestros ocurre en la capital.", P(20.0), "percent"),
        (EN, "Three out of ten inmates have no sentence.", P(30.0), "percent"),
        (EN, "12 of every 100 detainees were women.", P(12.0), "percent"),
        (EN, "One in five residents was robbed.", P(20.0), "percent"),
        (ES, "La tasa cayó 3,1 puntos porcentuales.", P(3.1), "percent"),
        // Rates.
        (EN, "The rate was 7 per 100,000 inhabitants.", P(7.0), "per_100k"),
        (EN, "The homicide rate reached 49.9/100,000 in the state.", P(49.9), "per_100k"),
        (EN, "There were 12 murders per 1,000 residents.", P(1200.0), "per_100k"),
        (EN, "The country has a homicide rate of 83.", P(83.0), "per_100k"),
        (EN, "The city had a homicide rate per 100,000 inhabitants of 65.55.", P(65.55), "per_100k"),
        (EN, "There is one police officer for every 2,400 inhabitants.", P(100000.0 / 2400.0), "per_100k"),
        (EN, "There were 6.2 deaths for each group of 100 thousand inhabitants.", P(6.2), "per_100k"),
        (ES, "La tasa fue de 25,7 por cada 100.000 habitantes.", P(25.7), "per_100k"),
        (ES, "Hubo 45,3 homicidios por cada cien mil habitantes.", P(45.3), "per_100k"),
        (ES, "El país cerró con una tasa de homicidios de 45,3.", P(45.3), "per_100k"),
        (ES, "Se registraron 8 muertes por cada mil habitantes.", P(800.0), "per_100k"),
        (ES, "La tasa de homicidios se ubicó en 9,82 al cierre del año.", P(9.82), "per_100k"),
        // Money symbols and codes, before and after.
        (EN, "The gang demanded $500 from each shop.", P(500.0), "USD"),
        (EN, "Bail was set at US$ 200,000.", P(200000.0), "USD"),
        (EN, "The mayor received USD 5 million.", P(5e6), "USD"),
        (EN, "The fine was 5 million USD.", P(5e6), "USD"),
        (EN, "Police found 1,200 € in the car.", P(1200.0), "EUR"),
        (EN, "The deal was worth €3 million.", P(3e6), "EUR"),
        (EN, "Each bribe was 500 $ in cash.", P(500.0), "USD"),
        (EN, "The cartel paid MXN$ 15 million to officials.", P(15e6), "MXN"),
        (EN, "Tickets cost Mex$ 200 each.", P(200.0), "MXN"),
        (EN, "The thief took 3 dollars 50 cents.", P(3.5), "USD"),
        (EN, "Fines of 2 dollars and 25 cents were issued.", P(2.25), "USD"),
        (EN, "The stolen goods were worth £40,000.", P(40000.0), "GBP"),
        (EN, "Jamaica's police budget grew by J$ 3 billion.", P(3e9), "JMD"),
        (EN, "Trinidad and Tobago spent TT$ 85 million on the police.", P(85e6), "TTD"),
        (EN, "The operation in Jamaica cost $40 million.", P(40e6), "JMD"),
        (ES, "La policía halló 1.200 € en el coche.", P(1200.0), "EUR"),
        (ES, "Se pagaron 500 $ por cada paquete en Colombia.", P(500.0), "COP"),
        (ES, "El soborno fue de 5 millones de USD.", P(5e6), "USD"),
        (ES, "Recibió USD 2 millones.", P(2e6), "USD"),
        (ES, "Pagaron US$ 3 millones.", P(3e6), "USD"),
        (ES, "Se decomisaron S/ 4,5 millones.", P(4.5e6), "PEN"),
        (ES, "La multa fue de S/. 35 mil.", P(35000.0), "PEN"),
        (ES, "En Colombia la hectárea se paga a $ 6.500.000.", P(6500000.0), "COP"),
        (ES, "En México el decomiso sumó $ 6.500.000.", P(6500000.0), "MXN"),
        (ES, "El robo en Chile fue de $ 800.000.", P(800000.0), "CLP"),
        (ES, "El Gobierno de Honduras destinó 1.730 millones de lempiras.", P(1730e6), "HNL"),
        (ES, "El gasto fue de 15 millones de euros.", P(15e6), "EUR"),
        (ES, "Costó 3 dólares con 50 centavos.", P(3.5), "USD"),
        (ES, "Se pagaron 40 mil pesos dominicanos.", P(40000.0), "DOP"),
        (ES, "Se incautaron RD$ 2 millones.", P(2e6), "DOP"),
        (ES, "La fianza fue de MXN 150 mil.", P(150000.0), "MXN"),
        (ES, "Recibió 200 millones de pesos mexicanos.", P(200e6), "MXN"),
        (ES, "La empresa pagó Bs 1.500.", P(1500.0), "VES"),
        (ES, "El juez fijó una multa de R$ 10 mil en Brasil.", P(10000.0), "BRL"),
        // Mass and area.
        (EN, "Police seized 300 kilograms of cocaine.", P(300.0), "kg"),
        (EN, "Agents found 500 pounds of marijuana.", P(500.0 * 0.45359237), "kg"),
        (EN, "Customs seized 750 grams of heroin.", P(0.75), "kg"),
        (EN, "The navy seized 10 tons of cocaine.", P(10000.0), "kg"),
        (EN, "The army destroyed 2,000 acres of coca.", P(2000.0 * 0.40468564224), "hectare"),
        (ES, "Se incautaron 300 kilogramos de cocaína.", P(300.0), "kg"),
        (ES, "Decomisaron 250 gramos de heroína.", P(0.25), "kg"),
        (ES, "La Marina halló 3 toneladas de cocaína.", P(3000.0), "kg"),
        (ES, "Se erradicaron 1.200 ha de coca.", P(1200.0), "hectare"),
        (ES, "Se sembraron 253 mil hectáreas de coca.", P(253000.0), "hectare"),
        // Durations.
        (EN, "He was sentenced to 25 years in prison.", P(25.0), "years"),
        (EN, "The emergency will last 45 days.", P(45.0), "days"),
        (EN, "The judge ordered 18 months of pretrial detention.", P(18.0), "months"),
        (EN, "He got 5 years and 6 months in prison.", P(5.5), "years"),
        (ES, "Fue condenado a 25 años de prisión.", P(25.0), "years"),
        (ES, "El estado de excepción durará 60 días.", P(60.0), "days"),
        (ES, "Recibió 18 meses de prisión preventiva.", P(18.0), "months"),
        (ES, "La pena fue de 52 años y seis meses de cárcel.", P(52.5), "years"),
        // Ranges.
        (EN, "They grow between 200 and 400 tons a year.", R(200000.0, 400000.0), "kg"),
        (EN, "Sentences range from 10 to 15 years.", R(10.0, 15.0), "years"),
        (EN, "Prices were $500-$5,000 per kilo.", R(500.0, 5000.0), "USD"),
        (ES, "Llegaron entre 150 y 200 familias.", R(150.0, 200.0), "count"),
        (ES, "La pena es de entre 20 y 5 años.", R(5.0, 20.0), "years"),
        (ES, "El costo es entre el 3 % y el 7,5 % del PIB.", R(3.0, 7.5), "percent"),
        (ES, "La ocupación está entre 131% y 118%.", R(118.0, 131.0), "percent"),
        (ES, "Se incautaron de 2 a 3 toneladas.", R(2000.0, 3000.0), "kg"),
        // Lists carry their unit.
        (EN, "Cocaine seizures: 131.1 tons in 2020; in 2019, 103.1.", P(103100.0), "kg"),
        (ES, "La incidencia fue Baja California, 7,1 %; Guerrero, 6,7.", P(6.7), "percent"),
        (EN, "Panama has 12 murders per 100,000 inhabitants, Uruguay 11.", P(11.0), "per_100k"),
        (EN, "Homicide rates per 100,000 residents peaked in Sonora (61.4).", P(61.4), "per_100k"),
        // Counts in real news.
        (EN, "At least 9 police were killed.", P(9.0), "count"),
        (EN, "The gang had 1.6 million members across the region.", P(1.6e6), "count"),
        (ES, "Fueron detenidos 1.245 presuntos extorsionadores.", P(1245.0), "count"),
        (ES, "En Heredia (41) hubo más homicidios.", P(41.0), "count"),
        (ES, "Se registraron 1.974 robos en el año.", P(1974.0), "count"),
        (ES, "Hay 38 mil presos en el país.", P(38000.0), "count"),
        (ES, "El penal alberga a 4 mil 135 personas.", P(4135.0), "count"),
        (EN, "Police received 2,716 extortion reports.", P(2716.0), "count"),
        (EN, "The force recruited 1,500 new officers.", P(1500.0), "count"),
        (ES, "Se instalaron 3,200 cámaras en la capital.", P(3200.0), "count"),
        (EN, "The prison held 2,400 inmates.", P(2400.0), "count"),
        (ES, "Hubo 386 muertes violentas en marzo.", P(386.0), "count"),
        // More everyday forms.
        (EN, "About 40 soldiers patrol the border.", P(40.0), "count"),
        (EN, "Nearly 3,000 families were displaced.", P(3000.0), "count"),
        (EN, "More than 70,000 troops left the army.", P(70000.0), "count"),
        (EN, "Up to 15 tons could be moved each month.", P(15000.0), "kg"),
        (EN, "Murders dropped 17 percent in the district.", P(17.0), "percent"),
        (EN, "Kidnappings fell by 8.4% in May.", P(8.4), "percent"),
        (EN, "Prosecutors seized $2.35 billion in assets.", P(2.35e9), "USD"),
        (ES, "Casi 9 mil agentes fueron desplegados.", P(9000.0), "count"),
        (ES, "Más de 21 mil presos esperan juicio.", P(21000.0), "count"),
        (ES, "Unos 300 kilos de droga fueron quemados.", P(300.0), "kg"),
        (ES, "El homicidio bajó un 11,2 % en el año.", P(11.2), "percent"),
        (ES, "Las denuncias aumentaron en 318 casos.", P(318.0), "count"),
        (ES, "Se destinaron S/9.215 millones al sector.", P(9215e6), "PEN"),
        (ES, "Se incautaron 27,46 toneladas de droga.", P(27460.0), "kg"),
        (ES, "La Fiscalía pidió 40 años de cárcel.", P(40.0), "years"),
    ];

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 1e-6 * b.abs().max(1.0))
    }

    #[test]
    fn written_forms_of_quantities() {
        assert!(FORMS.len() >= 150, "{} forms", FORMS.len());
        let mut wrong = Vec::new();
        for (lang, text, want, unit) in FORMS {
            let found = stats::find(text, &sentences::split(text), *lang);
            let hit = found.iter().any(|s| {
                s.unit == *unit
                    && match want {
                        P(v) => close(s.value, *v),
                        R(lo, hi) => close(s.low, *lo) && close(s.high, *hi),
                    }
            });
            if !hit {
                let got: Vec<_> = found.iter().map(|s| (s.value, s.low, s.high, s.unit.as_str())).collect();
                wrong.push(format!("{text} -> {got:?}"));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {} forms misread:\n{}",
            wrong.len(),
            FORMS.len(),
            wrong.join("\n")
        );
    }
}
