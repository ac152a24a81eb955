//! Units written around a number: percent, rates per 100,000, mass, area, money, durations.
//!
//! Every unit is normalised: tons become kg (× 1000), "per 1,000" rates become per 100,000
//! (× 100), money becomes an ISO 4217 code with its scale word applied by the number reader.
//! A bare "$" takes the currency of the country the figure is about (`resolve_dollar`): the
//! peso of a peso country in Spanish text, a local dollar, else US dollars. Bare "pesos" take
//! the country of the sentence when it is a peso country, else Mexican pesos. Percentage points ("puntos porcentuales") are read as
//! `percent`: the record has no unit of its own for a difference of percentages.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Serialize, Serializer};

use super::Lang;
use super::lexicon::Lexicon;
use super::numbers::RATE_BASES;
use super::table::{self, TableError};
use super::tokens::{Kind, Tokens};

/// The unit of a statistic: a closed set, named as in the record (JSON, CSV, the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Percent,
    /// A rate per 100,000 inhabitants.
    Per100k,
    Kg,
    Hectare,
    Days,
    Months,
    Years,
    /// A count of the things named after the number.
    Count,
    Money(Currency),
}

/// The units that are not money, with their names.
const MEASURES: [(Unit, &str); 8] = [
    (Unit::Percent, "percent"),
    (Unit::Per100k, "per_100k"),
    (Unit::Kg, "kg"),
    (Unit::Hectare, "hectare"),
    (Unit::Days, "days"),
    (Unit::Months, "months"),
    (Unit::Years, "years"),
    (Unit::Count, "count"),
];

/// A currency of `data/currencies.txt`, by its place in that list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(u8);

static CURRENCIES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::CURRENCIES.lines()));

impl Currency {
    /// The ISO 4217 code.
    pub fn as_str(self) -> &'static str {
        CURRENCIES.get(usize::from(self.0)).copied().unwrap_or("")
    }
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Money(c) => c.as_str(),
            unit => MEASURES.iter().find(|(u, _)| *u == unit).map_or("", |(_, name)| name),
        }
    }

    pub fn is_money(self) -> bool {
        matches!(self, Unit::Money(_))
    }
}

/// A name that is no unit of the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit {0:?}")]
pub struct UnknownUnit(pub String);

impl FromStr for Unit {
    type Err = UnknownUnit;

    fn from_str(s: &str) -> Result<Unit, UnknownUnit> {
        if let Some((unit, _)) = MEASURES.iter().find(|(_, name)| *name == s) {
            return Ok(*unit);
        }
        CURRENCIES
            .iter()
            .position(|c| *c == s)
            .and_then(|i| u8::try_from(i).ok())
            .map(|i| Unit::Money(Currency(i)))
            .ok_or_else(|| UnknownUnit(s.to_string()))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Units compare with their names, as tests and filters write them.
impl PartialEq<&str> for Unit {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Names in the unit column of `data/units.tsv` that are no unit of the record: resolved
/// later (`peso`, `dollar`) or not a statistic at all (`skip`).
const PENDING: [&str; 3] = ["peso", "dollar", "skip"];

/// A unit read after (or before) a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitMatch {
    /// `percent`, `per_100k`, `kg`, `hectare`, `days`, `months`, `years`, an ISO code,
    /// `peso` (resolve with `resolve_peso`) or `skip` (not a statistic).
    pub unit: &'static str,
    /// Multiply the value by this to express it in `unit`.
    pub factor: f64,
    /// First token of the unit phrase and the token after it.
    pub start_tok: usize,
    pub end_tok: usize,
}

pub(crate) struct UnitData {
    suffix: Lexicon<(&'static str, f64)>,
    per: Lexicon<()>,
    population: Lexicon<()>,
    /// Prefix symbols as raw token sequences (case-sensitive), longest first.
    prefix: Vec<(Vec<String>, &'static str)>,
}

pub(crate) fn load(lang: Lang) -> Result<UnitData, TableError> {
    let mut d = UnitData {
        suffix: Lexicon::new(),
        per: Lexicon::new(),
        population: Lexicon::new(),
        prefix: Vec::new(),
    };
    for row in table::UNITS.rows()? {
        // The kind is checked on every row, whatever its language.
        let kind = row.choice(0, "kind", &[("suffix", 0), ("per", 1), ("population", 2), ("prefix", 3)])?;
        let factor = row.number::<f64>(4)?;
        let (phrase, unit) = (row.get(2), row.get(3));
        if !PENDING.contains(&unit) && unit.parse::<Unit>().is_err() {
            return Err(row.unknown(3, "unit"));
        }
        if !row.applies(1, lang)? {
            continue;
        }
        match kind {
            0 => d.suffix.insert(phrase, (unit, factor)),
            1 => d.per.insert(phrase, ()),
            2 => d.population.insert(phrase, ()),
            _ => {
                let toks = Tokens::new(phrase);
                let pieces: Vec<String> = (0..toks.len()).map(|i| toks.raw(i).to_string()).collect();
                if !pieces.is_empty() {
                    d.prefix.push((pieces, unit));
                }
            }
        }
    }
    d.prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    Ok(d)
}

static EN: LazyLock<UnitData> = LazyLock::new(|| table::built(load(Lang::En)));
static ES: LazyLock<UnitData> = LazyLock::new(|| table::built(load(Lang::Es)));

fn data(lang: Lang) -> &'static UnitData {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// ISO codes that may be written right against the digits ("USD500", "Q500", "S/35").
pub fn is_currency_code(raw: &str) -> bool {
    CURRENCY_CODES.contains(&raw)
}

static CURRENCY_CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::CURRENCY_CODES.lines()));

/// A currency symbol or code right before token `first`: (ISO code, first token of the symbol).
pub fn currency_before(toks: &Tokens<'_>, first: usize) -> Option<(&'static str, usize)> {
    // Every symbol ends with the token right before the number: compared first, that token
    // turns most symbols away without reading further back.
    let last = toks.raw(first.checked_sub(1)?);
    // Both languages share the prefix table.
    for (pieces, code) in &data(Lang::En).prefix {
        let k = pieces.len();
        if k > first || pieces.last().is_none_or(|p| p != last) {
            continue;
        }
        let start = first - k;
        if !pieces.iter().enumerate().all(|(j, p)| toks.raw(start + j) == p) {
            continue;
        }
        // A letter symbol must stand alone ("Q 500", not "IQ 500").
        if toks.is_word(start) && start > 0 && toks.attached(start) && toks.is_word(start - 1) {
            continue;
        }
        return Some((code, start));
    }
    None
}

/// An all-capital ISO code written after the number ("500 USD").
fn code_after(toks: &Tokens<'_>, i: usize) -> Option<&'static str> {
    let raw = toks.raw(i);
    if raw.len() != 3 || !raw.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    data(Lang::En)
        .prefix
        .iter()
        .find(|(p, _)| p.len() == 1 && p[0] == raw)
        .map(|(_, c)| *c)
}

/// Whether a unit that makes a four-digit number a quantity (not a year) starts at token `i`.
pub fn starts_unit(toks: &Tokens<'_>, i: usize, lang: Lang) -> bool {
    let d = data(lang);
    if let Some(m) = d.suffix.longest_at(toks, i) {
        let unit = m.value.0;
        return !matches!(unit, "days" | "months" | "years" | "skip");
    }
    code_after(toks, i).is_some()
}

/// The unit written right after a number ending before token `i` (scale words already read).
///
/// `scaled` says whether a scale word was read, which allows Spanish "millones de dólares".
pub fn suffix_unit(toks: &Tokens<'_>, i: usize, lang: Lang, scaled: bool) -> Option<UnitMatch> {
    let d = data(lang);
    let mut at = i;
    // "10-year sentence", "a 30-day emergency".
    if (toks.is_punct(at, "-") || toks.is_punct(at, "–")) && toks.attached(at) && toks.attached(at + 1) {
        at += 1;
    }
    // "1.200 €" and "500 $", but not the "$" of a next sum ("5 $10 bills").
    if let Some(m) = d.suffix.longest_at(toks, at)
        && !(toks.kind(m.end - 1) == Some(Kind::Punct) && toks.is_number(m.end) && toks.attached(m.end))
    {
        return Some(UnitMatch {
            unit: m.value.0,
            factor: m.value.1,
            start_tok: at,
            end_tok: m.end,
        });
    }
    if let Some(code) = code_after(toks, at) {
        return Some(UnitMatch {
            unit: code,
            factor: 1.0,
            start_tok: at,
            end_tok: at + 1,
        });
    }
    // "2 millones de dólares", "un millón de soles", "a million of them" is not money.
    if scaled && matches!(toks.norm(at), "de" | "of") {
        if let Some(m) = d.suffix.longest_at(toks, at + 1)
            && is_money(m.value.0)
        {
            return Some(UnitMatch {
                unit: m.value.0,
                factor: m.value.1,
                start_tok: at,
                end_tok: m.end,
            });
        }
        if let Some(code) = code_after(toks, at + 1) {
            return Some(UnitMatch {
                unit: code,
                factor: 1.0,
                start_tok: at,
                end_tok: at + 2,
            });
        }
    }
    None
}

/// Whether a unit is money (an ISO code, or a peso or bare "$" still to resolve).
pub fn is_money(unit: &str) -> bool {
    unit == "peso" || unit == "dollar" || (unit.len() == 3 && unit.bytes().all(|b| b.is_ascii_uppercase()))
}

/// The ISO code of a bare "pesos" given the country the sentence is about.
pub fn resolve_peso(country: Option<&str>) -> &'static str {
    match country {
        Some("CO") => "COP",
        Some("CL") => "CLP",
        Some("AR") => "ARS",
        Some("DO") => "DOP",
        Some("UY") => "UYU",
        Some("CU") => "CUP",
        Some("PH") => "PHP",
        _ => "MXN",
    }
}

/// The ISO code of a bare "$" given the text's language, the country the figure is about, and
/// whether the text speaks of pesos. Mexico, Colombia, Chile, Argentina and the Dominican
/// Republic write their pesos with "$", which Spanish text leaves bare; English text writes a
/// bare "$" for US dollars unless it speaks of pesos, or of a country whose own currency is a
/// dollar.
pub fn resolve_dollar(lang: Lang, country: Option<&str>, says_pesos: bool) -> &'static str {
    let peso_country = matches!(country, Some("MX" | "CO" | "CL" | "AR" | "DO" | "UY" | "CU"));
    match country {
        Some("JM") => "JMD",
        Some("TT") => "TTD",
        Some("BZ") => "BZD",
        Some("GY") => "GYD",
        Some("BS") => "BSD",
        Some("BB") => "BBD",
        _ if peso_country && (lang == Lang::Es || says_pesos) => resolve_peso(country),
        _ => "USD",
    }
}

/// A rate base at token `i`: "per 100,000 inhabitants", "por cada cien mil habitantes".
///
/// `base_at(tok)` gives the value and end token of a number starting at `tok`, as read by the
/// number reader. Returns the factor to per-100,000 and the token after the phrase.
pub fn per_rate(toks: &Tokens<'_>, i: usize, lang: Lang, base_at: impl Fn(usize) -> Option<(f64, usize)>) -> Option<(f64, usize)> {
    let d = data(lang);
    let conn = d.per.longest_at(toks, i)?;
    let bare_por = toks.norm(i) == "por" && conn.end == i + 1;
    let j = conn.end;
    let (base, mut end) = if let Some((v, e)) = base_at(j) {
        (v, e)
    } else {
        // "per thousand", "per million", "por millón".
        match toks.norm(j) {
            "thousand" => (1e3, j + 1),
            "million" | "millon" => (1e6, j + 1),
            _ => return None,
        }
    };
    let population = population_end(toks, end, lang);
    if let Some(e) = population {
        end = e;
    }
    // Round bases are rate bases; any other ("one officer for every 2,400 inhabitants") only
    // with its population noun. Ratios are converted exactly.
    let round = base == 100.0 || RATE_BASES.contains(&base);
    if base <= 0.0 || (!round && population.is_none()) {
        return None;
    }
    // Bare Spanish "por" reads as a rate only with its population noun or a 100,000 base.
    if bare_por && population.is_none() && base != 1e5 {
        return None;
    }
    Some((1e5 / base, end))
}

/// Whether `n` at token `first` is the base of a rate written without its figure before it
/// ("rates per 100,000 residents peaked in Sonora (61.4)"): a round base
/// right after a rate connector. Returns the factor to per-100,000.
pub fn orphan_base(toks: &Tokens<'_>, first: usize, n: f64, lang: Lang) -> Option<f64> {
    let conn = data(lang).per.longest_ending_at(toks, first)?;
    let bare_por = toks.norm(conn.start) == "por" && conn.end == conn.start + 1;
    let after_number = conn.start > 0 && toks.is_number(conn.start - 1);
    (RATE_BASES.contains(&n) && !after_number && (!bare_por || n == 1e5)).then(|| 1e5 / n)
}

/// The end of the population noun of a rate starting at token `i` ("inhabitants", "de
/// habitantes"), if one is there.
pub fn population_end(toks: &Tokens<'_>, i: usize, lang: Lang) -> Option<usize> {
    let after_de = if matches!(toks.norm(i), "de" | "of") { i + 1 } else { i };
    data(lang).population.longest_at(toks, after_de).map(|m| m.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_read_back_and_resolved_currencies_are_listed() {
        for name in [
            "percent", "per_100k", "kg", "hectare", "days", "months", "years", "count", "USD", "PEN",
        ] {
            assert_eq!(name.parse::<Unit>().map(Unit::as_str), Ok(name));
        }
        assert!("tons".parse::<Unit>().is_err());
        assert!("XYZ".parse::<Unit>().is_err());
        let countries = [
            "MX", "CO", "CL", "AR", "DO", "UY", "CU", "PH", "JM", "TT", "BZ", "GY", "BS", "BB", "PE",
        ];
        for c in countries.into_iter().map(Some).chain([None]) {
            assert!(resolve_peso(c).parse::<Unit>().is_ok_and(Unit::is_money), "{c:?}");
            for lang in [Lang::En, Lang::Es] {
                assert!(resolve_dollar(lang, c, true).parse::<Unit>().is_ok_and(Unit::is_money), "{c:?}");
            }
        }
        assert_eq!(serde_json::to_string(&Unit::Per100k).ok().as_deref(), Some("\"per_100k\""));
    }

    fn unit(text: &str, lang: Lang) -> Option<(&'static str, f64)> {
        let toks = Tokens::new(text);
        suffix_unit(&toks, 1, lang, toks.len() > 2 && toks.norm(1) == "millones").map(|m| (m.unit, m.factor))
    }

    #[test]
    fn reads_units_after_numbers() {
        assert_eq!(unit("5 percent", Lang::En), Some(("percent", 1.0)));
        assert_eq!(unit("5 por ciento", Lang::Es), Some(("percent", 1.0)));
        assert_eq!(unit("5 %", Lang::Es), Some(("percent", 1.0)));
        assert_eq!(unit("5 metric tons", Lang::En), Some(("kg", 1000.0)));
        assert_eq!(unit("5 toneladas", Lang::Es), Some(("kg", 1000.0)));
        assert_eq!(unit("5 pounds", Lang::En), Some(("kg", 0.45359237)));
        assert_eq!(unit("5 hectáreas", Lang::Es), Some(("hectare", 1.0)));
        assert_eq!(unit("5 meses", Lang::Es), Some(("months", 1.0)));
        assert_eq!(unit("5-year", Lang::En), Some(("years", 1.0)));
        assert_eq!(unit("5 quetzales", Lang::Es), Some(("GTQ", 1.0)));
        assert_eq!(unit("5 pesos colombianos", Lang::Es), Some(("COP", 1.0)));
        assert_eq!(unit("5 USD", Lang::En), Some(("USD", 1.0)));
        assert_eq!(unit("5 kilómetros", Lang::Es), Some(("skip", 1.0)));
        assert_eq!(unit("5 policías", Lang::Es), None);
    }

    #[test]
    fn reads_currency_prefixes() {
        let toks = Tokens::new("unos US$ 35 y S/ 4 y S/.9 y Q 50 y IQ 50 y € 3");
        let code = |i| currency_before(&toks, i).map(|(c, _)| c);
        assert_eq!(code(3), Some("USD"));
        assert_eq!(code(7), Some("PEN"));
        assert_eq!(code(12), Some("PEN"));
        assert_eq!(code(15), Some("GTQ"));
        assert_eq!(code(18), None);
        assert_eq!(code(21), Some("EUR"));
    }

    #[test]
    fn peso_follows_the_country() {
        assert_eq!(resolve_peso(Some("CO")), "COP");
        assert_eq!(resolve_peso(Some("PE")), "MXN");
        assert_eq!(resolve_peso(None), "MXN");
    }
}
