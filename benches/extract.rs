//! Throughput of `extract::extract` on plain text, in MB of text per second on one core.
//!
//! Run with `cargo bench --bench extract`. The text mixes English and Spanish news prose,
//! with and without figures, so both the fast path and the statistics path are measured.

use std::hint::black_box;
use std::time::{Duration, Instant};

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

fn measure(lang: Lang, text: &str) -> f64 {
    // Warm up the lexicons once.
    black_box(extract::extract(&text[..text.len().min(4096)], lang));
    let mut runs = 0u32;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) || runs < 2 {
        black_box(extract::extract(black_box(text), lang));
        runs += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    (text.len() as f64 * f64::from(runs)) / secs / 1e6
}

fn main() {
    let size = 2_000_000;
    for (name, lang) in [("en", Lang::En), ("es", Lang::Es)] {
        let text = corpus(lang, size);
        let mbps = measure(lang, &text);
        println!("extract/{name}: {mbps:.1} MB/s per core ({} KB of text per run)", text.len() / 1024);
    }
    let prose = "The committee met on Monday to discuss the new curriculum and the schedule for the coming term. \
Members agreed to publish the minutes next week and to invite parents to the open day.\n\n"
        .repeat(10_000);
    let mbps = measure(Lang::En, &prose);
    println!("extract/plain: {mbps:.1} MB/s per core (text without figures)");
}
