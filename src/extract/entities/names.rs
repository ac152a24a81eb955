//! Capitalised runs read as organisations, places and people without an office.

use std::sync::LazyLock;

use super::lexicon::{HeadLang, LEXICON};
use super::persons::{name_run, valid_name};
use super::{Doc, Hit};
use crate::extract::geo::words::{FastSet, Shape, fold};
use crate::extract::geo::{GeoKind, gazetteer};
use crate::extract::tokens::AND_WORDS;
use crate::extract::{EntityType, table};

/// The most words read ahead for one name.
const MAX_NAME_WORDS: usize = 12;
/// Connectors that continue an organisation's name after its head ("Office on Drugs").
const ORG_LINKS: &[&str] = &[
    "of", "on", "for", "against", "to", "de", "del", "para", "contra", "sobre", "da", "do", "dos",
];
/// Articles allowed right after such a connector ("Office of the Ombudsman", "de la Nación").
const ORG_ARTICLES: &[&str] = &["the", "la", "las", "los", "el"];
/// Words before a place name that make a capitalised word a place.
const LOCATIVE: &[&str] = &["in", "en", "near"];

/// Words around names that say what a name is (`data/name_words.tsv`).
#[derive(Default)]
pub(super) struct NameWords {
    place_noun: FastSet<&'static str>,
    building: FastSet<&'static str>,
    group_noun: FastSet<&'static str>,
    place_prefix: FastSet<&'static str>,
    street: FastSet<&'static str>,
    reported: FastSet<&'static str>,
}

pub(super) fn load_name_words() -> Result<NameWords, table::TableError> {
    let mut w = NameWords::default();
    for row in table::NAME_WORDS.rows()? {
        let set = match row.get(0) {
            "place_noun" => &mut w.place_noun,
            "building" => &mut w.building,
            "group_noun" => &mut w.group_noun,
            "place_prefix" => &mut w.place_prefix,
            "street" => &mut w.street,
            "reported" => &mut w.reported,
            _ => return Err(row.unknown(0, "kind")),
        };
        set.extend(row.get(1).split_whitespace());
    }
    Ok(w)
}

static NAME_WORDS: LazyLock<NameWords> = LazyLock::new(|| table::built(load_name_words()));

pub(super) fn find(doc: &mut Doc<'_>, hits: &mut Vec<Hit>) {
    let lex = &*LEXICON;
    let mut people = People::default();
    for h in hits.iter().filter(|h| h.kind == EntityType::Person) {
        people.add(&fold(&doc.body[h.start..h.end]));
    }
    let mut acronyms: FastSet<String> = FastSet::default();
    let mut i = 0;
    while i < doc.len() {
        if doc.used[i] || !doc.cap(i) {
            i += 1;
            continue;
        }
        let joinable = |j: usize| doc.name_joined(j);
        let geo = gazetteer().longest_in(doc.f, i, joinable);
        let org_gaz = LEXICON.orgs.longest_in(doc.f, i, joinable).map(|(n, _)| n);
        let head = org_phrase(doc, i);
        let geo_n = geo.map_or(0, |(n, _)| n);
        let org_n = org_gaz
            .unwrap_or(0)
            .max(head.unwrap_or(0))
            .max(defined_by_acronym(doc, i).unwrap_or(0));

        // A given name before a surname beats a one-word place ("Salvador Nasralla").
        let name_first = geo_n == 1
            && geo.is_some_and(|(_, g)| g.kind == GeoKind::Place)
            && lex.given.contains(doc.key(i))
            && doc.joined(i + 1)
            && doc.initial(i + 1)
            && !doc.in_role[i];

        // A heading in capitals ("UN INFORME REVELA"): its short words are no acronyms.
        if doc.shape(i) == Shape::Upper && shouting(doc, i) {
            i += 1;
            continue;
        }
        if org_n > 0 && org_n >= geo_n {
            if let Some((n, g)) = geo.filter(|(n, g)| *n < org_n && g.kind == GeoKind::Demonym) {
                // "Peruvian National Police": the demonym still says which country the text
                // is about; a place inside a name ("Sinaloa Cartel") is not a place mentioned.
                hits.push(geo_hit(doc, i, n, g));
            }
            let end = i + org_n;
            // "the Police Administration Building": a building named after a body is a place.
            if doc.joined(end) && doc.initial(end) && NAME_WORDS.building.contains(doc.key(end)) {
                hits.push(span_hit(doc, EntityType::Location, i, end + 1));
                i = end + 1;
                continue;
            }
            hits.push(span_hit(doc, EntityType::Organization, i, end));
            if let Some(k) = nested_org(doc, i, end) {
                hits.push(span_hit(doc, EntityType::Organization, k, end));
            }
            i = end;
            if let Some(a) = acronym_after(doc, end) {
                acronyms.insert(doc.key(a).to_string());
                doc.used[a] = true;
                i = a + 1;
            }
            continue;
        }
        if let Some((n, g)) = geo.filter(|_| !name_first) {
            match crate::extract::geo::town_named_like_a_country(doc.body, doc.f, i, i + n, g) {
                Some(town) => hits.push(geo_hit(doc, i, n, &town)),
                None => hits.push(geo_hit(doc, i, n, g)),
            }
            i += n;
            continue;
        }
        if let Some(end) = group_name(doc, i).or_else(|| plural_article_name(doc, i)) {
            hits.push(span_hit(doc, EntityType::Organization, i, end));
            i = end;
            continue;
        }
        if acronyms.contains(doc.key(i)) && matches!(doc.shape(i), Shape::Upper | Shape::Initial) {
            hits.push(span_hit(doc, EntityType::Organization, i, i + 1));
            i += 1;
            continue;
        }
        if doc.shape(i) == Shape::Upper {
            i += 1;
            continue;
        }
        if let Some(end) = prefixed_place(doc, i) {
            hits.push(span_hit(doc, EntityType::Location, i, end));
            i = end;
            continue;
        }
        if (lex.stop.contains(doc.key(i)) && !super::persons::given_month(doc, i)) || doc.in_role[i] {
            i += 1;
            continue;
        }
        // "St. Mary East", "St Ann North": a saint's name makes a place.
        if i > 0 && matches!(doc.key(i - 1), "st" | "saint" | "ste" | "sta") && doc.initial(i - 1) {
            i += 1;
            continue;
        }
        if known_surname(doc, i, &people).is_none()
            && let Some(end) = reporting_outlet(doc, i)
        {
            hits.push(span_hit(doc, EntityType::Organization, i, end));
            i = end;
            continue;
        }
        if after_place_noun(doc, i)
            && let Some(end) = unknown_place(doc, i)
        {
            hits.push(span_hit(doc, EntityType::Location, i, end));
            i = end;
            continue;
        }
        if let Some(end) = person(doc, i, &people) {
            people.add(&fold(&doc.body[doc.f.words[i].start..doc.f.words[end - 1].end]));
            hits.push(span_hit(doc, EntityType::Person, i, end));
            for k in i..end {
                doc.used[k] = true;
            }
            i = end;
            continue;
        }
        // A later mention of someone already named ("Basombrío said"): not a new entity.
        if let Some(end) = known_surname(doc, i, &people) {
            i = end;
            continue;
        }
        if let Some(end) = cued_org(doc, i) {
            hits.push(span_hit(doc, EntityType::Organization, i, end));
            i = end;
            continue;
        }
        if let Some(end) = unknown_place(doc, i) {
            hits.push(span_hit(doc, EntityType::Location, i, end));
            i = end;
            continue;
        }
        i += 1;
    }
}

/// People already named in the text: their full names and the words of their names, folded.
#[derive(Default)]
struct People {
    full: FastSet<String>,
    words: FastSet<String>,
}

impl People {
    fn add(&mut self, folded_name: &str) {
        self.words.extend(folded_name.split(' ').map(str::to_string));
        self.full.insert(folded_name.to_string());
    }
}

fn span_hit(doc: &Doc<'_>, kind: EntityType, s: usize, e: usize) -> Hit {
    Hit {
        kind,
        start: doc.f.words[s].start,
        end: doc.f.words[e - 1].end,
        role: None,
        codes: Vec::new(),
        geo: None,
    }
}

fn geo_hit(doc: &Doc<'_>, s: usize, n: usize, g: &crate::extract::geo::Geo) -> Hit {
    Hit {
        kind: EntityType::Location,
        codes: g.codes.clone(),
        geo: Some(g.kind),
        ..span_hit(doc, EntityType::Location, s, s + n)
    }
}

fn head_at(doc: &Doc<'_>, i: usize) -> Option<(usize, HeadLang)> {
    if i >= doc.len() || !doc.cap(i) {
        return None;
    }
    LEXICON.heads.longest_in(doc.f, i, |j| doc.joined(j)).map(|(n, l)| (n, *l))
}

/// A capitalised word that can go on an organisation's name.
fn org_word(doc: &Doc<'_>, i: usize) -> bool {
    doc.joined(i) && doc.cap(i) && doc.free(i) && !LEXICON.calendar.contains(doc.key(i))
}

/// Words `i..k` of a capitalised run (without connectors) that may continue a name.
fn caps_from(doc: &Doc<'_>, i: usize) -> usize {
    let mut k = i;
    // Bounded so that a long run of capitals (a title-case page) stays linear.
    while k < doc.len() && k - i < MAX_NAME_WORDS && org_word(doc, k) {
        k += 1;
    }
    k
}

/// An organisation built on a head word, starting at word `i`: its length in words.
/// "National Civil Police", "Observatory of Violence", "Sociedad Nacional de Minería",
/// "United Nations Office on Drugs and Crime".
fn org_phrase(doc: &Doc<'_>, i: usize) -> Option<usize> {
    // "UN" is an acronym, "Un" a Spanish article.
    if LEXICON.stop.contains(doc.key(i)) && doc.shape(i) != Shape::Upper {
        return None;
    }
    // Capitalised words up to the first head word.
    let mut h = i;
    let (hn, lang) = loop {
        if let Some(found) = head_at(doc, h) {
            break found;
        }
        h += 1;
        if h - i > MAX_NAME_WORDS {
            return None;
        }
        // "Securities and Exchange Commission": "and" before the head, when what comes
        // before it is no place or organisation of its own.
        if doc.joined(h)
            && doc.shape(h) == Shape::Lower
            && AND_WORDS.contains(&doc.key(h))
            && org_word(doc, h + 1)
            && !super::persons::starts_known_name(doc, i)
        {
            h += 1;
        }
        if !org_word(doc, h) {
            return None;
        }
    };
    let mut end = h + hn;
    loop {
        // Spanish names go on with capitalised words: "Policía Nacional Civil". An English
        // name goes on only through a head word or a link, even one written with a capital
        // ("Task Force Against Kidnapping").
        let capital_link = lang == HeadLang::En && doc.shape(end) == Shape::Initial && ORG_LINKS.contains(&doc.key(end));
        if org_word(doc, end) && !capital_link {
            let run = caps_from(doc, end);
            let reaches_head = (end..run).rev().find(|&k| head_at(doc, k).is_some());
            match (lang, reaches_head) {
                (HeadLang::Es, _) => end = run,
                (HeadLang::En, Some(k)) => end = k + head_at(doc, k).map_or(1, |(n, _)| n),
                (HeadLang::En, None) => break,
            }
            continue;
        }
        // A capitalised link ending the run, then an article: "Lucha Contra el Narcotráfico".
        let mut k = end;
        if ORG_LINKS.contains(&doc.key(end - 1))
            && doc.shape(end - 1) == Shape::Initial
            && doc.joined(k)
            && doc.shape(k) == Shape::Lower
            && ORG_ARTICLES.contains(&doc.key(k))
            && org_word(doc, k + 1)
        {
            end = caps_from(doc, k + 1);
            continue;
        }
        // "of/de (the/la) X Y".
        if doc.joined(k) && doc.shape(k) != Shape::Upper && ORG_LINKS.contains(&doc.key(k)) {
            k += 1;
            if doc.joined(k) && doc.shape(k) == Shape::Lower && ORG_ARTICLES.contains(&doc.key(k)) {
                k += 1;
            }
            if org_word(doc, k) {
                end = caps_from(doc, k);
                continue;
            }
            break;
        }
        // "and/y X" when X is no other organisation or place: "Drugs and Crime".
        let and_word = doc.joined(k) && AND_WORDS.contains(&doc.key(k)) && doc.shape(k) == Shape::Lower;
        // "contra la Droga y el Delito": an article after "y" may open the last word of a
        // linked name, and nothing longer.
        let linked = || (h + hn..end).any(|m| doc.shape(m) == Shape::Lower || ORG_LINKS.contains(&doc.key(m)));
        if and_word
            && doc.joined(k + 1)
            && doc.shape(k + 1) == Shape::Lower
            && ORG_ARTICLES.contains(&doc.key(k + 1))
            && org_word(doc, k + 2)
            && caps_from(doc, k + 2) == k + 3
            && head_at(doc, k + 2).is_none()
            && linked()
            && LEXICON.orgs.longest_in(doc.f, k + 2, |_| false).is_none()
            && gazetteer().longest_in(doc.f, k + 2, |_| false).is_none()
        {
            end = k + 3;
            break;
        }
        if and_word && org_word(doc, k + 1) {
            let run = caps_from(doc, k + 1);
            let other = (k + 1..run).any(|m| head_at(doc, m).is_some()) || super::persons::starts_known_name(doc, k + 1);
            let linked = linked();
            // One last word after "of ... and" closes a list of portfolios, even a head word
            // ("Ministry of the Interior and Police"), unless it is a known body or place.
            let joinable = |_: usize| false;
            let closing = linked
                && run == k + 2
                && LEXICON.orgs.longest_in(doc.f, k + 1, joinable).is_none()
                && gazetteer().longest_in(doc.f, k + 1, joinable).is_none();
            if (!other || closing) && (linked || lang == HeadLang::Es) {
                end = run;
                continue;
            }
        }
        break;
    }
    // "Integrated Office in Haiti (BINUH)": "in" a country belongs to the name only when an
    // acronym confirms where the name ends.
    if doc.joined(end) && matches!(doc.key(end), "in" | "en") && doc.shape(end) == Shape::Lower {
        let country = gazetteer().longest_in(doc.f, end + 1, |j| doc.name_joined(j));
        if let Some((n, _)) = country.filter(|(_, g)| g.kind == GeoKind::Country)
            && doc.joined(end + 1)
            && acronym_after(doc, end + 1 + n).is_some()
        {
            end += 1 + n;
        }
    }
    (end - i >= 2).then_some(end - i)
}

/// An institution named inside another's name after "de la" / "of the": "Observatorio de
/// la Violencia de la Universidad Nacional", "Centro ... de la Subsecretaría de Prevención
/// del Delito". Its first word, when it is a head word starting two words or more. An
/// acronym after the name says which of the two it abbreviates: "Secretariado Ejecutivo del
/// Sistema Nacional ... (SESNSP)" is one body, "Observatorio ... de la Universidad Nacional
/// Autónoma de Honduras (UNAH)" two.
fn nested_org(doc: &Doc<'_>, i: usize, end: usize) -> Option<usize> {
    let link = |k: usize| doc.shape(k) == Shape::Lower && ["de", "del", "of"].contains(&doc.key(k));
    let k = (i + 2..end.saturating_sub(1)).find(|&k| {
        let after_link = link(k - 1) || (doc.shape(k - 1) == Shape::Lower && ORG_ARTICLES.contains(&doc.key(k - 1)) && link(k - 2));
        after_link && head_at(doc, k).is_some()
    })?;
    let first = |w: usize| doc.key(w).chars().next();
    match acronym_after(doc, end) {
        Some(a) => (first(a) == first(k) && first(a) != first(i)).then_some(k),
        None => Some(k),
    }
}

/// Whether word `i` sits among other words in capitals that are no known acronyms.
fn shouting(doc: &Doc<'_>, i: usize) -> bool {
    let caps_word = |k: usize| {
        k < doc.len()
            && doc.shape(k) == Shape::Upper
            && LEXICON.orgs.longest_in(doc.f, k, |_| false).is_none()
            && gazetteer().longest_in(doc.f, k, |_| false).is_none()
    };
    (doc.joined(i) && caps_word(i - 1)) || (doc.joined(i + 1) && caps_word(i + 1))
}

/// A criminal group named after "la banda", "the gang", "organización criminal":
/// "la banda Los Injertos del Cono Norte", "the gang Barrio 18".
fn group_name(doc: &Doc<'_>, i: usize) -> Option<usize> {
    if i == 0 || !doc.joined(i) || doc.shape(i - 1) != Shape::Lower || !NAME_WORDS.group_noun.contains(doc.key(i - 1)) || !doc.initial(i) {
        return None;
    }
    let end = group_run(doc, i, false);
    // An article alone ("la banda Los") is no name.
    let only_article = end == i + 1 && LEXICON.stop.contains(doc.key(i));
    (!only_article).then_some(end)
}

/// A capitalised plural article inside a sentence starts a group's name: "amenazas de
/// Los Lobos", "linked to Los Monos" (places such as "Los Olivos" are in the gazetteer).
fn plural_article_name(doc: &Doc<'_>, i: usize) -> Option<usize> {
    if doc.sent_start[i] || !matches!(doc.key(i), "los" | "las") || doc.shape(i) != Shape::Initial {
        return None;
    }
    if i > 0 && LOCATIVE.contains(&doc.key(i - 1)) {
        return None;
    }
    let end = group_run(doc, i, false);
    (end > i + 1).then_some(end)
}

/// A place name built on a place word: "Puerto Bolívar", "Villa Rica", "San Andrés de Tumaco".
fn prefixed_place(doc: &Doc<'_>, i: usize) -> Option<usize> {
    // "la avenida Javier Prado", "Calle Los Pinos": a street is a place, whatever its name.
    let street_before =
        i > 0 && (doc.joined(i) || doc.gap(i) == ". ") && doc.shape(i - 1) == Shape::Lower && NAME_WORDS.street.contains(doc.key(i - 1));
    if street_before && doc.initial(i) {
        return Some(group_run(doc, i, false));
    }
    let prefix = NAME_WORDS.place_prefix.contains(doc.key(i)) || NAME_WORDS.street.contains(doc.key(i));
    if !doc.initial(i) || !prefix || !doc.joined(i + 1) || !doc.initial(i + 1) {
        return None;
    }
    let mut end = i + 2;
    while end - i < 5 {
        let mut k = end;
        while doc.joined(k) && doc.shape(k) == Shape::Lower && ["de", "del", "la", "los", "las"].contains(&doc.key(k)) {
            k += 1;
        }
        if !(doc.joined(k) && doc.initial(k) && doc.free(k)) || LEXICON.stop.contains(doc.key(k)) || head_at(doc, k).is_some() {
            break;
        }
        end = k + 1;
    }
    let blocked = (i..end).any(|k| doc.used[k] || head_at(doc, k).is_some());
    (!blocked).then_some(end)
}

/// End of a group's name from word `i`: capitalised words (or numbers: "Barrio 18") with
/// connectors between them.
///
/// With `prepositions`, "en/para/in/for..." may join too: only where an acronym after the run
/// confirms it is one name ("Fiscalía Especializada en Materia Ambiental (FEMA)"), since
/// elsewhere they end a name ("Los Gatilleros en Ica").
fn group_run(doc: &Doc<'_>, i: usize, prepositions: bool) -> usize {
    const INNER: &[&str] = &["de", "del", "la", "los", "las", "el", "y", "of", "the"];
    const PREPOSITIONS: &[&str] = &["en", "para", "contra", "in", "for", "on", "against"];
    let mut end = i + 1;
    loop {
        let mut k = end;
        while doc.joined(k)
            && doc.shape(k) == Shape::Lower
            && (INNER.contains(&doc.key(k)) || prepositions && PREPOSITIONS.contains(&doc.key(k)))
        {
            k += 1;
        }
        let next = doc.joined(k) && (doc.cap(k) || doc.shape(k) == Shape::Other) && doc.free(k) && !LEXICON.calendar.contains(doc.key(k));
        if !next || k - i >= 6 {
            return end;
        }
        end = k + 1;
    }
}

/// A capitalised run followed by an acronym that starts with its first letter:
/// "Caribbean Financial Action Task Force (CFATF)", "Servicio de Vigilancia (Sevi)".
fn defined_by_acronym(doc: &Doc<'_>, i: usize) -> Option<usize> {
    if LEXICON.stop.contains(doc.key(i)) || doc.in_role[i] {
        return None;
    }
    let end = group_run(doc, i, true).min(i + MAX_NAME_WORDS);
    let acronym = acronym_after(doc, end)?;
    let same_initial = doc.key(acronym).chars().next() == doc.key(i).chars().next();
    let caps = (i..end).filter(|&k| doc.cap(k)).count();
    (same_initial && caps >= 2).then_some(end - i)
}

/// "(UNODC)" right after a name: the acronym's word.
fn acronym_after(doc: &Doc<'_>, end: usize) -> Option<usize> {
    if end >= doc.len() || !matches!(doc.gap(end), " (" | "(") {
        return None;
    }
    // "(UNODC)", or a short word written like a name: "(Divise)", "(Sidpol)".
    let short = doc.shape(end) == Shape::Initial && doc.text(end).chars().count() <= 8;
    if doc.shape(end) != Shape::Upper && !short {
        return None;
    }
    doc.gap(end + 1).starts_with(')').then_some(end)
}

/// A person's name without an office: a given name and a surname ("Gustavo Petro"), or any
/// two or three capitalised words right before a verb of saying ("Ana Gómez dijo").
fn person(doc: &Doc<'_>, i: usize, people: &People) -> Option<usize> {
    let lex = &*LEXICON;
    let (s, e) = name_run(doc, i)?;
    if people.full.contains(&fold(&doc.body[doc.f.words[s].start..doc.f.words[e - 1].end])) {
        return Some(e);
    }
    let words = (s..e).filter(|&k| doc.shape(k) != Shape::Lower).count();
    if !valid_name(doc, s, e, 2) {
        return None;
    }
    // "Robbery Ravi Persad": a capitalised word before a given name is not part of the name.
    if e - s >= 3 && !lex.given.contains(doc.key(s)) && lex.given.contains(doc.key(s + 1)) {
        return None;
    }
    if lex.given.contains(doc.key(s)) {
        return Some(e);
    }
    let speaks = doc.joined(e) && lex.speech.contains(doc.key(e));
    let spoken = s > 0 && doc.joined(s) && lex.speech.contains(doc.key(s - 1));
    ((speaks || spoken) && words <= 3).then_some(e)
}

/// A run whose words all belong to a person already named: its end.
fn known_surname(doc: &Doc<'_>, i: usize, people: &People) -> Option<usize> {
    let mut end = i;
    while end < doc.len() && (end == i || doc.joined(end)) && doc.initial(end) {
        if !people.words.contains(doc.key(end)) {
            break;
        }
        end += 1;
    }
    (end > i).then_some(end)
}

/// A capitalised name that closes a sentence as its reporter, a news outlet: "...,
/// El Telégrafo reported." The comma keeps subjects ("Officials reported") out; the
/// leading article stays out of the name.
fn reporting_outlet(doc: &Doc<'_>, i: usize) -> Option<usize> {
    // "..., Ana Gómez reported" is a person.
    if i == 0 || !doc.initial(i) || LEXICON.given.contains(doc.key(i)) {
        return None;
    }
    let end = group_run(doc, i, false);
    if end - i > 4 || (i..end).any(|k| doc.shape(k) != Shape::Lower && LEXICON.stop.contains(doc.key(k))) {
        return None;
    }
    let article = doc.joined(i) && matches!(doc.key(i - 1), "el" | "la" | "the") && doc.initial(i - 1);
    let opens = if article { i - 1 } else { i };
    let reporter =
        doc.gap(opens) == ", " && doc.joined(end) && doc.shape(end) == Shape::Lower && NAME_WORDS.reported.contains(doc.key(end));
    reporter.then_some(end)
}

/// A capitalised name right after an attribution or an outlet noun: "según Datacrim",
/// "the newspaper Ojo Público", "la encuestadora Vox Populi".
fn cued_org(doc: &Doc<'_>, i: usize) -> Option<usize> {
    if i == 0 || !doc.joined(i) || !doc.initial(i) {
        return None;
    }
    // The cue ends at word i - 1: try cues of up to four words.
    let cued = (1..=4.min(i)).any(|n| {
        let s = i - n;
        (s + 1..i).all(|k| doc.joined(k))
            && LEXICON
                .source_cues
                .longest_in(doc.f, s, |k| doc.joined(k))
                .is_some_and(|(m, _)| m == n)
    });
    if !cued {
        return None;
    }
    let end = group_run(doc, i, false);
    let clean = (i..end).all(|k| doc.shape(k) == Shape::Lower || !LEXICON.stop.contains(doc.key(k)));
    (clean && end - i <= 4).then_some(end)
}

/// Word `i` follows a place noun and its "de/of": "la provincia de Pataz".
fn after_place_noun(doc: &Doc<'_>, i: usize) -> bool {
    i >= 2 && doc.joined(i) && ["de", "del", "of"].contains(&doc.key(i - 1)) && NAME_WORDS.place_noun.contains(doc.key(i - 2))
}

/// A capitalised name after "in"/"en" or a place noun ("la provincia de Pataz"): a place
/// missing from the gazetteer.
fn unknown_place(doc: &Doc<'_>, i: usize) -> Option<usize> {
    let lex = &*LEXICON;
    if doc.sent_start[i] || !doc.initial(i) || !doc.joined(i) || i == 0 {
        return None;
    }
    let prev = doc.key(i - 1);
    let by_noun = after_place_noun(doc, i);
    let by_prep = LOCATIVE.contains(&prev) || (prev == "de" && i >= 2 && doc.key(i - 2) == "cerca");
    if !(by_noun || by_prep) || doc.shape(i - 1) != Shape::Lower {
        return None;
    }
    // Places are often named after people ("el municipio de Benito Juárez"): after a place
    // noun a given name belongs to the place.
    let bad = |k: usize| {
        lex.stop.contains(doc.key(k)) || (!by_noun && lex.given.contains(doc.key(k))) || head_at(doc, k).is_some() || doc.in_role[k]
    };
    let mut end = i;
    while end < doc.len() && end - i < 4 && (end == i || doc.joined(end)) && doc.initial(end) && doc.free(end) && !bad(end) {
        end += 1;
    }
    // "in X's" or "in X Y Z" headline runs are left alone.
    (end > i && end - i <= 3).then_some(end)
}
