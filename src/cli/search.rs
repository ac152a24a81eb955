//! `vigia search`: full-text search of the stored articles, best first, each hit with a passage
//! around the match and its figures, as a list, CSV or JSON Lines.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use vigia::store::{Highlighted, HitFigure, SearchHit, SearchQuery, StoreError};

use super::table::terminal_text;
use super::{FilterArgs, Global, UsageError};

#[derive(Args)]
#[command(after_help = "Examples:\n  vigia search extorsión Lima --since 2024-01-01\n  \
vigia search '\"estado de emergencia\" AND (Lima OR Callao)' --source diario --limit 5\n  \
vigia search 'extor* NOT title:Guatemala' --lang en --format json\n\n\
Titles and bodies are searched with accents and case ignored (extorsion finds \"extorsión\").\n\
Every word must occur. AND, OR and NOT combine words (a NOT b: a without b), parentheses group\n\
them, \"double quotes\" hold an exact phrase (quote it for the shell: '\"...\"'; quoted, and/or/not\n\
are words again), a final * finds every word that starts so (extor* finds extortion and\n\
extorsiones), and title:word or body:word looks in one field only.\n\n\
Hits come best first (a word in the title counts more), each with its URL, date, language,\n\
source, a passage of the body around the match and its figures: those in the passage first,\n\
then the article's first ones. On a terminal the matches are bold; elsewhere they are [marked].")]
pub struct SearchArgs {
    /// What to look for (several words are one search)
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    query: Vec<String>,
    #[command(flatten)]
    filter: FilterArgs,
    /// The most hits shown, best first
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// The most figures shown per hit
    #[arg(long, value_name = "N", default_value_t = 5)]
    figures: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = SearchFormat::Table)]
    format: SearchFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SearchFormat {
    Table,
    Csv,
    Json,
}

pub fn run(global: &Global, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let text = args.query.join(" ");
    let unreadable = |why: String| UsageError(format!("cannot read the search `{text}`: {why}"));
    let fts = to_fts(&text).map_err(unreadable)?;
    let store = super::open_store_read_only(global)?;
    let filter = args.filter.to_filter(&store)?;
    let query = SearchQuery {
        fts,
        filter,
        limit: args.limit,
    };
    let results = store.search(&query).map_err(|e| match e {
        StoreError::Query(why) => unreadable(why).into(),
        other => anyhow::Error::from(other),
    })?;

    let stdout = std::io::stdout();
    // Bold and underline only for a person at a terminal, never in a file or a pipe.
    let marks = if args.format == SearchFormat::Table && stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) {
        TERMINAL
    } else {
        BRACKETS
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        SearchFormat::Table => {
            for (i, hit) in results.hits.iter().enumerate() {
                write_block(&mut out, i + 1, hit, args.figures, &marks)?;
            }
        }
        SearchFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            for (i, hit) in results.hits.iter().enumerate() {
                let shown = chosen(&hit.figures, args.figures);
                let summaries: Vec<String> = shown.iter().map(|f| summary(f)).collect();
                let cells = [
                    Value::from(i + 1),
                    Value::from(hit.score),
                    Value::from(hit.url.as_str()),
                    Value::from(plain(&hit.title)),
                    Value::from(hit.published.as_deref()),
                    Value::from(hit.language.as_deref()),
                    Value::from(hit.source.as_str()),
                    Value::from(snippet(hit, &BRACKETS, false)),
                    Value::from(summaries.join("; ")),
                    Value::from(hit.figures.len()),
                ];
                let cells: Vec<_> = cells.iter().map(vigia::export::csv_cell).collect();
                w.write_record(cells.iter().map(|c| c.as_bytes()))?;
            }
            w.flush()?;
        }
        SearchFormat::Json => {
            for (i, hit) in results.hits.iter().enumerate() {
                serde_json::to_writer(&mut out, &hit_json(i + 1, hit, args.figures))?;
                writeln!(out)?;
            }
        }
    }
    // The hits first, then the count, even when both go to one terminal.
    out.flush()?;
    if !global.quiet {
        let shown = results.hits.len();
        if shown == 0 {
            super::notice("vigia search: nothing matches");
        } else if args.format == SearchFormat::Table {
            let noun = if results.total == 1 { "article" } else { "articles" };
            match results.total {
                t if t as usize > shown => super::notice(&format!("({shown} of {t} {noun}; --limit shows more)")),
                t => super::notice(&format!("({t} {noun})")),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The columns of `--format csv`.
const CSV_COLUMNS: [&str; 10] = [
    "rank",
    "score",
    "url",
    "title",
    "published",
    "language",
    "source",
    "snippet",
    "figures",
    "figures_total",
];

/// What goes around a match.
struct Marks {
    open: &'static str,
    close: &'static str,
}

const BRACKETS: Marks = Marks { open: "[", close: "]" };
const TERMINAL: Marks = Marks {
    open: "\u{1b}[1;4m",
    close: "\u{1b}[0m",
};

/// One hit as a short block of lines: rank and title, where it comes from, the passage, the
/// figures. Everything from the page goes through [`terminal_text`], so only our own marks
/// reach the terminal as escapes.
fn write_block(out: &mut dyn Write, rank: usize, hit: &SearchHit, figures: usize, marks: &Marks) -> std::io::Result<()> {
    let title = if hit.title.is_empty() {
        "(no title)".to_string()
    } else {
        marked(&hit.title, marks, true)
    };
    writeln!(out, "{rank}. {title}")?;
    let day = hit.published.as_deref().map_or("undated", |p| p.get(..10).unwrap_or(p));
    let language = hit.language.as_deref().unwrap_or("?");
    writeln!(
        out,
        "   {} · {} · {} · {}",
        terminal_text(day),
        terminal_text(language),
        terminal_text(&hit.source),
        terminal_text(&hit.url)
    )?;
    let passage = snippet(hit, marks, true);
    if !passage.is_empty() {
        writeln!(out, "   {passage}")?;
    }
    let shown = chosen(&hit.figures, figures);
    for f in &shown {
        writeln!(
            out,
            "   • {}  \"{}\"",
            terminal_text(&summary(f)),
            terminal_text(&one_line(&f.text))
        )?;
    }
    match hit.figures.len() - shown.len() {
        0 => {}
        1 => writeln!(out, "   (1 more figure)")?,
        more => writeln!(out, "   ({more} more figures)")?,
    }
    writeln!(out)
}

/// One hit as `--format json` writes it, its figures an array.
#[derive(Serialize)]
struct HitJson<'a> {
    rank: usize,
    score: f64,
    url: &'a str,
    title: Option<String>,
    published: Option<&'a str>,
    language: Option<&'a str>,
    source: &'a str,
    snippet: String,
    figures: Vec<FigureJson<'a>>,
    figures_total: usize,
}

/// A figure of a hit in `--format json`.
#[derive(Serialize)]
struct FigureJson<'a> {
    value: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    unit: &'a str,
    qualifier: Option<&'a str>,
    topic: Option<&'a str>,
    year: Option<i32>,
    location: Option<&'a str>,
    change: Option<&'a str>,
    text: &'a str,
    start: i64,
    end: i64,
    in_snippet: bool,
}

fn hit_json(rank: usize, hit: &SearchHit, figures: usize) -> HitJson<'_> {
    HitJson {
        rank,
        score: hit.score,
        url: &hit.url,
        title: (!hit.title.is_empty()).then(|| plain(&hit.title)),
        published: hit.published.as_deref(),
        language: hit.language.as_deref(),
        source: &hit.source,
        snippet: snippet(hit, &BRACKETS, false),
        figures: chosen(&hit.figures, figures)
            .into_iter()
            .map(|f| FigureJson {
                value: f.value,
                low: f.low,
                high: f.high,
                unit: &f.unit,
                qualifier: f.qualifier.as_deref(),
                topic: f.topic.as_deref(),
                year: f.year,
                location: f.location.as_deref(),
                change: f.change.as_deref(),
                text: &f.text,
                start: f.start,
                end: f.end,
                in_snippet: f.in_snippet,
            })
            .collect(),
        figures_total: hit.figures.len(),
    }
}

/// The figures shown for a hit: those inside its snippet first, then the article's first
/// ones, at most `n`, each group in body order.
fn chosen(figures: &[HitFigure], n: usize) -> Vec<&HitFigure> {
    let inside = figures.iter().filter(|f| f.in_snippet);
    let outside = figures.iter().filter(|f| !f.in_snippet);
    inside.chain(outside).take(n).collect()
}

/// A figure in a few words: `≥9 count · prisons · 2024 · EC`.
fn summary(f: &HitFigure) -> String {
    let number = |x: f64| x.to_string();
    let amount = match (f.value, f.low, f.high) {
        (Some(v), _, _) => number(v),
        (None, Some(low), Some(high)) => format!("{}–{}", number(low), number(high)),
        (None, Some(x), None) | (None, None, Some(x)) => number(x),
        (None, None, None) => "?".to_string(),
    };
    let qualifier = match f.qualifier.as_deref() {
        None => String::new(),
        Some("approx") => "~".to_string(),
        Some("at_least") => "≥".to_string(),
        Some("more_than") => ">".to_string(),
        Some("less_than") => "<".to_string(),
        Some("at_most") => "≤".to_string(),
        Some(other) => format!("{other} "),
    };
    let mut parts = vec![format!("{qualifier}{amount} {}", f.unit)];
    parts.extend(f.topic.clone());
    parts.extend(f.year.map(|y| y.to_string()));
    parts.extend(f.location.clone());
    parts.extend(f.change.clone());
    parts.join(" · ")
}

/// A hit's passage on one line, matches marked, `…` where the body goes on.
fn snippet(hit: &SearchHit, marks: &Marks, escape: bool) -> String {
    let text = marked(&hit.snippet, marks, escape);
    if text.is_empty() {
        return text;
    }
    let before = if hit.more_before { "…" } else { "" };
    let after = if hit.more_after { "…" } else { "" };
    format!("{before}{text}{after}")
}

/// Highlighted text on one line with its matches between `marks`; with `escape`, control
/// characters shown as the tables show them.
fn marked(parts: &[Highlighted], marks: &Marks, escape: bool) -> String {
    let mut shown = String::new();
    for part in parts {
        let text = one_line(&part.text);
        let text = if escape { terminal_text(&text).into_owned() } else { text };
        if part.matched {
            shown.push_str(marks.open);
            shown.push_str(&text);
            shown.push_str(marks.close);
        } else {
            shown.push_str(&text);
        }
    }
    shown
}

/// Highlighted text as it is, without marks.
fn plain(parts: &[Highlighted]) -> String {
    parts.iter().map(|p| p.text.as_str()).collect()
}

/// `text` with every run of whitespace (line breaks between paragraphs included) one space.
fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                line.push(' ');
            }
            in_space = true;
        } else {
            line.push(c);
            in_space = false;
        }
    }
    line
}

/// One piece of a search as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word or phrase, already in FTS5 syntax.
    Term(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl Token {
    fn is_operator(&self) -> bool {
        matches!(self, Token::And | Token::Or | Token::Not)
    }

    /// The token as typed, for messages.
    fn shown(&self) -> &str {
        match self {
            Token::Term(t) => t,
            Token::And => "AND",
            Token::Or => "OR",
            Token::Not => "NOT",
            Token::Open => "(",
            Token::Close => ")",
        }
    }
}

/// The fields a word can be looked for in alone (`title:word`), as named in `articles_fts`.
const COLUMNS: [&str; 2] = ["title", "body"];

const NOTHING: &str = "there is nothing to look for: give words, a \"phrase\" or a prefix such as extor*";

/// A search as a person types it, made an FTS5 query: every word or phrase quoted (so
/// punctuation such as `Lima-Callao` or `S/` never reads as FTS5 syntax) and every operator
/// grouped explicitly. Mistakes are told in plain words.
pub fn to_fts(query: &str) -> Result<String, String> {
    let tokens = tokens(query)?;
    if tokens.is_empty() {
        return Err(NOTHING.to_string());
    }
    let mut parser = Parser { tokens, at: 0 };
    let fts = parser.any()?;
    match parser.peek() {
        None => Ok(fts),
        // Every other token continues an expression, so only a `)` is left over.
        Some(_) => Err("a `)` with no `(` before it".to_string()),
    }
}

/// The tokens of a search, left to right. Words and phrases with nothing searchable in them
/// (a lone dash or question mark) are left out.
fn tokens(query: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = query;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok(tokens);
        };
        let (token, after) = match c {
            '(' => (Some(Token::Open), &rest[c.len_utf8()..]),
            ')' => (Some(Token::Close), &rest[c.len_utf8()..]),
            _ => term(rest)?,
        };
        tokens.extend(token);
        rest = after;
    }
}

/// Reads an operator, word or "phrase" (with its field and prefix mark) from the start of
/// `rest`, which starts with neither whitespace nor a parenthesis.
fn term(rest: &str) -> Result<(Option<Token>, &str), String> {
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"'))
        .unwrap_or(rest.len());
    let (word, after) = rest.split_at(end);
    // Operators in any case: "extorsión and Lima" means what it says, and the words themselves
    // are too common to look for alone (quoted, they are words again).
    for (name, op) in [("AND", Token::And), ("OR", Token::Or), ("NOT", Token::Not)] {
        if word.eq_ignore_ascii_case(name) {
            return Ok((Some(op), after));
        }
    }
    let (column, word) = match word.split_once(':') {
        Some((name, word)) if COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name)) => (Some(name.to_ascii_lowercase()), word),
        _ => (None, word),
    };
    if !word.is_empty() {
        if let Some(left_out) = word.strip_prefix('-').filter(|w| w.chars().any(char::is_alphanumeric)) {
            return Err(format!(
                "`{word}`: to leave a word out, write NOT before it, after what you look for (extorsión NOT {left_out})"
            ));
        }
        let stem = word.trim_end_matches('*');
        if stem.is_empty() {
            return Err("a lone `*`: put it at the end of a word to find every word that starts so (extor*)".to_string());
        }
        if stem.contains('*') {
            return Err(format!("`{word}`: * marks a prefix and goes only at the end of a word (extor*)"));
        }
        return Ok((fts_term(column.as_deref(), stem, stem.len() < word.len()), after));
    }
    // No word: a phrase starts here, maybe after a field name.
    let Some(inside) = after.strip_prefix('"') else {
        let name = column.unwrap_or_default();
        return Err(format!("`{name}:` needs a word or a \"phrase\" right after it ({name}:extorsión)"));
    };
    let Some(close) = inside.find('"') else {
        let opening: String = inside.chars().take(30).collect();
        return Err(format!("the quote (\") before `{}` is never closed", opening.trim_end()));
    };
    let phrase = &inside[..close];
    let after = &inside[close + 1..];
    let stem_after = after.trim_start_matches('*');
    Ok((fts_term(column.as_deref(), phrase, stem_after.len() < after.len()), stem_after))
}

/// A word or phrase in FTS5 syntax: quoted, with its field and prefix mark; None when it holds
/// nothing the index keeps (only punctuation).
fn fts_term(column: Option<&str>, text: &str, prefix: bool) -> Option<Token> {
    if !text.chars().any(char::is_alphanumeric) {
        return None;
    }
    let field = column.map(|c| format!("{c} : ")).unwrap_or_default();
    let star = if prefix { "*" } else { "" };
    Some(Token::Term(format!("{field}\"{}\"{star}", text.replace('"', "\"\""))))
}

/// A recursive-descent reader of the tokens, binding as FTS5 does: NOT tightest, then AND
/// (also implied between neighbours), then OR.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Alternatives: `a OR b`.
    fn any(&mut self) -> Result<String, String> {
        let mut parts = vec![self.all()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.all()?);
        }
        Ok(group(parts, "OR"))
    }

    /// Conjunctions: `a AND b`, `a b`; `a AND NOT b` is read as `a NOT b`.
    fn all(&mut self) -> Result<String, String> {
        let mut parts = vec![self.but()?];
        loop {
            match self.peek() {
                Some(Token::And) if self.tokens.get(self.at + 1) == Some(&Token::Not) => {
                    self.at += 2;
                    let right = self.one()?;
                    let left = parts.pop().unwrap_or_default();
                    parts.push(format!("({left} NOT {right})"));
                }
                Some(Token::And) => {
                    self.at += 1;
                    parts.push(self.but()?);
                }
                Some(Token::Term(_) | Token::Open) => parts.push(self.but()?),
                _ => return Ok(group(parts, "AND")),
            }
        }
    }

    /// Exclusions: `a NOT b`.
    fn but(&mut self) -> Result<String, String> {
        let mut left = self.one()?;
        while self.peek() == Some(&Token::Not) {
            self.at += 1;
            let right = self.one()?;
            left = format!("({left} NOT {right})");
        }
        Ok(left)
    }

    /// A word, a phrase or a group in parentheses.
    fn one(&mut self) -> Result<String, String> {
        let before = self.at.checked_sub(1).and_then(|i| self.tokens.get(i)).cloned();
        let token = self.peek().cloned();
        self.at += 1;
        match (token, before) {
            (Some(Token::Term(term)), _) => Ok(term),
            (Some(Token::Open), _) => {
                let inside = self.any()?;
                match self.peek() {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(inside)
                    }
                    _ => Err("a `(` is never closed".to_string()),
                }
            }
            (Some(Token::Not), before) if before.as_ref().is_none_or(|b| b.is_operator() || *b == Token::Open) => Err(
                "`NOT` needs something to look for before it: write what to find, then NOT and what to leave out (extorsión NOT Lima)"
                    .to_string(),
            ),
            (Some(op), Some(before)) if op.is_operator() && before.is_operator() => {
                Err(format!("`{}` follows `{}` with no word between them", op.shown(), before.shown()))
            }
            (Some(op), _) if op.is_operator() => Err(format!(
                "`{0}` has nothing before it (to look for the word itself, put it in quotes: \"{0}\")",
                op.shown()
            )),
            (Some(_), Some(Token::Open)) => Err("empty parentheses `()`".to_string()),
            (Some(_), Some(op)) if op.is_operator() => Err(format!("`{}` has nothing after it before the `)`", op.shown())),
            (Some(_), _) => Err("a `)` with no `(` before it".to_string()),
            (None, Some(op)) if op.is_operator() => Err(format!("`{}` at the end has nothing after it", op.shown())),
            (None, Some(Token::Open)) => Err("a `(` is never closed".to_string()),
            (None, _) => Err(NOTHING.to_string()),
        }
    }
}

/// `parts` joined by `op`, in parentheses when there are several.
fn group(parts: Vec<String>, op: &str) -> String {
    if parts.len() == 1 {
        parts.into_iter().collect()
    } else {
        format!("({})", parts.join(&format!(" {op} ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_prefixes_and_fields_become_quoted_fts5_terms() {
        assert_eq!(to_fts("extorsión").unwrap(), "\"extorsión\"");
        assert_eq!(to_fts("extorsión  Lima").unwrap(), "(\"extorsión\" AND \"Lima\")");
        assert_eq!(
            to_fts("\"estado de emergencia\" Callao").unwrap(),
            "(\"estado de emergencia\" AND \"Callao\")"
        );
        assert_eq!(to_fts("extor*").unwrap(), "\"extor\"*");
        assert_eq!(to_fts("\"banda crim\"*").unwrap(), "\"banda crim\"*");
        assert_eq!(
            to_fts("Title:sicariato body:\"paro de transportistas\"").unwrap(),
            "(title : \"sicariato\" AND body : \"paro de transportistas\")"
        );
        // Punctuation FTS5 would take for syntax stays inside the quotes.
        assert_eq!(
            to_fts("S/ 1.500 Lima-Callao").unwrap(),
            "(\"S/\" AND \"1.500\" AND \"Lima-Callao\")"
        );
        assert_eq!(to_fts("Nota: 10:30").unwrap(), "(\"Nota:\" AND \"10:30\")");
        // Marks with nothing searchable are left out.
        assert_eq!(to_fts("¿ sicariato ? –").unwrap(), "\"sicariato\"");
    }

    #[test]
    fn operators_bind_as_fts5_does_and_are_grouped_explicitly() {
        assert_eq!(to_fts("a OR b c").unwrap(), "(\"a\" OR (\"b\" AND \"c\"))");
        assert_eq!(to_fts("(a OR b) c").unwrap(), "((\"a\" OR \"b\") AND \"c\")");
        assert_eq!(to_fts("a b NOT c").unwrap(), "(\"a\" AND (\"b\" NOT \"c\"))");
        assert_eq!(to_fts("a AND NOT c").unwrap(), "(\"a\" NOT \"c\")");
        assert_eq!(
            to_fts("cocaine or cocaína not Brasil").unwrap(),
            "(\"cocaine\" OR (\"cocaína\" NOT \"Brasil\"))"
        );
        // Quoted, an operator is a word again.
        assert_eq!(to_fts("\"AND\"").unwrap(), "\"AND\"");
    }

    #[test]
    fn mistakes_are_named_in_plain_words() {
        let cases = [
            (
                "\"estado de emergencia",
                "the quote (\") before `estado de emergencia` is never closed",
            ),
            ("extorsión AND", "`AND` at the end has nothing after it"),
            ("AND", "`AND` has nothing before it"),
            ("OR Lima", "`OR` has nothing before it"),
            ("NOT Lima", "`NOT` needs something to look for before it"),
            ("a OR AND b", "`AND` follows `OR` with no word between them"),
            ("(Lima", "a `(` is never closed"),
            ("Lima)", "a `)` with no `(` before it"),
            ("a ( )", "empty parentheses `()`"),
            ("(a OR)", "`OR` has nothing after it before the `)`"),
            ("ext*rs", "only at the end of a word"),
            ("*", "a lone `*`"),
            ("extorsión -Lima", "write NOT before it"),
            ("title: Lima", "`title:` needs a word"),
            ("", "there is nothing to look for"),
            ("¿?", "there is nothing to look for"),
        ];
        for (query, expected) in cases {
            let err = to_fts(query).expect_err(query);
            assert!(err.contains(expected), "{query:?}: {err}");
            assert!(!err.contains("fts5") && !err.contains("syntax error"), "{query:?}: {err}");
        }
    }

    fn figure(value: Option<f64>, range: Option<(f64, f64)>, in_snippet: bool, start: i64) -> HitFigure {
        HitFigure {
            value,
            low: range.map(|r| r.0),
            high: range.map(|r| r.1),
            unit: "kg".into(),
            qualifier: None,
            topic: Some("drug_seizure".into()),
            year: None,
            location: Some("EC".into()),
            change: None,
            start,
            end: start + 2,
            text: "8,5 t".into(),
            in_snippet,
        }
    }

    #[test]
    fn the_figures_in_the_snippet_come_first_then_the_first_ones() {
        let figures = [
            figure(Some(1.0), None, false, 0),
            figure(Some(2.0), None, true, 10),
            figure(Some(3.0), None, false, 20),
            figure(Some(4.0), None, true, 30),
        ];
        let values = |n| chosen(&figures, n).iter().map(|f| f.value.unwrap_or_default()).collect::<Vec<_>>();
        assert_eq!(values(3), [2.0, 4.0, 1.0]);
        assert_eq!(values(9), [2.0, 4.0, 1.0, 3.0]);
        assert!(values(0).is_empty());
    }

    #[test]
    fn a_figure_reads_in_a_few_words() {
        let mut f = figure(Some(8500.0), None, true, 0);
        f.qualifier = Some("more_than".into());
        f.year = Some(2024);
        assert_eq!(summary(&f), ">8500 kg · drug_seizure · 2024 · EC");
        let mut range = figure(None, Some((200.5, 400.0)), true, 0);
        range.topic = None;
        range.change = Some("increase".into());
        assert_eq!(summary(&range), "200.5–400 kg · EC · increase");
    }

    fn part(text: &str, matched: bool) -> Highlighted {
        Highlighted {
            text: text.into(),
            matched,
        }
    }

    #[test]
    fn snippets_are_one_line_marked_and_safe_for_a_terminal() {
        let parts = [
            part("la\n\nola de ", false),
            part("extorsión", true),
            part("\u{1b}[2J en\tLima", false),
        ];
        assert_eq!(marked(&parts, &BRACKETS, false), "la ola de [extorsión]\u{1b}[2J en Lima");
        assert_eq!(marked(&parts, &BRACKETS, true), "la ola de [extorsión]\\u{1b}[2J en Lima");
        assert_eq!(
            marked(&parts, &TERMINAL, true),
            "la ola de \u{1b}[1;4mextorsión\u{1b}[0m\\u{1b}[2J en Lima"
        );
        assert_eq!(plain(&parts), "la\n\nola de extorsión\u{1b}[2J en\tLima");
    }
}
