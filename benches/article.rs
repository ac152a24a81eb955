//! Throughput of the article stage: extracts every fixture page N times, prints MB/s.
//!
//! `cargo bench --bench article [-- ROUNDS]`; pages come from `tests/fixtures/article/` and,
//! when present, `tests/fixtures/articles/`.

use std::path::Path;
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut pages: Vec<String> = Vec::new();
    for dir in ["article", "articles"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                pages.push(vigia::article::charset::decode(&bytes, None));
            }
        }
    }
    if pages.is_empty() {
        eprintln!("no fixture pages found under {}", root.display());
        return;
    }
    let bytes: usize = pages.iter().map(String::len).sum();
    // One warm-up round so lazily built tables are not timed.
    let mut sink = 0usize;
    for page in &pages {
        sink += vigia::article::extract_article(page, None, None).body.len();
    }
    // The parse alone, to see what the extraction adds on top of it.
    let start = Instant::now();
    for _ in 0..rounds {
        for page in &pages {
            sink += scraper::Html::parse_document(page).tree.nodes().count();
        }
    }
    let parse_secs = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..rounds {
        for page in &pages {
            sink += vigia::article::extract_article(page, None, None).body.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (bytes * rounds) as f64 / 1e6;
    println!("parse only: {:.3} s, {:.1} MB/s", parse_secs, mb / parse_secs);
    println!(
        "article: {} pages, {:.1} KB, {} rounds: {:.3} s, {:.1} MB/s, {:.1} pages/s (checksum {})",
        pages.len(),
        bytes as f64 / 1e3,
        rounds,
        secs,
        mb / secs,
        (pages.len() * rounds) as f64 / secs,
        sink % 1000
    );
}
