//! `vigia extract`: one document (or several, as JSON Lines) in, the extraction record out.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;

use vigia::article::{Article, charset};
use vigia::config::Language;
use vigia::extract::{Entity, Extraction, Statistic, Topic};
use vigia::pipeline::{self, PageAnalysis};

/// The largest input read; anything up to 10 MB is always accepted.
const MAX_INPUT: u64 = 10 * 1024 * 1024;

#[derive(Args)]
#[command(
    after_help = "Examples:\n  vigia extract page.html\n  curl -s URL | vigia extract --url URL -\n  echo 'Se incautaron 8,5 toneladas de cocaína.' | vigia extract --text --lang es\n  vigia extract saved/*.html > records.jsonl"
)]
pub struct ExtractArgs {
    /// The input is plain text, not HTML (the body is the text itself)
    #[arg(long)]
    text: bool,
    /// Language rules to apply
    #[arg(long, value_enum, default_value_t = LangArg::Auto)]
    lang: LangArg,
    /// The page's address (resolves links, dates from the URL)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Files to read; `-` or nothing reads standard input. Two or more print JSON Lines
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    En,
    Es,
    Auto,
}

/// The record printed for one document (`contracts/extract.md`).
#[derive(Serialize)]
struct Record {
    title: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    authors: Vec<String>,
    canonical_url: Option<String>,
    language: String,
    body: String,
    relevance: f64,
    topics: Vec<Topic>,
    entities: Vec<Entity>,
    statistics: Vec<Statistic>,
}

pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    // Buffered: serde_json writes a record in many small pieces.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.paths.len() <= 1 {
        let path = args.paths.first().map(PathBuf::as_path);
        let bytes = read_input(path)?;
        let record = process_guarded(&args, &bytes)?;
        serde_json::to_writer(&mut out, &record)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    for path in &args.paths {
        let processed = read_input(Some(path)).and_then(|bytes| process_guarded(&args, &bytes));
        let line = match processed {
            Ok(record) => {
                let mut value = serde_json::to_value(&record)?;
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert("path".into(), path.display().to_string().into());
                }
                value
            }
            Err(err) => {
                failed = true;
                serde_json::json!({ "path": path.display().to_string(), "error": format!("{err:#}") })
            }
        };
        serde_json::to_writer(&mut out, &line)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Reads a file or standard input, refusing empty input and input over the cap.
fn read_input(path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let name = match path {
        None => "standard input".to_string(),
        Some(p) if p == Path::new("-") => "standard input".to_string(),
        Some(p) => p.display().to_string(),
    };
    match path {
        Some(p) if p != Path::new("-") => {
            let file = std::fs::File::open(p).with_context(|| format!("cannot open {name}"))?;
            file.take(MAX_INPUT + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
        }
        _ => {
            std::io::stdin()
                .lock()
                .take(MAX_INPUT + 1)
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
        }
    }
    if bytes.len() as u64 > MAX_INPUT {
        bail!("{name} is larger than {} MiB", MAX_INPUT / (1024 * 1024));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!("{name} is empty");
    }
    Ok(bytes)
}

/// [`process`], with a panic in it turned into an error naming it, so one input that trips a bug
/// gives a clear message (and, among several inputs, fails that input only).
fn process_guarded(args: &ExtractArgs, bytes: &[u8]) -> anyhow::Result<Record> {
    pipeline::catch_panic(|| process(args, bytes)).unwrap_or_else(|why| Err(anyhow::anyhow!("page analysis failed: {why}")))
}

fn process(args: &ExtractArgs, bytes: &[u8]) -> anyhow::Result<Record> {
    let language = match args.lang {
        LangArg::En => Language::En,
        LangArg::Es => Language::Es,
        LangArg::Auto => Language::Auto,
    };
    let PageAnalysis {
        article: art,
        language,
        extraction: Extraction {
            relevance,
            topics,
            entities,
            statistics,
        },
    } = if args.text {
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t.to_string(),
            Err(_) => charset::decode(bytes, Some("text/plain")),
        };
        let art = Article {
            body: text.trim_end().to_string(),
            ..Article::default()
        };
        pipeline::analyse_article(art, language)
    } else {
        pipeline::analyse_page(bytes, None, args.url.as_deref(), None, language)
    };
    Ok(Record {
        title: art.title,
        published: art.published,
        modified: art.modified,
        authors: art.authors,
        canonical_url: art.canonical_url,
        language,
        body: art.body,
        relevance,
        topics,
        entities,
        statistics,
    })
}
