//! Security relevance on a labelled folder of English and Spanish articles: security news
//! must score at least 0.5 and other news (sport, markets, weather, culture) below it.

use std::path::Path;

use vigia::extract::{self, Lang};

/// Relevance of every text in `tests/fixtures/relevance/<label>/`, with its file name.
fn scores(label: &str) -> Vec<(String, f64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/relevance").join(label);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let lang = if name.starts_with("es") { Lang::Es } else { Lang::En };
        let text = std::fs::read_to_string(&path).unwrap();
        out.push((name, extract::extract(&text, lang).relevance));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn relevance_separates_security_news_from_other_news() {
    let security = scores("security");
    let other = scores("other");
    assert!(security.len() >= 10 && other.len() >= 10);
    let tp = security.iter().filter(|(_, r)| *r >= 0.5).count();
    let fp = other.iter().filter(|(_, r)| *r >= 0.5).count();
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / security.len() as f64;
    println!(
        "relevance at 0.5: precision {precision:.3} recall {recall:.3} ({tp} of {} security, {fp} of {} other)",
        security.len(),
        other.len()
    );
    for (name, r) in security.iter().filter(|(_, r)| *r < 0.5) {
        println!("  security scored low: {name} {r:.2}");
    }
    for (name, r) in other.iter().filter(|(_, r)| *r >= 0.5) {
        println!("  other scored high: {name} {r:.2}");
    }
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.9, "recall {recall:.3}");
    for (_, r) in security.iter().chain(&other) {
        assert!((0.0..=1.0).contains(r));
    }
}
