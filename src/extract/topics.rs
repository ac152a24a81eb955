//! The topic vocabulary and its bilingual keyword lexicon (`data/topics.tsv`).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Serialize, Serializer};

use super::Lang;
use super::lexicon::Lexicon;
use super::table::{self, TableError};
use super::tokens::Tokens;

/// The closed topic vocabulary of the record, in its order of precedence. The names are
/// those of the contract (JSON, CSV, the database): `data/topics.tsv` uses them too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Homicide,
    Kidnapping,
    Extortion,
    Robbery,
    DrugSeizure,
    DrugProduction,
    DrugTrafficking,
    CocaCultivation,
    IllegalMining,
    InsecurityPerception,
    Victimization,
    Arrests,
    Prisons,
    SecurityForces,
    Sentencing,
    MoneyLaundering,
    Corruption,
    PublicSpending,
}

impl Topic {
    /// Every topic, in vocabulary order.
    pub const ALL: [Topic; 18] = [
        Topic::Homicide,
        Topic::Kidnapping,
        Topic::Extortion,
        Topic::Robbery,
        Topic::DrugSeizure,
        Topic::DrugProduction,
        Topic::DrugTrafficking,
        Topic::CocaCultivation,
        Topic::IllegalMining,
        Topic::InsecurityPerception,
        Topic::Victimization,
        Topic::Arrests,
        Topic::Prisons,
        Topic::SecurityForces,
        Topic::Sentencing,
        Topic::MoneyLaundering,
        Topic::Corruption,
        Topic::PublicSpending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Homicide => "homicide",
            Topic::Kidnapping => "kidnapping",
            Topic::Extortion => "extortion",
            Topic::Robbery => "robbery",
            Topic::DrugSeizure => "drug_seizure",
            Topic::DrugProduction => "drug_production",
            Topic::DrugTrafficking => "drug_trafficking",
            Topic::CocaCultivation => "coca_cultivation",
            Topic::IllegalMining => "illegal_mining",
            Topic::InsecurityPerception => "insecurity_perception",
            Topic::Victimization => "victimization",
            Topic::Arrests => "arrests",
            Topic::Prisons => "prisons",
            Topic::SecurityForces => "security_forces",
            Topic::Sentencing => "sentencing",
            Topic::MoneyLaundering => "money_laundering",
            Topic::Corruption => "corruption",
            Topic::PublicSpending => "public_spending",
        }
    }
}

/// A name outside the topic vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown topic {0:?}")]
pub struct UnknownTopic(pub String);

impl FromStr for Topic {
    type Err = UnknownTopic;

    fn from_str(s: &str) -> Result<Topic, UnknownTopic> {
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTopic(s.to_string()))
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Topic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A keyword of a topic found in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub topic: Topic,
    pub weight: f64,
    /// The word is as common outside security news (`common` in `data/topics.tsv`).
    pub common: bool,
    /// Which keyword it is, the same for every occurrence of one keyword.
    pub keyword: usize,
    pub start_tok: usize,
    pub end_tok: usize,
}

/// What a topic keyword says: its topic, its weight, and whether it is a common word.
type Keyword = (Topic, f64, bool);

pub(crate) fn load(lang: Lang) -> Result<Lexicon<Keyword>, TableError> {
    let mut lex = Lexicon::new();
    for row in table::TOPICS.rows()? {
        let topic: Topic = row.get(0).parse().map_err(|_| row.unknown(0, "topic"))?;
        let weight = row.number::<f64>(2)?;
        let common = row.flag(4, "common")?;
        if row.applies(1, lang)? {
            lex.insert(row.get(3), (topic, weight, common));
        }
    }
    Ok(lex)
}

static EN: LazyLock<Lexicon<Keyword>> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<Lexicon<Keyword>> = LazyLock::new(|| table::built(load(Lang::Es)));

/// Every topic keyword in a tokenized text, left to right, longest terms first.
pub fn hits(toks: &Tokens<'_>, lang: Lang) -> Vec<Hit> {
    let lex: &Lexicon<Keyword> = match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    };
    lex.find_all(toks)
        .into_iter()
        .map(|m| Hit {
            topic: m.value.0,
            weight: m.value.1,
            common: m.value.2,
            keyword: m.entry,
            start_tok: m.start,
            end_tok: m.end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(text: &str, lang: Lang) -> Vec<&'static str> {
        hits(&Tokens::new(text), lang).into_iter().map(|h| h.topic.as_str()).collect()
    }

    #[test]
    fn topic_names_read_back() {
        for t in Topic::ALL {
            assert_eq!(t.as_str().parse::<Topic>(), Ok(t));
        }
        assert!("homicides".parse::<Topic>().is_err());
        assert_eq!(serde_json::to_string(&Topic::DrugSeizure).ok().as_deref(), Some("\"drug_seizure\""));
    }

    #[test]
    fn finds_bilingual_keywords() {
        assert_eq!(topics("Homicides and kidnappings rose", Lang::En), vec!["homicide", "kidnapping"]);
        assert_eq!(
            topics("los secuestros y las extorsiones", Lang::Es),
            vec!["kidnapping", "extortion"]
        );
        assert_eq!(topics("condenado a 20 años de prisión", Lang::Es), vec!["sentencing", "sentencing"]);
        assert_eq!(
            topics("la ejecución presupuestaria llegó al 46 %", Lang::Es),
            vec!["public_spending"]
        );
        assert_eq!(topics("la ejecución de tres presos", Lang::Es), vec!["homicide", "prisons"]);
        assert_eq!(topics("the ability to solve murders", Lang::En), vec!["sentencing", "homicide"]);
        assert_eq!(topics("14,202 unsentenced detainees", Lang::En), vec!["prisons"]);
        // What is bought or invested for the forces is spending.
        assert_eq!(
            topics("se adquirieron 300 patrullas", Lang::Es),
            vec!["public_spending", "security_forces"]
        );
        assert_eq!(topics("lo invertido en cámaras", Lang::Es), vec!["public_spending"]);
        assert_eq!(topics("the ministry bought 40 vehicles", Lang::En), vec!["public_spending"]);
    }
}
