//! Word lists for the entity finder, loaded once from the data files under `data/`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::extract::geo::words::{FastMap, FastSet, Gazetteer, fold};
use crate::extract::table::{self, DataFile, TableError};

/// Language of an organisation head word: Spanish heads take capitalised words right after
/// them ("Policía Nacional Civil"), English heads end the name or go on with "of ...".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadLang {
    En,
    Es,
}

pub struct Lexicon {
    /// Known organisations by name and acronym, with the country of a national body.
    pub orgs: Gazetteer<Option<&'static str>>,
    /// Head words of organisation names.
    pub heads: Gazetteer<HeadLang>,
    /// Offices and titles, with the group used to borrow a fuller title.
    pub titles: Gazetteer<&'static str>,
    /// Abbreviated titles written with a dot ("Gen.", "Gral."), by folded form.
    pub abbreviations: FastMap<String, &'static str>,
    /// Single title words long enough to be matched with one typo ("Minster"), by first
    /// letter (a typo is never looked for there), in the order of the data file.
    pub fuzzy_titles: FastMap<char, Vec<(Vec<char>, &'static str)>>,
    pub pre: FastSet<String>,
    pub post: FastSet<String>,
    pub portfolio: FastSet<String>,
    pub given: FastSet<String>,
    /// Function words, sentence openers, days and months.
    pub stop: FastSet<String>,
    /// Days and months only.
    pub calendar: FastSet<String>,
    pub speech: FastSet<String>,
    /// Words before a name that make it an organisation ("según", "the newspaper").
    pub source_cues: Gazetteer<()>,
    /// One-word titles by folded form, for "ex-" prefixed offices.
    pub single_titles: FastMap<String, &'static str>,
    /// Title words by folded form, to keep them out of names.
    pub title_words: FastSet<String>,
}

pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| table::built(build()));

/// The folded words of a list written several to a line.
fn word_set(file: DataFile) -> Result<FastSet<String>, TableError> {
    Ok(file.words()?.into_iter().map(fold).collect())
}

pub(crate) fn build() -> Result<Lexicon, TableError> {
    let mut orgs = Gazetteer::default();
    for cols in table::ORGANIZATIONS.rows()? {
        let country = cols.opt(3);
        for field in [cols.get(1), cols.get(2)] {
            for name in field.split('|').map(str::trim).filter(|s| !s.is_empty()) {
                orgs.insert(name, false, country);
            }
        }
    }
    let mut heads = Gazetteer::default();
    for cols in table::ORG_HEADS.rows()? {
        let lang = cols.choice(1, "language", &[("en", HeadLang::En), ("es", HeadLang::Es)])?;
        heads.insert(cols.get(0), false, lang);
    }
    let mut titles = Gazetteer::default();
    let mut fuzzy_titles: FastMap<char, Vec<(Vec<char>, &'static str)>> = FastMap::default();
    let mut title_words = FastSet::default();
    let mut single_titles = FastMap::default();
    let mut abbreviations = FastMap::default();
    for cols in table::TITLES.rows()? {
        let group = cols.get(1);
        if cols.opt(2).is_some() {
            cols.choice(2, "mark", &[("abbr", ())])?;
            abbreviations.insert(fold(cols.get(0)), group);
            continue;
        }
        titles.insert(cols.get(0), true, group);
        let folded = fold(cols.get(0));
        if !folded.contains(' ') {
            single_titles.entry(folded.clone()).or_insert(group);
        }
        if !folded.contains(' ')
            && folded.chars().count() >= 7
            && let Some(first) = folded.chars().next()
        {
            fuzzy_titles.entry(first).or_default().push((folded.chars().collect(), group));
        }
        title_words.extend(folded.split(' ').map(str::to_string));
    }
    let mut by_place: HashMap<&str, FastSet<String>> = HashMap::new();
    for cols in table::ROLE_WORDS.rows()? {
        let place = cols.choice(1, "place", &[("pre", "pre"), ("post", "post"), ("portfolio", "portfolio")])?;
        by_place.entry(place).or_default().insert(fold(cols.get(0)));
    }
    let mut take = |k: &str| by_place.remove(k).unwrap_or_default();
    let calendar = word_set(table::CALENDAR)?;
    Ok(Lexicon {
        orgs,
        heads,
        titles,
        abbreviations,
        fuzzy_titles,
        pre: take("pre"),
        post: take("post"),
        portfolio: take("portfolio"),
        given: word_set(table::GIVEN_NAMES)?,
        stop: word_set(table::STOPWORDS_NAMES)?.union(&calendar).cloned().collect(),
        calendar,
        speech: word_set(table::SPEECH_VERBS)?,
        source_cues: {
            let mut g = Gazetteer::default();
            for cols in table::SOURCE_CUES.rows()? {
                g.insert(cols.get(0), true, ());
            }
            g
        },
        single_titles,
        title_words,
    })
}

/// Damerau-Levenshtein distance of at most one: one letter added, dropped, changed, or two
/// neighbours swapped.
pub fn within_one_edit(a: &[char], b: &[char]) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    if la == lb {
        // One change, or a swap of two neighbours.
        ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else if la > lb {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit(&c("minster"), &c("minister")));
        assert!(within_one_edit(&c("minsiter"), &c("minister")));
        assert!(within_one_edit(&c("ministre"), &c("ministro")));
        assert!(!within_one_edit(&c("monster"), &c("minister")));
        assert!(!within_one_edit(&c("ministry"), &c("minister")));
    }

    #[test]
    fn lexicon_loads() {
        let l = &*LEXICON;
        assert!(l.given.contains("maria"));
        assert!(l.stop.contains("segun"));
        assert!(l.pre.contains("interior"));
        assert!(l.portfolio.contains("publica"));
        assert!(
            l.fuzzy_titles
                .get(&'m')
                .is_some_and(|ts| ts.iter().any(|(w, _)| w == &c("minister")))
        );
    }
}
