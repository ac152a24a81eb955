//! Statistics and entities from an article body: pure, text in, `Extraction` out.
//!
//! The record shape is the stable contract of `vigia extract` (see README): fields may be
//! added, never renamed.

use serde::Serialize;

pub mod entities;
pub mod geo;
mod lexicon;
pub mod numbers;
pub mod relevance;
pub mod sentences;
pub mod stats;
mod table;
pub mod tokens;
mod topics;
pub mod units;

pub use topics::{Topic, UnknownTopic};
pub use units::{Currency, Unit, UnknownUnit};

/// Bumped whenever extraction output can change, so `reprocess` knows what to redo.
pub const EXTRACTOR_VERSION: &str = "0.2.1";

/// The language rules to apply. Other languages get the English rules for numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    /// Picks the rules for an ISO 639-1 code; anything but Spanish reads as English.
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("es") { Lang::Es } else { Lang::En }
    }
}

/// Everything extracted from one body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    /// How much the text is about public security, 0 to 1.
    pub relevance: f64,
    /// Topics the text is about, most important first.
    pub topics: Vec<Topic>,
    pub entities: Vec<Entity>,
    pub statistics: Vec<Statistic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Person,
    Organization,
    Location,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Organization => "organization",
            EntityType::Location => "location",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    pub role: Option<String>,
    pub country: Option<String>,
    /// Offsets in `body`, in Unicode code points, end exclusive.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Approx,
    AtLeast,
    MoreThan,
    LessThan,
    AtMost,
}

impl Qualifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Approx => "approx",
            Qualifier::AtLeast => "at_least",
            Qualifier::MoreThan => "more_than",
            Qualifier::LessThan => "less_than",
            Qualifier::AtMost => "at_most",
        }
    }
}

/// One figure. Exactly one of `value` or (`low`, `high`) is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistic {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: Unit,
    pub qualifier: Option<Qualifier>,
    pub counted: Option<String>,
    pub topic: Option<Topic>,
    pub metric: Option<String>,
    pub year: Option<i32>,
    /// ISO 3166-1 alpha-2.
    pub location: Option<String>,
    /// Who the figure is attributed to.
    pub source: Option<String>,
    pub sentence: String,
    /// Offsets in `body`, in Unicode code points, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Whether the figure is a change from an earlier value; None for a level.
    pub change: Option<Change>,
    /// Where `location` was read; None when there is no location.
    pub location_from: Option<LocationFrom>,
}

/// Whether a figure is a change relative to an earlier value ("up 12 percent", "se redujo
/// en 15 %") rather than a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Increase,
    Decrease,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Increase => "increase",
            Change::Decrease => "decrease",
        }
    }
}

/// Where a statistic's `location` was read: its own sentence, or the country the whole
/// article is plainly about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationFrom {
    Sentence,
    Article,
}

impl LocationFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationFrom::Sentence => "sentence",
            LocationFrom::Article => "article",
        }
    }
}

/// Extracts statistics, entities, topics and relevance from a body.
pub fn extract(body: &str, lang: Lang) -> Extraction {
    let sentences = sentences::split(body);
    // The body is split once into tokens (figures, relevance), and the words (entities,
    // places) are read from those; each stage takes a sentence's share of both.
    let toks = tokens::Tokens::new(body);
    let words = geo::Folded::from_tokens(&toks);
    let entities = entities::find_in(body, &words, &sentences, lang);
    let statistics = stats::find_in(body, &words, &toks, &sentences, lang, &entities);
    let (relevance, topics) = relevance::score_tokens(&toks, &statistics, lang);
    Extraction {
        relevance,
        topics,
        entities,
        statistics,
    }
}
