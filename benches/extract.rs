//! Throughput of `extract::extract` on plain text, in MB of text per CPU second.
//!
//! Run with `cargo bench --bench extract`; `cargo bench --bench extract -- real` runs only the
//! measures whose name holds `real`. The built-in text mixes English and Spanish news
//! prose, with and without figures, so both the fast path and the statistics path are measured.
//! Real article bodies are measured too when a JSON object of `{"articleBody": ...}` values is
//! found at `$VIGIA_BENCH_TEXT` (such as a main-text benchmark's ground truth); otherwise that
//! part is skipped. Time is the process's CPU time (user + system, `/proc/self/stat`),
//! or wall time where that file is missing.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use vigia::article;
use vigia::extract::{self, Lang};

const EN: &str = "Police in the northern province seized 3.4 tons of cocaine hidden in a banana shipment on Tuesday, \
the third large haul this year. Officials said at least 14 suspects were arrested and that the gang moved between 2 and 4 tons \
a month through the port. The homicide rate fell to 18.2 per 100,000 inhabitants in 2023, down from 21.5 the year before, \
according to the national statistics institute. The mayor announced a budget of $45 million for new patrol cars and said \
the city would hire 1,200 officers. Meanwhile, the local football club won its third match in a row, and shares in the \
port operator rose 2 percent on the stock exchange.\n\n";

const ES: &str = "La Policía Nacional decomisó 1,8 toneladas de marihuana en una vivienda del distrito, informó el ministerio. \
Según la encuesta, el 71,3 % de los vecinos se siente inseguro y casi 4 de cada 10 hogares fue víctima de algún delito. \
La jueza ordenó 24 meses de prisión preventiva para los siete investigados, acusados de cobrar cupos de entre 40 y 150 soles. \
El Gobierno destinará S/ 350 millones para construir dos penales con capacidad para 3.000 internos. \
En otra noticia, el equipo local ganó 2-1 y la bolsa cerró con una leve subida.\n\n";

fn corpus(lang: Lang, bytes: usize) -> String {
    let unit = if lang == Lang::Es { ES } else { EN };
    let mut s = String::with_capacity(bytes + unit.len());
    while s.len() < bytes {
        s.push_str(unit);
    }
    s
}

/// Seconds of CPU time used by this process so far, or of wall time since `start` when
/// `/proc/self/stat` cannot be read.
fn seconds(start: Instant) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the state, field 3;
    // utime and stime are fields 14 and 15, in ticks of 1/100 s on Linux.
    let ticks: Option<u64> = stat.rsplit_once(')').and_then(|(_, rest)| {
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    });
    match ticks {
        Some(t) => t as f64 / 100.0,
        None => start.elapsed().as_secs_f64(),
    }
}

/// MB of `texts` extracted per second, over at least three seconds.
fn measure(texts: &[(Lang, &str)]) -> f64 {
    // Warm up the lexicons once.
    for (lang, text) in texts {
        black_box(extract::extract(&text[..text.floor_char_boundary(4096)], *lang));
    }
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let mut runs = 0u32;
    let wall = Instant::now();
    let started = seconds(wall);
    while seconds(wall) - started < 3.0 || runs < 2 {
        for (lang, text) in texts {
            black_box(extract::extract(black_box(text), *lang));
        }
        runs += 1;
    }
    let secs = seconds(wall) - started;
    (bytes as f64 * f64::from(runs)) / secs / 1e6
}

/// The article bodies of the real-text file, if there is one.
fn real_bodies() -> Option<(PathBuf, Vec<String>)> {
    let path = PathBuf::from(std::env::var_os("VIGIA_BENCH_TEXT")?);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let bodies = json
        .as_object()?
        .values()
        .filter_map(|v| v.get("articleBody")?.as_str())
        .filter(|b| !b.trim().is_empty())
        .map(str::to_string)
        .collect();
    Some((path, bodies))
}

/// Whether the measure `name` was asked for: arguments that are not options filter the
/// measures to those whose name holds one of them.
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn main() {
    let size = 2_000_000;
    for (name, lang) in [("en", Lang::En), ("es", Lang::Es)] {
        if !wanted(&format!("extract/{name}")) {
            continue;
        }
        let text = corpus(lang, size);
        let mbps = measure(&[(lang, &text)]);
        println!(
            "extract/{name}: {mbps:.1} MB per CPU second ({} KB of text per run)",
            text.len() / 1024
        );
    }
    if wanted("extract/plain") {
        plain();
    }
    real();
}

fn plain() {
    let prose = "The committee met on Monday to discuss the new curriculum and the schedule for the coming term. \
Members agreed to publish the minutes next week and to invite parents to the open day.\n\n"
        .repeat(10_000);
    let mbps = measure(&[(Lang::En, &prose)]);
    println!("extract/plain: {mbps:.1} MB per CPU second (text without figures)");
}

fn real() {
    if !["extract/real", "extract/real-as-en", "extract/real-as-es"].into_iter().any(wanted) {
        return;
    }
    let Some((path, bodies)) = real_bodies() else {
        println!("extract/real: skipped (set VIGIA_BENCH_TEXT to a readable JSON file of {{\"id\": {{\"articleBody\": ...}}}})");
        return;
    };
    if wanted("extract/real") {
        // Each body in the language the pipeline would detect, as `vigia run` does.
        let texts: Vec<(Lang, &str)> = bodies
            .iter()
            .map(|b| {
                let code = article::detect_language(b).unwrap_or_else(|| "en".to_string());
                (Lang::from_code(&code), b.as_str())
            })
            .collect();
        let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
        let mbps = measure(&texts);
        println!(
            "extract/real: {mbps:.1} MB per CPU second ({} bodies, {} KB, from {})",
            texts.len(),
            bytes / 1024,
            path.display()
        );
    }
    for (name, lang) in [("en", Lang::En), ("es", Lang::Es)] {
        if !wanted(&format!("extract/real-as-{name}")) {
            continue;
        }
        let as_lang: Vec<(Lang, &str)> = bodies.iter().map(|b| (lang, b.as_str())).collect();
        let mbps = measure(&as_lang);
        println!("extract/real-as-{name}: {mbps:.1} MB per CPU second (every body as {name})");
    }
}
