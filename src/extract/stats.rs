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

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::geo::{Folded, GeoKind};
use super::lexicon::{Lexicon, WordTable, ends_with_phrase};
use super::numbers::{self, Number, NumberKind, Quantity};
use super::sentences::Sentence;
use super::table::{self, TableError};
use super::tokens::{self, Kind, Tokens};
use super::{Change, Lang, LocationFrom, Qualifier, Statistic, geo, topics, units};

pub(crate) struct StatData {
    lang: Lang,
    qualifiers: Lexicon<Qualifier>,
    /// Cues the source follows ("according to"), with whether any phrase may follow (not
    /// only a name or "the ..."): "according to local officials" but not "says homicides fell".
    before_cues: Lexicon<bool>,
    /// Cues the source precedes ("the police said").
    after_cues: Lexicon<()>,
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
    for row in table::ATTRIBUTION.rows()? {
        if !row.applies(0, lang)? {
            continue;
        }
        match row.choice(1, "position", &[("before", 0), ("before_any", 1), ("after", 2)])? {
            0 => before_cues.insert(row.get(2), false),
            1 => before_cues.insert(row.get(2), true),
            _ => after_cues.insert(row.get(2), ()),
        }
    }
    let mut stopwords = WordTable::default();
    for r in table::STOPWORDS.rows()? {
        if r.applies(0, lang)? {
            stopwords.insert(tokens::fold(r.get(1)), ());
        }
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
    topic: Option<&'static str>,
    /// Its own words put it outside the topic vocabulary ("suicidios", "traffic deaths").
    untopical: bool,
    year: Option<i32>,
    location: Option<&'static str>,
    location_from: Option<LocationFrom>,
    change: Option<Change>,
    metric: Option<String>,
}

/// Finds the statistics of a body, sentence by sentence.
pub fn find(body: &str, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Statistic> {
    find_in(body, &Folded::new(body), &Tokens::new(body), sentences, lang)
}

/// `find`, given the words of the body, folded, and its tokens.
pub(crate) fn find_in<'t>(body: &'t str, words: &Folded, toks: &Tokens<'t>, sentences: &[Sentence<'t>], lang: Lang) -> Vec<Statistic> {
    let words = SentenceWords {
        body,
        words,
        cells: sentences.iter().map(|_| OnceCell::new()).collect(),
    };
    // Needed only for figures whose sentence names no country, so worked out only then.
    let article = OnceCell::new();
    let article_of = || *article.get_or_init(|| article_country(sentences, &words));
    let mut out = Vec::new();
    let mut carry = Carry::default();
    let digits = digit_convention(sentences, lang);
    for (i, s) in sentences.iter().enumerate() {
        // The sentence's tokens, from the body's when they split alike.
        let range = s.byte_start..s.byte_start + s.text.len();
        let toks = (body.get(range.clone()) == Some(s.text))
            .then(|| toks.part(range))
            .flatten()
            .unwrap_or_else(|| Tokens::new(s.text));
        sentence_stats(s, &toks, &|| words.get(i, s), (lang, digits), &article_of, &mut carry, &mut out);
    }
    let mut out = dedupe(out);
    fill_topics(&mut out);
    out.into_iter().map(|(stat, _)| stat).collect()
}

/// A statistic, and whether its own words say it is about none of the topics (a suicide, a
/// traffic death), so the text's topic must not be given to it.
type Found = (Statistic, bool);

/// Share of the figures with a topic that the most common one needs to be the topic of the text.
const TOPIC_SHARE: f64 = 0.5;

/// A figure whose sentence names no topic ("Heredia (41)", "in 2019, 103.1") is about what the
/// text is about, when most of its other figures agree on that.
fn fill_topics(stats: &mut [Found]) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut total = 0;
    for (s, _) in stats.iter() {
        let Some(t) = &s.topic else { continue };
        total += 1;
        match counts.iter_mut().find(|(c, _)| c == t) {
            Some(entry) => entry.1 += 1,
            None => counts.push((t.clone(), 1)),
        }
    }
    let Some((main, n)) = counts.into_iter().rev().max_by_key(|(_, n)| *n) else {
        return;
    };
    if (n as f64) <= TOPIC_SHARE * total as f64 {
        return;
    }
    for (s, untopical) in stats.iter_mut() {
        if s.topic.is_none() && !*untopical && topic_fits(&s.unit, &main) {
            s.topic = Some(main.clone());
        }
    }
}

/// The digit conventions a text follows. English text that writes decimal commas ("81,4%",
/// "12,07 %") writes its thousands with points too ("152.330 inmates"): Spanish reading
/// gives both their meaning, and still reads "1,197" and "76.6%" right.
fn digit_convention(sentences: &[Sentence<'_>], lang: Lang) -> Lang {
    if lang == Lang::Es {
        return lang;
    }
    let decimal_commas: usize = sentences
        .iter()
        .map(|s| {
            let b = s.text.as_bytes();
            (1..b.len().saturating_sub(1))
                .filter(|&i| b[i] == b',' && b[i - 1].is_ascii_digit())
                .filter(|&i| {
                    let tail = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    (1..=2).contains(&tail) && b.get(i + 1 + tail).is_none_or(|c| !c.is_ascii_digit() && *c != b',')
                })
                .count()
        })
        .sum();
    if decimal_commas >= 2 { Lang::Es } else { lang }
}

/// The country a text is about, as far as its place names tell.
#[derive(Debug, Clone, Copy, Default)]
struct ArticleCountry {
    /// The country named most often (countries, demonyms, places inside one country and
    /// national bodies).
    main: Option<&'static str>,
    /// Whether the text is plainly about `main`: most of its place mentions are in it.
    plain: bool,
    /// Whether the text speaks of pesos (a bare "$" is then a peso in English text too).
    says_pesos: bool,
}

/// Share of all country and place mentions the main country needs for a text to be plainly
/// about it (news about one country still names its neighbours and partners in comparisons);
/// below that it is a round-up of several countries.
const PLAIN_SHARE: f64 = 0.4;

/// The words of each sentence, for every lookup of the places and organisations it names:
/// taken from the body's words when first needed.
struct SentenceWords<'t> {
    body: &'t str,
    words: &'t Folded,
    cells: Vec<OnceCell<Folded>>,
}

impl SentenceWords<'_> {
    /// The words of sentence `s`, number `i` of the body, from the words of the body when
    /// they split alike.
    fn get(&self, i: usize, s: &Sentence<'_>) -> &Folded {
        self.cells[i].get_or_init(|| {
            let range = s.byte_start..s.byte_start + s.text.len();
            (self.body.get(range.clone()) == Some(s.text))
                .then(|| self.words.part(range))
                .flatten()
                .unwrap_or_else(|| Folded::new(s.text))
        })
    }
}

fn article_country(sentences: &[Sentence<'_>], words: &SentenceWords<'_>) -> ArticleCountry {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut total = 0;
    let mut says_pesos = false;
    for (i, s) in sentences.iter().enumerate() {
        let f = words.get(i, s);
        says_pesos = says_pesos
            || s.text
                .split(|c: char| !tokens::is_alphanumeric(c))
                .any(|w| w.eq_ignore_ascii_case("pesos"));
        // "US$ 25 millones" names a currency, not the country.
        let places = geo::mentions_in(s.text, f)
            .into_iter()
            .filter(|m| !s.text[m.1..].starts_with('$'))
            .filter_map(|m| m.3);
        let bodies = super::entities::org_mentions_in(s.text, f).into_iter().filter_map(|m| m.2);
        for code in places.chain(bodies) {
            total += 1;
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some(entry) => entry.1 += 1,
                None => counts.push((code, 1)),
            }
        }
    }
    // The earliest of the most frequent wins a tie: the lead names the main country.
    let top = counts.iter().rev().max_by_key(|(_, n)| *n).copied();
    ArticleCountry {
        main: top.map(|(c, _)| c),
        plain: top.is_some_and(|(_, n)| n as f64 > PLAIN_SHARE * total as f64),
        says_pesos,
    }
}

/// The same figure repeated later in a text ("the 90 percent statistic", a headline and its
/// lead) is one statistic; the mention that states a year (or names what it counts) is kept.
fn dedupe(stats: Vec<Found>) -> Vec<Found> {
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
    let mut out: Vec<Option<Found>> = Vec::with_capacity(stats.len());
    for (s, untopical) in stats {
        if !distinctive(&s) {
            out.push(Some((s, untopical)));
            continue;
        }
        let key = (
            s.unit.clone(),
            s.value.map(f64::to_bits),
            s.low.map(f64::to_bits),
            s.high.map(f64::to_bits),
        );
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
    section: Option<&'static str>,
}

/// Most words a heading has.
const HEADING_WORDS: usize = 8;

/// A heading ("Prison population", "Colombian prisons capacity"): a short line with no
/// figure and no final stop. Returns its topic (none when it names none).
fn heading_topic(toks: &Tokens<'_>, nums: &[Number], lang: Lang) -> Option<Option<&'static str>> {
    let words = (0..toks.len()).filter(|&i| toks.is_word(i)).count();
    let stop = toks.len().checked_sub(1).is_some_and(|l| toks.kind(l) == Some(Kind::Punct));
    if words == 0 || words > HEADING_WORDS || stop || nums.iter().any(|n| n.kind == NumberKind::Quantity) {
        return None;
    }
    let mut scores = Vec::new();
    for h in topics::hits(toks, lang) {
        add(&mut scores, h.topic, h.weight);
    }
    Some(top(&scores))
}

/// The cell of token `tok` in a row of a flattened table, and the number of cells.
fn cells(toks: &Tokens<'_>) -> (Vec<usize>, usize) {
    let bars: Vec<usize> = (0..toks.len()).filter(|&i| toks.is_punct(i, "|")).collect();
    let count = bars.len() + usize::from(bars.last().is_some_and(|&b| b + 1 < toks.len()));
    (bars, count)
}

/// A flattened table ("Country | 2021 | 2022 |" then "Chile | 3.9 | 4.1 |"): a row of two or
/// more year cells heads the columns. Returns whether this row is such a header. A line
/// that is no table row ends the table.
fn table_header(toks: &Tokens<'_>, nums: &[Number], columns: &mut Vec<Option<i32>>) -> bool {
    let (bars, count) = cells(toks);
    if bars.len() < 2 {
        columns.clear();
        return false;
    }
    let years: Vec<(usize, i32)> = nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year)
        .filter_map(|n| match n.value {
            Quantity::Point(v) => Some((bars.iter().filter(|&&b| b < n.first_tok).count(), v as i32)),
            Quantity::Range(..) => None,
        })
        .collect();
    if years.len() < 2 || nums.iter().any(|n| n.kind == NumberKind::Quantity) {
        return false;
    }
    *columns = vec![None; count];
    for (c, y) in years {
        if let Some(slot) = columns.get_mut(c) {
            *slot = Some(y);
        }
    }
    true
}

/// Each cell of a table row takes the year heading its column. Rows may carry extra cells
/// on the left (a rank), so cells line up from the right.
fn table_years(toks: &Tokens<'_>, drafts: &mut [Draft], columns: &[Option<i32>]) {
    let (bars, count) = cells(toks);
    if columns.is_empty() || count < columns.len() {
        return;
    }
    let shift = count - columns.len();
    for dr in drafts.iter_mut() {
        let cell = bars.iter().filter(|&&b| b < dr.first).count();
        if let Some(&Some(y)) = cell.checked_sub(shift).and_then(|c| columns.get(c)) {
            dr.year = Some(y);
        }
    }
}

/// `toks`: the sentence's tokens. `folded`: its words, folded. `langs`: the language of the
/// text and the one whose conventions its digits follow.
fn sentence_stats<'w>(
    s: &Sentence<'_>,
    toks: &Tokens<'_>,
    folded: &dyn Fn() -> &'w Folded,
    langs: (Lang, Lang),
    article: &dyn Fn() -> ArticleCountry,
    carry: &mut Carry,
    out: &mut Vec<Found>,
) {
    let (lang, digits) = langs;
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
    let sources = find_sources(toks, d);
    let f = folded();
    let countries = countries(s.text, f);
    // A place inside one country places the figure when the sentence names no country.
    let places = if countries.is_empty() { places(s.text, f) } else { Vec::new() };
    let about_world = countries.is_empty() && places.is_empty() && names_world(s.text, f);
    for dr in &mut drafts {
        dr.location = nearest_country(&countries, s.text, toks, dr).or_else(|| nearest_country(&places, s.text, toks, dr));
        if dr.location.is_some() {
            dr.location_from = Some(LocationFrom::Sentence);
        } else if !about_world && article().plain {
            dr.location = article().main;
            dr.location_from = dr.location.map(|_| LocationFrom::Article);
        }
        if dr.unit == "peso" {
            dr.unit = units::resolve_peso(dr.location.or_else(|| article().main));
        } else if dr.unit == "dollar" {
            let a = article();
            dr.unit = units::resolve_dollar(lang, dr.location.or(a.main), a.says_pesos);
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
            dr.topic = carry.section.filter(|t| topic_fits(dr.unit, t));
        }
    }
    for dr in &mut drafts {
        dr.metric = metric(toks, dr, lang);
        dr.change = change(toks, dr, d);
    }
    let text = s.text;
    for dr in drafts {
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
            change: dr.change,
            location_from: dr.location_from,
        };
        out.push((stat, dr.untopical));
    }
}

/// Whether a figure changes an earlier value: a change cue right before it ("rose by",
/// "una reducción del"), right after it ("% decrease", "casos menos"), or a minus sign
/// ("(-18,8 %)"). The two ends of "from X to Y" and a compared figure are levels.
fn change(toks: &Tokens<'_>, dr: &Draft, d: &StatData) -> Option<Change> {
    if dr.num.change_from || dr.num.change_to || dr.compared {
        return None;
    }
    let f = dr.num.first_tok;
    let minus = |i: usize| ["-", "\u{2212}", "\u{2013}"].iter().any(|p| toks.is_punct(i, p));
    if f > 0 && minus(f - 1) && toks.attached(f) && (f == 1 || !toks.attached(f - 1) || toks.is_punct(f - 2, "(")) {
        return Some(Change::Decrease);
    }
    let mut at = dr.lead;
    for _ in 0..3 {
        match d.change_between.longest_ending_at(toks, at) {
            Some(m) => at = m.start,
            None => break,
        }
    }
    if let Some(m) = d.change_before.longest_ending_at(toks, at) {
        return Some(*m.value);
    }
    let mut ends = vec![dr.end];
    if dr.reach > dr.end && dr.reach - dr.end <= 3 {
        ends.push(dr.reach);
    }
    ends.into_iter().find_map(|e| {
        let m = d.change_after.longest_at(toks, e)?;
        let (dir, at_end) = *m.value;
        (!at_end || m.end >= toks.len() || toks.kind(m.end) == Some(Kind::Punct)).then_some(dir)
    })
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
        if let Quantity::Point(v) = n.value
            && units::orphan_base(toks, n.first_tok, v, lang).is_some()
        {
            continue;
        }
        if let Some(base) = n.out_of {
            // "4 de cada 10" is a percentage, "49.9/100,000" a rate.
            (unit, factor) = if base >= 1e3 {
                ("per_100k", 1e5 / base)
            } else {
                ("percent", 100.0 / base)
            };
            end = units::population_end(toks, end, lang).unwrap_or(end);
            has_unit = true;
        } else if let Some((f, e)) = units::per_rate(toks, end, lang, base_at) {
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
        // "the last four years", "los primeros diez meses" only situate the text.
        // English "last" is also a verb ("will last 45 days"): only after a determiner.
        let f = n.first_tok;
        let situating = matches!(unit, "days" | "months" | "years")
            && f > 0
            && SITUATING.iter().any(|w| *w == toks.norm(f - 1))
            && (lang == Lang::Es || (f > 1 && matches!(toks.norm(f - 2), "the" | "these" | "its" | "their" | "those")));
        if situating {
            continue;
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
            untopical: false,
            year: None,
            location: None,
            location_from: None,
            change: None,
            metric: None,
        });
    }
    drafts
}

static RECORD_PARTICIPLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::RECORD_PARTICIPLES.lines()));

static SITUATING: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::SITUATING.lines()));

/// "7 homicides per 100,000": up to three words between the number and the rate.
fn rate_after_noun(
    toks: &Tokens<'_>,
    end: usize,
    lang: Lang,
    d: &StatData,
    base_at: impl Fn(usize) -> Option<(f64, usize)> + Copy,
) -> Option<(usize, (f64, usize))> {
    // "6.2 deaths in clashes with the army for each group of 100 thousand": function
    // words may sit inside a longer noun phrase, up to eight words.
    let mut j = end;
    let mut content = 0;
    while j < end + 8 && toks.is_word(j) {
        if d.stopwords.get_tok(toks, j).is_none() {
            content += 1;
        } else if content == 0 {
            return None;
        }
        j += 1;
        if content > 0
            && let Some(r) = units::per_rate(toks, j, lang, base_at)
        {
            return Some((j, r));
        }
    }
    None
}

/// Whether the capitalised name ending at token `last` is a place ("Heredia (41)" counts
/// something there; "Rosa Díaz (51)" is an age).
fn names_place(toks: &Tokens<'_>, last: usize) -> bool {
    let mut first = last;
    while first > 0 && last - first < 5 && (toks.is_capitalized(first - 1) || matches!(toks.norm(first - 1), "de" | "del" | "of")) {
        first -= 1;
    }
    while first < last && !toks.is_capitalized(first) {
        first += 1;
    }
    let name = &toks.text[toks.start(first)..toks.end(last)];
    geo::names_place(name) || (first > 0 && matches!(toks.norm(first - 1), "in" | "en"))
}

/// "a 17-year-old", "de 45 años", "aged 30": an age, not a duration.
fn is_age(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
    // "Juan Pérez, 34, was arrested", "Rosa Díaz (51)": an age after a name.
    let f = n.first_tok;
    let v = n.value.high();
    if unit == "count" && n.end_tok == f + 1 && v < 120.0 && v.fract() == 0.0 && f >= 2 && toks.is_capitalized(f - 2) {
        let bracketed = toks.is_punct(f - 1, "(") && toks.is_punct(end, ")");
        let commas = toks.is_punct(f - 1, ",") && (toks.is_punct(end, ",") || toks.is_punct(end, ".") || end >= toks.len());
        if (bracketed || commas) && !names_place(toks, f - 2) {
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
    // "(2) Las cárceles ...": a marker opens an item; "murders (48)", "Sonora (37)" count
    // what the word before them names.
    let bracketed = n.first_tok > 0
        && toks.is_punct(n.first_tok - 1, "(")
        && toks.is_punct(n.end_tok, ")")
        && n.end_tok == n.first_tok + 1
        && n.value.high() < 100.0
        && n.value.high().fract() == 0.0
        && !(n.first_tok >= 2 && toks.is_word(n.first_tok - 2));
    // "3 | Chile | 3.9 |": the row number of a flattened table.
    let row = n.end_tok == n.first_tok + 1
        && (n.first_tok == 0 || toks.is_punct(n.first_tok - 1, "|"))
        && toks.is_punct(n.end_tok, "|")
        && toks.is_capitalized(n.end_tok + 1);
    row || bracketed || (n.first_tok == 0 && n.end_tok == 1 && (toks.is_punct(1, ".") || toks.is_punct(1, ")")) && !toks.is_number(2))
}

fn is_hyphen_at(toks: &Tokens<'_>, i: usize) -> bool {
    toks.is_punct(i, "-") || toks.is_punct(i, "–")
}

/// "three years ago", "hace dos meses": a point in time, not a duration.
fn is_time_ago(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
    matches!(unit, "years" | "months" | "days") && (toks.norm(end) == "ago" || (n.first_tok > 0 && toks.norm(n.first_tok - 1) == "hace"))
}

/// The phrases of `data/per_day.txt`, with a space each side to find them as whole words.
static PER_PERIOD: LazyLock<Vec<String>> =
    LazyLock::new(|| table::built(table::PER_DAY.lines()).iter().map(|p| format!(" {p} ")).collect());

/// Bare numbers borrow the unit of the figure they are compared with.
/// `rates`: whether earlier sentences gave rates per 100,000. Returns whether this one does.
fn inherit_units(toks: &Tokens<'_>, nums: &[Number], drafts: &mut [Draft], d: &StatData, lang: Lang, rates: bool) -> bool {
    // A "daily homicide rate" counts killings per day, not per 100,000 people.
    let per_day = |i: usize| i > 0 && matches!(toks.norm(i - 1), "daily" | "weekly" | "monthly");
    let homicide = topics::hits(toks, lang).iter().any(|h| h.topic == "homicide");
    // (end token, factor to per-100,000) of each cue.
    let mut rate_cues: Vec<(usize, f64)> = d
        .rate_cues
        .find_all(toks)
        .iter()
        .filter(|m| !per_day(m.start))
        .map(|m| (m.end, 1.0))
        .collect();
    // "rates per 100,000 residents peaked in Sonora (61.4)".
    for n in nums.iter().filter(|n| n.kind == NumberKind::Quantity) {
        if let Quantity::Point(v) = n.value
            && let Some(f) = units::orphan_base(toks, n.first_tok, v, lang)
        {
            rate_cues.push((units::population_end(toks, n.end_tok, lang).unwrap_or(n.end_tok), f));
        }
    }
    let per_period = {
        let folded = format!(
            " {} ",
            super::tokens::fold(toks.text)
                .split(|c: char| !tokens::is_alphanumeric(c))
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        );
        PER_PERIOD.iter().any(|p| folded.contains(p.as_str()))
    };
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
        // "frente a las 12.430 registradas": a participle after the number names no new thing.
        let participle = toks.is_word(drafts[k].end) && RECORD_PARTICIPLES.iter().any(|p| toks.norm(drafts[k].end).starts_with(p));
        let bare_noun = drafts[k].counted.is_none() && !toks.is_word(drafts[k].end) || stop_or_end(toks, drafts[k].end, d) || participle;
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
            && let Some(prev) = drafts[..k]
                .iter()
                .rev()
                // A percentage change ("a 15% decline compared with 921") is not what its
                // base measures: the base is a level of the figure before it.
                .filter(|p| !(p.unit == "percent" && change(toks, p, d).is_some()))
                .find(|p| p.has_unit || p.counted.is_some() || p.unit == "count")
                .cloned()
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
        let end = drafts[k].end;
        let closes_clause = !toks.is_word(end) || (matches!(toks.norm(end), "in" | "en") && toks.is_number(end + 1));
        let small_bare = !drafts[k].num.words && drafts[k].num.value.high() <= 200.0;
        if small_bare
            && (closes_clause || bare_noun)
            && (0..toks.len()).any(|j| matches!(toks.norm(j), "rate" | "rates" | "tasa" | "tasas"))
            && let Some(other) = drafts.iter().find(|o| o.unit == "per_100k").cloned()
        {
            adopt(&mut drafts[k], &other, false);
            continue;
        }
        // "a homicide rate of 83", "la tasa de homicidios cerró en 9,82": the convention is
        // per 100,000 people.
        let rate_word_after = matches!(toks.norm(end), "rate" | "tasa");
        // "Belize (28.4) and Jamaica (49.1) kept higher homicide rates": a bracketed
        // figure after a name may come before its cue.
        let bracketed = at > 1 && toks.is_punct(at - 1, "(") && toks.is_punct(end, ")") && toks.is_capitalized(at - 2);
        if small_bare
            && (closes_clause || bare_noun || rate_word_after)
            && let Some(&(_, f)) = rate_cues
                .iter()
                .rev()
                .find(|&&(e, _)| e <= drafts[k].first)
                .or(bracketed.then(|| rate_cues.first()).flatten())
        {
            drafts[k].unit = "per_100k";
            drafts[k].value = numbers::scale_quantity(drafts[k].value, f);
            drafts[k].has_unit = true;
            continue;
        }
        // "una tasa de 45,3" in a sentence about homicides, or in a text giving rates.
        let rate_of = at > 1 && matches!(toks.norm(at - 1), "de" | "of") && matches!(toks.norm(at - 2), "tasa" | "rate" | "indice");
        if small_bare && rate_of && (rates || homicide) && !per_period {
            drafts[k].unit = "per_100k";
            drafts[k].has_unit = true;
            continue;
        }
        // Points of a rate ("unos cuatro puntos por encima", "a fall of 0.61 points").
        let points = matches!(toks.norm(end), "points" | "puntos" | "point" | "punto")
            && !matches!(toks.norm(end + 1), "porcentuales" | "percentuales" | "porcentual");
        if points && (rates || !rate_cues.is_empty() || drafts.iter().any(|o| o.unit == "per_100k")) {
            drafts[k].unit = "per_100k";
            drafts[k].has_unit = true;
            drafts[k].end = end + 1;
            continue;
        }
        // In a text giving rates, a bare decimal ("era de 7.64 en mayo") counts nothing: it
        // is a rate too.
        let decimal = drafts[k].num.value.high().fract() != 0.0;
        if rates && small_bare && decimal && (closes_clause || bare_noun) && !per_period {
            drafts[k].unit = "per_100k";
            drafts[k].has_unit = true;
            continue;
        }
        // A list carries its unit: "131.1 tons in 2020; in 2019, 103.1", "Guerrero, 6.7".
        // "76.6% (1,197)": a figure in brackets right after another explains it, in its own unit.
        let explains = at > 1 && toks.is_punct(at - 1, "(") && drafts[..k].iter().any(|p| p.end == at - 1);
        // A bracket opens a list item only after a label ("Sonora (61.4)"), not after a
        // phrase ("en los penales federales (14 mil 306)").
        let list_punct = |i: usize| {
            [",", ";", ":"].iter().any(|p| toks.is_punct(i, p)) || (toks.is_punct(i, "(") && i > 0 && toks.is_capitalized(i - 1))
        };
        // "..., Chile 4, Uruguay 11": a name labels the item.
        let labelled = || {
            let mut i = at;
            while i > 0 && at - i < 5 && (toks.is_capitalized(i - 1) || toks.is_punct(i - 1, "&") || toks.is_punct(i - 1, ".")) {
                i -= 1;
            }
            i < at && i > 0 && (list_punct(i - 1) || matches!(toks.norm(i - 1), "and" | "y"))
        };
        let listed = at > 0 && !explains && (list_punct(at - 1) || labelled());
        if listed
            && closes_clause
            && let Some(prev) = drafts[..k].iter().rev().find(|p| p.has_unit && p.unit != "count").cloned()
        {
            adopt(&mut drafts[k], &prev, true);
            continue;
        }
        // "5 and 6 percent", "3 or 4 tons": a bare number just before a unit-bearing one.
        if let Some(next) = drafts.get(k + 1).cloned()
            && next.has_unit
            && next.num.first_tok == drafts[k].num.end_tok + 1
            && matches!(
                toks.norm(drafts[k].num.end_tok),
                "and" | "y" | "or" | "o" | "to" | "a" | "-" | "–" | "versus" | "vs" | "against"
            )
        {
            adopt(&mut drafts[k], &next, true);
        }
    }
    !rate_cues.is_empty() || drafts.iter().any(|dr| dr.unit == "per_100k")
}

/// "from $500 to $5,000", "between 10% and 20%": two figures with the same unit make one range.
fn merge_unit_ranges(toks: &Tokens<'_>, drafts: Vec<Draft>, lang: Lang) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::with_capacity(drafts.len());
    let mut it = drafts.into_iter().peekable();
    while let Some(mut a) = it.next() {
        // "entre el 3 % y el 7,5 %": an article may open each end.
        let article = |i: usize| matches!(toks.norm(i), "el" | "la" | "los" | "las" | "the");
        let gap = it
            .peek()
            .map_or(0, |b| if b.first > a.end + 1 && article(b.first - 1) { 1 } else { 0 });
        if let Some(b) = it.peek()
            && a.unit == b.unit
            && a.unit != "count"
            && b.first == a.end + 1 + gap
            && let (Quantity::Point(x), Quantity::Point(y)) = (a.value, b.value)
            && x != y
        {
            let (lo, hi) = (x.min(y), x.max(y));
            let c = toks.norm(a.end);
            let mut opener = if a.first > 0 { toks.norm(a.first - 1) } else { "" };
            if a.first > 1 && article(a.first - 1) {
                opener = toks.norm(a.first - 2);
            }
            // Only "between ... and ..." may name the larger end first ("entre 20 y 5 años").
            let is_range = match c {
                "and" | "y" => matches!(opener, "between" | "entre"),
                "to" | "a" | "hasta" => x < y,
                "-" | "–" => x < y,
                _ => false,
            };
            let changed = a.num.change_from || b.num.change_to || numbers::change_word_before(toks, lang, a.first.saturating_sub(1));
            if is_range && !changed {
                let b = it.next().unwrap_or_else(|| a.clone());
                a.value = Quantity::Range(lo, hi);
                if matches!(opener, "between" | "entre" | "from" | "desde") {
                    a.first -= if a.first > 1 && article(a.first - 1) { 2 } else { 1 };
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

/// Figures written in two parts are one: "52 años y seis meses" (52.5 years), "3 dollars
/// 50 cents" (3.5), "dos toneladas y media" (2.5 t).
fn merge_parts(toks: &Tokens<'_>, drafts: Vec<Draft>) -> Vec<Draft> {
    const CENTS: [&str; 6] = ["cents", "cent", "centavos", "centavo", "centimos", "centimo"];
    let mut out: Vec<Draft> = Vec::with_capacity(drafts.len());
    let mut it = drafts.into_iter().peekable();
    while let Some(mut a) = it.next() {
        // "y media", "and a half" after the unit: half of that unit.
        if a.has_unit
            && a.unit != "count"
            && let Quantity::Point(v) = a.value
            && let Quantity::Point(raw) = a.num.value
            && raw > 0.0
        {
            let half_at = match (toks.norm(a.end), toks.norm(a.end + 1), toks.norm(a.end + 2)) {
                ("y", "media" | "medio", _) => Some(a.end + 2),
                ("and", "a", "half") => Some(a.end + 3),
                _ => None,
            };
            if let Some(end) = half_at {
                a.value = Quantity::Point(v + 0.5 * v / raw);
                a.end = end;
                a.reach = a.reach.max(end);
            }
        }
        if let Some(b) = it.peek()
            && let (Quantity::Point(x), Quantity::Point(y)) = (a.value, b.value)
        {
            let joined = b.first == a.end || (b.first == a.end + 1 && matches!(toks.norm(a.end), "y" | "and" | "con"));
            let merged = if a.unit == "years" && b.unit == "months" && y < 12.0 && b.first == a.end + 1 && joined {
                Some((x + y / 12.0, b.end))
            } else if units::is_money(a.unit) && b.unit == "count" && y < 100.0 && joined && CENTS.contains(&toks.norm(b.num.end_tok)) {
                Some((x + y / 100.0, b.num.end_tok + 1))
            } else {
                None
            };
            if let Some((v, end)) = merged {
                a.value = Quantity::Point(v);
                a.end = end;
                a.reach = a.reach.max(end);
                it.next();
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
        // "a precios constantes de 2015", "in constant 2015 dollars": a price base.
        if d.comparison.matches_at(toks, j)
            || matches!(
                toks.norm(j),
                "respecto" | "before" | "earlier" | "anterior" | "constantes" | "constant"
            )
        {
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
        // "310 thefts at the end of 2019 compared to 355": a year after a preposition
        // belongs to the figure before it in its clause.
        let after_preposition = ys > 0 && matches!(toks.norm(ys - 1), "in" | "of" | "en" | "during" | "durante");
        if after_preposition
            && let Some(k) = drafts.iter().rposition(|dr| dr.end <= ys)
            && drafts[k].year.is_none()
            && !drafts[k].compared
        {
            let dist = distance(toks, (drafts[k].lead, drafts[k].reach.max(drafts[k].end)), (ys, ye));
            if dist <= MAX_YEAR_DISTANCE {
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

/// How near (in tokens) a thing outside the topic vocabulary must be to take a figure.
const UNTOPICAL_REACH: usize = 4;

/// How fast a keyword's weight falls with its distance (in tokens) to a figure.
const DECAY: f64 = 0.15;

/// Topic keywords go to the nearest figure; a figure with none takes the sentence's topic.
/// Returns whether the sentence has a topic keyword, and whether it names a thing outside the
/// vocabulary.
/// `f`: the words of the sentence of `toks`, folded.
fn assign_topics(toks: &Tokens<'_>, f: &Folded, lang: Lang, sources: &[(usize, usize)], drafts: &mut [Draft]) -> (bool, bool) {
    // The words of a known organisation's name ("Oficina de las Naciones Unidas contra la
    // Droga y el Delito") say nothing about the figures near it.
    let orgs = super::entities::org_mentions_in(toks.text, f);
    let in_org = |h: &topics::Hit| {
        orgs.iter()
            .any(|&(s, e, _)| toks.start(h.start_tok) >= s && toks.end(h.end_tok - 1) <= e)
    };
    let hits: Vec<topics::Hit> = topics::hits(toks, lang).into_iter().filter(|h| !in_org(h)).collect();
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
    let none: Vec<(usize, usize)> = data(lang).untopical.find_all(toks).iter().map(|m| (m.start, m.end)).collect();
    for (k, dr) in drafts.iter_mut().enumerate() {
        // "los suicidios pasaron de 1.480 casos a 1.536": a figure nearer to a thing outside
        // the vocabulary than to any topic keyword has no topic.
        let span = (dr.lead, dr.reach.max(dr.end));
        let nearest_none = none.iter().map(|&m| distance(toks, span, m)).min();
        let nearest_topic = hits.iter().map(|h| distance(toks, span, (h.start_tok, h.end_tok))).min();
        if nearest_none.is_some_and(|n| n <= UNTOPICAL_REACH && nearest_topic.is_none_or(|t| n < t)) {
            dr.untopical = true;
            continue;
        }
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
    (!hits.is_empty(), !none.is_empty())
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
fn countries(text: &str, f: &Folded) -> Vec<(usize, usize, &'static str)> {
    geo::country_mentions_in(text, f)
        .into_iter()
        // "US$ 25 millones" names a currency, not the country.
        .filter(|&(_, end, _)| !text[end..].starts_with('$'))
        .take(8)
        .collect()
}

/// Places inside one country named in a sentence: (byte range of the mention, ISO code).
fn places(text: &str, f: &Folded) -> Vec<(usize, usize, &'static str)> {
    geo::mentions_in(text, f)
        .into_iter()
        .filter(|m| m.2 == GeoKind::Place)
        .filter_map(|(s, e, _, code)| Some((s, e, code?)))
        .take(8)
        .collect()
}

static WORLD_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::WORLD_WORDS.lines()));

/// Whether a sentence is about the world or a region ("global production", "in Latin
/// America"): its figures are not the article's country's.
fn names_world(text: &str, f: &Folded) -> bool {
    geo::mentions_in(text, f).iter().any(|m| m.2 == GeoKind::Area) || {
        let folded = super::tokens::fold(text);
        let words: Vec<&str> = folded.split(|c: char| !tokens::is_alphanumeric(c)).collect();
        WORLD_WORDS.iter().any(|w| words.contains(w))
    }
}

/// What a comma or semicolon between a figure and a country adds to their distance, in bytes.
const CLAUSE_GAP: usize = 40;

fn nearest_country(countries: &[(usize, usize, &'static str)], text: &str, toks: &Tokens<'_>, dr: &Draft) -> Option<&'static str> {
    let (s, e) = (toks.start(dr.first), toks.end(dr.end.saturating_sub(1)));
    // An origin or destination ("bound for Paraguay") is not where the figure belongs, unless
    // the sentence names no other country.
    let placed: Vec<_> = countries.iter().filter(|&&(cs, _, _)| !after_route_marker(text, cs)).collect();
    let pool: Vec<_> = if placed.is_empty() { countries.iter().collect() } else { placed };
    pool.into_iter()
        .min_by_key(|&&(cs, ce, _)| {
            let (gap, between) = if ce <= s {
                (s - ce, text.get(ce..s))
            } else {
                (cs.saturating_sub(e), text.get(e..cs))
            };
            // A country across a clause boundary is further than its distance says.
            let clauses = between.map_or(0, |b| b.matches([',', ';', ':']).count());
            gap + CLAUSE_GAP * clauses
        })
        .map(|&(_, _, c)| c)
}

static ROUTE_MARKERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::ROUTE_MARKERS.lines()));

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
        // A source is a name; a description ("the report", "fuentes oficiales") gives none.
        if let Some((name, s, e)) = candidate
            && !found.iter().any(|f| f.1 == s && f.2 == e)
            && super::entities::is_name(
                &name,
                s == 0 || (toks.kind(s - 1) == Some(Kind::Punct) && !toks.is_punct(s - 1, ",")),
            )
        {
            found.push((name, s, e, true));
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

const REPORT_WORDS: [&str; 31] = [
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "officials",
    "portavoz",
    "vocero",
    "vocera",
    "reports",
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
        // English "a" is an article ("a UN report said"), Spanish "a" a preposition.
        let inside_phrase = matches!(
            before,
            "in" | "en" | "of" | "de" | "del" | "from" | "at" | "to" | "por" | "para" | "con" | "with" | "desde" | "on" | "by"
        ) || (before == "a" && d.lang == Lang::Es);
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

    fn changes(text: &str, lang: Lang) -> Vec<Option<Change>> {
        stats(text, lang).into_iter().map(|s| s.change).collect()
    }

    #[test]
    fn references_short_dates_and_situating_spans_are_no_statistics() {
        let values = |text: &str, lang| stats(text, lang).iter().map(|s| s.value).collect::<Vec<_>>();
        assert_eq!(values("The report, on p. 5, counts 300 murders.", Lang::En), [Some(300.0)]);
        assert_eq!(values("Según la pág. 12, hubo 40 detenidos.", Lang::Es), [Some(40.0)]);
        assert_eq!(values("El 15 ene se registraron 12 robos.", Lang::Es), [Some(12.0)]);
        assert_eq!(values("On Jan. 3 police seized 40 people.", Lang::En), [Some(40.0)]);
        assert_eq!(values("Del 3 al 9 de feb. hubo 5 robos.", Lang::Es), [Some(5.0)]);
        assert_eq!(values("En los últimos 32 años hubo 400 secuestros.", Lang::Es), [Some(400.0)]);
        assert_eq!(values("In the first four months, 120 people were killed.", Lang::En), [Some(120.0)]);
        assert_eq!(values("4 | Chile | 3.9 | 4.1 |", Lang::En), [Some(3.9), Some(4.1)]);
        // A span that is the measured thing stays.
        assert_eq!(values("The emergency will last 45 days.", Lang::En), [Some(45.0)]);
    }

    #[test]
    fn each_figure_keeps_its_own_year_and_a_shared_value_stays_twice() {
        let found = stats("Police recorded 8,042 extortions (compared to 7,272 for 2012).", Lang::En);
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [None, Some(2012)]);
        let found = stats("There were 505 murders in 2001 and 438 in 2007.", Lang::En);
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [Some(2001), Some(2007)]);
        let found = stats("El 1 % de los presos y el 1 % de los guardias dieron positivo.", Lang::Es);
        assert_eq!(found.len(), 2);
        // A change and a level that share a value are two facts.
        let found = stats("Robberies reached 31 percent of reports.\nKidnappings fell 31 percent.", Lang::En);
        assert_eq!(found.len(), 2);
        // A restatement in a later sentence is one statistic.
        let found = stats("Police seized 12 tons of cocaine.\nThe 12 tons of cocaine were burned.", Lang::En);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_rate_without_its_base_in_a_sentence_about_killings() {
        assert_eq!(
            unit_value("Los asesinatos dejaron una tasa de 38,6 en la provincia.", Lang::Es),
            ("per_100k".into(), Some(38.6))
        );
        assert_eq!(unit_value("La tasa de desempleo fue de 8,1.", Lang::Es).0, "count");
        assert_eq!(unit_value("Murders ran at a daily rate of 11.5 last year.", Lang::En).0, "count");
    }

    #[test]
    fn a_year_after_its_figure_belongs_to_it() {
        let found = stats(
            "There were 310 thefts at the end of 2019 compared to 355 at the end of 2020.",
            Lang::En,
        );
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [Some(2019), Some(2020)]);
        let found = stats("Las denuncias fueron enero (1420), junio (1890) y julio (2045).", Lang::Es);
        assert_eq!(
            found.iter().map(|s| s.value).collect::<Vec<_>>(),
            [Some(1420.0), Some(1890.0), Some(2045.0)]
        );
    }

    #[test]
    fn figures_outside_the_vocabulary_take_no_topic() {
        let text = "Los homicidios aumentaron a 900 en el año.\nLos suicidios pasaron de 1.480 casos a 1.536.\nSe pasó de 2.210 a 2.340.";
        let found = stats(text, Lang::Es);
        let topics: Vec<_> = found.iter().map(|s| s.topic.as_deref()).collect();
        assert_eq!(topics, [Some("homicide"), None, None, None, None]);
    }

    #[test]
    fn english_text_with_decimal_commas_writes_thousands_with_points() {
        let text = "Total inmates: 152.330\nMen: 81,4%\nWomen: 18,6%\nForeign inmates: 2,914 (63.2%).";
        let values: Vec<_> = stats(text, Lang::En).iter().map(|s| s.value).collect();
        assert_eq!(values, [Some(152330.0), Some(81.4), Some(18.6), Some(2914.0), Some(63.2)]);
        // Without decimal commas a point stays a decimal point.
        assert_eq!(stats("The rate was 22.500 in the report.", Lang::En)[0].value, Some(22.5));
    }

    #[test]
    fn table_cells_take_their_column_year() {
        let text = "Rank |\nCountry | 2021 | 2022 | Change |\n1 | Chile | 3.6 | 4.8 | 33% |\n2 | Peru | 4.3 | 4.5 | 5% |";
        let years: Vec<_> = stats(text, Lang::En).iter().map(|s| (s.value, s.year)).collect();
        assert_eq!(
            years,
            [
                (Some(3.6), Some(2021)),
                (Some(4.8), Some(2022)),
                (Some(33.0), None),
                (Some(4.3), Some(2021)),
                (Some(4.5), Some(2022)),
                (Some(5.0), None)
            ]
        );
    }

    #[test]
    fn figures_under_a_heading_take_its_topic() {
        let text = "Prison population\nMen: 9,300\nWomen: 700\nKidnappings\nCapital: 12";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic.clone()).collect();
        assert_eq!(topics, [Some("prisons".into()), Some("prisons".into()), Some("kidnapping".into())]);
    }

    #[test]
    fn a_four_digit_count_is_no_year() {
        let values = |text: &str| stats(text, Lang::Es).iter().map(|s| (s.value, s.year)).collect::<Vec<_>>();
        assert_eq!(values("En 2021 se registraron 1974 homicidios."), [(Some(1974.0), Some(2021))]);
        assert_eq!(
            values("En 2021, el 71,3 por ciento (1974) de los robos fue con violencia."),
            [(Some(71.3), Some(2021)), (Some(1974.0), Some(2021))]
        );
        assert_eq!(
            values("El gasto fue de 900 millones de pesos, a precios constantes de 2015."),
            [(Some(9e8), None)]
        );
        let found = stats("Since March 2009 jails have grown by 18 percent.", Lang::En);
        assert_eq!(found.iter().map(|s| s.value).collect::<Vec<_>>(), [Some(18.0)]);
    }

    #[test]
    fn a_change_is_marked_and_a_level_is_not() {
        use Change::{Decrease, Increase};
        let cases: &[(&str, Lang, &[Option<Change>])] = &[
            ("Burglaries rose by 12 percent.", Lang::En, &[Some(Increase)]),
            ("Thefts were down 4.5% this year.", Lang::En, &[Some(Decrease)]),
            ("The police reported a 27% decrease in homicides.", Lang::En, &[Some(Decrease)]),
            ("Arrests showed an increase of 30 percent.", Lang::En, &[Some(Increase)]),
            ("There were 40 fewer murders than a year earlier.", Lang::En, &[Some(Decrease)]),
            ("Robberies were 9 percent higher than in March.", Lang::En, &[Some(Increase)]),
            ("The prison population fell to 9,914 inmates.", Lang::En, &[None]),
            ("Murders fell from 1,200 to 950.", Lang::En, &[None, None]),
            ("Police arrested 45 people.", Lang::En, &[None]),
            ("Los robos aumentaron un 12,5 % en marzo.", Lang::Es, &[Some(Increase)]),
            ("Hubo una reducción del 15 % en los secuestros.", Lang::Es, &[Some(Decrease)]),
            (
                "Se registraron 310 asesinatos, un 8 % menos que en 2022.",
                Lang::Es,
                &[None, Some(Decrease)],
            ),
            ("Fueron 52 homicidios más.", Lang::Es, &[Some(Increase)]),
            ("La tasa se redujo a 6,3 por cada 100.000 habitantes.", Lang::Es, &[None]),
            ("Los hurtos (-4,4 %) bajaron en la capital.", Lang::Es, &[Some(Decrease)]),
            ("Los 10 municipios más violentos del país.", Lang::Es, &[None]),
        ];
        for (text, lang, want) in cases {
            assert_eq!(changes(text, *lang), *want, "{text}");
        }
    }

    #[test]
    fn a_figure_without_a_place_takes_the_country_the_article_is_about() {
        let text = "La Policía Nacional de Colombia presentó su balance.\nEn Bogotá hubo 120 hurtos.\nEn total se incautaron 8 toneladas.";
        let found = stats(text, Lang::Es);
        let got: Vec<_> = found.iter().map(|s| (s.location.as_deref(), s.location_from)).collect();
        assert_eq!(
            got,
            [
                (Some("CO"), Some(LocationFrom::Sentence)),
                (Some("CO"), Some(LocationFrom::Article))
            ]
        );
        // A world figure keeps no country, and a round-up of several countries gives none.
        let text = "Peru seized 3 tons.\nGlobal production reached 2,700 tons.";
        assert_eq!(stats(text, Lang::En)[1].location, None);
        let text = "Peru seized 3 tons.\nChile seized 2 tons.\nBolivia seized 4 tons.\nIn all, 9 tons were seized.";
        assert_eq!(stats(text, Lang::En)[3].location, None);
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
        // A description names nobody.
        let s = one("Police seized 40 kilos of cocaine, said the provincial police chief.", Lang::En);
        assert_eq!(s.source, None);
    }

    #[test]
    fn sources_in_news_wording() {
        let source = |text: &str| one(text, Lang::En).source;
        assert_eq!(
            source("Gangs killed 830 people this year, a UN report said on Tuesday."),
            Some("UN".into())
        );
        assert_eq!(
            source("\"We cut it by 40 percent,\" a MINUSCA spokesman told Reuters."),
            Some("MINUSCA".into())
        );
        assert_eq!(
            source("The Belize Police Department (BPD) is reporting that 112 people were murdered."),
            Some("BPD".into())
        );
        assert_eq!(source("Police said on Friday that 30 people were arrested."), None);
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
