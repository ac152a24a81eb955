//! The topic vocabulary and its bilingual keyword lexicon (`data/topics.tsv`).

use std::sync::LazyLock;

use super::Lang;
use super::lexicon::Lexicon;
use super::table::{self, TableError};
use super::tokens::Tokens;

/// The closed topic vocabulary of the record.
pub const VOCABULARY: [&str; 18] = [
    "homicide",
    "kidnapping",
    "extortion",
    "robbery",
    "drug_seizure",
    "drug_production",
    "drug_trafficking",
    "coca_cultivation",
    "illegal_mining",
    "insecurity_perception",
    "victimization",
    "arrests",
    "prisons",
    "security_forces",
    "sentencing",
    "money_laundering",
    "corruption",
    "public_spending",
];

/// A keyword of a topic found in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub topic: &'static str,
    pub weight: f64,
    pub start_tok: usize,
    pub end_tok: usize,
}

pub(crate) fn load(lang: Lang) -> Result<Lexicon<(&'static str, f64)>, TableError> {
    let mut lex = Lexicon::new();
    for row in table::TOPICS.rows()? {
        let topic = VOCABULARY
            .iter()
            .find(|t| **t == row.get(0))
            .ok_or_else(|| row.unknown(0, "topic"))?;
        let weight = row.number::<f64>(2)?;
        if row.applies(1, lang)? {
            lex.insert(row.get(3), (*topic, weight));
        }
    }
    Ok(lex)
}

static EN: LazyLock<Lexicon<(&'static str, f64)>> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<Lexicon<(&'static str, f64)>> = LazyLock::new(|| table::built(load(Lang::Es)));

/// Every topic keyword in a tokenized text, left to right, longest terms first.
pub fn hits(toks: &Tokens<'_>, lang: Lang) -> Vec<Hit> {
    let lex: &Lexicon<(&'static str, f64)> = match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    };
    lex.find_all(toks)
        .into_iter()
        .map(|m| Hit {
            topic: m.value.0,
            weight: m.value.1,
            start_tok: m.start,
            end_tok: m.end,
        })
        .collect()
}

/// The position of a topic in the vocabulary (for stable ordering).
pub fn rank(topic: &str) -> usize {
    VOCABULARY.iter().position(|t| *t == topic).unwrap_or(VOCABULARY.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(text: &str, lang: Lang) -> Vec<&'static str> {
        hits(&Tokens::new(text), lang).into_iter().map(|h| h.topic).collect()
    }

    #[test]
    fn finds_bilingual_keywords() {
        assert_eq!(topics("Homicides and kidnappings rose", Lang::En), vec!["homicide", "kidnapping"]);
        assert_eq!(
            topics("los secuestros y las extorsiones", Lang::Es),
            vec!["kidnapping", "extortion"]
        );
        assert_eq!(topics("condenado a 20 años de prisión", Lang::Es), vec!["sentencing", "sentencing"]);
    }
}
