//! Statistics: numbers with their unit, qualifier, topic, year, place and attribution.
//!
//! Each sentence is read on its own. A quantity (see `numbers`) gets the unit written around
//! it; a bare number after "from"/"than"/"compared with" (or the "after" of a change) takes
//! the unit of the figure before it, and the "before" of "from X to Y" takes the unit of Y.
//! Anything else is a count of the noun phrase that follows it.
//!
//! Context: keywords of the topic lexicon go to the figure nearest to them, and a figure with
//! none takes the sentence's main topic; years go to the nearest figure, and a figure with none
//! takes a year written earlier in the sentence; the country is the one named nearest to the
//! figure; the source comes from attribution cues ("according to X", "X said", "según X").

use std::collections::HashMap;
use std::sync::LazyLock;

use super::lexicon::{Lexicon, WordTable, ends_with_phrase, lang_applies, phrase_list, rows};
use super::numbers::{self, Number, NumberKind, Quantity};
use super::sentences::Sentence;
use super::tokens::Tokens;
use super::{Lang, Qualifier, Statistic, geo, topics, units};

const QUALIFIERS: &str = include_str!("data/qualifiers.tsv");
const ATTRIBUTION: &str = include_str!("data/attribution.tsv");
const STOPWORDS: &str = include_str!("data/stopwords.tsv");

struct StatData {
    qualifiers: Lexicon<Qualifier>,
    /// Cues the source follows ("according to"), with whether any phrase may follow (not
    /// only a name or "the ..."): "according to local officials" but not "says homicides fell".
    before_cues: Lexicon<bool>,
    /// Cues the source precedes ("the police said").
    after_cues: Lexicon<()>,
    stopwords: WordTable<()>,
    comparison: Lexicon<()>,
}

fn load(lang: Lang) -> StatData {
    let mut qualifiers = Lexicon::new();
    for row in rows(QUALIFIERS) {
        if row.len() < 3 || !lang_applies(row[0], lang) {
            continue;
        }
        let q = match row[1] {
            "approx" => Qualifier::Approx,
            "at_least" => Qualifier::AtLeast,
            "more_than" => Qualifier::MoreThan,
            "less_than" => Qualifier::LessThan,
            "at_most" => Qualifier::AtMost,
            _ => continue,
        };
        qualifiers.insert(row[2], q);
    }
    let mut before_cues = Lexicon::new();
    let mut after_cues = Lexicon::new();
    for row in rows(ATTRIBUTION) {
        if row.len() < 3 || !lang_applies(row[0], lang) {
            continue;
        }
        match row[1] {
            "before" => before_cues.insert(row[2], false),
            "before_any" => before_cues.insert(row[2], true),
            _ => after_cues.insert(row[2], ()),
        }
    }
    let mut stopwords = WordTable::default();
    for r in rows(STOPWORDS).filter(|r| r.len() >= 2 && lang_applies(r[0], lang)) {
        stopwords.insert(super::tokens::fold(r[1]), ());
    }
    let mut comparison = Lexicon::new();
    let cues: &[&str] = match lang {
        Lang::En => &[
            "from",
            "than",
            "compared with",
            "compared to",
            "versus",
            "vs",
            "vs .",
            "against",
            "up from",
            "down from",
        ],
        Lang::Es => &[
            "desde",
            "frente a",
            "frente al",
            "frente a los",
            "comparado con",
            "en comparación con",
            "respecto a",
            "respecto al",
            "con respecto a",
            "contra",
            "versus",
            "vs",
            "vs .",
        ],
    };
    for c in cues {
        comparison.insert(c, ());
    }
    StatData {
        qualifiers,
        before_cues,
        after_cues,
        stopwords,
        comparison,
    }
}

static EN: LazyLock<StatData> = LazyLock::new(|| load(Lang::En));
static ES: LazyLock<StatData> = LazyLock::new(|| load(Lang::Es));

fn data(lang: Lang) -> &'static StatData {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// A figure being built, in token positions of its sentence.
#[derive(Debug, Clone)]
struct Draft {
    value: Quantity,
    unit: &'static str,
    counted: Option<String>,
    qualifier: Option<Qualifier>,
    /// Span of the figure as written (number, unit words).
    first: usize,
    end: usize,
    /// End of the counted noun phrase (for keyword distances).
    reach: usize,
    num: Number,
    has_unit: bool,
    /// First token of the figure with its qualifier (for distances to keywords and years).
    lead: usize,
    /// Compared with an earlier figure ("up from 38", "the after of a change").
    compared: bool,
    topic: Option<&'static str>,
    year: Option<i32>,
    location: Option<&'static str>,
    metric: Option<String>,
}

/// Finds the statistics of a body, sentence by sentence.
pub fn find(body: &str, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Statistic> {
    // Sentences carry their own offsets into the body.
    let _ = body;
    // Needed only for bare "pesos", so worked out only when one turns up.
    let home = std::cell::OnceCell::new();
    let home_of = || *home.get_or_init(|| home_country(sentences));
    let mut out = Vec::new();
    for s in sentences {
        sentence_stats(s, lang, &home_of, &mut out);
    }
    dedupe(out)
}

/// The country a text is mostly about: the one its sentences name first most often. It only
/// settles which peso a bare "pesos" means when the sentence itself names no country.
fn home_country(sentences: &[Sentence<'_>]) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for s in sentences {
        if let Some(code) = geo::find_country(s.text) {
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some(entry) => entry.1 += 1,
                None => counts.push((code, 1)),
            }
        }
    }
    // The earliest of the most frequent wins a tie: the lead names the main country.
    counts.iter().rev().max_by_key(|(_, n)| *n).map(|(c, _)| *c)
}

/// The same figure repeated later in a text ("the 90 percent statistic", a headline and its
/// lead) is one statistic; the mention that states a year (or names what it counts) is kept.
fn dedupe(stats: Vec<Statistic>) -> Vec<Statistic> {
    type Key = (String, Option<u64>, Option<u64>, Option<u64>);
    let first_word = |s: &Statistic| {
        s.counted
            .as_deref()
            .and_then(|c| c.split_whitespace().next())
            .map(str::to_lowercase)
    };
    // Small bare counts ("16", "2") repeat by chance; large or named ones do not.
    let distinctive = |s: &Statistic| s.unit != "count" || s.counted.is_some() || s.value.is_some_and(|v| v >= 100.0);
    let same_thing = |a: &Statistic, b: &Statistic| {
        let (wa, wb) = (first_word(a), first_word(b));
        wa == wb || (a.unit == "count" && (wa.is_none() || wb.is_none()))
    };
    let richer = |new: &Statistic, old: &Statistic| {
        (new.year.is_some() && old.year.is_none()) || (new.year == old.year && new.counted.is_some() && old.counted.is_none())
    };
    let mut seen: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut out: Vec<Option<Statistic>> = Vec::with_capacity(stats.len());
    for s in stats {
        if !distinctive(&s) {
            out.push(Some(s));
            continue;
        }
        let key = (
            s.unit.clone(),
            s.value.map(f64::to_bits),
            s.low.map(f64::to_bits),
            s.high.map(f64::to_bits),
        );
        let slots = seen.entry(key).or_default();
        let twin = slots.iter().copied().find(|&k| {
            out[k]
                .as_ref()
                .is_some_and(|o| same_thing(o, &s) && (o.year == s.year || o.year.is_none() || s.year.is_none()))
        });
        match twin {
            Some(k) => {
                if out[k].as_ref().is_some_and(|o| richer(&s, o)) {
                    out[k] = None;
                    slots.push(out.len());
                    out.push(Some(s));
                }
            }
            None => {
                slots.push(out.len());
                out.push(Some(s));
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// More figures than this in one sentence mark a table or a list.
const MAX_FIGURES_PER_SENTENCE: usize = 40;

fn sentence_stats(s: &Sentence<'_>, lang: Lang, home: &dyn Fn() -> Option<&'static str>, out: &mut Vec<Statistic>) {
    let toks = Tokens::new(s.text);
    let nums = numbers::scan_tokens(&toks, lang);
    let quantities = nums.iter().filter(|n| n.kind == NumberKind::Quantity).count();
    // A "sentence" with dozens of figures is a table or a list, not prose: its figures
    // have no context to read.
    if quantities == 0 || quantities > MAX_FIGURES_PER_SENTENCE {
        return;
    }
    let d = data(lang);
    let drafts = read_figures(&toks, &nums, lang, d);
    if drafts.is_empty() {
        return;
    }
    let mut drafts = drafts;
    for dr in &mut drafts {
        if let Some((q, start)) = qualifier(&toks, dr, d, lang) {
            dr.qualifier = Some(q);
            dr.lead = start;
        }
    }
    inherit_units(&toks, &mut drafts, d, lang);
    let mut drafts = merge_unit_ranges(&toks, drafts, lang);
    let sources = find_sources(&toks, d);
    let countries = countries(s.text);
    for dr in &mut drafts {
        dr.location = nearest_country(&countries, s.text, &toks, dr);
        if dr.unit == "peso" {
            dr.unit = units::resolve_peso(dr.location.or_else(home));
        }
        if dr.unit == "count" && dr.counted.is_none() {
            dr.counted = counted_phrase(&toks, dr.num.end_tok, lang, d).map(|(c, _)| c);
        }
    }
    assign_years(&toks, &nums, lang, &mut drafts);
    let spans: Vec<(usize, usize)> = sources.iter().map(|x| (x.1, x.2)).collect();
    assign_topics(&toks, lang, &spans, &mut drafts);
    for dr in &mut drafts {
        dr.metric = metric(&toks, dr, lang);
    }
    let text = s.text;
    for dr in drafts {
        let source = source_of(&sources, &toks, &dr).map(|x| x.0.clone());
        let (bs, be) = (toks.start(dr.first), toks.end(dr.end - 1));
        let start = s.char_start + text[..bs].chars().count();
        let end = start + text[bs..be].chars().count();
        let (value, low, high) = match dr.value {
            Quantity::Point(v) => (Some(round(v)), None, None),
            Quantity::Range(a, b) => (None, Some(round(a)), Some(round(b))),
        };
        out.push(Statistic {
            value,
            low,
            high,
            unit: dr.unit.to_string(),
            qualifier: dr.qualifier,
            counted: dr.counted,
            topic: dr.topic.map(str::to_string),
            metric: dr.metric,
            year: dr.year,
            location: dr.location.map(str::to_string),
            source,
            sentence: text.to_string(),
            start,
            end,
        });
    }
}

/// Rounds away float noise from unit conversions (22.5 × 1000 = 22500, not 22499.999…).
fn round(v: f64) -> f64 {
    if !v.is_finite() || v.abs() >= 1e15 {
        return v;
    }
    let r = (v * 1e6).round() / 1e6;
    if (r - v).abs() <= 1e-9 * v.abs().max(1.0) { r } else { v }
}

/// Reads the unit of every quantity of a sentence.
fn read_figures(toks: &Tokens<'_>, nums: &[Number], lang: Lang, d: &StatData) -> Vec<Draft> {
    let mut consumed = vec![false; nums.len()];
    let mut ages: Vec<usize> = Vec::new();
    let mut drafts = Vec::new();
    let base_at = |tok: usize| -> Option<(f64, usize)> {
        let n = nums.iter().find(|n| n.first_tok == tok && n.kind == NumberKind::Quantity)?;
        let v = match n.value {
            Quantity::Point(v) => v,
            Quantity::Range(..) => return None,
        };
        // "per 100.000" in English text still means a hundred thousand.
        let v = if v == 100.0 && toks.raw(tok).ends_with(".000") { 1e5 } else { v };
        Some((v, n.end_tok))
    };
    for (k, n) in nums.iter().enumerate() {
        if consumed[k] || n.kind != NumberKind::Quantity {
            continue;
        }
        let mut first = n.first_tok;
        let mut end = n.end_tok;
        let mut unit: &'static str = "count";
        let mut factor = 1.0;
        let mut has_unit = false;
        let mut counted = None;
        let mut reach = end;
        if let Some((f, e)) = units::per_rate(toks, end, lang, base_at) {
            unit = "per_100k";
            factor = f;
            end = e;
            has_unit = true;
        } else if let Some(m) = units::suffix_unit(toks, end, lang, n.scale > 1.0 || n.value.high() >= 1e6) {
            if m.unit == "skip" {
                continue;
            }
            unit = m.unit;
            factor = m.factor;
            end = m.end_tok;
            has_unit = true;
        } else if let Some((words_end, rate)) = rate_after_noun(toks, end, lang, d, base_at) {
            // "7 homicides per 100,000 inhabitants".
            unit = "per_100k";
            factor = rate.0;
            counted = Some(toks.text[toks.start(end)..toks.end(words_end - 1)].to_string());
            end = rate.1;
            has_unit = true;
        }
        if let Some((code, start)) = units::currency_before(toks, n.first_tok) {
            if !units::is_money(unit) {
                if has_unit && unit != "count" {
                    // "$5 per 100,000" and the like: keep the written unit.
                } else {
                    unit = code;
                    has_unit = true;
                    factor = 1.0;
                }
            }
            if units::is_money(unit) {
                first = start;
            }
        }
        if is_age(toks, n, unit, end) || is_time_ago(toks, n, unit, end) || is_list_marker(toks, n) {
            ages.push(k);
            continue;
        }
        // "aged 19 and 23", "jóvenes de 19 y 23 años": a number joined to an age is an age.
        let joined = |a: &Number, b: &Number| b.first_tok == a.end_tok + 1 && matches!(toks.norm(a.end_tok), "and" | "y" | "or" | "o");
        if ages.last().is_some_and(|&a| joined(&nums[a], n))
            || nums.get(k + 1).is_some_and(|next| {
                joined(n, next) && {
                    let (u, e) =
                        units::suffix_unit(toks, next.end_tok, lang, false).map_or(("count", next.end_tok), |m| (m.unit, m.end_tok));
                    is_age(toks, n, "years", e) || (u == "years" && is_age(toks, next, u, e) || is_age(toks, n, u, e))
                }
            })
        {
            ages.push(k);
            continue;
        }
        // Mark rate bases as used so they are not read again as figures.
        for (j, m) in nums.iter().enumerate() {
            if j != k && m.first_tok >= n.end_tok && m.end_tok <= end {
                consumed[j] = true;
            }
        }
        if unit == "count" {
            reach = counted_phrase(toks, end, lang, d).map_or(end, |(_, e)| e);
        } else {
            reach = reach.max(end);
        }
        drafts.push(Draft {
            value: numbers::scale_quantity(n.value, factor),
            unit,
            counted,
            qualifier: None,
            first,
            end,
            reach,
            num: n.clone(),
            has_unit,
            lead: first,
            compared: false,
            topic: None,
            year: None,
            location: None,
            metric: None,
        });
    }
    drafts
}

/// "7 homicides per 100,000": up to three words between the number and the rate.
fn rate_after_noun(
    toks: &Tokens<'_>,
    end: usize,
    lang: Lang,
    d: &StatData,
    base_at: impl Fn(usize) -> Option<(f64, usize)> + Copy,
) -> Option<(usize, (f64, usize))> {
    let mut j = end;
    while j < end + 3 && toks.is_word(j) && d.stopwords.get_tok(toks, j).is_none() {
        j += 1;
        if let Some(r) = units::per_rate(toks, j, lang, base_at) {
            return Some((j, r));
        }
    }
    None
}

/// "a 17-year-old", "de 45 años", "aged 30": an age, not a duration.
fn is_age(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
    // "Juan Pérez, 34, was arrested", "Rosa Díaz (51)": an age after a name.
    let f = n.first_tok;
    let v = n.value.high();
    if unit == "count" && n.end_tok == f + 1 && v < 120.0 && v.fract() == 0.0 && f >= 2 && toks.is_capitalized(f - 2) {
        let bracketed = toks.is_punct(f - 1, "(") && toks.is_punct(end, ")");
        let commas = toks.is_punct(f - 1, ",") && (toks.is_punct(end, ",") || toks.is_punct(end, ".") || end >= toks.len());
        if bracketed || commas {
            return true;
        }
    }
    // "de 15 y más años", "18 and older".
    if matches!(toks.norm(end), "y" | "o" | "or" | "and") && matches!(toks.norm(end + 1), "mas" | "older" | "over") {
        return matches!(toks.norm(end + 2), "anos" | "" | "," | ".") || toks.norm(end + 1) == "older";
    }
    if unit != "years" && unit != "count" {
        return false;
    }
    let f = n.first_tok;
    let prev = |k: usize| if f >= k { toks.norm(f - k) } else { "" };
    // "aged 30", "a la edad de 15", "under the age of 16", "children under 18".
    if matches!(prev(1), "aged" | "age" | "edad" | "edades")
        || (matches!(prev(1), "de" | "of") && matches!(prev(2), "edad" | "edades" | "age" | "ages"))
        || (matches!(prev(1), "under" | "over")
            && matches!(
                prev(2),
                "children" | "minors" | "kids" | "teenagers" | "youths" | "those" | "anyone" | "people"
            ))
    {
        return true;
    }
    if unit != "years" {
        return false;
    }
    if is_hyphen_at(toks, end) && toks.norm(end + 1) == "old" {
        return true;
    }
    if matches!(toks.norm(end), "old" | "de") && matches!(toks.norm(end + 1), "edad" | "") && toks.norm(end) == "de" {
        return true;
    }
    if toks.norm(end) == "old" {
        return true;
    }
    // "a los 17 años", "un joven de 17 años", "Juan Pérez, de 45 años,".
    if prev(1) == "los" && prev(2) == "a" {
        return true;
    }
    // "mayores de 18 años", "tiene menos de 30 años".
    let lead_words: Vec<&str> = (1..=4).map(prev).collect();
    if lead_words.iter().any(|w| {
        matches!(
            *w,
            "mayores" | "menores" | "tiene" | "tienen" | "tenia" | "tenian" | "cumplio" | "cumplir" | "edades"
        )
    }) {
        return true;
    }
    if prev(1) == "de" {
        let before = prev(2);
        return f >= 2 && (toks.is_punct(f - 2, ",") || PERSON_NOUNS.contains(&before));
    }
    false
}

const PERSON_NOUNS: [&str; 28] = [
    "hombre",
    "hombres",
    "mujer",
    "mujeres",
    "joven",
    "jovenes",
    "nino",
    "nina",
    "ninos",
    "ninas",
    "menor",
    "menores",
    "adolescente",
    "adolescentes",
    "anciano",
    "anciana",
    "senor",
    "senora",
    "estudiante",
    "sujeto",
    "individuo",
    "victima",
    "agraviado",
    "agraviada",
    "conductor",
    "madre",
    "padre",
    "bebe",
];

/// "1. The police..." or "2) ...": a list number at the start of a sentence; "(3)": a note mark.
fn is_list_marker(toks: &Tokens<'_>, n: &Number) -> bool {
    let bracketed = n.first_tok > 0
        && toks.is_punct(n.first_tok - 1, "(")
        && toks.is_punct(n.end_tok, ")")
        && n.end_tok == n.first_tok + 1
        && n.value.high() < 100.0;
    bracketed || (n.first_tok == 0 && n.end_tok == 1 && (toks.is_punct(1, ".") || toks.is_punct(1, ")")) && !toks.is_number(2))
}

fn is_hyphen_at(toks: &Tokens<'_>, i: usize) -> bool {
    toks.is_punct(i, "-") || toks.is_punct(i, "–")
}

/// "three years ago", "hace dos meses": a point in time, not a duration.
fn is_time_ago(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
    matches!(unit, "years" | "months" | "days") && (toks.norm(end) == "ago" || (n.first_tok > 0 && toks.norm(n.first_tok - 1) == "hace"))
}

/// Bare numbers borrow the unit of the figure they are compared with.
fn inherit_units(toks: &Tokens<'_>, drafts: &mut [Draft], d: &StatData, lang: Lang) {
    for k in 0..drafts.len() {
        let at = drafts[k].lead.min(drafts[k].first);
        let article_before = at > 0 && matches!(toks.norm(at - 1), "the" | "el" | "la" | "los" | "las" | "a" | "al");
        // "from 12.5 per 100,000 in 2019 to 8.1 in 2023": the "to" of an earlier "from".
        let to_of_from = at > 0
            && match lang {
                Lang::En => toks.norm(at - 1) == "to",
                Lang::Es => matches!(toks.norm(at - 1), "a" | "hasta" | "al"),
            }
            && drafts[..k]
                .iter()
                .any(|p| p.first > 0 && matches!(toks.norm(p.first - 1), "from" | "de" | "desde" | "del"));
        let compared = drafts[k].num.change_to
            || to_of_from
            || d.comparison.longest_ending_at(toks, at).is_some()
            || (article_before && d.comparison.longest_ending_at(toks, at - 1).is_some());
        drafts[k].compared = compared;
        if drafts[k].has_unit {
            continue;
        }
        let bare_noun = drafts[k].counted.is_none() && !toks.is_word(drafts[k].end) || stop_or_end(toks, drafts[k].end, d);
        // The "before" of "from X to Y" takes Y's unit (and Y's scale: "de 2 a 3 millones").
        if drafts[k].num.change_from
            && let Some(next) = drafts.get(k + 1).cloned()
            && next.num.change_to
            && next.has_unit
        {
            adopt(&mut drafts[k], &next, true);
            continue;
        }
        // The "after" of a change, or a number after "from", "than", "frente a".
        if compared
            && bare_noun
            && k > 0
            && let Some(prev) = drafts[..k].iter().rev().find(|p| p.has_unit || p.counted.is_some()).cloned()
        {
            if prev.has_unit {
                adopt(&mut drafts[k], &prev, false);
            } else {
                drafts[k].counted = prev.counted.clone();
            }
            continue;
        }
        // "la tasa era de 26,8; hoy es de 25,7 por cada 100.000": a bare small number in a
        // sentence about a rate is that rate.
        let closes_clause =
            !toks.is_word(drafts[k].end) || (matches!(toks.norm(drafts[k].end), "in" | "en") && toks.is_number(drafts[k].end + 1));
        if closes_clause
            && !drafts[k].num.words
            && drafts[k].num.value.high() <= 200.0
            && (0..toks.len()).any(|j| matches!(toks.norm(j), "rate" | "rates" | "tasa" | "tasas"))
            && let Some(other) = drafts.iter().find(|o| o.unit == "per_100k").cloned()
        {
            adopt(&mut drafts[k], &other, false);
            continue;
        }
        // "5 and 6 percent", "3 or 4 tons": a bare number just before a unit-bearing one.
        if let Some(next) = drafts.get(k + 1).cloned()
            && next.has_unit
            && next.num.first_tok == drafts[k].num.end_tok + 1
            && matches!(toks.norm(drafts[k].num.end_tok), "and" | "y" | "or" | "o" | "to" | "a" | "-" | "–")
        {
            adopt(&mut drafts[k], &next, true);
        }
    }
}

/// "from $500 to $5,000", "between 10% and 20%": two figures with the same unit make one range.
fn merge_unit_ranges(toks: &Tokens<'_>, drafts: Vec<Draft>, lang: Lang) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::with_capacity(drafts.len());
    let mut it = drafts.into_iter().peekable();
    while let Some(mut a) = it.next() {
        if let Some(b) = it.peek()
            && a.unit == b.unit
            && a.unit != "count"
            && b.first == a.end + 1
            && let (Quantity::Point(lo), Quantity::Point(hi)) = (a.value, b.value)
            && lo < hi
        {
            let c = toks.norm(a.end);
            let opener = if a.first > 0 { toks.norm(a.first - 1) } else { "" };
            let is_range = match c {
                "and" | "y" => matches!(opener, "between" | "entre"),
                "to" | "a" | "hasta" => true,
                "-" | "–" => true,
                _ => false,
            };
            let changed = a.num.change_from || b.num.change_to || numbers::change_word_before(toks, lang, a.first.saturating_sub(1));
            if is_range && !changed {
                let b = it.next().unwrap_or_else(|| a.clone());
                a.value = Quantity::Range(lo, hi);
                if matches!(opener, "between" | "entre" | "from" | "desde") {
                    a.first -= 1;
                    a.lead = a.lead.min(a.first);
                }
                a.end = b.end;
                a.reach = b.reach.max(b.end);
                a.year = a.year.or(b.year);
                out.push(a);
                continue;
            }
        }
        out.push(a);
    }
    out
}

/// Whether token `i` is past the end, punctuation, or a function word (no noun follows).
fn stop_or_end(toks: &Tokens<'_>, i: usize, d: &StatData) -> bool {
    !toks.is_word(i) || d.stopwords.get_tok(toks, i).is_some()
}

fn adopt(dr: &mut Draft, from: &Draft, share_scale: bool) {
    let mut f = 1.0;
    if share_scale && dr.num.scale == 1.0 && from.num.scale > 1.0 && dr.num.value.high() * from.num.scale <= from.num.value.high() {
        f = from.num.scale;
    }
    let unit_factor = unit_factor(from);
    dr.value = numbers::scale_quantity(dr.value, f * unit_factor);
    dr.unit = from.unit;
    dr.has_unit = true;
    dr.counted = None;
}

/// The conversion factor a figure's unit applied (tons → kg), recovered from its value.
fn unit_factor(dr: &Draft) -> f64 {
    let raw = dr.num.value.high();
    let v = dr.value.high();
    if raw != 0.0 && v.is_finite() { v / raw } else { 1.0 }
}

/// The counted noun phrase after a count: "police officers", "presuntos extorsionadores".
fn counted_phrase(toks: &Tokens<'_>, start: usize, lang: Lang, d: &StatData) -> Option<(String, usize)> {
    // "three or more people": the bound sits between the number and its noun.
    let start = if or_more(toks, start) { start + 2 } else { start };
    // "un millón de personas": after a scale word the noun comes after "de".
    let scaled = start > 0 && toks.is_word(start - 1) && matches!(toks.norm(start - 1), "millon" | "millones" | "mil" | "millardos");
    let start = if scaled && toks.norm(start) == "de" { start + 1 } else { start };
    let mut j = start;
    let mut last_word: Option<usize> = None;
    let mut n_words = 0;
    while n_words < 5 {
        if !toks.is_word(j) {
            // Hyphenated words: "semi-submersibles", "ex-policías".
            if is_hyphen_at(toks, j) && last_word == Some(j - 1) && toks.attached(j) && toks.attached(j + 1) && toks.is_word(j + 1) {
                j += 1;
                continue;
            }
            break;
        }
        let w = toks.norm(j);
        if d.stopwords.contains(w) {
            // Spanish "cámaras de videovigilancia": "de" and a bare noun.
            let next = toks.norm(j + 1);
            if lang == Lang::Es
                && w == "de"
                && last_word.is_some()
                && toks.is_word(j + 1)
                && !d.stopwords.contains(next)
                && !is_infinitive(next)
                && !toks.is_capitalized(j + 1)
            {
                j += 1;
                continue;
            }
            break;
        }
        if last_word.is_some() && looks_like_verb(toks.raw(j), w, lang) {
            break;
        }
        last_word = Some(j);
        n_words += 1;
        j += 1;
    }
    let last = last_word?;
    // "12 recorded in ...": a lone participle is a verb, not the thing counted.
    if last == start && lang == Lang::En && toks.norm(start).ends_with("ed") {
        return None;
    }
    Some((toks.text[toks.start(start)..toks.end(last)].to_string(), last + 1))
}

fn is_stop(toks: &Tokens<'_>, i: usize, lang: Lang) -> bool {
    data(lang).stopwords.get_tok(toks, i).is_some()
}

fn is_infinitive(w: &str) -> bool {
    w.len() > 3 && (w.ends_with("ar") || w.ends_with("er") || w.ends_with("ir"))
}

/// A rough verb test that ends a noun phrase ("87 gang members arrested", "320 policías fueron").
fn looks_like_verb(raw: &str, w: &str, lang: Lang) -> bool {
    match lang {
        Lang::En => {
            w.len() >= 4 && w.ends_with("ed")
                || matches!(
                    w,
                    "die"
                        | "face"
                        | "faces"
                        | "remain"
                        | "remains"
                        | "live"
                        | "work"
                        | "say"
                        | "hold"
                        | "holds"
                        | "held"
                        | "took"
                        | "make"
                        | "makes"
                        | "made"
                        | "control"
                        | "controls"
                        | "fled"
                        | "fell"
                        | "rose"
                        | "went"
                        | "got"
                        | "get"
                        | "need"
                        | "run"
                        | "runs"
                )
        }
        Lang::Es => {
            w.ends_with("aron")
                || w.ends_with("eron")
                || raw.ends_with("rán")
                || raw.ends_with("rá")
                || (w.ends_with("ian") && w.len() > 5)
                || w.ends_with("aban")
                || (raw.ends_with('ó') && raw.chars().count() > 3)
                || matches!(w, "murio" | "quedo" | "hay" | "habia")
        }
    }
}

/// The qualifier written right before a figure ("at least", "más de"); an article may sit between.
/// "or more", "o más" right after a number (token `i`).
fn or_more(toks: &Tokens<'_>, i: usize) -> bool {
    matches!((toks.norm(i), toks.norm(i + 1)), ("or", "more") | ("o", "mas"))
}

fn qualifier(toks: &Tokens<'_>, dr: &Draft, d: &StatData, lang: Lang) -> Option<(Qualifier, usize)> {
    // "three or more people", "20 o más víctimas".
    if dr.unit == "count" && or_more(toks, dr.num.end_tok) {
        return Some((Qualifier::AtLeast, dr.first));
    }
    let mut at = dr.first;
    let m = d.qualifiers.longest_ending_at(toks, at).or_else(|| {
        if at > 0 && matches!(toks.norm(at - 1), "el" | "la" | "los" | "las" | "un" | "una") {
            at -= 1;
            d.qualifiers.longest_ending_at(toks, at)
        } else {
            None
        }
    })?;
    let q = *m.value;
    // "crecieron 50 % hasta 22.000": "hasta" after a figure or a change is "to", not "up to".
    if toks.norm(m.start) == "hasta" && m.start > 0 {
        let p = m.start - 1;
        if toks.is_number(p)
            || toks.is_punct(p, "%")
            || units::starts_unit(toks, p, lang)
            || numbers::change_word_before(toks, lang, m.start)
        {
            return None;
        }
    }
    // "over three years": a span of time, not a bound.
    if matches!(dr.unit, "years" | "months" | "days") && matches!(toks.norm(m.start), "over" | "under") {
        return None;
    }
    Some((q, m.start))
}

/// How far (in tokens, a comma counting five) a year may sit from the figure it dates.
const MAX_YEAR_DISTANCE: usize = 12;

/// "compared with the same period of 2022", "15 más que en 2023": the year of a comparison
/// base with no figure of its own is not the year of the sentence's figures.
fn is_base_year(toks: &Tokens<'_>, nums: &[Number], n: &Number, d: &StatData) -> bool {
    let lo = n.first_tok.saturating_sub(7);
    for j in (lo..n.first_tok).rev() {
        if nums.iter().any(|m| m.kind == NumberKind::Quantity && m.first_tok == j) || toks.is_punct(j, ",") {
            return false;
        }
        if d.comparison.matches_at(toks, j) || matches!(toks.norm(j), "respecto" | "before" | "earlier" | "anterior") {
            return true;
        }
        // "15 más que en 2023", "menos que el 2022".
        if toks.norm(j) == "que" && j > 0 && matches!(toks.norm(j - 1), "mas" | "menos" | "mayor" | "menor" | "superior" | "inferior") {
            return true;
        }
    }
    false
}

/// "between 2015 and 2020", "de 2019 a 2023": a period, not the year of one figure.
fn is_period(toks: &Tokens<'_>, nums: &[Number], n: &Number) -> bool {
    let year_at = |first: usize| nums.iter().any(|m| m.kind == NumberKind::Year && m.first_tok == first);
    let year_ending = |end: usize| nums.iter().any(|m| m.kind == NumberKind::Year && m.end_tok == end);
    let f = n.first_tok;
    let prev = if f > 0 { toks.norm(f - 1) } else { "" };
    if matches!(prev, "between" | "entre") && year_at(n.end_tok + 1) {
        return true;
    }
    if matches!(toks.norm(n.end_tok), "and" | "y" | "to" | "a" | "through" | "hasta" | "al") && year_at(n.end_tok + 1) {
        return true;
    }
    f >= 2 && matches!(prev, "and" | "y" | "to" | "a" | "through" | "hasta" | "al") && year_ending(f - 1)
}

/// Years in the sentence go to the nearest figure; a figure with none takes a year written
/// earlier in the sentence.
fn assign_years(toks: &Tokens<'_>, nums: &[Number], lang: Lang, drafts: &mut [Draft]) {
    let d = data(lang);
    let years: Vec<(usize, usize, i32)> = nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year && n.scale == 1.0)
        .filter(|n| !numbers::is_since(toks, lang, n.first_tok))
        .filter(|n| !(is_hyphen_at(toks, n.end_tok) || n.first_tok > 0 && is_hyphen_at(toks, n.first_tok - 1)))
        .filter(|n| !is_period(toks, nums, n))
        .filter(|n| !is_base_year(toks, nums, n, d))
        .filter_map(|n| match n.value {
            Quantity::Point(v) if v.fract() == 0.0 => Some((n.first_tok, n.end_tok, v as i32)),
            _ => None,
        })
        .collect();
    if years.is_empty() {
        return;
    }
    for &(ys, ye, y) in &years {
        let mut best: Option<(usize, usize)> = None;
        for (k, dr) in drafts.iter().enumerate() {
            let dist = distance(toks, (dr.lead, dr.reach.max(dr.end)), (ys, ye));
            if best.is_none_or(|(_, bd)| dist < bd) {
                best = Some((k, dist));
            }
        }
        if let Some((k, dist)) = best
            && dist <= MAX_YEAR_DISTANCE
            && drafts[k].year.is_none()
        {
            drafts[k].year = Some(y);
        }
    }
    for dr in drafts.iter_mut() {
        if dr.year.is_none() && !dr.compared {
            dr.year = years.iter().rev().find(|&&(_, ye, _)| ye <= dr.first).map(|&(_, _, y)| y);
        }
    }
}

/// How fast a keyword's weight falls with its distance (in tokens) to a figure.
const DECAY: f64 = 0.15;

/// Topic keywords go to the nearest figure; a figure with none takes the sentence's topic.
fn assign_topics(toks: &Tokens<'_>, lang: Lang, sources: &[(usize, usize)], drafts: &mut [Draft]) {
    let hits = topics::hits(toks, lang);
    let mut per_draft: Vec<Vec<(&'static str, f64)>> = vec![Vec::new(); drafts.len()];
    let mut strong: Vec<Vec<&'static str>> = vec![Vec::new(); drafts.len()];
    let mut sentence: Vec<(&'static str, f64)> = Vec::new();
    for h in &hits {
        if sources.iter().any(|&(s, e)| h.start_tok >= s && h.end_tok <= e) {
            continue;
        }
        // Inside a name ("Policía Nacional", "Dirección Antidrogas") a keyword says less.
        let w = if h.start_tok > 0 && toks.is_capitalized(h.start_tok) {
            h.weight * 0.5
        } else {
            h.weight
        };
        add(&mut sentence, h.topic, w);
        let mut best: Option<(usize, usize)> = None;
        for (k, dr) in drafts.iter().enumerate() {
            let dist = distance(toks, (dr.lead, dr.reach), (h.start_tok, h.end_tok));
            if best.is_none_or(|(_, bd)| dist < bd) {
                best = Some((k, dist));
            }
        }
        if let Some((k, dist)) = best {
            // A verb right before the figure ("seized 3 tons", "arrested 40") names what it counts.
            let adjacent = if dist == 0 && h.end_tok <= drafts[k].lead { 1.5 } else { 1.0 };
            add(&mut per_draft[k], h.topic, adjacent * w / (1.0 + DECAY * dist as f64));
            if h.weight >= 3.0 {
                strong[k].push(h.topic);
            }
        }
    }
    for (k, dr) in drafts.iter_mut().enumerate() {
        let fits = |t: &&'static str| topic_fits(dr.unit, t);
        let own: Vec<(&'static str, f64)> = per_draft[k].iter().copied().filter(|(t, _)| fits(t)).collect();
        let all: Vec<(&'static str, f64)> = sentence.iter().copied().filter(|(t, _)| fits(t)).collect();
        dr.topic = top(&own).or_else(|| top(&all));
        // Tons of a drug with no word of trafficking, production or cultivation near them are,
        // in the news, a seizure.
        let drugs_named = sentence.iter().any(|(t, _)| t.starts_with("drug_"));
        if dr.unit == "kg"
            && drugs_named
            && (dr.topic.is_none() || (dr.topic == Some("drug_trafficking") && !strong[k].contains(&"drug_trafficking")))
        {
            dr.topic = Some("drug_seizure");
        }
    }
}

/// Tokens between two spans; a comma or semicolon between them counts as a clause boundary.
fn distance(toks: &Tokens<'_>, a: (usize, usize), b: (usize, usize)) -> usize {
    let (lo, hi) = if b.0 >= a.1 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return 0;
    };
    let clauses = (lo..hi)
        .filter(|&j| toks.is_punct(j, ",") || toks.is_punct(j, ";") || toks.is_punct(j, ":"))
        .count();
    hi - lo + 5 * clauses
}

/// Whether a topic can describe a figure of this unit (tons are not arrests, hectares not prisons).
fn topic_fits(unit: &str, topic: &str) -> bool {
    match unit {
        "kg" => matches!(
            topic,
            "drug_seizure" | "drug_production" | "drug_trafficking" | "illegal_mining" | "coca_cultivation"
        ),
        "hectare" => matches!(topic, "coca_cultivation" | "illegal_mining" | "drug_production"),
        _ => true,
    }
}

fn add(scores: &mut Vec<(&'static str, f64)>, topic: &'static str, w: f64) {
    match scores.iter_mut().find(|(t, _)| *t == topic) {
        Some(s) => s.1 += w,
        None => scores.push((topic, w)),
    }
}

fn top(scores: &[(&'static str, f64)]) -> Option<&'static str> {
    scores
        .iter()
        .fold(None::<(&'static str, f64)>, |best, &(t, w)| match best {
            Some((_, bw)) if bw >= w => best,
            _ => Some((t, w)),
        })
        .map(|(t, _)| t)
}

/// Countries named in a sentence: (byte range of the mention, ISO code), left to right.
fn countries(text: &str) -> Vec<(usize, usize, &'static str)> {
    geo::country_mentions(text)
        .into_iter()
        // "US$ 25 millones" names a currency, not the country.
        .filter(|&(_, end, _)| !text[end..].starts_with('$'))
        .take(8)
        .collect()
}

fn nearest_country(countries: &[(usize, usize, &'static str)], text: &str, toks: &Tokens<'_>, dr: &Draft) -> Option<&'static str> {
    let (s, e) = (toks.start(dr.first), toks.end(dr.end.saturating_sub(1)));
    // An origin or destination ("bound for Paraguay") is not where the figure belongs, unless
    // the sentence names no other country.
    let placed: Vec<_> = countries.iter().filter(|&&(cs, _, _)| !after_route_marker(text, cs)).collect();
    let pool: Vec<_> = if placed.is_empty() { countries.iter().collect() } else { placed };
    pool.into_iter()
        .min_by_key(|&&(cs, ce, _)| if ce <= s { s - ce } else { cs.saturating_sub(e) })
        .map(|&(_, _, c)| c)
}

static ROUTE_MARKERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| phrase_list(include_str!("data/route_markers.txt")));

/// Whether the words just before byte `at` are an origin or destination marker.
fn after_route_marker(text: &str, at: usize) -> bool {
    text.get(..at).is_some_and(|before| ends_with_phrase(before, &ROUTE_MARKERS))
}

/// A figure's attribution in a sentence: the name, its first and end token, and whether it
/// is a name rather than a description ("the minister").
type Source = (String, usize, usize, bool);

/// Every attribution a sentence makes ("según el INEI", "the minister said"), left to right.
fn find_sources(toks: &Tokens<'_>, d: &StatData) -> Vec<Source> {
    let mut found: Vec<Source> = Vec::new();
    for i in 0..toks.len() {
        let after = d.after_cues.longest_at(toks, i);
        let before = d.before_cues.longest_at(toks, i);
        if after.is_none() && before.is_none() {
            continue;
        }
        let candidate = after
            .and_then(|m| name_before(toks, m.start, d))
            .or_else(|| before.and_then(|m| name_after(toks, m.end, d, *m.value)));
        if let Some((name, s, e)) = candidate
            && !found.iter().any(|f| f.1 == s && f.2 == e)
        {
            let named = name.chars().next().is_some_and(char::is_uppercase);
            found.push((name, s, e, named));
        }
    }
    found
}

/// The attribution of one figure: a named source beats a description, and of several the one
/// nearest the figure (commas count as clause breaks) wins, so "X informó que ... 7,8 por
/// cada 100.000 habitantes, según el INEI" gives the rate to the INEI.
fn source_of<'s>(sources: &'s [Source], toks: &Tokens<'_>, dr: &Draft) -> Option<&'s Source> {
    let named = sources.iter().any(|s| s.3);
    sources
        .iter()
        .filter(|s| s.3 || !named)
        .min_by_key(|s| distance(toks, (dr.first, dr.end), (s.1, s.2)))
}

fn is_connector(w: &str) -> bool {
    matches!(
        w,
        "of" | "on" | "and" | "for" | "de" | "del" | "la" | "las" | "los" | "y" | "para" | "contra" | "against" | "the" | "e"
    )
}

/// A capitalised name (with "of", "de" inside) starting at token `i`, and an acronym in
/// brackets after it, which is preferred.
fn name_from(toks: &Tokens<'_>, i: usize) -> Option<(String, usize, usize)> {
    // "The Global Initiative": a leading article is not part of the name.
    let i = if matches!(toks.norm(i), "the" | "el" | "la" | "los" | "las") && toks.is_capitalized(i + 1) {
        i + 1
    } else {
        i
    };
    let mut j = i;
    let mut last = None;
    while j < toks.len() {
        if toks.is_capitalized(j) {
            last = Some(j);
            j += 1;
        } else if toks.is_word(j)
            && is_connector(toks.norm(j))
            && last.is_some()
            && (toks.is_capitalized(j + 1) || (is_connector(toks.norm(j + 1)) && toks.is_capitalized(j + 2)))
        {
            j += 1;
        } else {
            break;
        }
    }
    let last = last?;
    // "(UNODC)" right after the name.
    if toks.is_punct(last + 1, "(") && toks.is_word(last + 2) && toks.is_punct(last + 3, ")") {
        let acr = toks.raw(last + 2);
        if acr.len() >= 2 && acr.chars().all(|c| c.is_uppercase()) {
            return Some((acr.to_string(), i, last + 4));
        }
    }
    Some((toks.text[toks.start(i)..toks.end(last)].to_string(), i, last + 1))
}

/// The source after a cue: "according to the UNODC", "según Cedatos", "said the minister".
fn name_after(toks: &Tokens<'_>, i: usize, d: &StatData, any_phrase: bool) -> Option<(String, usize, usize)> {
    let mut j = i;
    // Articles and report words before the name: "a report from", "el informe de".
    let mut skipped = 0;
    while j < toks.len() && skipped < 5 && toks.is_word(j) && !toks.is_capitalized(j) {
        let w = toks.norm(j);
        if matches!(
            w,
            "the" | "a" | "an" | "el" | "la" | "los" | "las" | "un" | "una" | "del" | "de" | "from" | "by" | "of"
        ) || REPORT_WORDS.contains(&w)
        {
            j += 1;
            skipped += 1;
        } else {
            break;
        }
    }
    if toks.is_capitalized(j) {
        return name_from(toks, j);
    }
    // A description: "local officials", "the governor" (after a verb only with its article).
    if !(any_phrase || j > i && matches!(toks.norm(j - 1), "the" | "el" | "la" | "los" | "las")) {
        return None;
    }
    let start = j;
    let mut e = j;
    while e < toks.len() && e < start + 3 && toks.is_word(e) && d.stopwords.get_tok(toks, e).is_none() && !toks.norm(e).ends_with("ed") {
        e += 1;
    }
    if e == start {
        return None;
    }
    // "anunció el ministro de Justicia, Eduardo Arana": the name after the office wins.
    let mut k = e;
    while k < toks.len() && k < e + 5 && toks.is_word(k) {
        k += 1;
    }
    if toks.is_punct(k, ",")
        && toks.is_capitalized(k + 1)
        && let Some(named) = name_from(toks, k + 1)
    {
        return Some(named);
    }
    Some((toks.text[toks.start(start)..toks.end(e - 1)].to_string(), start, e))
}

const REPORT_WORDS: [&str; 23] = [
    "report",
    "data",
    "figures",
    "survey",
    "study",
    "statement",
    "official",
    "latest",
    "informe",
    "datos",
    "cifras",
    "encuesta",
    "estudio",
    "reporte",
    "comunicado",
    "oficiales",
    "ultimo",
    "ultimas",
    "recent",
    "annual",
    "poll",
    "sondeo",
    "records",
];

/// The source before a cue: "the Federal Police said", "Ana Ríos, informó".
fn name_before(toks: &Tokens<'_>, cue: usize, d: &StatData) -> Option<(String, usize, usize)> {
    let mut j = cue;
    // ", Ana Ríos, informó": skip a comma; "a Frontex report said": skip report words.
    if j > 0 && toks.is_punct(j - 1, ",") {
        j -= 1;
    }
    while j > 0 && toks.is_word(j - 1) && REPORT_WORDS.contains(&toks.norm(j - 1)) {
        j -= 1;
    }
    if j > 0 && toks.is_punct(j - 1, ")") && j >= 3 && toks.is_punct(j - 3, "(") && toks.is_word(j - 2) {
        let acr = toks.raw(j - 2);
        if acr.len() >= 2 && acr.chars().all(|c| c.is_uppercase()) {
            return Some((acr.to_string(), j - 3, j));
        }
    }
    let comma_skipped = j < cue && toks.is_punct(j, ",");
    let end = j;
    let mut start = j;
    while start > 0 {
        let p = start - 1;
        // "Fiscalía de la Nación": up to two linking words between capitalised words.
        let linked =
            |q: usize| q > 0 && (toks.is_capitalized(q - 1) || (q > 1 && is_connector(toks.norm(q - 1)) && toks.is_capitalized(q - 2)));
        let connector = toks.is_word(p) && is_connector(toks.norm(p)) && linked(p) && start < end;
        if !(toks.is_capitalized(p) || connector) {
            break;
        }
        start = p;
    }
    if start < end {
        // A sentence-initial article is not part of the name.
        while start < end && d.stopwords.get_tok(toks, start).is_some() {
            start += 1;
        }
        let before = if start > 0 { toks.norm(start - 1) } else { "" };
        // "in Guatemala, dijo": a place after a preposition; "52% of Chileans reported": part of
        // a larger phrase; ", Ana Ríos, informó": an apposition between commas is a name.
        let inside_phrase = matches!(
            before,
            "in" | "en" | "of" | "de" | "del" | "from" | "at" | "to" | "a" | "por" | "para" | "con" | "with" | "desde" | "on" | "by"
        );
        let apposition_ok = !comma_skipped || start == 0 || toks.is_punct(start - 1, ",");
        let only_function_words = (start..end).all(|j| d.stopwords.get_tok(toks, j).is_some());
        if start < end && !inside_phrase && apposition_ok && !only_function_words {
            return Some((toks.text[toks.start(start)..toks.end(end - 1)].to_string(), start, end));
        }
        return None;
    }
    // "police data show": a plain word before report words.
    if end > 0 && toks.is_word(end - 1) && d.stopwords.get_tok(toks, end - 1).is_none() && REPORT_WORDS.contains(&toks.norm(end)) {
        return Some((toks.raw(end - 1).to_string(), end - 1, end));
    }
    // A description right before the verb: "the governor said" (not across a comma).
    if comma_skipped {
        return None;
    }
    let mut s = end;
    while s > 0 && end - s < 2 && toks.is_word(s - 1) && d.stopwords.get_tok(toks, s - 1).is_none() {
        s -= 1;
    }
    if s < end && s > 0 && matches!(toks.norm(s - 1), "the" | "el" | "la" | "los" | "las") {
        return Some((toks.text[toks.start(s)..toks.end(end - 1)].to_string(), s, end));
    }
    None
}

/// A short phrase naming what is measured.
fn metric(toks: &Tokens<'_>, dr: &Draft, lang: Lang) -> Option<String> {
    let topic_name = || dr.topic.map(|t| t.replace('_', " "));
    if dr.unit == "count" {
        return dr.counted.clone().or_else(topic_name);
    }
    // "homicide rate", "tasa de homicidios" somewhere before the figure.
    if dr.unit == "per_100k" {
        for j in (0..dr.first).rev() {
            match toks.norm(j) {
                "rate" | "rates" if j > 0 && toks.is_word(j - 1) && !is_stop(toks, j - 1, lang) => {
                    return Some(toks.text[toks.start(j - 1)..toks.end(j)].to_string());
                }
                "rate" | "rates" => {
                    return Some(
                        dr.topic
                            .map_or_else(|| "rate".to_string(), |t| format!("{} rate", t.replace('_', " "))),
                    );
                }
                "tasa" | "tasas" if toks.norm(j + 1) == "de" && toks.is_word(j + 2) => {
                    return Some(toks.text[toks.start(j)..toks.end(j + 2)].to_string());
                }
                _ => {}
            }
        }
        return dr.counted.clone().or_else(topic_name);
    }
    // "10 tons of cocaine", "18.500 hectáreas de coca", "$3 million in kickbacks".
    let e = dr.end;
    let link = toks.norm(e);
    if matches!(link, "of" | "de" | "in" | "en") && toks.is_word(e + 1) {
        let mut k = e + 1;
        if matches!(toks.norm(k), "the" | "la" | "el" | "los" | "las") {
            k += 1;
        }
        let last = k;
        if dr.unit == "percent" && dr.topic.is_some() {
            return topic_name();
        }
        if toks.is_word(k) && !is_stop(toks, k, lang) {
            return Some(toks.text[toks.start(k)..toks.end(last)].to_string());
        }
    }
    topic_name()
}

#[cfg(test)]
mod tests {
    use super::super::sentences;
    use super::*;

    fn stats(text: &str, lang: Lang) -> Vec<Statistic> {
        find(text, &sentences::split(text), lang)
    }

    fn one(text: &str, lang: Lang) -> Statistic {
        let s = stats(text, lang);
        assert_eq!(s.len(), 1, "{text}: {s:#?}");
        s.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn unit_value(text: &str, lang: Lang) -> (String, Option<f64>) {
        let s = one(text, lang);
        (s.unit, s.value)
    }

    #[test]
    fn a_named_office_holder_after_the_office_is_the_source() {
        let s = one(
            "El gobierno destinará 1.200 millones de soles a los penales, anunció el ministro de Justicia, Eduardo Arana.",
            Lang::Es,
        );
        assert_eq!(s.source.as_deref(), Some("Eduardo Arana"));
        let s = one("Police seized 40 kilos of cocaine, said the provincial police chief.", Lang::En);
        assert_eq!(s.source.as_deref(), Some("provincial police chief"));
    }

    #[test]
    fn each_figure_takes_the_nearest_attribution() {
        let found = stats(
            "El ministro del Interior, Raúl Peña, informó que se incautaron 3 toneladas de cocaína y que la tasa de homicidios llegó a 7,8 por cada 100.000 habitantes, según el INEI.",
            Lang::Es,
        );
        assert_eq!(found[0].source.as_deref(), Some("Raúl Peña"));
        assert_eq!(found[1].source.as_deref(), Some("INEI"));
    }

    #[test]
    fn bare_pesos_take_the_country_the_text_is_about() {
        let text = "El Ejército de Colombia rescató a los rehenes.\nLa banda exigía hasta 200 millones de pesos por cada uno.";
        let found = stats(text, Lang::Es);
        assert_eq!(found[0].unit, "COP");
        let text = "La banda exigía hasta 200 millones de pesos por cada rehén.";
        assert_eq!(stats(text, Lang::Es)[0].unit, "MXN");
    }

    #[test]
    fn origins_and_destinations_do_not_place_a_figure() {
        let found = stats("Bolivian police seized 780 kilos of cocaine bound for Paraguay.", Lang::En);
        assert_eq!(found[0].location.as_deref(), Some("BO"));
        let found = stats(
            "La policía española incautó 300 kilos de cocaína procedentes de Colombia.",
            Lang::Es,
        );
        assert_eq!(found[0].location.as_deref(), Some("ES"));
        // With no other country, the destination is all there is.
        let found = stats("Seized: 50 kilos bound for Chile.", Lang::En);
        assert_eq!(found[0].location.as_deref(), Some("CL"));
    }

    #[test]
    fn percent_in_both_languages() {
        assert_eq!(
            unit_value("Theft rose 12 percent last month.", Lang::En),
            ("percent".into(), Some(12.0))
        );
        assert_eq!(unit_value("Theft rose 12% last month.", Lang::En), ("percent".into(), Some(12.0)));
        assert_eq!(
            unit_value("Los robos subieron un 12,5 % en marzo.", Lang::Es),
            ("percent".into(), Some(12.5))
        );
        assert_eq!(
            unit_value("Los robos subieron 7 por ciento.", Lang::Es),
            ("percent".into(), Some(7.0))
        );
    }

    #[test]
    fn rates_per_100k() {
        assert_eq!(
            unit_value("The rate was 11.7 per 100,000 residents.", Lang::En),
            ("per_100k".into(), Some(11.7))
        );
        assert_eq!(
            unit_value("Hubo 31,5 homicidios por cada 100.000 habitantes.", Lang::Es),
            ("per_100k".into(), Some(31.5))
        );
        assert_eq!(
            unit_value("La tasa fue de 9 por cada cien mil habitantes.", Lang::Es),
            ("per_100k".into(), Some(9.0))
        );
        assert_eq!(
            unit_value("It recorded 3 robberies per 1,000 people.", Lang::En),
            ("per_100k".into(), Some(300.0))
        );
        assert_eq!(
            unit_value("Se registraron 40 por millón de habitantes.", Lang::Es),
            ("per_100k".into(), Some(4.0))
        );
    }

    #[test]
    fn mass_area_and_durations() {
        assert_eq!(
            unit_value("Agents found 4 tons of marijuana.", Lang::En),
            ("kg".into(), Some(4000.0))
        );
        assert_eq!(
            unit_value("Hallaron 3,5 toneladas de droga.", Lang::Es),
            ("kg".into(), Some(3500.0))
        );
        assert_eq!(
            unit_value("They carried 100 pounds of meth.", Lang::En),
            ("kg".into(), Some(45.359237))
        );
        assert_eq!(
            unit_value("Se perdieron 12.400 hectáreas de bosque.", Lang::Es),
            ("hectare".into(), Some(12400.0))
        );
        assert_eq!(unit_value("He got 30 years in prison.", Lang::En), ("years".into(), Some(30.0)));
        assert_eq!(
            unit_value("Le dictaron nueve meses de prisión.", Lang::Es),
            ("months".into(), Some(9.0))
        );
        assert_eq!(
            unit_value("Rige un estado de emergencia de 60 días.", Lang::Es),
            ("days".into(), Some(60.0))
        );
    }

    #[test]
    fn money_with_scales() {
        assert_eq!(unit_value("The fund holds $4.5 billion.", Lang::En), ("USD".into(), Some(4.5e9)));
        assert_eq!(unit_value("Pagaron US$ 3 millones.", Lang::Es), ("USD".into(), Some(3e6)));
        assert_eq!(unit_value("Costó S/ 2,5 millones.", Lang::Es), ("PEN".into(), Some(2.5e6)));
        assert_eq!(unit_value("The plan costs 40 million soles.", Lang::En), ("PEN".into(), Some(4e7)));
        assert_eq!(
            unit_value("Perdieron 70 millones de quetzales.", Lang::Es),
            ("GTQ".into(), Some(7e7))
        );
        assert_eq!(unit_value("Multa de 5.000 euros.", Lang::Es), ("EUR".into(), Some(5000.0)));
        assert_eq!(
            unit_value("A fine of 80,000 pesos was set.", Lang::En),
            ("MXN".into(), Some(80000.0))
        );
    }

    #[test]
    fn counts_with_their_noun() {
        let s = one("At least 12 police officers were hurt.", Lang::En);
        assert_eq!(
            (s.unit.as_str(), s.value, s.counted.as_deref()),
            ("count", Some(12.0), Some("police officers"))
        );
        assert_eq!(s.qualifier, Some(Qualifier::AtLeast));
        let s = one("Capturaron a 14 presuntos sicarios en Lima.", Lang::Es);
        assert_eq!(s.counted.as_deref(), Some("presuntos sicarios"));
    }

    #[test]
    fn qualifiers_in_both_languages() {
        let q = |t: &str, l: Lang| one(t, l).qualifier;
        assert_eq!(q("Police seized nearly 3 tons.", Lang::En), Some(Qualifier::Approx));
        assert_eq!(q("More than 40 inmates escaped.", Lang::En), Some(Qualifier::MoreThan));
        assert_eq!(q("Fewer than 10 cases were solved.", Lang::En), Some(Qualifier::LessThan));
        assert_eq!(q("Up to 600 troops will deploy.", Lang::En), Some(Qualifier::AtMost));
        assert_eq!(q("An estimated 300 families fled.", Lang::En), None);
        assert_eq!(q("Cerca de 70 reos se fugaron.", Lang::Es), Some(Qualifier::Approx));
        assert_eq!(q("Más del 60 % de los vecinos lo cree.", Lang::Es), Some(Qualifier::MoreThan));
        assert_eq!(q("Por lo menos 8 agentes murieron.", Lang::Es), Some(Qualifier::AtLeast));
        assert_eq!(q("Hasta 200 efectivos llegarán.", Lang::Es), Some(Qualifier::AtMost));
        assert_eq!(q("Menos de 5 casos llegan a juicio.", Lang::Es), Some(Qualifier::LessThan));
    }

    #[test]
    fn inherited_units_and_changes() {
        let s = stats("The rate reached 8.1 per 100,000 people, up from 6.9 in 2021.", Lang::En);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].unit, "per_100k");
        assert_eq!(s[1].year, Some(2021));
        let s = stats("Las denuncias pasaron de 1.500 a 9.000 casos por año.", Lang::Es);
        assert_eq!(s.iter().map(|s| s.value).collect::<Vec<_>>(), vec![Some(1500.0), Some(9000.0)]);
    }

    #[test]
    fn ranges_keep_their_unit() {
        let s = one("Output is between 50 and 70 tons a year.", Lang::En);
        assert_eq!((s.low, s.high, s.unit.as_str()), (Some(50000.0), Some(70000.0), "kg"));
        let s = one("Viven entre 300 y 500 familias allí.", Lang::Es);
        assert_eq!((s.low, s.high), (Some(300.0), Some(500.0)));
    }

    #[test]
    fn exclusions_give_no_statistics() {
        for (t, l) in [
            ("The law took effect on May 3, 2019.", Lang::En),
            ("La Ley 27444 y el artículo 12 fueron citados.", Lang::Es),
            ("He was the second suspect and she the third.", Lang::En),
            ("Es la quinta vez este año.", Lang::Es),
            ("Call 105 or write to 0800-1-2345.", Lang::En),
            ("The COVID-19 crisis hit G7 members.", Lang::En),
            ("About half and two-thirds of the town agreed.", Lang::En),
            ("The number tripled, four times the 2019 level.", Lang::En),
            ("Dozens of people and hundreds of families fled.", Lang::En),
            ("Cientos de personas y miles de familias.", Lang::Es),
            ("The meeting ended at 11:30 p.m.", Lang::En),
            ("Un joven de 19 años fue herido.", Lang::Es),
            ("A 17-year-old was arrested.", Lang::En),
        ] {
            let s = stats(t, l);
            assert!(s.is_empty(), "{t}: {s:?}");
        }
    }

    #[test]
    fn year_topic_location_source() {
        let s = one(
            "In 2021, kidnappings in Mexico reached 600, according to the Interior Ministry.",
            Lang::En,
        );
        assert_eq!(s.year, Some(2021));
        assert_eq!(s.topic.as_deref(), Some("kidnapping"));
        assert_eq!(s.location.as_deref(), Some("MX"));
        assert_eq!(s.source.as_deref(), Some("Interior Ministry"));
        let s = one("En Colombia se incautaron 12 toneladas de cocaína, informó la Policía.", Lang::Es);
        assert_eq!(s.topic.as_deref(), Some("drug_seizure"));
        assert_eq!(s.location.as_deref(), Some("CO"));
        assert_eq!(s.source.as_deref(), Some("Policía"));
    }

    #[test]
    fn offsets_cover_the_figure() {
        let text = "Según la ONU, Perú produjo unas 400 toneladas.\nOtra línea con 5 %.";
        for s in stats(text, Lang::Es) {
            let span: String = text.chars().skip(s.start).take(s.end - s.start).collect();
            assert!(span.starts_with(|c: char| c.is_ascii_digit()), "{span}");
        }
    }

    #[test]
    fn number_formats_in_context() {
        assert_eq!(unit_value("Se decomisaron 1 234,5 kilos.", Lang::Es), ("kg".into(), Some(1234.5)));
        assert_eq!(unit_value("Se decomisaron 22.500 kilos.", Lang::Es), ("kg".into(), Some(22500.0)));
        assert_eq!(unit_value("Agents seized 31.5 tons.", Lang::En), ("kg".into(), Some(31500.0)));
        assert_eq!(
            unit_value("The state spent 1,234.5 million pesos.", Lang::En),
            ("MXN".into(), Some(1234.5e6))
        );
        assert_eq!(
            unit_value("El Estado gastó 1.234,5 millones de soles.", Lang::Es),
            ("PEN".into(), Some(1234.5e6))
        );
        assert_eq!(
            unit_value("La deuda llega a un billón de pesos colombianos.", Lang::Es),
            ("COP".into(), Some(1e12))
        );
        assert_eq!(unit_value("Costó 3 mil millones de dólares.", Lang::Es), ("USD".into(), Some(3e9)));
        assert_eq!(unit_value("Fueron cien mil dólares.", Lang::Es), ("USD".into(), Some(1e5)));
    }

    #[test]
    fn more_units() {
        assert_eq!(unit_value("Robbery fell 4 per cent.", Lang::En), ("percent".into(), Some(4.0)));
        assert_eq!(
            unit_value("La pobreza bajó 1,5 puntos porcentuales.", Lang::Es),
            ("percent".into(), Some(1.5))
        );
        assert_eq!(
            unit_value("There were 8 thefts per 10,000 residents.", Lang::En),
            ("per_100k".into(), Some(80.0))
        );
        assert_eq!(
            unit_value("Miners cleared 3,100 hectares.", Lang::En),
            ("hectare".into(), Some(3100.0))
        );
        assert_eq!(unit_value("They paid 900 lempiras.", Lang::En), ("HNL".into(), Some(900.0)));
        assert_eq!(unit_value("Cobraban 50 reales por semana.", Lang::Es), ("BRL".into(), Some(50.0)));
        assert_eq!(unit_value("Pedían 20.000 bolívares.", Lang::Es), ("VES".into(), Some(20000.0)));
        assert_eq!(
            unit_value("La multa es de 300.000 pesos chilenos.", Lang::Es),
            ("CLP".into(), Some(300000.0))
        );
        assert_eq!(unit_value("Pagó 15.000 pesos argentinos.", Lang::Es), ("ARS".into(), Some(15000.0)));
        assert_eq!(
            unit_value("El decomiso vale 2 millones de euros.", Lang::Es),
            ("EUR".into(), Some(2e6))
        );
        assert_eq!(unit_value("The seizure is worth €4m.", Lang::En), ("EUR".into(), Some(4e6)));
        assert_eq!(unit_value("The emergency lasts 45 days.", Lang::En), ("days".into(), Some(45.0)));
        assert_eq!(unit_value("The inquiry took 18 months.", Lang::En), ("months".into(), Some(18.0)));
        assert_eq!(unit_value("Compraron 400 gramos de heroína.", Lang::Es), ("kg".into(), Some(0.4)));
    }

    #[test]
    fn more_qualifiers() {
        let q = |t: &str, l: Lang| one(t, l).qualifier;
        assert_eq!(q("Around 500 troops arrived.", Lang::En), Some(Qualifier::Approx));
        assert_eq!(q("Almost 90 percent agreed.", Lang::En), Some(Qualifier::Approx));
        assert_eq!(q("Over 2,000 inmates rioted.", Lang::En), Some(Qualifier::MoreThan));
        assert_eq!(q("Under 5 percent of cases end in court.", Lang::En), Some(Qualifier::LessThan));
        assert_eq!(q("At most 30 agents took part.", Lang::En), Some(Qualifier::AtMost));
        assert_eq!(q("Alrededor de 400 familias huyeron.", Lang::Es), Some(Qualifier::Approx));
        assert_eq!(q("Unos 35 reos escaparon.", Lang::Es), Some(Qualifier::Approx));
        assert_eq!(q("Casi 7 toneladas fueron halladas.", Lang::Es), Some(Qualifier::Approx));
        assert_eq!(q("La banda estimó 40 víctimas.", Lang::Es), None);
    }

    #[test]
    fn more_exclusions() {
        for (t, l) in [
            ("El ataque ocurrió el 15 de mayo.", Lang::Es),
            ("Es la tercera vez y el 3er intento.", Lang::Es),
            ("Llame al 01-555-1234 o a la línea 105.", Lang::Es),
            ("Dos tercios de los vecinos y tres veces más.", Lang::Es),
            ("The 1st and 2nd battalions arrived.", Lang::En),
            ("The hearing is set for August 22.", Lang::En),
            ("Hundreds of families fled.", Lang::En),
            ("Miles de personas marcharon.", Lang::Es),
            ("The H1N1 and the Mi-17 were mentioned.", Lang::En),
            ("La reunión fue a las 9 de la mañana.", Lang::Es),
        ] {
            let s = stats(t, l);
            assert!(s.is_empty(), "{t}: {s:?}");
        }
    }

    #[test]
    fn from_to_without_change_is_a_range() {
        let s = one("Las multas van de 2.000 a 18.000 soles.", Lang::Es);
        assert_eq!((s.low, s.high, s.unit.as_str()), (Some(2000.0), Some(18000.0), "PEN"));
        let s = stats("Thefts went from 2,000 to 18,000 a year.", Lang::En);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn repeated_figure_is_one_statistic() {
        let s = stats("About 70 percent feel unsafe. The 70 percent figure is new.", Lang::En);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn sources_from_cues() {
        let src = |t: &str, l: Lang| one(t, l).source;
        assert_eq!(
            src("Robberies rose 8 percent, the Interior Ministry said.", Lang::En).as_deref(),
            Some("Interior Ministry")
        );
        assert_eq!(
            src("Murders fell 5 percent, according to the Igarapé Institute.", Lang::En).as_deref(),
            Some("Igarapé Institute")
        );
        assert_eq!(
            src("Según la Defensoría del Pueblo, hubo 90 conflictos.", Lang::Es).as_deref(),
            Some("Defensoría del Pueblo")
        );
        assert_eq!(
            src("El director, Luis Vera, informó que hay 40 casos.", Lang::Es).as_deref(),
            Some("Luis Vera")
        );
        assert_eq!(src("En Lima, dijo, hay 40 casos.", Lang::Es), None);
    }

    #[test]
    fn nearest_country_wins() {
        let s = stats("Mexico reported 40 cases while Peru reported 7 cases.", Lang::En);
        assert_eq!(
            s.iter().map(|s| s.location.as_deref()).collect::<Vec<_>>(),
            vec![Some("MX"), Some("PE")]
        );
        let s = one("Colombia paid US$ 4 million to Peru.", Lang::En);
        assert_eq!(s.location.as_deref(), Some("PE"));
    }

    #[test]
    fn years_go_to_the_nearest_figure() {
        let s = stats("Seizures reached 12 tons in 2021 and 19 tons in 2022.", Lang::En);
        assert_eq!(s.iter().map(|s| s.year).collect::<Vec<_>>(), vec![Some(2021), Some(2022)]);
        let s = stats(
            "In 2020, the gang had 300 members, compared with the same period of 2019.",
            Lang::En,
        );
        assert_eq!(s[0].year, Some(2020));
        let s = one("Between 2015 and 2019, 600 leaders were killed.", Lang::En);
        assert_eq!(s.year, None);
    }

    #[test]
    fn ages_and_open_bounds() {
        let s = one("The 2 suspects, aged 19 and 23, were arrested.", Lang::En);
        assert_eq!(s.value, Some(2.0));
        let s = one("Dos jóvenes de 17 y 20 años fueron detenidos.", Lang::Es);
        assert_eq!(s.value, Some(2.0));
        let s = one("Attacks on 4 or more people are massacres.", Lang::En);
        assert_eq!((s.qualifier, s.counted.as_deref()), (Some(Qualifier::AtLeast), Some("people")));
    }

    #[test]
    fn headline_and_lead_are_one_figure() {
        let s = stats(
            "Kidnappings reach 1,120\n\nKidnappings reached 1,120 cases in 2024, police said.",
            Lang::En,
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].year, Some(2024));
    }

    mod props {
        use super::super::super::{Lang, extract};
        use proptest::prelude::*;

        fn check(text: &str) -> Result<(), TestCaseError> {
            let chars = text.chars().count();
            for lang in [Lang::En, Lang::Es] {
                let out = extract(text, lang);
                prop_assert!((0.0..=1.0).contains(&out.relevance));
                for s in &out.statistics {
                    prop_assert!(s.start < s.end && s.end <= chars, "{:?} in {:?}", s, text);
                    prop_assert!(s.value.is_some() != (s.low.is_some() && s.high.is_some()));
                }
            }
            Ok(())
        }

        proptest! {
            #[test]
            fn extract_never_panics_on_any_string(text in any::<String>()) {
                check(&text)?;
            }

            #[test]
            fn extract_never_panics_on_number_soup(text in "([0-9]{1,4}[.,]?[0-9]{0,3}|US\\$|S/|%|per|por cada|entre|y|and|to|a|de|mil|millones|million|tons|años|[A-Z][a-z]{1,6}|[.,;:!?\n -]){0,30}") {
                check(&text)?;
            }
        }
    }
}
