//! How much a text is about public security, and which topics it is about.
//!
//! Evidence is counted over the whole text: topic keywords (`data/topics.tsv`), general
//! security words, and words of other domains that also carry numbers (sport, markets,
//! entertainment, `data/relevance.tsv`), which count against. Statistics with a topic add
//! to their topic. The score saturates: a few different security words make an article
//! relevant, in proportion to its length. Words as common outside security news ("cost",
//! "production", "court", "security") are marked `common` in the tables: they back up
//! security words but cannot stand in for them, so a price guide or a software page full of
//! them stays low.

use std::sync::LazyLock;

use super::lexicon::Lexicon;
use super::table::{self, TableError};
use super::tokens::Tokens;
use super::topics::{self, Topic};
use super::{Lang, Statistic};

/// A word's weight, and whether it is common outside security news.
pub(crate) fn load(lang: Lang) -> Result<Lexicon<(f64, bool)>, TableError> {
    let mut lex = Lexicon::new();
    for row in table::RELEVANCE.rows()? {
        let weight = row.number::<f64>(1)?;
        let common = row.flag(3, "common")?;
        if row.applies(0, lang)? {
            lex.insert(row.get(2), (weight, common));
        }
    }
    Ok(lex)
}

static EN: LazyLock<Lexicon<(f64, bool)>> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<Lexicon<(f64, bool)>> = LazyLock::new(|| table::built(load(Lang::Es)));

/// Evidence needed for a relevance of about 0.63.
const SCALE: f64 = 6.0;
/// Evidence per hundred words for a relevance of about 0.63.
const DENSITY_SCALE: f64 = 12.0;
/// How much a common word (`common` in the word tables) counts, as a share of its weight.
const COMMON_SHARE: f64 = 0.5;
/// Common words add at most this many times the evidence of security words: a budget story
/// about police spending says "budget" far more often than "police".
const COMMON_CAP: f64 = 3.0;
/// Different security words for full weight of the amount of evidence.
const VARIED: f64 = 3.0;
/// Words beyond which a text needs proportionally more evidence.
const LONG_TEXT: f64 = 600.0;

/// How much a word of another domain weighs against security words.
const AGAINST: f64 = 1.0;

/// Whether token `i` is a capitalised word inside a sentence (part of a name, likely).
fn in_name(toks: &Tokens<'_>, i: usize) -> bool {
    let line_start = toks
        .text
        .get(toks.end(i.saturating_sub(1))..toks.start(i))
        .is_some_and(|gap| gap.contains('\n'));
    i > 0 && toks.is_capitalized(i) && !toks.is_punct(i - 1, ".") && !line_start
}

/// Returns (relevance 0..1, topics most important first).
pub fn score(body: &str, statistics: &[Statistic], lang: Lang) -> (f64, Vec<Topic>) {
    score_tokens(&Tokens::new(body), statistics, lang)
}

/// `score`, given the tokens of the body.
pub(crate) fn score_tokens(toks: &Tokens<'_>, statistics: &[Statistic], lang: Lang) -> (f64, Vec<Topic>) {
    let mut per_topic: Vec<(Topic, f64)> = Vec::new();
    // The same, counting only words that are not common outside security news.
    let mut named: Vec<(Topic, f64)> = Vec::new();
    let mut positive = 0.0;
    let mut common = 0.0;
    // Which security words (not common ones) were seen, by table and keyword: one word
    // repeated ("shooting" in a photography guide) is weaker evidence than several.
    let mut seen: Vec<(bool, usize)> = Vec::new();
    for h in topics::hits(toks, lang) {
        // Weak hints ("police", "cocaine") count less than words that name a topic, and a
        // word inside a name ("Secretaría de Seguridad") less than one in the prose.
        let w = if h.weight >= 3.0 { h.weight } else { h.weight * 0.75 };
        let w = if in_name(toks, h.start_tok) { w * 0.5 } else { w };
        if h.common {
            common += w;
        } else {
            positive += w;
            add(&mut named, h.topic, w);
            see(&mut seen, (true, h.keyword));
        }
        add(&mut per_topic, h.topic, w);
    }
    let lex: &Lexicon<(f64, bool)> = match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    };
    let mut negative = 0.0;
    for m in lex.find_all(toks) {
        let (w, is_common) = *m.value;
        let w = if in_name(toks, m.start) { w * 0.5 } else { w };
        if w >= 0.0 && is_common {
            common += w;
        } else if w >= 0.0 {
            positive += w;
            see(&mut seen, (false, m.entry));
        } else {
            negative -= w;
        }
    }
    // Common words (costs, production, deaths) back up security words but cannot stand in for
    // them: a price guide full of "cost" is not about public spending on security.
    positive += (common * COMMON_SHARE).min(positive * COMMON_CAP);
    // Figures add to topics the prose already names in words of their own, so that numbers
    // alone (a price list under "cost") do not make an article relevant.
    for s in statistics {
        if let Some(t) = s.topic
            && named.iter().any(|(pt, w)| *pt == t && *w >= 3.0)
        {
            positive += 1.0;
            add(&mut per_topic, t, 2.0);
        }
    }
    // How much there is (saturating), or how dense it is, so that a short dispatch about one
    // homicide figure counts as much as a long report; times how much of the evidence is
    // about security.
    let words = (0..toks.len()).filter(|&i| toks.is_word(i)).count().max(1) as f64;
    let density = positive * 100.0 / words;
    // A long text needs evidence in proportion: a few security words in a long guide to
    // something else are passing mentions.
    let scale = SCALE * (words / LONG_TEXT).max(1.0);
    let variety = (seen.len() as f64 / VARIED).min(1.0);
    let by_amount = (1.0 - (-positive / scale).exp()) * variety;
    // Density speaks only once there is at least one word that names a topic, so that a
    // passing "police" in a short text stays a passing mention.
    let by_density = if positive >= 3.0 {
        1.0 - (-density / DENSITY_SCALE).exp()
    } else {
        0.0
    };
    let amount = by_amount.max(by_density);
    let share = if positive > 0.0 {
        positive / (positive + AGAINST * negative)
    } else {
        0.0
    };
    let relevance = amount * share;
    let relevance = (relevance * 1000.0).round() / 1000.0;
    per_topic.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let best = per_topic.first().map_or(0.0, |t| t.1);
    let min = if relevance < 0.3 { f64::INFINITY } else { (best * 0.25).max(3.0) };
    let topics = per_topic.into_iter().filter(|t| t.1 >= min).take(6).map(|t| t.0).collect();
    (relevance, topics)
}

fn see(seen: &mut Vec<(bool, usize)>, word: (bool, usize)) {
    if !seen.contains(&word) {
        seen.push(word);
    }
}

fn add(scores: &mut Vec<(Topic, f64)>, topic: Topic, w: f64) {
    match scores.iter_mut().find(|(t, _)| *t == topic) {
        Some(s) => s.1 += w,
        None => scores.push((topic, w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(text: &str, lang: Lang) -> (f64, Vec<&'static str>) {
        let (r, topics) = score(text, &[], lang);
        (r, topics.into_iter().map(Topic::as_str).collect())
    }

    #[test]
    fn security_articles_score_high() {
        let (r, t) = rel(
            "Inmates took control of the main prison after a riot that left four dead. Guards were held hostage for hours and police retook the cellblock.",
            Lang::En,
        );
        assert!(r > 0.8, "{r}");
        assert_eq!(t.first().copied(), Some("prisons"));
        let (r, t) = rel(
            "La Policía incautó dos toneladas de cocaína ocultas en un contenedor en el puerto. Los detenidos serán procesados por tráfico ilícito de drogas.",
            Lang::Es,
        );
        assert!(r > 0.8, "{r}");
        assert!(t.contains(&"drug_seizure"), "{t:?}");
    }

    #[test]
    fn a_short_dispatch_counts_by_its_density() {
        let (r, _) = rel("Two people were shot dead in a market in Rosario on Sunday night.", Lang::En);
        assert!(r > 0.6, "{r}");
        let (r, _) = rel("Un guardia murió durante el motín en el penal de Lurigancho.", Lang::Es);
        assert!(r > 0.6, "{r}");
        let (r, _) = rel("The police band played for 300 children in the square.", Lang::En);
        assert!(r < 0.3, "{r}");
    }

    #[test]
    fn sport_and_markets_score_low() {
        let (r, t) = rel(
            "The striker scored twice as the home side won 3-1, climbing to second in the league with 41 points after 20 matches.",
            Lang::En,
        );
        assert!(r < 0.2, "{r}");
        assert!(t.is_empty());
        let (r, _) = rel(
            "La bolsa de valores cerró con una subida de 2,3 %, impulsada por las acciones de bancos, mientras los inversionistas esperan la decisión del banco central.",
            Lang::Es,
        );
        assert!(r < 0.2, "{r}");
    }

    #[test]
    fn common_words_alone_do_not_make_a_text_relevant() {
        let (r, t) = rel(
            "Our buying guide compares what each plan will cost you. The premium plan costs more, but the \
             production tools are worth the budget if you spend a lot of time editing. Courts of appeal aside, \
             the verdict of our reviewers is clear: the security features alone justify the purchase.",
            Lang::En,
        );
        assert!(r < 0.3, "{r}");
        assert!(t.is_empty(), "{t:?}");
        let (r, _) = rel(
            "El costo de producción subió y el presupuesto de la empresa para la compra de equipos se redujo. \
             La inversión en seguridad informática se mantuvo y el fallo del servidor se resolvió.",
            Lang::Es,
        );
        assert!(r < 0.3, "{r}");
    }

    #[test]
    fn one_word_repeated_is_weak_evidence() {
        let text = "Shooting at dawn gives soft light. When shooting landscapes, keep the horizon level and \
                    the foreground sharp with a small aperture. Shooting into the sun needs a hood, and \
                    shooting handheld needs a fast shutter or a lens with stabilisation. Most of our readers \
                    start by shooting from a tripod in the hills above the lake, where the light is good for \
                    an hour before the crowds arrive and the wind picks up. Bring a spare battery, since the \
                    cold drains it quickly, and a cloth for the dew that settles on the front element. Check \
                    the histogram rather than the screen, which looks brighter in the dark than the file is, \
                    and bracket the exposure when the sky is much brighter than the valley below it.";
        let (r, _) = rel(text, Lang::En);
        assert!(r < 0.5, "{r}");
    }

    #[test]
    fn a_security_budget_is_about_security() {
        let (r, t) = rel(
            "The ministry spent only half of the police budget this year. Funds approved for patrol cars, \
             prison guards and crime prevention programmes went unspent, the comptroller said, while the \
             homicide rate in the capital kept rising and gangs extended their extortion rackets.",
            Lang::En,
        );
        assert!(r >= 0.5, "{r}");
        assert!(t.contains(&"public_spending"), "{t:?}");
    }

    #[test]
    fn statistics_add_their_topic() {
        let stat = Statistic {
            value: Some(5.0),
            low: None,
            high: None,
            unit: crate::extract::Unit::Count,
            qualifier: None,
            counted: None,
            topic: Some(Topic::Kidnapping),
            metric: None,
            year: None,
            location: None,
            source: None,
            sentence: String::new(),
            start: 0,
            end: 1,
            change: None,
            location_from: None,
        };
        let (with, topics) = score("Five people were kidnapped from a bus.", std::slice::from_ref(&stat), Lang::En);
        let (without, _) = score("Five people were kidnapped from a bus.", &[], Lang::En);
        assert!(with > without);
        assert_eq!(topics.first(), Some(&Topic::Kidnapping));
    }
}
