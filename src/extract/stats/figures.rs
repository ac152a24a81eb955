//! Figures: numbers read with their unit, lists, ranges and merges, into drafts.

use super::*;

use std::cell::LazyCell;

/// The digit conventions a text follows. English text that writes decimal commas ("81,4%",
/// "12,07 %") writes its thousands with points too ("152.330 inmates"): Spanish reading
/// gives both their meaning, and still reads "1,197" and "76.6%" right.
pub(super) fn digit_convention(sentences: &[Sentence<'_>], lang: Lang) -> Lang {
    if lang == Lang::Es {
        return lang;
    }
    let decimal_commas: usize = sentences
        .iter()
        .map(|s| {
            let b = s.text.as_bytes();
            // The commas are found by a byte search rather than by looking at every byte.
            s.text
                .match_indices(',')
                .map(|(i, _)| i)
                .filter(|&i| i >= 1 && i + 1 < b.len() && b[i - 1].is_ascii_digit())
                .filter(|&i| {
                    let tail = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    (1..=2).contains(&tail) && b.get(i + 1 + tail).is_none_or(|c| !c.is_ascii_digit() && *c != b',')
                })
                .count()
        })
        .sum();
    if decimal_commas >= 2 { Lang::Es } else { lang }
}

/// Reads the unit of every quantity of a sentence.
pub(super) fn read_figures(toks: &Tokens<'_>, nums: &[Number], lang: Lang, d: &StatData) -> Vec<Draft> {
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
            reached: false,
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

pub(super) static RECORD_PARTICIPLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::RECORD_PARTICIPLES.lines()));

pub(super) static SITUATING: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::SITUATING.lines()));

/// "7 homicides per 100,000": up to three words between the number and the rate.
pub(super) fn rate_after_noun(
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
pub(super) fn names_place(toks: &Tokens<'_>, last: usize) -> bool {
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
pub(super) fn is_age(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
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

pub(super) static PERSON_NOUNS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::PERSON_NOUNS.lines()));

/// "1. The police..." or "2) ...": a list number at the start of a sentence; "(3)": a note mark.
pub(super) fn is_list_marker(toks: &Tokens<'_>, n: &Number) -> bool {
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

pub(super) fn is_hyphen_at(toks: &Tokens<'_>, i: usize) -> bool {
    toks.is_punct(i, "-") || toks.is_punct(i, "–")
}

/// "three years ago", "hace dos meses": a point in time, not a duration.
pub(super) fn is_time_ago(toks: &Tokens<'_>, n: &Number, unit: &str, end: usize) -> bool {
    matches!(unit, "years" | "months" | "days") && (toks.norm(end) == "ago" || (n.first_tok > 0 && toks.norm(n.first_tok - 1) == "hace"))
}

/// The phrases of `data/per_day.txt`, with a space each side to find them as whole words.
pub(super) static PER_PERIOD: LazyLock<Vec<String>> =
    LazyLock::new(|| table::built(table::PER_DAY.lines()).iter().map(|p| format!(" {p} ")).collect());

/// Bare numbers borrow the unit of the figure they are compared with.
/// `rates`: whether earlier sentences gave rates per 100,000. Returns whether this one does.
pub(super) fn inherit_units(toks: &Tokens<'_>, nums: &[Number], drafts: &mut [Draft], d: &StatData, lang: Lang, rates: bool) -> bool {
    // A "daily homicide rate" counts killings per day, not per 100,000 people.
    let per_day = |i: usize| i > 0 && matches!(toks.norm(i - 1), "daily" | "weekly" | "monthly");
    // Both are asked only of a few bare numbers: worked out on first use.
    let homicide = LazyCell::new(|| topics::hits(toks, lang).iter().any(|h| h.topic == Topic::Homicide));
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
    let per_period = LazyCell::new(|| {
        let folded = format!(
            " {} ",
            super::tokens::fold(toks.text)
                .split(|c: char| !tokens::is_alphanumeric(c))
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        );
        PER_PERIOD.iter().any(|p| folded.contains(p.as_str()))
    });
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
        drafts[k].reached = drafts[k].num.change_to || to_of_from;
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
        if small_bare && rate_of && (rates || *homicide) && !*per_period {
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
        if rates && small_bare && decimal && (closes_clause || bare_noun) && !*per_period {
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
        // "Sonora, con 9 mil pesos; Baja California Sur, con 7 mil": "con" or "with" after a
        // label's comma opens the item.
        let with_label = at > 2 && matches!(toks.norm(at - 1), "con" | "with") && toks.is_punct(at - 2, ",") && toks.is_capitalized(at - 3);
        let listed = at > 0 && !explains && (list_punct(at - 1) || labelled() || with_label);
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
pub(super) fn merge_unit_ranges(toks: &Tokens<'_>, drafts: Vec<Draft>, lang: Lang) -> Vec<Draft> {
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
pub(super) fn merge_parts(toks: &Tokens<'_>, drafts: Vec<Draft>) -> Vec<Draft> {
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
pub(super) fn stop_or_end(toks: &Tokens<'_>, i: usize, d: &StatData) -> bool {
    !toks.is_word(i) || d.stopwords.get_tok(toks, i).is_some()
}

pub(super) fn adopt(dr: &mut Draft, from: &Draft, share_scale: bool) {
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
pub(super) fn unit_factor(dr: &Draft) -> f64 {
    let raw = dr.num.value.high();
    let v = dr.value.high();
    if raw != 0.0 && v.is_finite() { v / raw } else { 1.0 }
}

/// The counted noun phrase after a count: "police officers", "presuntos extorsionadores".
pub(super) fn counted_phrase(toks: &Tokens<'_>, start: usize, lang: Lang, d: &StatData) -> Option<(String, usize)> {
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

pub(super) fn is_stop(toks: &Tokens<'_>, i: usize, lang: Lang) -> bool {
    data(lang).stopwords.get_tok(toks, i).is_some()
}

pub(super) fn is_infinitive(w: &str) -> bool {
    w.len() > 3 && (w.ends_with("ar") || w.ends_with("er") || w.ends_with("ir"))
}

/// A rough verb test that ends a noun phrase ("87 gang members arrested", "320 policías fueron").
pub(super) fn looks_like_verb(raw: &str, w: &str, lang: Lang) -> bool {
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
pub(super) fn or_more(toks: &Tokens<'_>, i: usize) -> bool {
    matches!((toks.norm(i), toks.norm(i + 1)), ("or", "more") | ("o", "mas"))
}

pub(super) fn qualifier(toks: &Tokens<'_>, dr: &Draft, d: &StatData, lang: Lang) -> Option<(Qualifier, usize)> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

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
    fn english_text_with_decimal_commas_writes_thousands_with_points() {
        let text = "Total inmates: 152.330\nMen: 81,4%\nWomen: 18,6%\nForeign inmates: 2,914 (63.2%).";
        let values: Vec<_> = stats(text, Lang::En).iter().map(|s| s.value).collect();
        assert_eq!(values, [Some(152330.0), Some(81.4), Some(18.6), Some(2914.0), Some(63.2)]);
        // Without decimal commas a point stays a decimal point.
        assert_eq!(stats("The rate was 22.500 in the report.", Lang::En)[0].value, Some(22.5));
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
    fn a_list_item_opened_by_with_takes_the_list_unit() {
        let s = stats(
            "El gasto más alto fue el de Colima, con 8 mil 240 pesos; Nayarit, 7 mil 15, y Quintana Roo, con 6 mil 900.",
            Lang::Es,
        );
        let got: Vec<_> = s.iter().map(|s| (s.value, s.unit.as_str())).collect();
        assert_eq!(got, [(Some(8240.0), "MXN"), (Some(7015.0), "MXN"), (Some(6900.0), "MXN")]);
        let s = stats(
            "Seizures were largest in Ucayali, with 14 tons; Puno, 9, and Cusco, with 6.",
            Lang::En,
        );
        assert!(s.iter().all(|s| s.unit == "kg"), "{s:?}");
        // "con" inside a clause, not after a label, opens no item.
        let s = stats("Se incautaron 40 kilos de cocaína en el puerto, con 3 detenidos.", Lang::Es);
        assert_eq!(s.iter().map(|s| s.unit.as_str()).collect::<Vec<_>>(), ["kg", "count"]);
    }

    #[test]
    fn a_budget_compared_with_an_approved_one_keeps_its_currency() {
        let s = stats(
            "El proyecto asigna 98 mil 120 millones de pesos a la Guardia, frente a los 104 mil 3 millones aprobados el año pasado.",
            Lang::Es,
        );
        let got: Vec<_> = s.iter().map(|s| (s.value, s.unit.as_str())).collect();
        assert_eq!(got, [(Some(98_120e6), "MXN"), (Some(104_003e6), "MXN")]);
        let s = stats(
            "The plan gives the police 2.4 billion pesos, down from 2.9 billion budgeted in 2023.",
            Lang::En,
        );
        assert_eq!(s.iter().map(|s| s.unit.as_str()).collect::<Vec<_>>(), ["MXN", "MXN"]);
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
    fn ages_and_open_bounds() {
        let s = one("The 2 suspects, aged 19 and 23, were arrested.", Lang::En);
        assert_eq!(s.value, Some(2.0));
        let s = one("Dos jóvenes de 17 y 20 años fueron detenidos.", Lang::Es);
        assert_eq!(s.value, Some(2.0));
        let s = one("Attacks on 4 or more people are massacres.", Lang::En);
        assert_eq!((s.qualifier, s.counted.as_deref()), (Some(Qualifier::AtLeast), Some("people")));
    }
}
