//! Statistics: numbers with their unit, qualifier, change, topic, year, place and attribution.
//!
//! Each sentence is read on its own. A quantity (see `numbers`) gets the unit written around
//! it; a bare number after "from"/"than"/"compared with" (or the "after" of a change) takes
//! the unit of the level figure before it, the "before" of "from X to Y" takes the unit of Y,
//! and a bare number in a list takes the unit of the list. Anything else is a count of the
//! noun phrase that follows it.
//!
//! Context: keywords of the topic lexicon go to the figure nearest to them, and a figure with
//! none takes the sentence's main topic; years go to the nearest figure, and a figure with none
//! takes a year written earlier in the sentence; the country is the one named nearest to the
//! figure; the source comes from attribution cues ("according to X", "X said", "según X").
//!
//! What earlier sentences say carries over (`Carry`): the currency of bare millions, whether
//! the text gives rates per 100,000, a table's column years, a heading's topic. What the whole
//! text says fills the gaps last: its country for figures whose sentence names none, its
//! topic for figures with none.
//!
//! The parts: `figures` reads numbers into drafts with their unit (lists, ranges, merges,
//! qualifiers), `context` gives them topic, year, place and change, `attribution` their
//! source, `metric` what a rate measures. This file runs them sentence by sentence and
//! merges a figure repeated across the text.

use std::cell::{LazyCell, OnceCell};

use std::sync::LazyLock;

use super::geo::words::FastMap;
use super::geo::{Folded, GeoKind};
use super::lexicon::{Lexicon, WordTable, ends_with_phrase};
use super::numbers::{self, Number, NumberKind, Quantity};
use super::sentences::Sentence;
use super::table::{self, TableError};
use super::tokens::{self, Kind, Tokens};
use super::{Change, Entity, EntityType, Lang, LocationFrom, Qualifier, Statistic, Topic, Unit, entities, geo, topics, units};

mod attribution;
mod context;
mod figures;
mod metric;

use attribution::*;
#[cfg(test)]
pub(crate) use context::relative_years;
use context::*;
use figures::*;
use metric::*;

pub(crate) struct StatData {
    lang: Lang,
    qualifiers: Lexicon<Qualifier>,
    /// Cues the source follows ("according to"), with whether any phrase may follow (not
    /// only a name or "the ..."): "according to local officials" but not "says homicides fell".
    before_cues: Lexicon<bool>,
    /// Cues the source precedes ("the police said"); true for verbs that also follow places
    /// and plain subjects ("the Observatory counted", but "Brazil recorded"), which attribute
    /// only after a person or organisation the entity finder found.
    after_cues: Lexicon<bool>,
    /// Words that may stand between a source and the cue after it ("Ruiz also said", "Ríos
    /// le dijo a la prensa").
    cue_between: WordTable<()>,
    stopwords: WordTable<()>,
    comparison: Lexicon<()>,
    /// Change cues before a figure ("rose by"), after it ("% decrease"; `true`: only at the
    /// end of a clause, "43 robos más."), and the words allowed between cue and figure.
    change_before: Lexicon<Change>,
    change_after: Lexicon<(Change, bool)>,
    change_between: Lexicon<()>,
    /// Rates stated per 100,000 by convention ("homicide rate", "tasa de homicidios").
    rate_cues: Lexicon<()>,
    /// Things outside the topic vocabulary ("suicidios", "traffic deaths").
    untopical: Lexicon<()>,
}

pub(crate) fn load(lang: Lang) -> Result<StatData, TableError> {
    let mut qualifiers = Lexicon::new();
    for row in table::QUALIFIERS.rows()? {
        if !row.applies(0, lang)? {
            continue;
        }
        let q = row.choice(
            1,
            "qualifier",
            &[
                ("approx", Qualifier::Approx),
                ("at_least", Qualifier::AtLeast),
                ("more_than", Qualifier::MoreThan),
                ("less_than", Qualifier::LessThan),
                ("at_most", Qualifier::AtMost),
            ],
        )?;
        qualifiers.insert(row.get(2), q);
    }
    let mut before_cues = Lexicon::new();
    let mut after_cues = Lexicon::new();
    let mut cue_between = WordTable::default();
    for row in table::ATTRIBUTION.rows()? {
        if !row.applies(0, lang)? {
            continue;
        }
        let positions = [("before", 0), ("before_any", 1), ("after", 2), ("after_named", 3), ("between", 4)];
        match row.choice(1, "position", &positions)? {
            0 => before_cues.insert(row.get(2), false),
            1 => before_cues.insert(row.get(2), true),
            2 => after_cues.insert(row.get(2), false),
            3 => after_cues.insert(row.get(2), true),
            _ => cue_between.insert(tokens::fold(row.get(2)), ()),
        }
    }
    let mut stopwords = WordTable::default();
    for r in table::STOPWORDS.rows()? {
        if r.applies(0, lang)? {
            stopwords.insert(tokens::fold(r.get(1)), ());
        }
    }
    let mut comparison = Lexicon::new();
    for row in table::COMPARISON_CUES.rows()? {
        if row.applies(0, lang)? {
            comparison.insert(row.get(1), ());
        }
    }
    let mut change_before = Lexicon::new();
    let mut change_after = Lexicon::new();
    let mut change_between = Lexicon::new();
    for row in table::CHANGE_CUES.rows()? {
        if !row.applies(0, lang)? {
            continue;
        }
        let dir = row.choice(
            1,
            "direction",
            &[
                ("increase", Some(Change::Increase)),
                ("decrease", Some(Change::Decrease)),
                ("filler", None),
            ],
        )?;
        let place = row.choice(2, "position", &[("before", 0), ("after", 1), ("after_end", 2), ("between", 3)])?;
        let phrase = row.get(3);
        match (dir, place) {
            (None, 3) => change_between.insert(phrase, ()),
            (Some(dir), 0) => change_before.insert(phrase, dir),
            (Some(dir), 1) => change_after.insert(phrase, (dir, false)),
            (Some(dir), 2) => change_after.insert(phrase, (dir, true)),
            _ => return Err(row.unknown(2, "position")),
        }
    }
    let mut rate_cues = Lexicon::new();
    for row in table::RATE_CUES.rows()? {
        if row.applies(0, lang)? {
            rate_cues.insert(row.get(1), ());
        }
    }
    let mut untopical = Lexicon::new();
    for row in table::UNTOPICAL.rows()? {
        if row.applies(0, lang)? {
            untopical.insert(row.get(1), ());
        }
    }
    Ok(StatData {
        lang,
        untopical,
        rate_cues,
        change_before,
        change_after,
        change_between,
        qualifiers,
        before_cues,
        after_cues,
        cue_between,
        stopwords,
        comparison,
    })
}

static EN: LazyLock<StatData> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<StatData> = LazyLock::new(|| table::built(load(Lang::Es)));

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
    topic: Option<Topic>,
    /// Its own words put it outside the topic vocabulary ("suicidios", "traffic deaths").
    untopical: bool,
    year: Option<i32>,
    location: Option<&'static str>,
    /// The level a change reached: the "to" of "from X to Y".
    reached: bool,
    location_from: Option<LocationFrom>,
    change: Option<Change>,
    metric: Option<String>,
}

/// Finds the statistics of a body, sentence by sentence.
pub fn find(body: &str, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Statistic> {
    let toks = Tokens::new(body);
    let words = Folded::from_tokens(&toks);
    let entities = entities::find_in(body, &words, sentences, lang);
    find_in(body, &words, &toks, sentences, lang, &entities)
}

/// `find`, given the words of the body, folded, and its tokens.
pub(crate) fn find_in<'t>(
    body: &'t str,
    words: &Folded<'_>,
    toks: &Tokens<'t>,
    sentences: &[Sentence<'t>],
    lang: Lang,
    entities: &[Entity],
) -> Vec<Statistic> {
    let words = SentenceWords {
        body,
        words,
        cells: sentences.iter().map(|_| OnceCell::new()).collect(),
    };
    // Needed only for figures whose sentence names no country, so worked out only then.
    let article = OnceCell::new();
    let article_of = || *article.get_or_init(|| article_country(sentences, &words));
    // Needed only for a bare dollar sign.
    let pesos = OnceCell::new();
    let says_pesos = || *pesos.get_or_init(|| says_pesos(sentences));
    let mut out = Vec::new();
    let mut carry = Carry::default();
    let names = name_spans(body, entities);
    let text = Text {
        lang,
        digits: digit_convention(sentences, lang),
        article: &article_of,
        says_pesos: &says_pesos,
        names: &names,
    };
    // One list holds the tokens of each sentence in turn.
    let mut spare = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        // The sentence's tokens, from the body's when they split alike.
        let range = s.byte_start..s.byte_start + s.text.len();
        let toks = is_slice_at(body, &range, s.text)
            .then(|| toks.part_reusing(range, &mut spare))
            .flatten()
            .unwrap_or_else(|| Tokens::new(s.text));
        sentence_stats(s, &toks, &|| words.get(i, s), &text, &mut carry, &mut out);
        spare = toks.toks;
    }
    let mut out = dedupe(out);
    fill_topics(&mut out, lang);
    out.into_iter().map(|(stat, _)| stat).collect()
}

/// Whether `text` is `body[range]` itself. A sentence is a slice of its body, so comparing
/// where they lie is enough; a copy elsewhere only forgoes the body's words and tokens.
fn is_slice_at(body: &str, range: &std::ops::Range<usize>, text: &str) -> bool {
    body.get(range.clone()).is_some_and(|b| std::ptr::eq(b, text))
}

/// What the whole text tells each sentence: its language, the language whose digit
/// conventions it follows, the country it is about (worked out when first needed), and where
/// it names people and organisations.
struct Text<'a> {
    lang: Lang,
    digits: Lang,
    article: &'a dyn Fn() -> ArticleCountry,
    /// Whether the text speaks of pesos (a bare "$" is then a peso in English text too).
    says_pesos: &'a dyn Fn() -> bool,
    names: &'a [(usize, usize)],
}

/// The byte ranges in `body` of the people and organisations the entity finder found.
fn name_spans(body: &str, entities: &[Entity]) -> Vec<(usize, usize)> {
    let named: Vec<&Entity> = entities.iter().filter(|e| e.kind != EntityType::Location).collect();
    // Entity offsets are code points: one pass over the body turns them into bytes.
    let mut wanted: Vec<usize> = named.iter().flat_map(|e| [e.start, e.end]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut bytes: FastMap<usize, usize> = FastMap::with_capacity_and_hasher(wanted.len(), Default::default());
    let mut rest = body.chars();
    let mut at = 0;
    for &w in &wanted {
        // Skip to code point `w`: `nth(k)` passes k code points and takes one more.
        if w > at {
            if rest.nth(w - at - 1).is_none() {
                break;
            }
            at = w;
        }
        bytes.insert(w, body.len() - rest.as_str().len());
    }
    let mut spans: Vec<(usize, usize)> = named
        .iter()
        .filter_map(|e| Some((*bytes.get(&e.start)?, *bytes.get(&e.end)?)))
        .collect();
    spans.sort_unstable();
    spans
}

/// The names of a sentence as token ranges of its tokens: those that start and end on tokens.
fn sentence_names(s: &Sentence<'_>, toks: &Tokens<'_>, names: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let (from, to) = (s.byte_start, s.byte_start + s.text.len());
    let first = names.partition_point(|n| n.0 < from);
    names[first..]
        .iter()
        .take_while(|n| n.0 < to)
        .filter(|n| n.1 <= to)
        .filter_map(|&(a, b)| {
            let (a, b) = (a - from, b - from);
            let start = toks.toks.partition_point(|t| t.start < a);
            let end = toks.toks.partition_point(|t| t.start < b);
            (end > start && toks.start(start) == a && toks.end(end - 1) == b).then_some((start, end))
        })
        .collect()
}

/// A statistic, and whether its own words say it is about none of the topics (a suicide, a
/// traffic death), so the text's topic must not be given to it.
type Found = (Statistic, bool);

/// The same figure repeated later in a text ("the 90 percent statistic", a headline and its
/// lead) is one statistic; the mention that states a year (or names what it counts) is kept.
fn dedupe(stats: Vec<Found>) -> Vec<Found> {
    type Key = (Unit, Option<u64>, Option<u64>, Option<u64>);
    let first_word = |s: &Statistic| {
        s.counted
            .as_deref()
            .and_then(|c| c.split_whitespace().next())
            .map(str::to_lowercase)
    };
    // Small bare counts ("16", "2") repeat by chance; large or named ones do not.
    let distinctive = |s: &Statistic| s.unit != Unit::Count || s.counted.is_some() || s.value.is_some_and(|v| v >= 100.0);
    let same_thing = |a: &Statistic, b: &Statistic| {
        let (wa, wb) = (first_word(a), first_word(b));
        wa == wb || (a.unit == Unit::Count && (wa.is_none() || wb.is_none()))
    };
    let richer = |new: &Statistic, old: &Statistic| {
        (new.year.is_some() && old.year.is_none()) || (new.year == old.year && new.counted.is_some() && old.counted.is_none())
    };
    let mut seen: FastMap<Key, Vec<usize>> = FastMap::default();
    let mut out: Vec<Option<Found>> = Vec::with_capacity(stats.len());
    for (s, untopical) in stats {
        if !distinctive(&s) {
            out.push(Some((s, untopical)));
            continue;
        }
        let key = (s.unit, s.value.map(f64::to_bits), s.low.map(f64::to_bits), s.high.map(f64::to_bits));
        let slots = seen.entry(key).or_default();
        // One sentence does not restate its own figure: "el 1 % de los presos y el 1 % de los
        // guardias" are two facts.
        let same_sentence = |o: &Statistic| o.sentence == s.sentence && o.start.abs_diff(s.start) < s.sentence.chars().count();
        let twin = slots.iter().copied().find(|&k| {
            // A change and a level, or an increase and a decrease, are different facts.
            out[k].as_ref().is_some_and(|(o, _)| {
                same_thing(o, &s) && !same_sentence(o) && o.change == s.change && (o.year == s.year || o.year.is_none() || s.year.is_none())
            })
        });
        match twin {
            Some(k) => {
                if out[k].as_ref().is_some_and(|(o, _)| richer(&s, o)) {
                    out[k] = None;
                    slots.push(out.len());
                    out.push(Some((s, untopical)));
                }
            }
            None => {
                slots.push(out.len());
                out.push(Some((s, untopical)));
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// The words of each sentence, for every lookup of the places and organisations it names:
/// taken from the body's words when first needed.
struct SentenceWords<'t> {
    body: &'t str,
    words: &'t Folded<'t>,
    cells: Vec<OnceCell<Folded<'t>>>,
}

impl SentenceWords<'_> {
    /// The words of sentence `s`, number `i` of the body, from the words of the body when
    /// they split alike.
    fn get(&self, i: usize, s: &Sentence<'_>) -> &Folded<'_> {
        self.cells[i].get_or_init(|| {
            let range = s.byte_start..s.byte_start + s.text.len();
            is_slice_at(self.body, &range, s.text)
                .then(|| self.words.part(range))
                .flatten()
                .unwrap_or_else(|| Folded::new(s.text))
        })
    }
}

/// More figures than this in one sentence mark a table or a list.
const MAX_FIGURES_PER_SENTENCE: usize = 40;

/// What earlier sentences tell the next ones about bare figures.
#[derive(Debug, Clone, Default)]
struct Carry {
    /// The currency of the last sum of money read.
    money: Option<&'static str>,
    /// Whether the text has been giving rates per 100,000.
    rates: bool,
    /// Whether the last figure read was about something outside the topic vocabulary.
    untopical: bool,
    /// The years heading the columns of the table being read, cell by cell.
    columns: Vec<Option<i32>>,
    /// The topic of the heading of the section being read ("Prison population").
    section: Option<Topic>,
}

/// `toks`: the sentence's tokens. `folded`: its words, folded. `text`: what the whole text
/// tells the sentence.
fn sentence_stats<'w>(
    s: &Sentence<'_>,
    toks: &Tokens<'_>,
    folded: &dyn Fn() -> &'w Folded<'w>,
    text: &Text<'_>,
    carry: &mut Carry,
    out: &mut Vec<Found>,
) {
    let (lang, digits, article) = (text.lang, text.digits, text.article);
    let nums = numbers::scan_tokens_with(toks, lang, digits);
    if table_header(toks, &nums, &mut carry.columns) {
        return;
    }
    if let Some(topic) = heading_topic(toks, &nums, lang) {
        carry.section = topic;
        return;
    }
    let quantities = nums.iter().filter(|n| n.kind == NumberKind::Quantity).count();
    // A "sentence" with dozens of figures is a table or a list, not prose: its figures
    // have no context to read.
    if quantities == 0 || quantities > MAX_FIGURES_PER_SENTENCE {
        return;
    }
    let d = data(lang);
    let drafts = read_figures(toks, &nums, lang, d);
    if drafts.is_empty() {
        return;
    }
    let mut drafts = drafts;
    for dr in &mut drafts {
        if let Some((q, start)) = qualifier(toks, dr, d, lang) {
            dr.qualifier = Some(q);
            dr.lead = start;
        }
    }
    carry.rates |= inherit_units(toks, &nums, &mut drafts, d, lang, carry.rates);
    let mut drafts = merge_parts(toks, merge_unit_ranges(toks, drafts, lang));
    let names = sentence_names(s, toks, text.names);
    let sources = find_sources(toks, d, &names);
    let f = folded();
    let countries = countries(s.text, f);
    // A place inside one country places the figure when the sentence names no country.
    let places = if countries.is_empty() { places(s.text, f) } else { Vec::new() };
    // Asked only of figures the sentence does not place.
    let about_world = LazyCell::new(|| countries.is_empty() && places.is_empty() && names_world(s.text, f));
    let money_country = currency_country(s.text, f);
    for dr in &mut drafts {
        let nearest = nearest_country(&countries, s.text, toks, dr).or_else(|| nearest_country(&places, s.text, toks, dr));
        let shared = nearest.is_some_and(|(start, _, code)| shared_with_another(s.text, f, start, code));
        dr.location = nearest.filter(|_| !shared).map(|m| m.2);
        if dr.location.is_some() {
            dr.location_from = Some(LocationFrom::Sentence);
        } else if !shared && !*about_world && article().plain {
            dr.location = article().main;
            dr.location_from = dr.location.map(|_| LocationFrom::Article);
        }
        if dr.location.is_none() && !shared && !*about_world && money_country.is_some() {
            dr.location = money_country;
            dr.location_from = Some(LocationFrom::Sentence);
        }
        if dr.unit == "peso" {
            dr.unit = units::resolve_peso(money_country.or(dr.location).or_else(|| article().main));
        } else if dr.unit == "dollar" {
            let a = article();
            dr.unit = units::resolve_dollar(lang, money_country.or(dr.location).or(a.main), (text.says_pesos)());
        }
        if dr.unit == "count" && dr.counted.is_none() {
            dr.counted = counted_phrase(toks, dr.num.end_tok, lang, d).map(|(c, _)| c);
            // "a budget of 41 mil 302.5 millones": millions of nothing named are the money
            // the text has been counting.
            if dr.counted.is_none()
                && dr.num.scale >= 1e6
                && !dr.num.words
                && let Some(code) = carry.money
            {
                dr.unit = code;
                dr.has_unit = true;
            }
        }
        if units::is_money(dr.unit) {
            carry.money = Some(dr.unit);
        }
    }
    table_years(toks, &mut drafts, &carry.columns);
    assign_years(toks, &nums, lang, &mut drafts);
    let spans: Vec<(usize, usize)> = sources.iter().map(|x| (x.1, x.2)).collect();
    // A sentence with no word of its own about what it counts goes on with the sentence
    // before when that one counted something outside the vocabulary ("Los suicidios
    // aumentaron. Se pasó de 2.103 a 2.313."): the text's topic is not given to it.
    // A sentence whose only such words are outside the vocabulary is wholly outside it.
    let (topical, untopical) = assign_topics(toks, f, lang, &spans, &mut drafts);
    if !topical && (untopical || carry.untopical) {
        for dr in &mut drafts {
            dr.untopical = true;
        }
    }
    carry.untopical = drafts.last().is_some_and(|dr| dr.untopical);
    for dr in &mut drafts {
        if dr.topic.is_none() && !dr.untopical {
            dr.topic = carry.section.filter(|t| topic_fits(dr.unit, *t));
        }
    }
    for dr in &mut drafts {
        dr.metric = metric(toks, dr, lang);
        dr.change = change(toks, dr, d);
    }
    listed_changes(toks, &mut drafts);
    let text = s.text;
    for dr in drafts {
        // Every draft's unit is a unit of the record by now: pesos and bare dollars are
        // resolved above, and measures that are no statistic were left out when read.
        let Ok(unit) = dr.unit.parse::<Unit>() else { continue };
        let source = source_of(&sources, toks, &dr).map(|x| x.0.clone());
        let (bs, be) = (toks.start(dr.first), toks.end(dr.end - 1));
        let start = s.char_start + text[..bs].chars().count();
        let end = start + text[bs..be].chars().count();
        let (value, low, high) = match dr.value {
            Quantity::Point(v) => (Some(round(v)), None, None),
            Quantity::Range(a, b) => (None, Some(round(a)), Some(round(b))),
        };
        let stat = Statistic {
            value,
            low,
            high,
            unit,
            qualifier: dr.qualifier,
            counted: dr.counted,
            topic: dr.topic,
            metric: dr.metric,
            year: dr.year,
            location: dr.location.map(str::to_string),
            source,
            sentence: text.to_string(),
            start,
            end,
            change: dr.change,
            location_from: dr.location_from,
        };
        out.push((stat, dr.untopical));
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

/// Helpers of the tests of every part.
#[cfg(test)]
mod testing {
    pub(super) use super::super::sentences;
    pub(super) use super::*;

    pub(super) fn stats(text: &str, lang: Lang) -> Vec<Statistic> {
        find(text, &sentences::split(text), lang)
    }

    pub(super) fn changes(text: &str, lang: Lang) -> Vec<Option<Change>> {
        stats(text, lang).into_iter().map(|s| s.change).collect()
    }

    pub(super) fn one(text: &str, lang: Lang) -> Statistic {
        let s = stats(text, lang);
        assert_eq!(s.len(), 1, "{text}: {s:#?}");
        s.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    pub(super) fn unit_value(text: &str, lang: Lang) -> (String, Option<f64>) {
        let s = one(text, lang);
        (s.unit.to_string(), s.value)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn year_topic_location_source() {
        let s = one(
            "In 2021, kidnappings in Mexico reached 600, according to the Interior Ministry.",
            Lang::En,
        );
        assert_eq!(s.year, Some(2021));
        assert_eq!(s.topic, Some(Topic::Kidnapping));
        assert_eq!(s.location.as_deref(), Some("MX"));
        assert_eq!(s.source.as_deref(), Some("Interior Ministry"));
        let s = one("En Colombia se incautaron 12 toneladas de cocaína, informó la Policía.", Lang::Es);
        assert_eq!(s.topic, Some(Topic::DrugSeizure));
        assert_eq!(s.location.as_deref(), Some("CO"));
        assert_eq!(s.source.as_deref(), Some("Policía"));
    }

    #[test]
    fn name_spans_turn_code_points_into_bytes() {
        use super::name_spans;
        use crate::extract::{Entity, EntityType};
        let body = "Según Ángel Pérez, ministro, en Perú creció el crimen: lo dijo la ONU";
        let entity = |kind, name: &str| {
            let at = body.find(name).unwrap_or(0);
            let start = body[..at].chars().count();
            Entity {
                kind,
                name: name.to_string(),
                role: None,
                country: None,
                start,
                end: start + name.chars().count(),
            }
        };
        let bytes = |name: &str| body.find(name).map(|at| (at, at + name.len()));
        let past_the_end = Entity {
            start: 200,
            end: 210,
            ..entity(EntityType::Organization, "ONU")
        };
        let found = name_spans(
            body,
            &[
                entity(EntityType::Organization, "ONU"),
                entity(EntityType::Location, "Perú"),
                entity(EntityType::Person, "Ángel Pérez"),
                past_the_end,
            ],
        );
        assert_eq!(
            found.into_iter().map(Some).collect::<Vec<_>>(),
            [bytes("Ángel Pérez"), bytes("ONU")]
        );
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
    fn repeated_figure_is_one_statistic() {
        let s = stats("About 70 percent feel unsafe. The 70 percent figure is new.", Lang::En);
        assert_eq!(s.len(), 1);
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
