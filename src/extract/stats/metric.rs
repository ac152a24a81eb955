//! Metric: what a rate or share measures ("homicide rate", "tasa de desempleo").

use super::*;

/// A short phrase naming what is measured.
pub(super) fn metric(toks: &Tokens<'_>, dr: &Draft, lang: Lang) -> Option<String> {
    let topic_name = || dr.topic.map(|t| t.as_str().replace('_', " "));
    if dr.unit == "count" {
        return dr.counted.clone().or_else(topic_name);
    }
    // "homicide rate", "tasa de homicidios" somewhere before the figure.
    if dr.unit == "per_100k" {
        for j in (0..dr.first).rev() {
            match toks.norm(j) {
                "rate" | "rates" if j > 0 && toks.is_word(j - 1) && !is_stop(toks, j - 1, lang) => {
                    return Some(toks.text[toks.start(j - 1)..toks.end(j)].to_string());
                }
                "rate" | "rates" => {
                    return Some(
                        dr.topic
                            .map_or_else(|| "rate".to_string(), |t| format!("{} rate", t.as_str().replace('_', " "))),
                    );
                }
                "tasa" | "tasas" if toks.norm(j + 1) == "de" && toks.is_word(j + 2) => {
                    return Some(toks.text[toks.start(j)..toks.end(j + 2)].to_string());
                }
                _ => {}
            }
        }
        return dr.counted.clone().or_else(topic_name);
    }
    // "10 tons of cocaine", "18.500 hectáreas de coca", "$3 million in kickbacks".
    let e = dr.end;
    let link = toks.norm(e);
    if matches!(link, "of" | "de" | "in" | "en") && toks.is_word(e + 1) {
        let mut k = e + 1;
        if matches!(toks.norm(k), "the" | "la" | "el" | "los" | "las") {
            k += 1;
        }
        let last = k;
        if dr.unit == "percent" && dr.topic.is_some() {
            return topic_name();
        }
        if toks.is_word(k) && !is_stop(toks, k, lang) {
            return Some(toks.text[toks.start(k)..toks.end(last)].to_string());
        }
    }
    topic_name()
}
