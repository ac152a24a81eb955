//! Article relevance against labelled articles in `tests/fixtures/relevance/{security,other}/`:
//! security articles must score at least 0.5 and the others below it.

use std::path::Path;

use vigia::article;
use vigia::extract::{self, Lang};

/// Share of labelled articles that must land on the right side of 0.5.
const MIN_ACCURACY: f64 = 0.9;

#[test]
fn labelled_articles_fall_on_the_right_side() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/relevance");
    if !root.is_dir() {
        eprintln!("no labelled relevance fixtures in {}", root.display());
        return;
    }
    let (mut right, mut total) = (0usize, 0usize);
    let mut wrong = Vec::new();
    for (label, security) in [("security", true), ("other", false)] {
        let Ok(dir) = std::fs::read_dir(root.join(label)) else { continue };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
            let lang = Lang::from_code(article::detect_language(&text).as_deref().unwrap_or("en"));
            let relevance = extract::extract(&text, lang).relevance;
            total += 1;
            if (relevance >= 0.5) == security {
                right += 1;
            } else {
                wrong.push(format!("{} ({relevance:.2})", path.display()));
            }
        }
    }
    if total == 0 {
        return;
    }
    let accuracy = right as f64 / total as f64;
    assert!(accuracy >= MIN_ACCURACY, "relevance accuracy {accuracy:.2}; wrong: {wrong:#?}");
}
