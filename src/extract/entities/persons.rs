//! People introduced by an office: before the name ("Interior Minister Rosa Quispe",
//! "el presidente Gustavo Petro", "el ministro del Interior, Carlos Basombrío") or after it
//! ("Carlos Basombrío, the interior minister,").

use super::lexicon::{LEXICON, within_one_edit};
use super::{Doc, Hit};
use crate::extract::EntityType;
use crate::extract::geo::gazetteer;
use crate::extract::geo::words::{FastMap, Shape};

/// Words that join the office to its portfolio or institution ("Minister of", "jefe de la").
const OF: &[&str] = &["of", "de", "del", "for", "para"];
const ARTICLES: &[&str] = &["the", "la", "el", "los", "las"];
/// Words allowed inside a portfolio or institution after its first capitalised word.
const INNER: &[&str] = &["de", "del", "la", "los", "las", "y", "e", "and", "of", "the", "for", "on"];
/// Particles inside a person's name ("Juan de la Cruz", "Ricardo da Silva").
const PARTICLES: &[&str] = &["de", "del", "la", "da", "das", "do", "dos", "van", "von", "di"];
/// Words between an appositive comma and the office ("Juan Pérez, the former minister").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "el", "la", "former", "ex", "then", "current", "actual", "new", "nuevo", "nueva",
];

/// An office found in the text: word range of the whole role and its group.
struct Office {
    start: usize,
    /// End of the title with its qualifiers, before any complement.
    title_end: usize,
    /// First capitalised word of the "of ..." complement.
    comp: Option<usize>,
    end: usize,
    group: &'static str,
    /// A country adjective inside the office ("Former Honduran President", "ministro
    /// guatemalteco de Gobernación"): it says which office, but is no part of the role.
    demonym: Option<usize>,
    /// Only the title word itself ("Minister"), nothing that says which one.
    bare: bool,
    fuzzy: bool,
}

/// An office written without a name next to it ("Peru's Interior minister said").
struct Unnamed {
    group: &'static str,
    text: String,
}

pub(super) fn find(doc: &mut Doc<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut bare: Vec<(usize, &'static str)> = Vec::new();
    let mut unnamed: Vec<Unnamed> = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        let Some(title_len) = title_at(doc, i) else {
            i += 1;
            continue;
        };
        let (n, group, fuzzy) = title_len;
        // "justice minister", "director general": the last title word leads, the first qualifies it.
        if doc.joined(i + n) && title_at(doc, i + n).is_some_and(|(_, _, f)| !f) {
            i += 1;
            continue;
        }
        let office = office(doc, i, n, group, fuzzy);
        let next = office.end.max(i + 1);
        match name_for(doc, &office) {
            Some((ns, ne, role_end)) => {
                let role_start = office.start;
                for k in ns..ne {
                    doc.used[k] = true;
                }
                for k in role_start..role_end {
                    doc.in_role[k] = true;
                }
                let mut role = role_text(doc, &office, role_end);
                if doc.body[doc.f.words[role_end - 1].end..].starts_with(". ") && LEXICON.abbreviations.contains_key(doc.key(role_end - 1))
                {
                    role.push('.');
                }
                if office.bare {
                    bare.push((hits.len(), office.group));
                }
                hits.push(Hit {
                    kind: EntityType::Person,
                    start: doc.f.words[ns].start,
                    end: doc.f.words[ne - 1].end,
                    role: Some(role),
                    codes: Vec::new(),
                    geo: None,
                });
                i = next.max(ne);
            }
            None => {
                for k in office.start..office.end {
                    doc.in_role[k] = true;
                }
                if !office.bare && !office.fuzzy {
                    unnamed.push(Unnamed {
                        group: office.group,
                        text: role_text(doc, &office, office.end),
                    });
                }
                i = next;
            }
        }
    }
    // A bare "Minister X" borrows the fuller office written elsewhere without a name
    // ("Peru's Interior minister ... Minister Carlos Basombrío"), when that is unambiguous.
    let mut fuller: FastMap<&str, Option<&Unnamed>> = FastMap::default();
    for u in &unnamed {
        let slot = fuller.entry(u.group).or_insert(Some(u));
        if slot.is_some_and(|first| !first.text.eq_ignore_ascii_case(&u.text)) {
            *slot = None;
        }
    }
    for (h, group) in bare {
        if let Some(Some(u)) = fuller.get(group) {
            hits[h].role = Some(u.text.clone());
        }
    }
    hits
}

/// A title at word `i`: (words, group, matched with a typo).
fn title_at(doc: &Doc<'_>, i: usize) -> Option<(usize, &'static str, bool)> {
    let lex = &*LEXICON;
    if doc.used[i] || matches!(doc.shape(i), Shape::Upper | Shape::Letter | Shape::Other) {
        return None;
    }
    // "Secretaría" folds to "secretaria": an organisation's head word is no title.
    if doc.cap(i) && is_head(doc, i) {
        return None;
    }
    let key = doc.key(i);
    let joinable = |j: usize| doc.joined(j);
    if let Some((n, group)) = lex.titles.longest_in(doc.f, i, joinable) {
        return Some((n, *group, false));
    }
    // "Gen. Juan Pérez": an abbreviation, its dot, then a name.
    if doc.shape(i) == Shape::Initial
        && doc.gap(i + 1) == ". "
        && doc.initial(i + 1)
        && let Some(group) = lex.abbreviations.get(key)
    {
        return Some((1, *group, false));
    }
    // "expresidente", "ex-ministro", "exalcalde": a former office.
    if let Some(rest) = key.strip_prefix("ex").map(|r| r.trim_start_matches('-'))
        && let Some(group) = lex.single_titles.get(rest)
    {
        return Some((1, *group, false));
    }
    // One typo in a long title word, only when a name follows at once.
    if key.len() < 6 || !doc.joined(i + 1) || !doc.initial(i + 1) {
        return None;
    }
    // The cheapest tests first: titles of the word's first letter and length (one edit
    // changes the length by one at most), then whether the word is known as something else.
    let titles = lex.fuzzy_titles.get(&key.chars().next()?)?;
    let len = key.chars().count();
    if !titles.iter().any(|(t, _)| t.len().abs_diff(len) <= 1) {
        return None;
    }
    let known = |k: &str| lex.given.contains(k) || lex.stop.contains(k) || lex.portfolio.contains(k) || lex.pre.contains(k);
    if known(key) || is_head(doc, i) {
        return None;
    }
    let word: Vec<char> = key.chars().collect();
    titles.iter().find(|(t, _)| within_one_edit(&word, t)).map(|(_, g)| (1, *g, true))
}

fn is_head(doc: &Doc<'_>, i: usize) -> bool {
    LEXICON.heads.longest_in(doc.f, i, |_| false).is_some()
}

/// Grows a title into the whole office: qualifiers before it, and after it qualifiers, an
/// acronym ("general PNP") and an "of ..." complement ("Minister of Public Order").
fn office(doc: &Doc<'_>, i: usize, n: usize, group: &'static str, fuzzy: bool) -> Office {
    let lex = &*LEXICON;
    let mut start = i;
    let qualifies = |k: usize| lex.pre.contains(doc.key(k)) || lex.single_titles.contains_key(doc.key(k));
    let mut demonym = None;
    loop {
        while start > 0 && doc.joined(start) && doc.free(start - 1) && qualifies(start - 1) {
            start -= 1;
        }
        if demonym.is_none() && start > 0 && doc.joined(start) && doc.free(start - 1) && is_demonym(doc, start - 1) {
            start -= 1;
            demonym = Some(start);
            continue;
        }
        break;
    }
    // "CONADIC head Ana Torres", "UNAM dean": an acronym before the title says which one.
    if start > 0 && doc.joined(start) && doc.shape(start - 1) == Shape::Upper && doc.key(start - 1).chars().count() >= 3 {
        start -= 1;
    }
    let mut end = i + n;
    // A capitalised title takes capitalised qualifiers: "Director Ejecutivo", "Fiscal Especializado".
    let capitalised = doc.shape(end - 1) == Shape::Initial;
    while doc.joined(end) && (doc.shape(end) == Shape::Lower || capitalised && doc.initial(end)) && lex.post.contains(doc.key(end)) {
        end += 1;
    }
    if doc.joined(end) && doc.shape(end) == Shape::Upper && is_known_org(doc, end) {
        end += 1;
    }
    // Spanish puts the country adjective after the title: "el presidente colombiano".
    if demonym.is_none() && doc.joined(end) && doc.shape(end) == Shape::Lower && is_demonym(doc, end) {
        demonym = Some(end);
        end += 1;
    }
    let title_end = end;
    let bare = start == i && end == i + n;
    let mut comp = None;
    if let Some((cs, ce)) = complement(doc, end) {
        comp = Some(cs);
        end = ce;
    }
    Office {
        start,
        title_end,
        comp,
        end,
        group,
        demonym,
        bare,
        fuzzy,
    }
}

fn is_demonym(doc: &Doc<'_>, k: usize) -> bool {
    gazetteer()
        .longest_in(doc.f, k, |_| false)
        .is_some_and(|(_, g)| g.kind == crate::extract::geo::GeoKind::Demonym)
}

/// The text of an office up to word `end` (exclusive), without its country adjective.
fn role_text(doc: &Doc<'_>, o: &Office, end: usize) -> String {
    let (rs, re) = (doc.f.words[o.start].start, doc.f.words[end - 1].end);
    match o.demonym.filter(|&d| d < end) {
        Some(d) if d + 1 < end => format!("{}{}", &doc.body[rs..doc.f.words[d].start], &doc.body[doc.f.words[d + 1].start..re]),
        Some(d) => doc.body[rs..doc.f.words[d].start].trim_end().to_string(),
        None => doc.body[rs..re].to_string(),
    }
}

fn is_known_org(doc: &Doc<'_>, i: usize) -> bool {
    LEXICON.orgs.longest_in(doc.f, i, |_| false).is_some_and(|(n, _)| n == 1)
}

/// The end of an "of/de ..." complement starting at word `i`: the connector, an optional
/// article, then capitalised words with inner connectors.
fn complement(doc: &Doc<'_>, i: usize) -> Option<(usize, usize)> {
    if !doc.joined(i) || !OF.contains(&doc.key(i)) || doc.shape(i) != Shape::Lower {
        return None;
    }
    let mut j = i + 1;
    if doc.joined(j) && ARTICLES.contains(&doc.key(j)) && doc.shape(j) == Shape::Lower {
        j += 1;
    }
    // "la jefa de la unidad de homicidios, Rosa Medina": a complement in lowercase
    // when the name follows it between commas.
    if doc.joined(j) && doc.shape(j) == Shape::Lower && !LEXICON.stop.contains(doc.key(j)) {
        let mut k = j + 1;
        while k < j + 4 && doc.joined(k) && doc.shape(k) == Shape::Lower {
            k += 1;
        }
        return (doc.gap(k) == ", " && doc.initial(k) && LEXICON.given.contains(doc.key(k))).then_some((j, k));
    }
    if !doc.joined(j) || !doc.cap(j) || LEXICON.stop.contains(doc.key(j)) {
        return None;
    }
    Some((j, cap_run(doc, j, INNER)))
}

/// End of a run of capitalised words from `i` (which must be capitalised), with the given
/// lowercase words allowed between them.
fn cap_run(doc: &Doc<'_>, i: usize, inner: &[&str]) -> usize {
    let mut end = i + 1;
    loop {
        let mut k = end;
        while doc.joined(k) && doc.shape(k) == Shape::Lower && inner.contains(&doc.key(k)) {
            k += 1;
        }
        if doc.joined(k) && doc.cap(k) && doc.free(k) && !LEXICON.stop.contains(doc.key(k)) && k - i < 12 {
            end = k + 1;
        } else {
            return end;
        }
    }
}

/// The name that goes with an office: (name start, name end, role end) in words.
fn name_for(doc: &Doc<'_>, o: &Office) -> Option<(usize, usize, usize)> {
    let lex = &*LEXICON;
    let title_end = o.end;
    // A complement may run straight into the name: "Minister of Public Order Ismael Vargas".
    if let Some(cs) = o.comp.filter(|_| o.end > o.title_end) {
        let given = (cs + 1..o.end).find(|&k| lex.given.contains(doc.key(k)) && doc.initial(k));
        let split = given.or_else(|| {
            let mut p = cs;
            while p < o.end && (lex.portfolio.contains(doc.key(p)) || doc.shape(p) == Shape::Lower) {
                p += 1;
            }
            (p > cs && o.end - p >= 2).then_some(p)
        });
        if let Some(g) = split
            && let Some((ns, ne)) = name_run(doc, g)
            && ne == o.end
            && valid_name(doc, ns, ne, 2)
        {
            let mut role_end = g;
            while role_end > o.title_end && doc.shape(role_end - 1) == Shape::Lower {
                role_end -= 1;
            }
            return Some((ns, ne, role_end));
        }
    }
    // Name right after the office.
    let abbreviated = doc.gap(title_end) == ". " && LEXICON.abbreviations.contains_key(doc.key(title_end - 1));
    if o.comp.is_none() && (doc.joined(title_end) || abbreviated) && doc.initial(title_end) {
        let (ns, ne) = name_run(doc, title_end)?;
        let lower_title = doc.shape(o.title_end - 1) == Shape::Lower;
        let after_article = o.start > 0 && ["el", "la", "del", "al"].contains(&doc.key(o.start - 1));
        let min = if o.fuzzy || (lower_title && !after_article) { 2 } else { 1 };
        return valid_name(doc, ns, ne, min).then_some((ns, ne, title_end));
    }
    // "el ministro del Interior, Carlos Basombrío,"
    // "the director of the National Police, General Juan Pérez": a rank before the name.
    // A gloss in brackets may come first: "el ministro de Gobernación (Interior), Ana Ruiz".
    let gloss = gloss_end(doc, title_end);
    let comma = gloss.is_some() || doc.gap(title_end) == ", ";
    let mut after = gloss.unwrap_or(title_end);
    if comma && LEXICON.single_titles.contains_key(doc.key(after)) && doc.joined(after + 1) && doc.initial(after + 1) {
        after += 1;
    }
    if comma
        && doc.initial(after)
        && !o.fuzzy
        && let Some((ns, ne)) = name_run(doc, after)
    {
        // A name ends at punctuation, a lowercase word or the end of a paragraph.
        let closes =
            ne == doc.len() || doc.gap(ne).starts_with([',', '.', ';', ')']) || doc.gap(ne).contains('\n') || doc.shape(ne) == Shape::Lower;
        if closes && valid_name(doc, ns, ne, 2) {
            return Some((ns, ne, title_end));
        }
    }
    // "Carlos Basombrío, the interior minister,"
    if o.fuzzy {
        return None;
    }
    let mut p = o.start;
    while p > 0 && doc.joined(p) && DETERMINERS.contains(&doc.key(p - 1)) {
        p -= 1;
    }
    // A possessive place: "Peru's interior minister".
    if p >= 2 && doc.key(p - 1) == "s" && matches!(doc.gap(p - 1), "'" | "’") && doc.gap(p) == " " {
        p -= 2;
        while p > 0 && doc.joined(p) && DETERMINERS.contains(&doc.key(p - 1)) {
            p -= 1;
        }
    }
    if p == 0 || doc.gap(p) != ", " {
        return None;
    }
    let ne = p;
    let mut ns = ne - 1;
    if !doc.initial(ns) || !doc.free(ns) {
        return None;
    }
    while ns > 0 && doc.joined(ns) && doc.free(ns - 1) {
        if doc.initial(ns - 1) {
            ns -= 1;
        } else if PARTICLES.contains(&doc.key(ns - 1)) && ns >= 2 && doc.joined(ns - 1) && doc.initial(ns - 2) {
            ns -= 2;
        } else {
            break;
        }
    }
    while ns < ne && lex.stop.contains(doc.key(ns)) {
        ns += 1;
    }
    (ne - ns <= 5 && valid_name(doc, ns, ne, 2)).then_some((ns, ne, title_end))
}

/// The word after a short gloss in brackets that opens at word `i`, when a comma follows
/// it: "(Interior), ", "(Home Office), ".
fn gloss_end(doc: &Doc<'_>, i: usize) -> Option<usize> {
    if i >= doc.len() || !matches!(doc.gap(i), " (" | "(") {
        return None;
    }
    (i + 1..i + 4)
        .find(|&k| k < doc.len() && doc.gap(k).starts_with(')'))
        .filter(|&k| doc.gap(k) == "), ")
}

/// A person's name from word `i`: capitalised words with particles between them, cut before
/// a known place or organisation.
pub(super) fn name_run(doc: &Doc<'_>, i: usize) -> Option<(usize, usize)> {
    if !doc.initial(i) || !doc.free(i) {
        return None;
    }
    let mut end = i + 1;
    let mut words = 1;
    // In a title-case headline the words after a name are capitalised too.
    let max = if doc.headline[i] { 2 } else { 5 };
    while words < max {
        let mut k = end;
        while doc.joined(k) && PARTICLES.contains(&doc.key(k)) && k - end < 2 && (doc.shape(k) == Shape::Lower || capital_particle(doc, k))
        {
            k += 1;
        }
        // A middle initial: "John F. Kelly", "Juan C. Pérez".
        if k == end && doc.joined(k) && doc.shape(k) == Shape::Letter && doc.gap(k + 1) == ". " && doc.initial(k + 1) {
            k += 1;
            if !doc.free(k) || starts_known_name(doc, k) {
                break;
            }
            end = k + 1;
            words += 1;
            continue;
        }
        if !(doc.joined(k) && doc.initial(k) && doc.free(k)) || stops_name(doc, k) {
            break;
        }
        end = k + 1;
        words += 1;
    }
    Some((i, end))
}

/// A surname particle written with a capital after a name word: "Del" of "Eduardo Del
/// Castillo", "De" of "Ana De la Cruz" ("La" alone is too often an article to count).
fn capital_particle(doc: &Doc<'_>, k: usize) -> bool {
    k > 0 && doc.shape(k) == Shape::Initial && doc.key(k) != "la" && PARTICLES.contains(&doc.key(k)) && doc.initial(k - 1)
}

/// A given name spelt like a month ("Julio"), followed by another name word: "Julio César
/// Turbay", not "julio de 2023".
pub(super) fn given_month(doc: &Doc<'_>, k: usize) -> bool {
    LEXICON.calendar.contains(doc.key(k)) && LEXICON.given.contains(doc.key(k)) && doc.joined(k + 1) && doc.initial(k + 1)
}

/// Whether a country, place or organisation starts at word `i`.
pub(super) fn starts_known_name(doc: &Doc<'_>, i: usize) -> bool {
    let joinable = |j: usize| doc.name_joined(j);
    let geo = gazetteer().longest_in(doc.f, i, joinable);
    if geo.is_some() && !LEXICON.given.contains(doc.key(i)) {
        return true;
    }
    LEXICON.orgs.longest_in(doc.f, i, joinable).is_some() || is_head(doc, i)
}

/// Whether word `k` ends a person's name before it: a country, demonym or world region, a
/// place of several words, an organisation. A one-word place can be a surname ("Rosa
/// Guerrero", "Luis Trujillo").
fn stops_name(doc: &Doc<'_>, k: usize) -> bool {
    let joinable = |j: usize| doc.name_joined(j);
    let geo = gazetteer().longest_in(doc.f, k, joinable);
    if let Some((n, g)) = geo
        && (g.kind != crate::extract::geo::GeoKind::Place || n > 1)
        && !LEXICON.given.contains(doc.key(k))
    {
        return true;
    }
    LEXICON.orgs.longest_in(doc.f, k, joinable).is_some() || is_head(doc, k)
}

/// Whether words `s..e` can be a person's name: enough words, none a function word, title,
/// month, organisation head, and not a place or organisation as a whole.
pub(super) fn valid_name(doc: &Doc<'_>, s: usize, e: usize, min_words: usize) -> bool {
    let lex = &*LEXICON;
    let caps = (s..e).filter(|&k| doc.shape(k) != Shape::Lower).count();
    if caps < min_words || e - s > 7 || !doc.initial(s) {
        return false;
    }
    // A middle initial ("Ramón A. Guzmán", "Luis Y. Torres") is no function word, nor a
    // particle written with a capital inside the name ("Eduardo Del Castillo"), nor "Julio".
    let name_word = |k: usize| {
        (doc.shape(k) == Shape::Letter && doc.gap(k + 1) == ". ") || (k > s && k + 1 < e && capital_particle(doc, k)) || given_month(doc, k)
    };
    let bad = (s..e).any(|k| {
        doc.shape(k) != Shape::Lower
            && !name_word(k)
            && (lex.stop.contains(doc.key(k))
                || lex.title_words.contains(doc.key(k))
                || lex.portfolio.contains(doc.key(k))
                || is_head(doc, k)
                || doc.in_role[k])
    });
    if bad {
        return false;
    }
    // A place or organisation of several words at its start ("Santa Fe"): not a person.
    let joinable = |j: usize| doc.name_joined(j);
    let place = gazetteer().longest_in(doc.f, s, joinable).is_some_and(|(n, _)| n >= 2);
    if place || LEXICON.orgs.longest_in(doc.f, s, joinable).is_some_and(|(n, _)| n >= 2) {
        return false;
    }
    // Any word a known place, organisation or demonym: not a person.
    !(s..e).any(|k| known_word(doc, k, k == s))
}

/// Whether the single word `k` is itself a country, demonym, area or organisation
/// (a given name that is also a place, like "Salvador", stays a name word).
fn known_word(doc: &Doc<'_>, k: usize, first: bool) -> bool {
    let one = |_: usize| false;
    if let Some((_, g)) = gazetteer().longest_in(doc.f, k, one) {
        use crate::extract::geo::GeoKind::*;
        let surname = !first && g.kind == Place;
        if matches!(g.kind, Country | Demonym | Area | AreaAdjective) || (!surname && !LEXICON.given.contains(doc.key(k))) {
            return true;
        }
    }
    LEXICON.orgs.longest_in(doc.f, k, one).is_some()
}
