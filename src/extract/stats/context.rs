//! Context of a figure: its topic, year, place and whether it is a change.

use super::*;

/// Share of the figures with a topic that the most common one needs to be the topic of the text.
pub(super) const TOPIC_SHARE: f64 = 0.5;

/// A figure whose sentence names no topic ("Heredia (41)", "in 2019, 103.1") is about what the
/// text is about, when most of its other figures agree on that; in such a text, it goes on with
/// the passage it is read in when an earlier sentence named another topic outright (a text
/// mostly about coca whose opening paragraphs are about gold mining). A sum of money goes on
/// with the money the passage has been counting. A round-up of several topics lends none.
pub(super) fn fill_topics(stats: &mut [Found], lang: Lang) {
    let mut counts: Vec<(Topic, usize)> = Vec::new();
    let mut total = 0;
    for (s, _) in stats.iter() {
        let Some(t) = s.topic else { continue };
        total += 1;
        match counts.iter_mut().find(|(c, _)| *c == t) {
            Some(entry) => entry.1 += 1,
            None => counts.push((t, 1)),
        }
    }
    let Some((main, n)) = counts.into_iter().rev().max_by_key(|(_, n)| *n) else {
        return;
    };
    if (n as f64) <= TOPIC_SHARE * total as f64 {
        return;
    }
    // What the passage is about, for any figure and for sums of money. Only a sentence that
    // names its topic outright sets it: one that merely hints ("police", "agentes") does not
    // change what the passage is about.
    let (mut passage, mut money) = (None, None);
    let mut named: Option<(String, Topic, bool)> = None;
    for (s, untopical) in stats.iter_mut() {
        let is_money = crate::extract::units::is_money(s.unit.as_str());
        if let Some(t) = s.topic {
            let outright = match &named {
                Some((sentence, topic, outright)) if *topic == t && *sentence == s.sentence => *outright,
                _ => {
                    let outright = names_outright(&s.sentence, t, lang);
                    named = Some((s.sentence.clone(), t, outright));
                    outright
                }
            };
            if outright {
                passage = Some(t);
                if is_money {
                    money = Some(t);
                }
            }
        } else if !*untopical {
            let carried = if is_money { money } else { passage };
            let fits = |t: &Topic| topic_fits(s.unit.as_str(), *t);
            s.topic = carried.filter(fits).or(Some(main).filter(fits));
        }
        // In a text about prisons, "62% (743) convicted" or "68.247 están condenados" tells
        // the legal status of inmates, not the sentences courts passed.
        if main == Topic::Prisons && s.topic == Some(Topic::Sentencing) && matches!(s.unit.as_str(), "count" | "percent") {
            s.topic = Some(Topic::Prisons);
        }
    }
}

/// Whether a sentence names a topic with a word that names it (weight 2 or more), not a hint.
fn names_outright(sentence: &str, topic: Topic, lang: Lang) -> bool {
    topics::hits(&Tokens::new(sentence), lang)
        .iter()
        .any(|h| h.topic == topic && h.weight >= 2.0)
}

/// The country a text is about, as far as its place names tell.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ArticleCountry {
    /// The country named most often (countries, demonyms, places inside one country and
    /// national bodies).
    pub(super) main: Option<&'static str>,
    /// Whether the text is plainly about `main`: most of its place mentions are in it.
    pub(super) plain: bool,
}

/// Share of all country and place mentions the main country needs for a text to be plainly
/// about it (news about one country still names its neighbours and partners in comparisons);
/// below that it is a round-up of several countries.
pub(super) const PLAIN_SHARE: f64 = 0.4;

/// Different countries a sentence names for it to be a round-up of several.
const LIST_COUNTRIES: usize = 3;

pub(super) fn article_country(sentences: &[Sentence<'_>], words: &SentenceWords<'_>) -> ArticleCountry {
    let mut counts: Vec<(&'static str, f64)> = Vec::new();
    let mut total = 0.0;
    for (i, s) in sentences.iter().enumerate() {
        let f = words.get(i, s);
        let places = geo::mentions_in(s.text, f)
            .iter()
            .copied()
            .filter(|m| !in_currency_name(s.text, m.0, m.1))
            .filter(|m| !geo::is_nationality(s.text, m.0, m.1, m.2))
            .filter(|m| !after_route_marker(s.text, m.0))
            .filter_map(|m| m.3);
        let bodies = crate::extract::entities::org_mentions_in(s.text, f).iter().filter_map(|m| m.2);
        let codes: Vec<&'static str> = places.chain(bodies).collect();
        // A sentence that runs through several countries (a ranking, a comparison) says
        // less about the text's own country than one that names one or two.
        let mut distinct = codes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let weight = if distinct.len() >= LIST_COUNTRIES {
            1.0 / distinct.len() as f64
        } else {
            1.0
        };
        for code in codes {
            total += weight;
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some(entry) => entry.1 += weight,
                None => counts.push((code, weight)),
            }
        }
    }
    // The earliest of the most frequent wins a tie: the lead names the main country.
    let top = counts.iter().rev().max_by(|a, b| a.1.total_cmp(&b.1)).copied();
    ArticleCountry {
        main: top.map(|(c, _)| c),
        plain: top.is_some_and(|(_, n)| n > PLAIN_SHARE * total),
    }
}

/// Whether the text speaks of pesos anywhere (a bare "$" is then a peso in English text too).
pub(super) fn says_pesos(sentences: &[Sentence<'_>]) -> bool {
    sentences.iter().any(|s| tokens::has_ascii_word(s.text, "pesos"))
}

/// Most words a heading has.
pub(super) const HEADING_WORDS: usize = 8;

/// A heading ("Prison population", "Colombian prisons capacity"): a short line with no
/// figure and no final stop. Returns its topic (none when it names none).
pub(super) fn heading_topic(toks: &Tokens<'_>, nums: &[Number], lang: Lang) -> Option<Option<Topic>> {
    let words = (0..toks.len()).filter(|&i| toks.is_word(i)).count();
    let stop = toks.len().checked_sub(1).is_some_and(|l| toks.kind(l) == Some(Kind::Punct));
    if words == 0 || words > HEADING_WORDS || stop || nums.iter().any(|n| n.kind == NumberKind::Quantity) {
        return None;
    }
    // Only a word naming a topic sets the section's: a hint ("Chilean Gendarmerie", a photo
    // credit) does not say what the figures below count.
    let mut scores = Vec::new();
    for h in topics::hits(toks, lang).into_iter().filter(|h| h.weight >= 2.0) {
        add(&mut scores, h.topic, h.weight);
    }
    Some(top(&scores))
}

/// The cell of token `tok` in a row of a flattened table, and the number of cells.
pub(super) fn cells(toks: &Tokens<'_>) -> (Vec<usize>, usize) {
    let bars: Vec<usize> = (0..toks.len()).filter(|&i| toks.is_punct(i, "|")).collect();
    let count = bars.len() + usize::from(bars.last().is_some_and(|&b| b + 1 < toks.len()));
    (bars, count)
}

/// A flattened table ("Country | 2021 | 2022 |" then "Chile | 3.9 | 4.1 |"): a row of two or
/// more year cells heads the columns. Returns whether this row is such a header. A line
/// that is no table row ends the table.
pub(super) fn table_header(toks: &Tokens<'_>, nums: &[Number], columns: &mut Vec<Option<i32>>) -> bool {
    let (bars, count) = cells(toks);
    if bars.len() < 2 {
        columns.clear();
        return false;
    }
    let years: Vec<(usize, i32)> = nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year)
        .filter_map(|n| match n.value {
            Quantity::Point(v) => Some((bars.iter().filter(|&&b| b < n.first_tok).count(), v as i32)),
            Quantity::Range(..) => None,
        })
        .collect();
    if years.len() < 2 || nums.iter().any(|n| n.kind == NumberKind::Quantity) {
        return false;
    }
    *columns = vec![None; count];
    for (c, y) in years {
        if let Some(slot) = columns.get_mut(c) {
            *slot = Some(y);
        }
    }
    true
}

/// Each cell of a table row takes the year heading its column. Rows may carry extra cells
/// on the left (a rank), so cells line up from the right.
pub(super) fn table_years(toks: &Tokens<'_>, drafts: &mut [Draft], columns: &[Option<i32>]) {
    let (bars, count) = cells(toks);
    if columns.is_empty() || count < columns.len() {
        return;
    }
    let shift = count - columns.len();
    for dr in drafts.iter_mut() {
        let cell = bars.iter().filter(|&&b| b < dr.first).count();
        if let Some(&Some(y)) = cell.checked_sub(shift).and_then(|c| columns.get(c)) {
            dr.year = Some(y);
        }
    }
}

/// Whether a figure changes an earlier value: a change cue right before it ("rose by",
/// "una reducción del"), right after it ("% decrease", "casos menos"), or a minus sign
/// ("(-18,8 %)"). The two ends of "from X to Y" and a compared figure are levels.
pub(super) fn change(toks: &Tokens<'_>, dr: &Draft, d: &StatData) -> Option<Change> {
    if dr.num.change_from || dr.num.change_to || dr.compared {
        return None;
    }
    let f = dr.num.first_tok;
    let minus = |i: usize| ["-", "\u{2212}", "\u{2013}"].iter().any(|p| toks.is_punct(i, p));
    if f > 0 && minus(f - 1) && toks.attached(f) && (f == 1 || !toks.attached(f - 1) || toks.is_punct(f - 2, "(")) {
        return Some(Change::Decrease);
    }
    let mut at = dr.lead;
    for _ in 0..3 {
        match d.change_between.longest_ending_at(toks, at) {
            Some(m) => at = m.start,
            None => break,
        }
    }
    if let Some(m) = d.change_before.longest_ending_at(toks, at) {
        return Some(*m.value);
    }
    let mut ends = vec![dr.end];
    if dr.reach > dr.end && dr.reach - dr.end <= 3 {
        ends.push(dr.reach);
    }
    ends.into_iter().find_map(|e| {
        let m = d.change_after.longest_at(toks, e)?;
        let (dir, at_end) = *m.value;
        (!at_end || m.end >= toks.len() || toks.kind(m.end) == Some(Kind::Punct)).then_some(dir)
    })
}

/// "los dobles subieron un 72,7 % y los triples un 500 %", "Sonora, con alza de 61 %; Colima,
/// 30 %": a percentage that closes a list item after one with a change has that change too.
/// Between the two: no other number, a joining comma, semicolon, bracket or "and", and at
/// most two other lowercase words.
pub(super) fn listed_changes(toks: &Tokens<'_>, drafts: &mut [Draft]) {
    for k in 1..drafts.len() {
        let dr = &drafts[k];
        let closes = dr.end >= toks.len() || toks.kind(dr.end) == Some(Kind::Punct);
        if dr.unit != "percent" || dr.change.is_some() || dr.num.change_from || dr.num.change_to || dr.compared || !closes {
            continue;
        }
        let Some(prev) = drafts[..k].iter().rev().find(|p| p.unit == "percent") else {
            continue;
        };
        let Some(change) = prev.change else { continue };
        let between = prev.end..dr.lead.min(dr.first);
        let joined = between
            .clone()
            .any(|j| [",", ";", "("].iter().any(|p| toks.is_punct(j, p)) || tokens::AND_WORDS.contains(&toks.norm(j)));
        let plain = |j: usize| {
            toks.is_capitalized(j)
                || toks.kind(j) == Some(Kind::Punct)
                || tokens::AND_WORDS.contains(&toks.norm(j))
                || matches!(
                    toks.norm(j),
                    "con" | "with" | "el" | "la" | "los" | "las" | "un" | "una" | "the" | "a" | "an"
                )
        };
        let others = between.clone().filter(|&j| !plain(j)).count();
        if joined && others <= 2 && !between.clone().any(|j| toks.is_number(j)) {
            drafts[k].change = Some(change);
        }
    }
}

/// Whether tokens `from..to` join two figures in one clause: an "and" among at most four
/// words, no clause break, no other number.
fn joined_by_and(toks: &Tokens<'_>, from: usize, to: usize) -> bool {
    to > from
        && to - from <= 4
        && (from..to).any(|j| tokens::AND_WORDS.contains(&toks.norm(j)))
        && !(from..to).any(|j| toks.is_number(j) || [",", ";", ":", "(", ")"].iter().any(|p| toks.is_punct(j, p)))
}

/// How far (in tokens, a comma counting five) a year may sit from the figure it dates.
pub(super) const MAX_YEAR_DISTANCE: usize = 12;

/// "compared with the same period of 2022", "15 más que en 2023": the year of a comparison
/// base with no figure of its own is not the year of the sentence's figures.
pub(super) fn is_base_year(toks: &Tokens<'_>, nums: &[Number], n: &Number, d: &StatData) -> bool {
    let lo = n.first_tok.saturating_sub(7);
    for j in (lo..n.first_tok).rev() {
        if nums.iter().any(|m| m.kind == NumberKind::Quantity && m.first_tok == j) || toks.is_punct(j, ",") {
            return false;
        }
        // "a precios constantes de 2015", "in constant 2015 dollars": a price base.
        // "al comparar con 2022", "en comparación al 2021", "por encima del de 2022": a
        // comparison however it is worded.
        if d.comparison.matches_at(toks, j)
            || matches!(
                toks.norm(j),
                "respecto"
                    | "before"
                    | "earlier"
                    | "anterior"
                    | "constantes"
                    | "constant"
                    | "comparar"
                    | "compara"
                    | "comparacion"
                    | "comparado"
                    | "compared"
                    | "comparison"
                    | "encima"
                    | "debajo"
            )
        {
            return true;
        }
        // "15 más que en 2023", "menos que el 2022", "por debajo que en 2022".
        if toks.norm(j) == "que"
            && j > 0
            && matches!(
                toks.norm(j - 1),
                "mas" | "menos" | "mayor" | "menor" | "superior" | "inferior" | "debajo" | "encima"
            )
        {
            return true;
        }
    }
    false
}

/// How many tokens may stand between "since" and the year it starts a span from.
const SINCE_REACH: usize = 6;

/// "since 2012", "Since February 2021", "since its creation in 2012", "desde el 3 de marzo
/// de 2020": the start of a span the figures run over, not their year. "since in 2019 8,719
/// cases were reported" gives a reason, and a figure or a clause boundary in between ends the
/// search.
fn since_span(toks: &Tokens<'_>, nums: &[Number], lang: Lang, n: &Number) -> bool {
    let lo = n.first_tok.saturating_sub(SINCE_REACH);
    for j in (lo..=n.first_tok).rev() {
        if numbers::is_since(toks, lang, j) {
            return j == n.first_tok || !matches!(toks.norm(j), "in" | "en");
        }
        if j < n.first_tok && (toks.kind(j) == Some(Kind::Punct) || nums.iter().any(|m| m.kind == NumberKind::Quantity && m.first_tok == j))
        {
            return false;
        }
    }
    false
}

/// A word that joins the two years of a period ("2015 and 2020", "de 2019 a 2023").
fn joins_period(word: &str) -> bool {
    matches!(word, "and" | "y" | "to" | "a" | "through" | "hasta" | "al")
}

/// "between 2015 and 2020", "de 2019 a 2023": a period, not the year of one figure.
pub(super) fn is_period(toks: &Tokens<'_>, nums: &[Number], n: &Number) -> bool {
    let year_at = |first: usize| nums.iter().any(|m| m.kind == NumberKind::Year && m.first_tok == first);
    let year_ending = |end: usize| nums.iter().any(|m| m.kind == NumberKind::Year && m.end_tok == end);
    let f = n.first_tok;
    let prev = if f > 0 { toks.norm(f - 1) } else { "" };
    if matches!(prev, "between" | "entre") && year_at(n.end_tok + 1) {
        return true;
    }
    if joins_period(toks.norm(n.end_tok)) && year_at(n.end_tok + 1) {
        return true;
    }
    f >= 2 && joins_period(prev) && year_ending(f - 1)
}

/// Phrases that date a figure relative to the text ("this year", "un año antes").
pub(crate) fn relative_years() -> Result<Lexicon<()>, TableError> {
    let mut lex = Lexicon::new();
    for p in table::RELATIVE_YEARS.lines()? {
        lex.insert(p, ());
    }
    Ok(lex)
}

static RELATIVE_YEARS: LazyLock<Lexicon<()>> = LazyLock::new(|| table::built(relative_years()));

/// Years in the sentence go to the nearest figure; a figure with none takes a year written
/// earlier in the sentence.
pub(super) fn assign_years(toks: &Tokens<'_>, nums: &[Number], lang: Lang, drafts: &mut [Draft]) {
    let d = data(lang);
    let years: Vec<(usize, usize, i32)> = nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year && n.scale == 1.0)
        .filter(|n| !since_span(toks, nums, lang, n))
        .filter(|n| !(is_hyphen_at(toks, n.end_tok) || n.first_tok > 0 && is_hyphen_at(toks, n.first_tok - 1)))
        .filter(|n| !is_period(toks, nums, n))
        .filter(|n| !is_base_year(toks, nums, n, d))
        .filter_map(|n| match n.value {
            Quantity::Point(v) if v.fract() == 0.0 => Some((n.first_tok, n.end_tok, v as i32)),
            _ => None,
        })
        .collect();
    clause_years(toks, nums, drafts);
    for &(ys, ye, y) in &years {
        let mut best: Option<(usize, usize)> = None;
        for (k, dr) in drafts.iter().enumerate() {
            let dist = distance(toks, (dr.lead, dr.reach.max(dr.end)), (ys, ye));
            if best.is_none_or(|(_, bd)| dist < bd) {
                best = Some((k, dist));
            }
        }
        // "310 thefts at the end of 2019 compared to 355": a year after a preposition
        // belongs to the figure before it in its clause.
        let after_preposition = ys > 0 && matches!(toks.norm(ys - 1), "in" | "of" | "en" | "during" | "durante");
        if after_preposition
            && let Some(k) = drafts.iter().rposition(|dr| dr.end <= ys)
            && drafts[k].year.is_none()
        {
            let dist = distance(toks, (drafts[k].lead, drafts[k].reach.max(drafts[k].end)), (ys, ye));
            if dist <= MAX_YEAR_DISTANCE {
                best = Some((k, dist));
            }
        }
        if let Some((k, dist)) = best
            && dist <= MAX_YEAR_DISTANCE
            && drafts[k].year.is_none()
        {
            drafts[k].year = Some(y);
            // "left 1,660 dead and some 850 injured in the first three months of 2024": a year
            // after two figures joined by "and" dates both.
            let mut j = k;
            while after_preposition
                && ys >= drafts[k].end
                && j > 0
                && drafts[j - 1].year.is_none()
                && joined_by_and(toks, drafts[j - 1].end, drafts[j].lead.min(drafts[j].first))
            {
                drafts[j - 1].year = Some(y);
                j -= 1;
            }
        }
    }
    // "since January 2007 overcrowding has risen from 15 percent to 37": the start of the span
    // is the year of the level the change started from.
    for n in nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year && since_span(toks, nums, lang, n))
    {
        let Quantity::Point(v) = n.value else { continue };
        if let Some(dr) = drafts.iter_mut().find(|dr| dr.first >= n.end_tok)
            && dr.num.change_from
            && dr.year.is_none()
            && distance(toks, (n.first_tok, n.end_tok), (dr.lead, dr.end)) <= MAX_YEAR_DISTANCE
        {
            dr.year = Some(v as i32);
        }
    }
    // "between 2019 and 2022, rising from 13,802 to 14,506 (up 5%)": the two ends of a change
    // take the years that open and close the period, and the change the closing one.
    if let Some((opening, closing)) = period_years(toks, nums) {
        for dr in drafts.iter_mut().filter(|dr| dr.year.is_none()) {
            if dr.num.change_from {
                dr.year = Some(opening);
            } else if dr.reached || change(toks, dr, d).is_some() {
                dr.year = Some(closing);
            }
        }
    }
    // "fell 10%, from 3,171 in 2019 to 2,849 in 2020": a change takes the year of the level it reached.
    if let Some(reached) = drafts.iter().rev().find(|dr| dr.reached).and_then(|dr| dr.year) {
        for dr in drafts.iter_mut().filter(|dr| dr.year.is_none() && !dr.num.change_from) {
            if change(toks, dr, d).is_some() {
                dr.year = Some(reached);
            }
        }
    }
    // "21.9 millones reportados un año antes", "this year there were 1,428": a figure dated
    // relative to the text takes no year written elsewhere in the sentence, nor does one
    // that follows such a date ("a 9.958 este año, es decir, 61 homicidios menos").
    let relative: Vec<(usize, usize)> = RELATIVE_YEARS.find_all(toks).iter().map(|m| (m.start, m.end)).collect();
    let mut dated: Vec<bool> = vec![false; drafts.len()];
    for &r in &relative {
        // "down 26% compared with last year": a comparison base dates only the figures that
        // follow it ("respecto al año anterior, cuando se reportaron 13.648").
        let base = (r.0.saturating_sub(8)..r.0).any(|j| d.comparison.matches_at(toks, j));
        let nearest = drafts
            .iter()
            .enumerate()
            .filter(|(_, dr)| !base || dr.first >= r.1)
            .map(|(k, dr)| (k, distance(toks, (dr.lead, dr.reach.max(dr.end)), r)))
            .min_by_key(|&(_, dist)| dist);
        if let Some((k, dist)) = nearest
            && dist <= MAX_YEAR_DISTANCE
        {
            dated[k] = true;
        }
    }
    for (k, dr) in drafts.iter_mut().enumerate() {
        if dr.year.is_none() && !dr.compared && !dated[k] {
            let earlier = years.iter().rev().find(|&&(_, ye, _)| ye <= dr.first);
            dr.year = earlier
                .filter(|&&(_, ye, _)| !relative.iter().any(|&(rs, _)| rs >= ye && rs < dr.first))
                .map(|&(_, _, y)| y);
        }
    }
}

/// "from September 2024, which recorded 2,350", "respecto a 2022, cuando se computaron
/// 2.328", "since 2017, when there were 64,079": a clause that opens right after a year tells
/// what happened in that year, so its figures take it, even when the year is a comparison
/// base or the start of a span for the rest of the sentence. The clause runs to the next year.
fn clause_years(toks: &Tokens<'_>, nums: &[Number], drafts: &mut [Draft]) {
    let years: Vec<&Number> = nums.iter().filter(|n| n.kind == NumberKind::Year && n.scale == 1.0).collect();
    for (i, n) in years.iter().enumerate() {
        let Quantity::Point(v) = n.value else { continue };
        if v.fract() != 0.0 {
            continue;
        }
        let mut j = n.end_tok;
        if toks.is_punct(j, ",") {
            j += 1;
        }
        // "compared with 2011, the year when", "el año en que".
        if matches!(toks.norm(j), "the" | "el") && matches!(toks.norm(j + 1), "year" | "ano") {
            j += 2;
        }
        if toks.norm(j) == "en" && toks.norm(j + 1) == "que" {
            j += 1;
        }
        if j >= toks.len() || !matches!(toks.norm(j), "when" | "which" | "cuando" | "que") {
            continue;
        }
        // The clause states its own figure first; one in parentheses ("exceeded the figure
        // (5,891)") only points back at another.
        let stop = (j..toks.len()).find(|&k| toks.is_punct(k, ":") || toks.is_punct(k, ";"));
        let until = years.get(i + 1).map_or(toks.len(), |m| m.first_tok).min(stop.unwrap_or(toks.len()));
        if let Some(dr) = drafts.iter_mut().find(|dr| dr.first > j && dr.end <= until)
            && dr.year.is_none()
            && !toks.is_punct(dr.first - 1, "(")
            && distance(toks, (j, j + 1), (dr.lead, dr.end)) <= MAX_YEAR_DISTANCE
        {
            dr.year = Some(v as i32);
        }
    }
}

/// The opening and closing years of the one period a sentence names ("between 2019 and 2022",
/// "Between December 2021 and February 2024", "de 2020 a 2023"), if it names exactly one.
fn period_years(toks: &Tokens<'_>, nums: &[Number]) -> Option<(i32, i32)> {
    let years: Vec<(usize, usize, i32)> = nums
        .iter()
        .filter(|n| n.kind == NumberKind::Year)
        .filter_map(|n| match n.value {
            Quantity::Point(v) if v.fract() == 0.0 => Some((n.first_tok, n.end_tok, v as i32)),
            _ => None,
        })
        .collect();
    let mut found = Vec::new();
    for pair in years.windows(2) {
        let ((f1, e1, y1), (f2, _, y2)) = (pair[0], pair[1]);
        let opens = (f1.saturating_sub(3)..f1).any(|j| matches!(toks.norm(j), "between" | "entre" | "from" | "de" | "desde" | "del"));
        let gap = e1..f2;
        let joined = gap.clone().any(|j| joins_period(toks.norm(j)));
        let plain = gap.clone().all(|j| toks.is_word(j));
        if opens && joined && plain && gap.len() <= 4 && y1 < y2 {
            found.push((y1, y2));
        }
    }
    match found[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// How near (in tokens) a thing outside the topic vocabulary must be to take a figure.
pub(super) const UNTOPICAL_REACH: usize = 4;

/// How fast a keyword's weight falls with its distance (in tokens) to a figure.
pub(super) const DECAY: f64 = 0.15;

/// Topic keywords go to the nearest figure; a figure with none takes the sentence's topic.
/// Returns whether the sentence has a topic keyword, and whether it names a thing outside the
/// vocabulary.
/// `f`: the words of the sentence of `toks`, folded.
pub(super) fn assign_topics(toks: &Tokens<'_>, f: &Folded, lang: Lang, sources: &[(usize, usize)], drafts: &mut [Draft]) -> (bool, bool) {
    // The words of a known organisation's name ("Oficina de las Naciones Unidas contra la
    // Droga y el Delito") say nothing about the figures near it.
    let orgs = crate::extract::entities::org_mentions_in(toks.text, f);
    let in_org = |h: &topics::Hit| {
        orgs.iter()
            .any(|&(s, e, _)| toks.start(h.start_tok) >= s && toks.end(h.end_tok - 1) <= e)
    };
    let none: Vec<(usize, usize)> = data(lang).untopical.find_all(toks).iter().map(|m| (m.start, m.end)).collect();
    // "muertes accidentales", "private guards": a thing outside the vocabulary is not about
    // the topic one of its words names on its own.
    let in_none = |h: &topics::Hit| none.iter().any(|&(s, e)| h.start_tok >= s && h.end_tok <= e);
    let hits: Vec<topics::Hit> = topics::hits(toks, lang).into_iter().filter(|h| !in_org(h) && !in_none(h)).collect();
    let mut per_draft: Vec<Vec<(Topic, f64)>> = vec![Vec::new(); drafts.len()];
    let mut strong: Vec<Vec<Topic>> = vec![Vec::new(); drafts.len()];
    let mut sentence: Vec<(Topic, f64)> = Vec::new();
    for h in &hits {
        if sources.iter().any(|&(s, e)| h.start_tok >= s && h.end_tok <= e) {
            continue;
        }
        // "462 at the end of 2016, police said": who speaks says nothing about what is counted.
        if h.topic == Topic::SecurityForces && SPEECH_VERBS.iter().any(|v| v == toks.norm(h.end_tok)) {
            continue;
        }
        // Inside a name ("Policía Nacional", "Dirección Antidrogas") a keyword says less, and
        // a mere hint says nothing: "según el comandante de la Policía" names who speaks, not
        // what is counted, which the passage tells.
        let named = h.start_tok > 0 && toks.is_capitalized(h.start_tok);
        if named && h.weight < 1.0 {
            continue;
        }
        let w = if named { h.weight * 0.5 } else { h.weight };
        add(&mut sentence, h.topic, w);
        let mut best: Option<(usize, usize)> = None;
        for (k, dr) in drafts.iter().enumerate() {
            let dist = distance(toks, (dr.lead, dr.reach), (h.start_tok, h.end_tok));
            if best.is_none_or(|(_, bd)| dist < bd) {
                best = Some((k, dist));
            }
        }
        if let Some((k, dist)) = best {
            // A verb right before the figure ("seized 3 tons", "arrested 40") names what it counts.
            let adjacent = if dist == 0 && h.end_tok <= drafts[k].lead { 1.5 } else { 1.0 };
            add(&mut per_draft[k], h.topic, adjacent * w / (1.0 + DECAY * dist as f64));
            if h.weight >= 3.0 {
                strong[k].push(h.topic);
            }
        }
    }
    for (k, dr) in drafts.iter_mut().enumerate() {
        // "los suicidios pasaron de 1.480 casos a 1.536": a figure nearer to a thing outside
        // the vocabulary than to any topic keyword has no topic.
        let span = (dr.lead, dr.reach.max(dr.end));
        if counts_population(toks, &hits, &per_draft[k], dr, lang) {
            dr.untopical = true;
            continue;
        }
        let nearest_none = none.iter().map(|&m| distance(toks, span, m)).min();
        let nearest_topic = hits.iter().map(|h| distance(toks, span, (h.start_tok, h.end_tok))).min();
        if nearest_none.is_some_and(|n| n <= UNTOPICAL_REACH && nearest_topic.is_none_or(|t| n < t)) {
            dr.untopical = true;
            continue;
        }
        let fits = |t: &Topic| topic_fits(dr.unit, *t);
        let own: Vec<(Topic, f64)> = per_draft[k].iter().copied().filter(|(t, _)| fits(t)).collect();
        let all: Vec<(Topic, f64)> = sentence.iter().copied().filter(|(t, _)| fits(t)).collect();
        dr.topic = top(&own).or_else(|| top(&all));
        // "19 police officers were killed", "48 agentes asesinados": deaths among the forces
        // are about the forces, as the noun the figure counts says.
        if dr.topic == Some(Topic::Homicide) && dr.counted.as_deref().and_then(|c| counted_topic(c, lang)) == Some(Topic::SecurityForces) {
            dr.topic = Some(Topic::SecurityForces);
        }
        // "la Policía Nacional, cuyos asesinatos pasaron de 16 a 61", "miembros de la Fuerza
        // Pública heridos o asesinados": killings whose victims are the forces.
        if dr.topic == Some(Topic::Homicide) && forces_are_victims(toks, &hits) {
            dr.topic = Some(Topic::SecurityForces);
        }
        // "56 per cent of murders had drug-related motives", "el 25 % de los homicidios se
        // debió a extorsiones": a share is about the thing it is a share of, not its cause.
        // An outcome that outweighs the crime ("21% of murders were solved") still wins.
        if dr.unit == "percent"
            && !hits.iter().any(|h| h.weight > 3.0)
            && let Some(t) = share_of(toks, &hits, dr.end)
        {
            dr.topic = Some(t);
        }
        // Tons of a drug with no word of trafficking, production or cultivation near them are,
        // in the news, a seizure.
        let drugs_named = sentence.iter().any(|(t, _)| t.as_str().starts_with("drug_"));
        if dr.unit == "kg"
            && drugs_named
            && (dr.topic.is_none() || (dr.topic == Some(Topic::DrugTrafficking) && !strong[k].contains(&Topic::DrugTrafficking)))
        {
            dr.topic = Some(Topic::DrugSeizure);
        }
    }
    (!hits.is_empty(), !none.is_empty())
}

static SPEECH_VERBS: LazyLock<Vec<String>> =
    LazyLock::new(|| table::built(table::SPEECH_VERBS.words()).into_iter().map(tokens::fold).collect());

/// The topic of the noun a share is of ("of murders", "of these deaths", "de los homicidios"),
/// when that noun names a topic outright (weight 2 or more, not a hint like "police").
fn share_of(toks: &Tokens<'_>, hits: &[topics::Hit], end: usize) -> Option<Topic> {
    if !matches!(toks.norm(end), "of" | "de" | "del") {
        return None;
    }
    let mut j = end + 1;
    while j < end + 3
        && matches!(
            toks.norm(j),
            "the" | "these" | "those" | "all" | "los" | "las" | "el" | "la" | "estos" | "estas" | "todos" | "todas"
        )
    {
        j += 1;
    }
    hits.iter().find(|h| h.start_tok == j && h.weight >= 2.0).map(|h| h.topic)
}

/// The topic of the noun a figure counts ("police officers", "homicidios dolosos"), when its
/// first word is a topic keyword.
fn counted_topic(counted: &str, lang: Lang) -> Option<Topic> {
    topics::hits(&Tokens::new(counted), lang)
        .into_iter()
        .find(|h| h.start_tok == 0)
        .map(|h| h.topic)
}

/// Cues of a population's size, folded: the words before such a figure and the nouns it counts.
#[derive(Debug, Default)]
struct Population {
    before: Vec<Vec<String>>,
    nouns: Vec<String>,
}

fn load_population(lang: Lang) -> Result<Population, TableError> {
    let mut p = Population::default();
    for row in table::POPULATION.rows()? {
        if !row.applies(0, lang)? {
            continue;
        }
        let term = tokens::fold(row.get(2));
        match row.get(1) {
            "before" => p.before.push(term.split_whitespace().map(str::to_string).collect()),
            "noun" => p.nouns.push(term),
            _ => return Err(row.unknown(1, "population cue kind")),
        }
    }
    Ok(p)
}

static POPULATION_EN: LazyLock<Population> = LazyLock::new(|| table::built(load_population(Lang::En)));
static POPULATION_ES: LazyLock<Population> = LazyLock::new(|| table::built(load_population(Lang::Es)));

/// Whether a figure is the size of a population ("a population of over 14 million", "a country
/// of 6.3 million inhabitants", "los 14 millones de habitantes"): no topic counts people by where
/// they live. Residents that a word naming a topic is said of, close by (`own`: the figure's
/// keyword scores), are its victims or culprits ("20 residents were murdered").
fn counts_population(toks: &Tokens<'_>, hits: &[topics::Hit], own: &[(Topic, f64)], dr: &Draft, lang: Lang) -> bool {
    let p: &Population = match lang {
        Lang::En => &POPULATION_EN,
        Lang::Es => &POPULATION_ES,
    };
    // "the prison population of 14,000": a topic word before or in the cue makes it that topic's.
    let after_cue = p.before.iter().any(|cue| {
        dr.lead.checked_sub(cue.len()).is_some_and(|at| {
            cue.iter().enumerate().all(|(i, w)| toks.norm(at + i) == w)
                && !hits.iter().any(|h| h.weight >= 2.0 && h.end_tok >= at && h.start_tok < dr.lead)
        })
    });
    let of_residents = dr.unit == "count"
        && dr
            .counted
            .as_deref()
            .and_then(|c| c.split_whitespace().next())
            .is_some_and(|w| p.nouns.contains(&tokens::fold(w)))
        && !own.iter().any(|&(_, w)| w >= 2.0);
    after_cue || of_residents
}

/// Tokens between two spans; a comma or semicolon between them counts as a clause boundary.
/// A bracketed aside wholly between them counts as one token, whatever it holds: "another
/// 845 (624 men, 179 women and 42 children) were injured" puts the figure next to its verb.
pub(super) fn distance(toks: &Tokens<'_>, a: (usize, usize), b: (usize, usize)) -> usize {
    let (lo, hi) = if b.0 >= a.1 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return 0;
    };
    let mut d = 0;
    let mut j = lo;
    while j < hi {
        if toks.is_punct(j, "(")
            && let Some(close) = (j + 1..hi).find(|&c| toks.is_punct(c, ")") || toks.is_punct(c, "("))
            && toks.is_punct(close, ")")
        {
            d += 1;
            j = close + 1;
            continue;
        }
        d += if toks.is_punct(j, ",") || toks.is_punct(j, ";") || toks.is_punct(j, ":") {
            6
        } else {
            1
        };
        j += 1;
    }
    d
}

/// Whether a topic can describe a figure of this unit (tons are not arrests, hectares not prisons).
pub(super) fn topic_fits(unit: &str, topic: Topic) -> bool {
    match unit {
        "kg" => matches!(
            topic,
            Topic::DrugSeizure | Topic::DrugProduction | Topic::DrugTrafficking | Topic::IllegalMining | Topic::CocaCultivation
        ),
        "hectare" => matches!(topic, Topic::CocaCultivation | Topic::IllegalMining | Topic::DrugProduction),
        // A sum of money counts no killings: "ha ejecutado Q4 mil millones" is spent, not killed.
        u if crate::extract::units::is_money(u) => topic != Topic::Homicide,
        _ => true,
    }
}

pub(super) fn add(scores: &mut Vec<(Topic, f64)>, topic: Topic, w: f64) {
    match scores.iter_mut().find(|(t, _)| *t == topic) {
        Some(s) => s.1 += w,
        None => scores.push((topic, w)),
    }
}

pub(super) fn top(scores: &[(Topic, f64)]) -> Option<Topic> {
    scores
        .iter()
        .fold(None::<(Topic, f64)>, |best, &(t, w)| match best {
            Some((_, bw)) if bw >= w => best,
            _ => Some((t, w)),
        })
        .map(|(t, _)| t)
}

/// Countries named in a sentence: (byte range of the mention, ISO code), left to right.
pub(super) fn countries(text: &str, f: &Folded) -> Vec<(usize, usize, &'static str)> {
    geo::mentions_in(text, f)
        .iter()
        .copied()
        .filter(|m| matches!(m.2, GeoKind::Country | GeoKind::Demonym))
        .filter(|&(start, end, _, _)| !in_currency_name(text, start, end))
        // "un mexicano y otros 35": a person's nationality, not where the figure is.
        .filter(|&(start, end, kind, _)| !geo::is_nationality(text, start, end, kind))
        .filter_map(|(start, end, _, code)| Some((start, end, code?)))
        .take(8)
        .collect()
}

pub(super) static CURRENCY_NOUNS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::CURRENCY_NOUNS.lines()));

/// Whether the country or adjective at bytes `start..end` is part of a currency's name ("US$ 25
/// millones", "US dollars", "pesos argentinos"): it names money, not a place.
pub(super) fn in_currency_name(text: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) else {
        return false;
    };
    if after.starts_with('$') {
        return true;
    }
    // Only spaces may stand between: "dollars" must be the very next or previous word.
    let next = after.trim_start().split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    let prev = before.trim_end().rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    [next, prev]
        .iter()
        .any(|w| !w.is_empty() && CURRENCY_NOUNS.contains(&w.to_lowercase().as_str()))
}

/// The country whose money a sentence names in words ("85 billion Colombian pesos", "in US
/// dollars"): it tells the currency, and the figure's country only when nothing else does.
pub(super) fn currency_country(text: &str, f: &Folded) -> Option<&'static str> {
    geo::mentions_in(text, f)
        .iter()
        .copied()
        .filter(|m| matches!(m.2, GeoKind::Country | GeoKind::Demonym))
        // "US$" is written for any sum in dollars, wherever it is spent.
        .filter(|m| !text[m.1..].starts_with('$'))
        .find(|m| in_currency_name(text, m.0, m.1))
        .and_then(|m| m.3)
}

/// Places inside one country named in a sentence: (byte range of the mention, ISO code).
pub(super) fn places(text: &str, f: &Folded) -> Vec<(usize, usize, &'static str)> {
    geo::mentions_in(text, f)
        .iter()
        .copied()
        .filter(|m| m.2 == GeoKind::Place)
        .filter_map(|(s, e, _, code)| Some((s, e, code?)))
        .take(8)
        .collect()
}

pub(super) static WORLD_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::WORLD_WORDS.lines()));

/// Phrases for the country a text is about ("el país"), folded, as lists of words.
pub(super) static OWN_COUNTRY: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    table::built(table::OWN_COUNTRY.lines())
        .into_iter()
        .map(|line| tokens::fold(line).split_whitespace().map(str::to_string).collect())
        .collect()
});

/// Whether a sentence is about the world or a region ("global production", "in Latin
/// America"): its figures are not the article's country's. A region named beside the
/// country itself ("el país de Centroamérica que más decomisa") only ranks the country.
/// `f`: the words of `text`, folded.
pub(super) fn names_world(text: &str, f: &Folded) -> bool {
    // Most sentences name no region: their words are only looked through for the world's.
    if !geo::mentions_in(text, f).iter().any(|m| m.2 == GeoKind::Area) {
        return any_folded_piece(f, |w| WORLD_WORDS.contains(&w));
    }
    let words: Vec<&str> = folded_pieces(f).collect();
    let own_country = OWN_COUNTRY.iter().any(|p| words.windows(p.len()).any(|w| w.iter().eq(p.iter())));
    !own_country || WORLD_WORDS.iter().any(|w| words.contains(w))
}

/// The pieces of a folded text between characters that are no letter or digit, read from its
/// words `f`: the folded words, those joined by a hyphen split again. (Folding never turns a
/// character outside a word into a letter or digit, so the text needs no folding of its own.)
fn folded_pieces<'f>(f: &'f Folded) -> impl Iterator<Item = &'f str> {
    (0..f.words.len())
        .flat_map(|i| f.key(i).split(|c: char| !tokens::is_alphanumeric(c)))
        .filter(|w| !w.is_empty())
}

/// Whether one of `folded_pieces(f)` satisfies `pred`. Most words are one piece of ASCII
/// letters and digits, taken whole; only the others are split.
fn any_folded_piece(f: &Folded, pred: impl Fn(&str) -> bool) -> bool {
    (0..f.words.len()).any(|i| {
        let key = f.key(i);
        if key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // A word of combining accents alone folds to nothing, which is no piece.
            !key.is_empty() && pred(key)
        } else {
            key.split(|c: char| !tokens::is_alphanumeric(c)).any(|w| !w.is_empty() && pred(w))
        }
    })
}

/// What a comma or semicolon between a figure and a country adds to their distance, in bytes.
pub(super) const CLAUSE_GAP: usize = 40;

pub(super) fn nearest_country(
    countries: &[(usize, usize, &'static str)],
    text: &str,
    toks: &Tokens<'_>,
    dr: &Draft,
) -> Option<(usize, usize, &'static str)> {
    let (s, e) = (toks.start(dr.first), toks.end(dr.end.saturating_sub(1)));
    // An origin or destination ("bound for Paraguay") is not where the figure belongs.
    countries
        .iter()
        .filter(|&&(cs, _, _)| !after_route_marker(text, cs))
        .min_by_key(|&&(cs, ce, _)| {
            let before = ce <= s;
            let (gap, between) = if before {
                (s - ce, text.get(ce..s).unwrap_or(""))
            } else {
                (cs.saturating_sub(e), text.get(e..cs).unwrap_or(""))
            };
            // A country across a clause boundary is further than its distance says. In a
            // list ("Uganda: 367.4%; Paraguay with 7.4 and Chile with 3.6") a country labels
            // the figure after it: the colon of a label is no boundary, and a country after an
            // "and" starts the next item.
            let label = before && between.trim_start().starts_with(':');
            let mut clauses = between.matches([',', ';', ':']).count() - usize::from(label);
            if !before {
                clauses += between.split_whitespace().filter(|w| tokens::AND_WORDS.contains(w)).count();
            }
            gap + CLAUSE_GAP * clauses
        })
        .copied()
}

/// Words that hand out a list's figures to its places one by one ("Belice y Chile, con 50 % y
/// 91 %, respectivamente"): the places are then not sharing one figure.
const RESPECTIVELY: [&str; 2] = ["respectively", "respectivamente"];

/// Whether the country or place at bytes `start..end` is one of two or more places written
/// together ("Honduras y El Salvador registran", "Central America and Mexico saw", "Haití,
/// Bolivia y Perú"): a figure stated for all of them at once is none's own. Places of one
/// country ("Jalisco y Michoacán") still give it, and a comma alone ("Según datos de Estados
/// Unidos, Ecuador incautó") joins no list.
pub(super) fn shared_with_another(text: &str, f: &Folded, start: usize, code: &str) -> bool {
    if RESPECTIVELY.iter().any(|w| tokens::has_ascii_word(text, w)) {
        return false;
    }
    let ms: Vec<_> = geo::mentions_in(text, f)
        .iter()
        .copied()
        .filter(|m| !after_route_marker(text, m.0))
        .collect();
    let Some(at) = ms.iter().position(|m| m.0 == start) else {
        return false;
    };
    // The words between two neighbouring mentions: "," or "y" joins them into a list.
    let link = |i: usize| text.get(ms[i].1..ms[i + 1].0).map_or("", str::trim);
    let is_and = |i: usize| link(i) == "&" || tokens::AND_WORDS.iter().any(|w| link(i).eq_ignore_ascii_case(w));
    let joins = |i: usize| link(i) == "," || is_and(i);
    let mut first = at;
    while first > 0 && joins(first - 1) {
        first -= 1;
    }
    let mut last = at;
    while last + 1 < ms.len() && joins(last) {
        last += 1;
    }
    (first..last).any(is_and)
        && ms[first..=last]
            .iter()
            .any(|m| m.2 == GeoKind::Area || m.3.is_some_and(|c| c != code))
}

/// Words that may stand between the forces and the word for their killing when they are its
/// victims ("Policía Nacional, cuyos asesinatos", "agentes heridos o asesinados", "officers were
/// killed"); any other word ("la policía investiga los asesinatos") breaks the link.
const VICTIM_LINKS: [&str; 12] = [
    "cuyos", "cuyas", "cuyo", "cuya", "heridos", "heridas", "o", "y", "were", "was", "wounded", "or",
];

/// Whether a sentence's killings are of the forces: a word for them comes right before the
/// word for the killing, joined only by a name's capitalised words, a comma or `VICTIM_LINKS`.
fn forces_are_victims(toks: &Tokens<'_>, hits: &[topics::Hit]) -> bool {
    hits.iter().filter(|h| h.topic == Topic::Homicide).any(|killing| {
        hits.iter()
            .filter(|h| h.topic == Topic::SecurityForces && h.end_tok <= killing.start_tok)
            .any(|forces| {
                (forces.end_tok..killing.start_tok)
                    .all(|i| toks.is_punct(i, ",") || toks.is_capitalized(i) || VICTIM_LINKS.contains(&toks.norm(i)))
            })
    })
}

pub(super) static ROUTE_MARKERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::built(table::ROUTE_MARKERS.lines()));

/// Whether the words just before byte `at` make the country after them an origin, a destination
/// or the other term of a comparison: it neither places a figure nor counts for the text's
/// country (an article on one country compares it with others it never reports on).
pub(super) fn after_route_marker(text: &str, at: usize) -> bool {
    let Some(before) = text.get(..at) else { return false };
    // "dirigido a los Países Bajos", "bound for the Netherlands": an article may stand between.
    let trimmed = before.trim_end();
    let bare = trimmed
        .rsplit_once(char::is_whitespace)
        .filter(|(_, last)| COUNTRY_ARTICLES.iter().any(|a| last.eq_ignore_ascii_case(a)))
        .map_or(trimmed, |(rest, _)| rest);
    ends_with_phrase(bare, &ROUTE_MARKERS)
}

/// Articles that may come before a country's name.
const COUNTRY_ARTICLES: [&str; 5] = ["el", "la", "los", "las", "the"];

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn each_figure_keeps_its_own_year_and_a_shared_value_stays_twice() {
        let found = stats("Police recorded 8,042 extortions (compared to 7,272 for 2012).", Lang::En);
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [None, Some(2012)]);
        let found = stats("There were 505 murders in 2001 and 438 in 2007.", Lang::En);
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [Some(2001), Some(2007)]);
        let found = stats("El 1 % de los presos y el 1 % de los guardias dieron positivo.", Lang::Es);
        assert_eq!(found.len(), 2);
        // A change and a level that share a value are two facts.
        let found = stats("Robberies reached 31 percent of reports.\nKidnappings fell 31 percent.", Lang::En);
        assert_eq!(found.len(), 2);
        // A restatement in a later sentence is one statistic.
        let found = stats("Police seized 12 tons of cocaine.\nThe 12 tons of cocaine were burned.", Lang::En);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_rate_without_its_base_in_a_sentence_about_killings() {
        assert_eq!(
            unit_value("Los asesinatos dejaron una tasa de 38,6 en la provincia.", Lang::Es),
            ("per_100k".into(), Some(38.6))
        );
        assert_eq!(unit_value("La tasa de desempleo fue de 8,1.", Lang::Es).0, "count");
        assert_eq!(unit_value("Murders ran at a daily rate of 11.5 last year.", Lang::En).0, "count");
    }

    #[test]
    fn a_year_after_its_figure_belongs_to_it() {
        let found = stats(
            "There were 310 thefts at the end of 2019 compared to 355 at the end of 2020.",
            Lang::En,
        );
        assert_eq!(found.iter().map(|s| s.year).collect::<Vec<_>>(), [Some(2019), Some(2020)]);
        let found = stats("Las denuncias fueron enero (1420), junio (1890) y julio (2045).", Lang::Es);
        assert_eq!(
            found.iter().map(|s| s.value).collect::<Vec<_>>(),
            [Some(1420.0), Some(1890.0), Some(2045.0)]
        );
    }

    #[test]
    fn figures_outside_the_vocabulary_take_no_topic() {
        let text = "Los homicidios aumentaron a 900 en el año.\nLos suicidios pasaron de 1.480 casos a 1.536.\nSe pasó de 2.210 a 2.340.";
        let found = stats(text, Lang::Es);
        let topics: Vec<_> = found.iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Homicide), None, None, None, None]);
        // A word of the vocabulary inside a thing outside it ("muertes accidentales").
        let text = "Los homicidios aumentaron a 900 en el año.\nLas muertes accidentales sumaron 3.100, un alza del 4 %, 120 casos más.";
        let topics: Vec<_> = stats(text, Lang::Es).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Homicide), None, None, None]);
        let text = "Murders rose to 700 last year.\nTraffic deaths reached 1,250, up 6 percent.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Homicide), None, None]);
    }

    #[test]
    fn a_percentage_closing_a_list_item_takes_the_change_before_it() {
        let changes = |text: &str, lang: Lang| stats(text, lang).iter().map(|s| s.change).collect::<Vec<_>>();
        let up = Some(Change::Increase);
        assert_eq!(
            changes("Los robos subieron un 14,2 % y las extorsiones un 31 %.", Lang::Es),
            [up, up]
        );
        assert_eq!(
            changes(
                "Destaca Colima, con un alza de 22,5 % anual; Durango, 18 %, y Campeche, con 9,4 %.",
                Lang::Es
            ),
            [up, up, up]
        );
        // A percentage that goes on to name what it counts is no list item.
        assert_eq!(changes("Murders rose 12%, and 40% of cases remain unsolved.", Lang::En), [up, None]);
    }

    #[test]
    fn a_year_after_two_figures_joined_by_and_dates_both() {
        let years = |text: &str, lang: Lang| stats(text, lang).iter().map(|s| s.year).collect::<Vec<_>>();
        assert_eq!(
            years(
                "Gang attacks left 812 people dead and some 430 injured in the first half of 2023.",
                Lang::En
            ),
            [Some(2023), Some(2023)]
        );
        assert_eq!(
            years("Hubo 151 secuestros y 98 extorsiones en 2009.", Lang::Es),
            [Some(2009), Some(2009)]
        );
        // A figure with a year of its own, or one across a clause break, keeps what it had.
        assert_eq!(
            years("Prices were $38,100 a year ago, and $34,400 in 2015.", Lang::En),
            [None, Some(2015)]
        );
    }

    #[test]
    fn a_bracketed_aside_does_not_part_a_figure_from_its_verb() {
        // The breakdown in brackets would otherwise keep the wounded nearer "killed" than
        // "wounded".
        let text =
            "In the first quarter 310 people were killed, and another 212 (150 men, 40 women and 22 minors) were wounded in the clashes.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| (s.value, s.topic)).collect();
        assert_eq!(topics[..2], [(Some(310.0), Some(Topic::Homicide)), (Some(212.0), None)]);
        let text = "Hubo 95 asesinatos en marzo y otras 64 personas (40 hombres y 24 mujeres) resultaron heridas.";
        let topics: Vec<_> = stats(text, Lang::Es).iter().map(|s| (s.value, s.topic)).collect();
        assert_eq!(topics[..2], [(Some(95.0), Some(Topic::Homicide)), (Some(64.0), None)]);
    }

    #[test]
    fn table_cells_take_their_column_year() {
        let text = "Rank |\nCountry | 2021 | 2022 | Change |\n1 | Chile | 3.6 | 4.8 | 33% |\n2 | Peru | 4.3 | 4.5 | 5% |";
        let years: Vec<_> = stats(text, Lang::En).iter().map(|s| (s.value, s.year)).collect();
        assert_eq!(
            years,
            [
                (Some(3.6), Some(2021)),
                (Some(4.8), Some(2022)),
                (Some(33.0), None),
                (Some(4.3), Some(2021)),
                (Some(4.5), Some(2022)),
                (Some(5.0), None)
            ]
        );
    }

    #[test]
    fn figures_under_a_heading_take_its_topic() {
        let text = "Prison population\nMen: 9,300\nWomen: 700\nKidnappings\nCapital: 12";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Prisons), Some(Topic::Prisons), Some(Topic::Kidnapping)]);
        // A caption that only hints at a topic heads nothing.
        let text = "Inmates reached 61,000 in 2024.\nNational Guard\nThe number went from 48,100 to 52,900.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Prisons); 3]);
    }

    #[test]
    fn a_bare_figure_goes_on_with_its_passage() {
        // Mostly about coca, but the opening passage is about gold mining.
        let text = "La minería ilegal ocupó 12.400 hectáreas en 2023.\nDe esa área, el 40 % está en el norte.\n\
                    Los cultivos de coca llegaron a 8.000 hectáreas.\nLa erradicación de coca alcanzó 3.000 hectáreas.\n\
                    Las plantaciones de coca crecieron 5 %.";
        let topics: Vec<_> = stats(text, Lang::Es).iter().map(|s| s.topic).collect();
        assert_eq!(topics[1], Some(Topic::IllegalMining));
        assert_eq!(topics[2..], [Some(Topic::CocaCultivation); 3]);
        // A sum of money goes on with the money counted before, not with the crimes between.
        let text = "The police budget was $300 million.\nExtortions reached 2,000 reports.\n\
                    In 2024 there were 1,500 extortions.\nNext year the ministry will have $350 million.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics.last(), Some(&Some(Topic::PublicSpending)));
        // A hint ("agents") does not change what the passage is about.
        let text = "Murders rose to 500 in 2023.\nThe force has 45,000 agents.\nThe capital had 120.\nMurders fell 3 percent.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics[2], Some(Topic::Homicide));
    }

    #[test]
    fn the_population_cues_load() {
        for lang in [Lang::En, Lang::Es] {
            let cues = super::load_population(lang);
            assert!(cues.as_ref().is_ok_and(|p| !p.before.is_empty() && !p.nouns.is_empty()), "{cues:?}");
        }
    }

    #[test]
    fn the_size_of_a_population_has_no_topic() {
        let topics = |text: &str, lang: Lang| stats(text, lang).iter().map(|s| s.topic).collect::<Vec<_>>();
        assert_eq!(
            topics("Honduras, a country of 9.5 million inhabitants, recorded 3,000 murders.", Lang::En),
            [None, Some(Topic::Homicide)]
        );
        assert_eq!(
            topics("Murders fell to 2,100 in a population of about 6 million.", Lang::En),
            [Some(Topic::Homicide), None]
        );
        assert_eq!(
            topics("El país tiene 18 millones de habitantes y registró 1.200 homicidios.", Lang::Es),
            [None, Some(Topic::Homicide)]
        );
        // The prison population, and residents a crime is told of, are the topic's.
        assert_eq!(
            topics("The prison population of 14,000 doubles the capacity.", Lang::En),
            [Some(Topic::Prisons)]
        );
        assert_eq!(
            topics("Gunmen murdered 12 residents of the village.", Lang::En),
            [Some(Topic::Homicide)]
        );
        assert_eq!(
            topics("Unos 7 pobladores fueron asesinados en la aldea.", Lang::Es),
            [Some(Topic::Homicide)]
        );
    }

    #[test]
    fn a_change_is_marked_and_a_level_is_not() {
        use Change::{Decrease, Increase};
        let cases: &[(&str, Lang, &[Option<Change>])] = &[
            ("Burglaries rose by 12 percent.", Lang::En, &[Some(Increase)]),
            ("Thefts were down 4.5% this year.", Lang::En, &[Some(Decrease)]),
            ("The police reported a 27% decrease in homicides.", Lang::En, &[Some(Decrease)]),
            ("Arrests showed an increase of 30 percent.", Lang::En, &[Some(Increase)]),
            ("There were 40 fewer murders than a year earlier.", Lang::En, &[Some(Decrease)]),
            ("Robberies were 9 percent higher than in March.", Lang::En, &[Some(Increase)]),
            ("The prison population fell to 9,914 inmates.", Lang::En, &[None]),
            ("Murders fell from 1,200 to 950.", Lang::En, &[None, None]),
            ("Police arrested 45 people.", Lang::En, &[None]),
            ("Los robos aumentaron un 12,5 % en marzo.", Lang::Es, &[Some(Increase)]),
            ("Hubo una reducción del 15 % en los secuestros.", Lang::Es, &[Some(Decrease)]),
            (
                "Se registraron 310 asesinatos, un 8 % menos que en 2022.",
                Lang::Es,
                &[None, Some(Decrease)],
            ),
            ("Fueron 52 homicidios más.", Lang::Es, &[Some(Increase)]),
            ("La tasa se redujo a 6,3 por cada 100.000 habitantes.", Lang::Es, &[None]),
            ("Los hurtos (-4,4 %) bajaron en la capital.", Lang::Es, &[Some(Decrease)]),
            ("Los 10 municipios más violentos del país.", Lang::Es, &[None]),
        ];
        for (text, lang, want) in cases {
            assert_eq!(changes(text, *lang), *want, "{text}");
        }
    }

    #[test]
    fn a_figure_without_a_place_takes_the_country_the_article_is_about() {
        let text = "La Policía Nacional de Colombia presentó su balance.\nEn Bogotá hubo 120 hurtos.\nEn total se incautaron 8 toneladas.";
        let found = stats(text, Lang::Es);
        let got: Vec<_> = found.iter().map(|s| (s.location.as_deref(), s.location_from)).collect();
        assert_eq!(
            got,
            [
                (Some("CO"), Some(LocationFrom::Sentence)),
                (Some("CO"), Some(LocationFrom::Article))
            ]
        );
        // A world figure keeps no country, and a round-up of several countries gives none.
        let text = "Peru seized 3 tons.\nGlobal production reached 2,700 tons.";
        assert_eq!(stats(text, Lang::En)[1].location, None);
        let text = "Peru seized 3 tons.\nChile seized 2 tons.\nBolivia seized 4 tons.\nIn all, 9 tons were seized.";
        assert_eq!(stats(text, Lang::En)[3].location, None);
    }

    #[test]
    fn bare_pesos_take_the_country_the_text_is_about() {
        let text = "El Ejército de Colombia rescató a los rehenes.\nLa banda exigía hasta 200 millones de pesos por cada uno.";
        let found = stats(text, Lang::Es);
        assert_eq!(found[0].unit, "COP");
        let text = "La banda exigía hasta 200 millones de pesos por cada rehén.";
        assert_eq!(stats(text, Lang::Es)[0].unit, "MXN");
    }

    #[test]
    fn origins_and_destinations_do_not_place_a_figure() {
        let found = stats("Bolivian police seized 780 kilos of cocaine bound for Paraguay.", Lang::En);
        assert_eq!(found[0].location.as_deref(), Some("BO"));
        let found = stats(
            "La policía española incautó 300 kilos de cocaína procedentes de Colombia.",
            Lang::Es,
        );
        assert_eq!(found[0].location.as_deref(), Some("ES"));
        // With no other country, the figure is still not the destination's.
        let found = stats("Seized: 50 kilos bound for Chile.", Lang::En);
        assert_eq!(found[0].location, None);
    }

    #[test]
    fn nearest_country_wins() {
        let s = stats("Mexico reported 40 cases while Peru reported 7 cases.", Lang::En);
        assert_eq!(
            s.iter().map(|s| s.location.as_deref()).collect::<Vec<_>>(),
            vec![Some("MX"), Some("PE")]
        );
        let s = one("Colombia paid US$ 4 million to Peru.", Lang::En);
        assert_eq!(s.location.as_deref(), Some("PE"));
    }

    #[test]
    fn a_destination_never_places_a_figure() {
        assert_eq!(one("Agents found 2 tons of cocaine bound for Spain.", Lang::En).location, None);
        let text = "La Policía de Ecuador revisó el puerto.\nEl cargamento de 900 kilos iba dirigido a Bélgica.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("EC"));
        let text = "La Policía de Ecuador revisó el puerto.\nEl cargamento de 900 kilos iba dirigido a los Países Bajos.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("EC"));
    }

    #[test]
    fn killings_of_the_forces_are_about_the_forces() {
        let topic = |text: &str| one(text, Lang::Es).topic;
        assert_eq!(
            topic("En la Policía Nacional, cuyos asesinatos llegaron a 45 este año."),
            Some(Topic::SecurityForces)
        );
        assert_eq!(
            topic("Hubo 230 miembros de la Fuerza Pública heridos o asesinados."),
            Some(Topic::SecurityForces)
        );
        assert_eq!(topic("La policía investiga los asesinatos de 45 personas."), Some(Topic::Homicide));
        assert_eq!(
            one("A total of 12 officers were killed.", Lang::En).topic,
            Some(Topic::SecurityForces)
        );
    }

    #[test]
    fn a_country_compared_with_neither_places_a_figure_nor_leads_the_text() {
        let text = "Las fuerzas suman 480.000 agentes, una tasa superior a la de Chile y cercana a la de Perú.";
        assert_eq!(one(text, Lang::Es).location, None);
        let text =
            "La Policía de Bolivia decomisó 3 toneladas de cocaína.\nLa cifra es mayor que la de Chile.\nEl año pasado fueron 2 toneladas.";
        assert!(stats(text, Lang::Es).iter().all(|s| s.location.as_deref() == Some("BO")));
        let text = "Murders rose to 1,200, far more than in Honduras.";
        assert_eq!(one(text, Lang::En).location, None);
    }

    #[test]
    fn a_country_labels_the_figure_after_it_in_a_list() {
        let locs = |text: &str, lang: Lang| stats(text, lang).iter().map(|s| s.location.clone()).collect::<Vec<_>>();
        let some = |v: &[&str]| v.iter().map(|c| Some(c.to_string())).collect::<Vec<_>>();
        assert_eq!(
            locs(
                "Prison occupancy by country: Bolivia: 269.9%; Peru: 212.1%; Brazil 151.2%.",
                Lang::En
            ),
            some(&["BO", "PE", "BR"])
        );
        assert_eq!(
            locs("Only Uruguay with 11.2 and Panama with 12.9 have lower homicide rates.", Lang::En),
            some(&["UY", "PA"])
        );
        assert_eq!(locs("Ecuador registra un 2,4 % y Chile un 1,9 %.", Lang::Es), some(&["EC", "CL"]));
    }

    #[test]
    fn years_go_to_the_nearest_figure() {
        let s = stats("Seizures reached 12 tons in 2021 and 19 tons in 2022.", Lang::En);
        assert_eq!(s.iter().map(|s| s.year).collect::<Vec<_>>(), vec![Some(2021), Some(2022)]);
        let s = stats(
            "In 2020, the gang had 300 members, compared with the same period of 2019.",
            Lang::En,
        );
        assert_eq!(s[0].year, Some(2020));
        let s = one("Between 2015 and 2019, 600 leaders were killed.", Lang::En);
        assert_eq!(s.year, None);
    }

    #[test]
    fn a_country_that_only_gives_the_figures_is_not_their_place() {
        let text = "Ecuador decomisó 200 toneladas en 2023.\nEste año ya se incautaron 12 toneladas, según cifras de Estados Unidos.";
        let last = stats(text, Lang::Es).last().map(|s| s.location.clone());
        assert_eq!(last, Some(Some("EC".to_string())));
    }

    #[test]
    fn one_figure_for_two_countries_is_neither_ones() {
        let text = "Guatemala tiene 16.000 presos.\nNicaragua y Costa Rica gastan el 2 % de su presupuesto en cárceles.";
        let got: Vec<_> = stats(text, Lang::Es).iter().map(|s| s.location.clone()).collect();
        assert_eq!(got, [Some("GT".to_string()), None]);
        let text = "South America and Mexico saw robberies fall by 12%.";
        assert_eq!(one(text, Lang::En).location, None);
        // A source before a comma is no list, and a list handed out "respectively" is shared by none.
        let text = "Según datos de Estados Unidos, Bolivia decomisó 30 toneladas.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("BO"));
        let text = "Chile y Uruguay destinan el 12 % y el 9 % de su gasto a la policía, respectivamente.";
        assert_eq!(stats(text, Lang::Es)[1].location.as_deref(), Some("UY"));
        // Two places of one country still give it.
        let text = "Sonora y Sinaloa sumaron 410 homicidios.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("MX"));
    }

    #[test]
    fn a_country_in_the_name_of_a_currency_is_no_place() {
        let text = "Chile seized 4 tons of cocaine.\nThe gang kept $80,000 in US dollars.";
        assert_eq!(stats(text, Lang::En)[1].location.as_deref(), Some("CL"));
        let text = "En Chile se hallaron 3 millones de pesos argentinos.";
        let s = one(text, Lang::Es);
        assert_eq!((s.unit.as_str(), s.location.as_deref()), ("ARS", Some("CL")));
        // With nothing else to go by, the money tells the country.
        let text = "The gang laundered 40 billion Colombian pesos.";
        assert_eq!(one(text, Lang::En).location.as_deref(), Some("CO"));
    }

    #[test]
    fn the_commonwealths_spanish_name_is_puerto_rico() {
        let text = "La policía contó 712 asesinatos en 2015 en el Estado Libre Asociado a EE.UU.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("PR"));
    }

    #[test]
    fn a_region_that_only_ranks_the_country_leaves_the_figure_to_it() {
        let text = "Honduras endureció las penas.\nCon 31 homicidios por cada 100.000 habitantes, el país sigue entre los más violentos de Centroamérica.";
        assert_eq!(stats(text, Lang::Es)[0].location.as_deref(), Some("HN"));
        // Without the country, the region keeps the figure.
        let text = "Honduras endureció las penas.\nCentroamérica registró 31 homicidios por cada 100.000 habitantes.";
        assert_eq!(stats(text, Lang::Es)[0].location, None);
    }

    #[test]
    fn a_canton_is_a_district_not_a_chinese_city() {
        let text = "La violencia crece en la costa de Ecuador.\nEl Cantón Central registró 45 homicidios en marzo.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("EC"));
    }

    #[test]
    fn a_body_that_several_countries_have_names_none_of_them() {
        // Forensic institutes, federal police and national guards go by the same short name
        // in several countries.
        let text = "Medicina Legal contó 310 cuerpos sin identificar en el primer semestre.";
        assert_eq!(one(text, Lang::Es).location, None);
        let text = "The Federal Police arrested 42 suspects.\nThe National Guard sent 900 troops.";
        assert!(stats(text, Lang::En).iter().all(|s| s.location.is_none()));
        // A body that only one country has still tells the text's country.
        let text = "El Instituto Nacional de Medicina Legal y Ciencias Forenses contó 310 cuerpos sin identificar.";
        assert_eq!(one(text, Lang::Es).location.as_deref(), Some("CO"));
    }

    #[test]
    fn a_ranking_of_many_countries_does_not_hide_the_articles_country() {
        let text = "Honduras prisons hold 19,500 inmates.\nOvercrowding in Honduras reached 180%.\n\
            The regional ranking reads: Haiti 454%, Bolivia 269%, Guatemala 267%, Peru 212%, Brazil 151%.\n\
            Pre-trial detainees make up 52% of the prison population.";
        let s = stats(text, Lang::En);
        let last = s.last().map(|s| (s.value, s.location.as_deref(), s.location_from));
        assert_eq!(last, Some((Some(52.0), Some("HN"), Some(LocationFrom::Article))));
    }

    mod pieces {
        use super::super::{any_folded_piece, folded_pieces};
        use crate::extract::geo::Folded;
        use crate::extract::tokens::{fold, is_alphanumeric};
        use proptest::prelude::*;

        /// The pieces of `text` folded as a whole, split at every character that is no
        /// letter or digit.
        fn split_folded(text: &str) -> Vec<String> {
            fold(text)
                .split(|c: char| !is_alphanumeric(c))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        }

        fn same(text: &str) -> Result<(), TestCaseError> {
            let f = Folded::new(text);
            let split = split_folded(text);
            prop_assert_eq!(folded_pieces(&f).collect::<Vec<_>>(), split.clone(), "{:?}", text);
            // Each piece is found, and nothing else is.
            for w in split.iter().map(String::as_str).chain(["", "x", "mundo"]) {
                prop_assert_eq!(
                    any_folded_piece(&f, |p| p == w),
                    split.iter().any(|s| s == w),
                    "{:?} in {:?}",
                    w,
                    text
                );
            }
            Ok(())
        }

        #[test]
        fn the_pieces_of_the_words_are_those_of_the_folded_text() {
            for t in [
                "Guinea-Bissau y MS-13, en el mundo",
                "İzmir ca\u{345}sa Basombri\u{301}o \u{301}a -\u{301}x a-\u{301}b x²3 1,234.5 1\u{a0}234",
                "O’Higgins — «América Latina», 3-\u{301} a--b end- ÑUBLE",
            ] {
                assert!(same(t).is_ok(), "{t}");
            }
        }

        proptest! {
            #[test]
            fn pieces_of_any_text(text in any::<String>()) {
                same(&text)?;
            }

            #[test]
            fn pieces_of_word_soup(text in "([A-Za-zÁÉÍÓÚáéíóúÑñİ²]{1,6}|[0-9]{1,4}|[-.,’' \u{a0}\u{301}\u{345}]){0,20}") {
                same(&text)?;
            }
        }
    }

    fn years(text: &str, lang: Lang) -> Vec<Option<i32>> {
        stats(text, lang).iter().map(|s| s.year).collect()
    }

    #[test]
    fn the_start_of_a_change_takes_the_year_written_after_it() {
        assert_eq!(
            years(
                "Robberies fell from 1,240 cases in the first half of 2022 to 1,010 in 2023.",
                Lang::En
            ),
            vec![Some(2022), Some(2023)]
        );
    }

    #[test]
    fn the_ends_of_a_change_take_the_years_of_its_period() {
        assert_eq!(
            years(
                "Between 2018 and 2021 the prison population grew from 38,000 to 45,500, up 19%.",
                Lang::En
            ),
            vec![Some(2018), Some(2021), Some(2021)]
        );
        assert_eq!(
            years("Entre marzo de 2020 y mayo de 2023 los reos pasaron de 12.400 a 15.100.", Lang::Es),
            vec![Some(2020), Some(2023)]
        );
    }

    #[test]
    fn a_figure_dated_relative_to_the_text_takes_no_other_year() {
        assert_eq!(
            years("In 2023 the city recorded 410 murders, and this year there were 380.", Lang::En),
            vec![Some(2023), None]
        );
        assert_eq!(
            years("In 2022 murders fell 12% compared with last year.", Lang::En),
            vec![Some(2022)]
        );
        assert_eq!(
            years(
                "En 2024 hubo 5.200 denuncias, frente al año anterior, cuando se registraron 4.815.",
                Lang::Es
            ),
            vec![Some(2024), None]
        );
    }

    #[test]
    fn deaths_among_the_forces_are_about_the_forces() {
        assert_eq!(
            one("Gunmen killed 7 police officers in the port.", Lang::En).topic,
            Some(Topic::SecurityForces)
        );
        assert_eq!(
            one("Este año fueron asesinados 31 agentes en servicio.", Lang::Es).topic,
            Some(Topic::SecurityForces)
        );
        assert_eq!(one("Gunmen killed 7 people in the port.", Lang::En).topic, Some(Topic::Homicide));
    }

    #[test]
    fn impunity_and_solved_cases_are_sentencing() {
        assert_eq!(
            one("Only 21 percent of murders were solved last year.", Lang::En).topic,
            Some(Topic::Sentencing)
        );
        assert_eq!(
            one("La impunidad en los casos de homicidio llega al 92 %.", Lang::Es).topic,
            Some(Topic::Sentencing)
        );
        assert_eq!(
            one("Police sentenced to 30 years in prison.", Lang::En).topic,
            Some(Topic::Sentencing)
        );
        assert_eq!(
            one("Only 21 percent of murders happen at night.", Lang::En).topic,
            Some(Topic::Homicide)
        );
    }

    #[test]
    fn a_clause_after_a_year_tells_of_that_year() {
        assert_eq!(
            years("Murders fell 3% from March 2023, which recorded 410 cases.", Lang::En),
            vec![None, Some(2023)]
        );
        assert_eq!(
            years("Robberies have fallen since 2016, when there were 9,120 complaints.", Lang::En),
            vec![Some(2016)]
        );
        assert_eq!(
            years(
                "Hubo 1.200 secuestros, un 12 % menos que en 2021, cuando se denunciaron 1.364.",
                Lang::Es
            ),
            vec![None, None, Some(2021)]
        );
    }

    #[test]
    fn a_comparison_base_however_worded_is_not_the_figures_year() {
        assert_eq!(years("Si se compara con 2020, los robos subieron 14 %.", Lang::Es), vec![None]);
        assert_eq!(
            years("Los secuestros fueron 120, unos 40 casos por debajo que en 2021.", Lang::Es),
            vec![None, None]
        );
        assert_eq!(years("Extortions were 8% higher in comparison with 2019.", Lang::En), vec![None]);
        // A threshold is no base: the year after it is the figure's.
        assert_eq!(years("Hubo menos de 400 homicidios en 2022.", Lang::Es), vec![Some(2022)]);
    }

    #[test]
    fn a_span_since_a_year_dates_none_of_its_figures() {
        assert_eq!(
            years("Since its founding in 2015, the unit has arrested 900 suspects.", Lang::En),
            vec![None]
        );
        assert_eq!(years("Since March 2019, there have been 14 riots.", Lang::En), vec![None]);
        assert_eq!(
            years("Desde su creación en 2016, la fiscalía abrió 310 casos.", Lang::Es),
            vec![None]
        );
        assert_eq!(
            years("Since 2018 the jail population has grown from 9,200 to 11,000.", Lang::En),
            vec![Some(2018), None]
        );
        // "since" giving a reason keeps the year.
        assert_eq!(
            years("Thefts fell, since in 2022 only 4,100 cases were reported.", Lang::En),
            vec![Some(2022)]
        );
    }

    #[test]
    fn in_a_text_about_prisons_the_convicted_are_inmates() {
        let text = "The prison system held 21,400 inmates in March.\nOvercrowding in the prisons reached 160%.\n\
            Of the inmates, 8,900 are awaiting trial and 12,500 have been convicted.";
        let topics: Vec<_> = stats(text, Lang::En).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Prisons); 4]);
        // In court news the convicted are sentencing.
        let text = "The court convicted 14 gang members.\nThe judge sentenced them to 30 years.";
        assert_eq!(stats(text, Lang::En)[0].topic, Some(Topic::Sentencing));
    }

    #[test]
    fn a_sum_of_money_is_not_about_killings() {
        assert_eq!(
            one("El ministerio ha ejecutado 3.200 millones de pesos del presupuesto.", Lang::Es).topic,
            Some(Topic::PublicSpending)
        );
        assert_eq!(one("El ministerio ha ejecutado 3.200 millones de pesos.", Lang::Es).topic, None);
        assert_eq!(one("Gunmen killed 12 people in the market.", Lang::En).topic, Some(Topic::Homicide));
    }

    #[test]
    fn the_police_as_speaker_do_not_give_the_topic() {
        assert_eq!(
            stats("There were 420 murders in 2015 and 462 at the end of 2016, police said.", Lang::En)[1].topic,
            Some(Topic::Homicide)
        );
        assert_eq!(
            one("Hubo 310 homicidios en la provincia, informó la policía.", Lang::Es).topic,
            Some(Topic::Homicide)
        );
        assert_eq!(
            one("The city hired 462 police officers.", Lang::En).topic,
            Some(Topic::SecurityForces)
        );
        // The force named as the speaker's body: the figures go on with the passage.
        let text = "Los homicidios llegaron a 900 en 2023.\nSegún el director de la Policía Judicial, en Cartago hubo 73 y en Limón 101.";
        let topics: Vec<_> = stats(text, Lang::Es).iter().map(|s| s.topic).collect();
        assert_eq!(topics, [Some(Topic::Homicide); 3]);
    }

    #[test]
    fn a_share_is_about_what_it_is_a_share_of() {
        assert_eq!(
            one("Some 56 percent of murders were linked to drug trafficking.", Lang::En).topic,
            Some(Topic::Homicide)
        );
        assert_eq!(
            one("El 25 % de los homicidios se debió a la extorsión.", Lang::Es).topic,
            Some(Topic::Homicide)
        );
        assert_eq!(
            one("Some 30 percent of the police budget went to salaries.", Lang::En).topic,
            Some(Topic::PublicSpending)
        );
    }

    #[test]
    fn a_change_takes_the_year_of_the_level_it_reached() {
        assert_eq!(
            years("Extortion fell 12%, from 3,400 cases in 2022 to 2,990 in 2023.", Lang::En),
            vec![Some(2023), Some(2022), Some(2023)]
        );
    }
}
