//! The built `vigia extract` and the topic of each figure across a whole article: a figure whose
//! sentence names no topic goes on with its passage, a hint in a name or a caption sets none, and
//! what no topic counts (a population, suicides) keeps none.

mod common;

use common::cli::{stdout_of, vigia};

/// (value, topic) of every statistic `vigia extract` finds in a fixture text.
fn topics(fixture: &str, lang: &str) -> Vec<(f64, Option<String>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/topics")
        .join(fixture);
    let text = std::fs::read_to_string(path).unwrap();
    let out = stdout_of(vigia().args(["extract", "--text", "--lang", lang]).write_stdin(text));
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    record["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["value"].as_f64().unwrap_or(f64::NAN), s["topic"].as_str().map(str::to_string)))
        .collect()
}

fn topic_of(found: &[(f64, Option<String>)], value: f64) -> Option<&str> {
    let hit = found.iter().find(|(v, _)| *v == value);
    assert!(hit.is_some(), "{value} not found in {found:?}");
    hit.and_then(|(_, t)| t.as_deref())
}

#[test]
fn an_opening_passage_keeps_its_own_topic_in_a_text_mostly_about_another() {
    let found = topics("mining_then_coca.txt", "es");
    // The mining passage: its bare shares and areas are about mining, though coca has more figures.
    for v in [61300.0, 64800.0, 68.0, 41700.0, 80.0] {
        assert_eq!(topic_of(&found, v), Some("illegal_mining"), "{v}");
    }
    // The size of the population, and suicides, are none of the topics.
    assert_eq!(topic_of(&found, 9_000_000.0), None);
    assert_eq!(topic_of(&found, 455.0), None);
    for v in [12100.0, 4300.0, 2900.0, 9.0] {
        assert_eq!(topic_of(&found, v), Some("coca_cultivation"), "{v}");
    }
}
