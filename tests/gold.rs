//! The extractor against the held-out gold set in `tests/fixtures/gold/holdout.jsonl`:
//! statistics, people and organisations matched as the extract contract's scoring does,
//! with floors that catch a regression long before it reaches a researcher.

use std::path::Path;

use serde_json::Value;
use vigia::extract::geo::words::fold;
use vigia::extract::{self, EntityType, Lang};

/// Lower case, accents and punctuation dropped, a leading article removed.
fn norm(s: &str) -> String {
    let folded: String = fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() || c.is_whitespace() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let words = match words.first() {
        Some(&("the" | "el" | "la" | "los" | "las")) => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if (a - b).abs() <= 1e-6 * b.abs().max(1.0))
}

#[derive(Default, Debug)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
    etp: u32,
    efp: u32,
    efn: u32,
}

impl Counts {
    fn f1(tp: u32, fp: u32, fn_: u32) -> (f64, f64, f64) {
        let p = if tp + fp > 0 { tp as f64 / (tp + fp) as f64 } else { 0.0 };
        let r = if tp + fn_ > 0 { tp as f64 / (tp + fn_) as f64 } else { 0.0 };
        (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    }
}

#[test]
fn held_out_statistics_and_entities_stay_above_their_floors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gold/holdout.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut c = Counts::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Value = serde_json::from_str(line).unwrap();
        let lang = if item["lang"] == "es" { Lang::Es } else { Lang::En };
        let body = item["text"].as_str().unwrap();
        let out = extract::extract(body, lang);
        let chars = body.chars().count();

        let mut used = vec![false; out.statistics.len()];
        for g in item["statistics"].as_array().unwrap() {
            let hit = out.statistics.iter().enumerate().position(|(i, p)| {
                !used[i]
                    && p.unit == g["unit"].as_str().unwrap()
                    && match g.get("value") {
                        Some(v) => close(p.value, v.as_f64()),
                        None => close(p.low, g["low"].as_f64()) && close(p.high, g["high"].as_f64()),
                    }
            });
            match hit {
                Some(i) => {
                    used[i] = true;
                    c.tp += 1;
                }
                None => {
                    c.fn_ += 1;
                    println!("[{}] missed {g}", item["id"]);
                }
            }
        }
        for (s, u) in out.statistics.iter().zip(&used) {
            assert!(
                s.start < s.end && s.end <= chars,
                "[{}] offsets {}..{} outside the body",
                item["id"],
                s.start,
                s.end
            );
            if !u {
                c.fp += 1;
                println!("[{}] extra {:?} {:?} {:?} {}", item["id"], s.value, s.low, s.high, s.unit);
            }
        }

        let people: Vec<_> = out.entities.iter().filter(|e| e.kind != EntityType::Location).collect();
        let mut eused = vec![false; people.len()];
        for g in item["entities"].as_array().unwrap().iter().filter(|g| g["type"] != "location") {
            let mut names = vec![norm(g["name"].as_str().unwrap())];
            if let Some(aliases) = g["aliases"].as_array() {
                names.extend(aliases.iter().filter_map(Value::as_str).map(norm));
            }
            let same = |e: &extract::Entity| e.kind.as_str() == g["type"].as_str().unwrap() && names.contains(&norm(&e.name));
            match people.iter().enumerate().position(|(i, e)| !eused[i] && same(e)) {
                Some(_) => {
                    c.etp += 1;
                    // Further mentions of the same entity (its alias) are no error.
                    for (i, e) in people.iter().enumerate() {
                        if same(e) {
                            eused[i] = true;
                        }
                    }
                }
                None => {
                    c.efn += 1;
                    println!("[{}] missed {} {}", item["id"], g["type"], g["name"]);
                }
            }
        }
        for (e, u) in people.iter().zip(&eused) {
            if !u {
                c.efp += 1;
                println!("[{}] extra {} {}", item["id"], e.kind.as_str(), e.name);
            }
        }
    }
    let (sp, sr, sf) = Counts::f1(c.tp, c.fp, c.fn_);
    let (ep, er, ef) = Counts::f1(c.etp, c.efp, c.efn);
    println!("statistics: precision {sp:.3} recall {sr:.3} F1 {sf:.3}; persons+organisations: precision {ep:.3} recall {er:.3} F1 {ef:.3}");
    assert!(sf >= 0.93 && sp >= 0.93, "statistics F1 {sf:.3}, precision {sp:.3}");
    assert!(ef >= 0.90, "persons+organisations F1 {ef:.3}");
}
