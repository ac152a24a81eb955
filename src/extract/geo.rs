//! Country names, demonyms and places of the Americas mapped to ISO 3166-1 codes.
//!
//! The tables come from the data files under `data/` and are built once on first use.

pub mod words;

use std::collections::HashMap;
use std::sync::LazyLock;

pub(crate) use words::Folded;
use words::{Gazetteer, name_gap};

use super::lexicon::ends_with_phrase;
use super::table::{self, TableError};

/// What a geographic name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoKind {
    /// A country ("Perú", "United States").
    Country,
    /// A country adjective or its people ("Peruvian", "ecuatorianas"): not a place itself.
    Demonym,
    /// A world region without a country ("Latin America", "Caribe").
    Area,
    /// An adjective of a world region ("Latin American"): not a place, and no country.
    AreaAdjective,
    /// A region, department, state, province or city.
    Place,
}

/// A geographic name: its kind and the ISO codes of the countries it may belong to,
/// most likely first (empty for world regions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geo {
    pub kind: GeoKind,
    pub codes: Vec<&'static str>,
}

static GEO: LazyLock<Gazetteer<Geo>> = LazyLock::new(|| table::built(build()));

/// The gazetteer of countries, demonyms, world regions and places.
pub fn gazetteer() -> &'static Gazetteer<Geo> {
    &GEO
}

/// The `|`-separated names of a cell.
fn names(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn build() -> Result<Gazetteer<Geo>, TableError> {
    let mut g = Gazetteer::default();
    let geo = |kind, codes: &[&'static str]| Geo {
        kind,
        codes: codes.to_vec(),
    };
    for cols in table::COUNTRIES.rows()? {
        let code = cols.get(0);
        for name in names(cols.get(1)) {
            g.insert(name, false, geo(GeoKind::Country, &[code]));
        }
        for name in names(cols.get(2)) {
            g.insert(name, false, geo(GeoKind::Demonym, &[code]));
            if !name.ends_with('s') {
                g.insert(&format!("{name}s"), false, geo(GeoKind::Demonym, &[code]));
            }
        }
        for name in names(cols.get(3)) {
            for form in spanish_forms(name) {
                g.insert(&form, true, geo(GeoKind::Demonym, &[code]));
            }
        }
    }
    for cols in table::AREAS.rows()? {
        for name in names(cols.get(0)) {
            g.insert(name, false, geo(GeoKind::Area, &[]));
        }
        for name in names(cols.get(1)) {
            let lower = name.chars().next().is_some_and(char::is_lowercase);
            if lower {
                for form in spanish_forms(name) {
                    g.insert(&form, true, geo(GeoKind::AreaAdjective, &[]));
                }
            } else {
                g.insert(name, false, geo(GeoKind::AreaAdjective, &[]));
                g.insert(&format!("{name}s"), false, geo(GeoKind::AreaAdjective, &[]));
            }
        }
    }
    // A name listed under several countries keeps every code, in the order first seen.
    let mut places: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for cols in table::PLACES.rows()? {
        let codes: Vec<&'static str> = names(cols.get(1)).collect();
        for name in names(cols.get(0)) {
            let at = *index.entry(words::fold(name)).or_insert_with(|| {
                places.push((name, Vec::new()));
                places.len() - 1
            });
            for c in &codes {
                if !places[at].1.contains(c) {
                    places[at].1.push(c);
                }
            }
        }
    }
    for (name, codes) in places {
        g.insert(name, false, geo(GeoKind::Place, &codes));
    }
    Ok(g)
}

/// The feminine and plural forms of a Spanish demonym given in the masculine singular
/// ("peruano" → peruano, peruana, peruanos, peruanas; "costarricense" → +s;
/// "español" → española, españoles, españolas). A leading `!` drops the masculine singular,
/// which is also the name of a language ("en español").
fn spanish_forms(word: &str) -> Vec<String> {
    let (skip_base, w) = match word.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let mut out = Vec::new();
    if !skip_base {
        out.push(w.to_string());
    }
    if let Some(stem) = w.strip_suffix('o') {
        out.extend([format!("{stem}a"), format!("{stem}os"), format!("{stem}as")]);
    } else if w.ends_with('e') || w.ends_with('a') {
        out.push(format!("{w}s"));
    } else if w.ends_with('í') {
        out.extend([format!("{w}es"), format!("{w}s")]);
    } else {
        // Consonant: the accent of the last syllable goes away in the longer forms, which
        // folding ignores anyway.
        out.extend([format!("{w}a"), format!("{w}es"), format!("{w}as")]);
    }
    out
}

/// The ISO code of the first country named (or implied by a demonym) in `text`.
/// Cities and regions do not count; "Latin American" is not "American".
pub fn find_country(text: &str) -> Option<&'static str> {
    country_mentions_upto(text, &Folded::new(text), 1).first().map(|m| m.2)
}

/// Every country named (or implied by a demonym) in `text`, left to right, as
/// (byte start, byte end, ISO code), in one pass over the words.
pub fn country_mentions(text: &str) -> Vec<(usize, usize, &'static str)> {
    country_mentions_in(text, &Folded::new(text))
}

/// `country_mentions` of a text already split and folded into `f`.
pub(crate) fn country_mentions_in(text: &str, f: &Folded) -> Vec<(usize, usize, &'static str)> {
    country_mentions_upto(text, f, usize::MAX)
}

fn country_mentions_upto(text: &str, f: &Folded, most: usize) -> Vec<(usize, usize, &'static str)> {
    mentions_upto(text, f, most, |kind| matches!(kind, GeoKind::Country | GeoKind::Demonym))
        .into_iter()
        .filter_map(|(s, e, _, code)| Some((s, e, code?)))
        .collect()
}

/// Every country, demonym, world region and place of one country named in `text`, left to
/// right, as (byte start, byte end, kind, ISO code; none for a world region). A place that
/// exists in several countries is left out: it does not say which one.
pub fn mentions(text: &str) -> Vec<(usize, usize, GeoKind, Option<&'static str>)> {
    mentions_in(text, &Folded::new(text)).to_vec()
}

/// A place named in a text: (byte start, byte end, kind, ISO code; none for a world region).
pub(crate) type Mention = (usize, usize, GeoKind, Option<&'static str>);

/// `mentions` of a text already split and folded into `f` (which must be the words of
/// `text`): read once per `f`.
pub(crate) fn mentions_in<'f>(text: &str, f: &'f Folded) -> &'f [Mention] {
    f.mentions.get_or_init(|| {
        mentions_upto(text, f, usize::MAX, |kind| kind != GeoKind::AreaAdjective)
            .into_iter()
            .filter(|m| m.2 != GeoKind::Place || m.3.is_some())
            .collect()
    })
}

/// Whether `text` ends with the name of a place or a country ("Cartago", "in Peru").
pub fn names_place(text: &str) -> bool {
    mentions_upto(text, &Folded::new(text), usize::MAX, |kind| {
        matches!(kind, GeoKind::Country | GeoKind::Place)
    })
    .last()
    .is_some_and(|m| m.1 == text.len())
}

fn mentions_upto(
    text: &str,
    f: &Folded,
    most: usize,
    keep: impl Fn(GeoKind) -> bool,
) -> Vec<(usize, usize, GeoKind, Option<&'static str>)> {
    let mut out = Vec::new();
    let g = gazetteer();
    let mut i = 0;
    while i < f.words.len() {
        let joinable = |j: usize| {
            let prev = &f.words[j - 1];
            name_gap(&text[prev.end..f.words[j].start], &text[prev.start..prev.end])
        };
        match g.longest_in(f, i, joinable) {
            Some((n, geo)) => {
                let town = town_named_like_a_country(text, f, i, i + n, geo);
                let geo = town.as_ref().unwrap_or(geo);
                if keep(geo.kind) && (geo.kind == GeoKind::Area || !geo.codes.is_empty()) {
                    let code = if geo.kind == GeoKind::Place && geo.codes.len() > 1 {
                        // "La Libertad, Petén": a town name found in several countries is in
                        // the country of the region written after it.
                        region_after(text, f, i + n)
                            .filter(|r| r.codes.len() == 1)
                            .and_then(|r| r.codes.first().copied())
                    } else {
                        geo.codes.first().copied()
                    };
                    out.push((f.words[i].start, f.words[i + n - 1].end, geo.kind, code));
                    if out.len() >= most {
                        break;
                    }
                }
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

/// Words right before a Spanish demonym that make it a noun for one person ("un mexicano",
/// "el colombiano Juan Pérez"): a nationality, not a place.
const PERSON_DETERMINERS: [&str; 4] = ["un", "una", "el", "la"];

/// Words right before a Spanish demonym, singular or plural, that make it people's nationality
/// ("tres hombres de origen guatemalteco", "detenidos de nacionalidad colombiana").
const NATIONALITY_NOUNS: [&str; 2] = ["origen", "nacionalidad"];

/// Whether the demonym at bytes `start..end` of `text` gives someone's nationality rather than
/// the place a text speaks of: one person named by it ("un mexicano y otros 35", "el
/// colombiano Juan Pérez") or a nationality in brackets after a name ("Juan Pérez
/// (mexicano)", "de origen guatemalteco"). Plural peoples ("el 60 % de los peruanos") still name their country.
pub(crate) fn is_nationality(text: &str, start: usize, end: usize, kind: GeoKind) -> bool {
    if kind != GeoKind::Demonym {
        return false;
    }
    let (Some(before), Some(after), Some(word)) = (text.get(..start), text.get(end..), text.get(start..end)) else {
        return false;
    };
    let before = before.trim_end();
    if before.ends_with('(') && after.trim_start().starts_with(')') {
        return true;
    }
    let plural = word.ends_with('s') || word.ends_with('S');
    let prev = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    if NATIONALITY_NOUNS.iter().any(|n| prev.eq_ignore_ascii_case(n)) {
        return true;
    }
    !plural && !before.ends_with(|c: char| !c.is_alphanumeric()) && PERSON_DETERMINERS.iter().any(|d| prev.eq_ignore_ascii_case(d))
}

static TOWN_MARKERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::TOWN_MARKERS.lines()));

/// "Argelia, Cauca" or "el municipio de Argelia": a country's name after a word for a town,
/// or followed by a comma and a region of another country, is a town, not the country.
/// Returns what the name stands for then: a place, of the region's country when one follows.
pub(crate) fn town_named_like_a_country(text: &str, f: &Folded, at: usize, next: usize, geo: &Geo) -> Option<Geo> {
    if geo.kind != GeoKind::Country {
        return None;
    }
    let region = region_after(text, f, next).filter(|g| !g.codes.iter().any(|c| geo.codes.contains(c)));
    if region.is_none() && !ends_with_phrase(&text[..f.words[at].start], &TOWN_MARKERS) {
        return None;
    }
    Some(Geo {
        kind: GeoKind::Place,
        codes: region.map(|g| g.codes.clone()).unwrap_or_default(),
    })
}

/// The place named right after a comma that follows word `next - 1` ("Argelia, Cauca"): the
/// region that tells which of several towns of one name is meant.
fn region_after<'g>(text: &str, f: &Folded, next: usize) -> Option<&'g Geo> {
    if next >= f.words.len() || text[f.words[next - 1].end..f.words[next].start].trim() != "," {
        return None;
    }
    let joinable = |j: usize| {
        let prev = &f.words[j - 1];
        name_gap(&text[prev.end..f.words[j].start], &text[prev.start..prev.end])
    };
    gazetteer()
        .longest_in(f, next, joinable)
        .map(|(_, g)| g)
        .filter(|g| g.kind == GeoKind::Place)
}

/// The ISO code of a country written alone, in any case and with or without accents
/// ("Perú", "peru", "Estados Unidos").
pub fn country_code(name: &str) -> Option<&'static str> {
    let f = Folded::new(name);
    let key: Vec<&str> = (0..f.words.len()).map(|i| f.key(i)).collect();
    COUNTRY_NAMES.get(&key.join(" ")).copied()
}

static COUNTRY_NAMES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for cols in table::built(table::COUNTRIES.rows()) {
        for name in names(cols.get(1)) {
            let f = Folded::new(name);
            let key: Vec<&str> = (0..f.words.len()).map(|i| f.key(i)).collect();
            m.entry(key.join(" ")).or_insert(cols.get(0));
        }
    }
    m
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_town_named_like_a_country_is_not_the_country() {
        assert_eq!(find_country("en el municipio de Argelia, Cauca, fueron retenidos"), None);
        assert_eq!(find_country("Argelia, Cauca, y luego Bogotá, Colombia"), Some("CO"));
        assert_eq!(find_country("Perú, Lima y Callao"), Some("PE"));
        assert_eq!(find_country("Argelia, Marruecos y Túnez"), Some("DZ"));
        assert_eq!(find_country("del municipio de Argelia, en el sur del Cauca"), None);
    }

    #[test]
    fn a_town_of_several_countries_takes_the_country_of_the_region_after_it() {
        let codes = |text: &str| mentions_in(text, &Folded::new(text)).iter().map(|m| m.3).collect::<Vec<_>>();
        assert_eq!(codes("el ataque en La Libertad, Petén, dejó dos muertos"), [Some("GT"), Some("GT")]);
        assert_eq!(codes("el ataque en La Libertad dejó dos muertos"), Vec::<Option<&str>>::new());
    }

    #[test]
    fn countries_in_both_languages_and_without_accents() {
        assert_eq!(find_country("Homicides rose in Peru last year"), Some("PE"));
        assert_eq!(find_country("Los homicidios subieron en Perú"), Some("PE"));
        assert_eq!(find_country("La violencia en México y Colombia"), Some("MX"));
        assert_eq!(find_country("Cocaine left the Dominican Republic"), Some("DO"));
        assert_eq!(find_country("Llegó a Estados Unidos"), Some("US"));
        assert_eq!(find_country("seized by U.S. authorities"), Some("US"));
        assert_eq!(find_country("nothing here"), None);
    }

    #[test]
    fn demonyms_in_all_forms() {
        assert_eq!(find_country("90 percent of Peruvians feel unsafe"), Some("PE"));
        assert_eq!(find_country("Peruvian police seized cocaine"), Some("PE"));
        assert_eq!(find_country("el 60 % de las ecuatorianas"), Some("EC"));
        assert_eq!(find_country("los hogares peruanos"), Some("PE"));
        assert_eq!(find_country("ciudadanos costarricenses"), Some("CR"));
        assert_eq!(find_country("Mexican cartels"), Some("MX"));
    }

    #[test]
    fn countries_of_world_prison_rankings() {
        assert_eq!(find_country("occupancy in Uganda reached 367%"), Some("UG"));
        assert_eq!(find_country("las cárceles de Camboya"), Some("KH"));
        assert_eq!(find_country("the Democratic Republic of the Congo"), Some("CD"));
        assert_eq!(find_country("the Republic of Congo"), Some("CG"));
    }

    #[test]
    fn a_place_named_in_two_countries_names_neither() {
        let codes = |text: &str| mentions(text).into_iter().map(|m| m.3).collect::<Vec<_>>();
        assert_eq!(codes("el departamento judicial de Santiago"), vec![]);
        assert_eq!(codes("la región de Los Ríos"), vec![]);
        assert_eq!(codes("Santiago de Chile"), vec![Some("CL")]);
    }

    #[test]
    fn regions_and_cities_do_not_name_a_country() {
        assert_eq!(find_country("the highest rate in Latin America"), None);
        assert_eq!(find_country("Latin American countries"), None);
        assert_eq!(find_country("a party in Salvador, Bahia"), None);
        assert_eq!(find_country("in Villa El Salvador"), None);
        assert_eq!(find_country("in New Mexico"), None);
        assert_eq!(find_country("in Latin America, Colombian groups"), Some("CO"));
    }

    #[test]
    fn case_rules_keep_common_words_out() {
        assert_eq!(find_country("let us know"), None);
        assert_eq!(find_country("PERU ANNUAL REPORT"), None);
        assert_eq!(find_country("the US Navy"), Some("US"));
        assert_eq!(find_country("traducido al español"), None);
    }

    #[test]
    fn country_code_of_a_name() {
        assert_eq!(country_code("Perú"), Some("PE"));
        assert_eq!(country_code("peru"), Some("PE"));
        assert_eq!(country_code("Costa Rica"), Some("CR"));
        assert_eq!(country_code("Lima"), None);
    }

    #[test]
    fn spanish_forms_cover_gender_and_number() {
        assert_eq!(spanish_forms("peruano"), ["peruano", "peruana", "peruanos", "peruanas"]);
        assert_eq!(spanish_forms("!español"), ["española", "españoles", "españolas"]);
        assert_eq!(spanish_forms("costarricense"), ["costarricense", "costarricenses"]);
    }

    #[test]
    fn one_persons_nationality_is_not_a_place() {
        let at = |text: &str, word: &str| {
            let s = text.find(word).unwrap_or(0);
            is_nationality(text, s, s + word.len(), GeoKind::Demonym)
        };
        assert!(at("Un mexicano y otros 12 detenidos fueron condenados", "mexicano"));
        assert!(at("El hondureño Carlos Ruiz recibió 40 años", "hondureño"));
        assert!(at("Luis Rodas (salvadoreño) y Ana Gil", "salvadoreño"));
        assert!(!at("el 60 % de los peruanos teme salir", "peruanos"));
        assert!(at("cuatro hombres de origen hondureño fueron detenidos", "hondureño"));
        assert!(at("dos detenidas de nacionalidad venezolana", "venezolana"));
        assert!(!at("el gobierno mexicano destinó 300 millones", "mexicano"));
        assert!(!at("Mexican cartels moved 20 tons", "Mexican"));
    }
}
