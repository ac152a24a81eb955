//! Plain aligned tables for a terminal (`sql`, `status`, `trend`), safe for any stored text.
//!
//! Cells hold what pages sent: every cell goes through [`terminal_text`] so escape sequences,
//! other control characters and bidi overrides are shown, never obeyed by the terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Text as it may be shown on a terminal: tabs and line breaks become spaces (one row stays
/// one line); other control characters (C0, DEL, C1) and bidi overrides and isolates, which
/// could move the cursor, retitle the window or reorder what is read, become `\u{..}`.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => shown.push(' '),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
            }
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// Bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether a cell is a number as SQLite or JSON writes it (at most 24 characters, the longest
/// a 64-bit integer or float takes).
fn is_number(cell: &str) -> bool {
    cell.len() <= 24 && cell.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `text` cut to at most `width` characters, the last one `…` when something was cut.
pub fn fit(text: &str, width: usize) -> Cow<'_, str> {
    match text.char_indices().nth(width) {
        None => Cow::Borrowed(text),
        Some(_) => {
            // Cut at a character boundary of this same string.
            let keep = text.char_indices().nth(width.saturating_sub(1)).map_or(0, |(i, _)| i);
            Cow::Owned(format!("{}…", &text[..keep]))
        }
    }
}

/// A table written as it goes: column widths come from the header and the rows given to
/// [`TableWriter::start`]; later rows are cut to those widths, so a long result is never held
/// in memory.
pub struct TableWriter {
    widths: Vec<usize>,
}

impl TableWriter {
    /// Writes the header and `first` rows, each column as wide as its widest cell there (at
    /// most `max_width` characters; longer cells are cut).
    pub fn start(out: &mut dyn Write, columns: &[String], first: &[Vec<String>], max_width: usize) -> io::Result<TableWriter> {
        let shown = |cells: &[String]| -> Vec<String> { cells.iter().map(|c| fit(&terminal_text(c), max_width).into_owned()).collect() };
        let header = shown(columns);
        let rows: Vec<Vec<String>> = first.iter().map(|r| shown(r)).collect();
        let mut widths: Vec<usize> = header.iter().map(|c| c.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let table = TableWriter { widths };
        table.line(out, &header)?;
        let rule: Vec<String> = table.widths.iter().map(|w| "-".repeat(*w)).collect();
        table.line(out, &rule)?;
        for row in &rows {
            table.line(out, row)?;
        }
        Ok(table)
    }

    /// Writes one more row, each cell cut to its column's width. A number is never cut (cut,
    /// it would read as another number): it widens its row instead.
    pub fn row(&self, out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
        let shown: Vec<String> = cells
            .iter()
            .zip(&self.widths)
            .map(|(c, w)| {
                if is_number(c) {
                    c.clone()
                } else {
                    fit(&terminal_text(c), *w).into_owned()
                }
            })
            .collect();
        self.line(out, &shown)
    }

    fn line(&self, out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
        let parts: Vec<String> = cells.iter().zip(&self.widths).map(|(c, w)| format!("{c:<w$}")).collect();
        writeln!(out, "{}", parts.join("  ").trim_end())
    }
}

/// Prints rows held in memory as one aligned table.
pub fn print_table(out: &mut dyn Write, columns: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    TableWriter::start(out, columns, rows, usize::MAX).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_shown_not_obeyed() {
        assert_eq!(terminal_text("plain, ñandú"), "plain, ñandú");
        assert!(matches!(terminal_text("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal_text("\u{1b}[2Jx\u{7}"), "\\u{1b}[2Jx\\u{7}");
        assert_eq!(terminal_text("a\tb\r\nc"), "a b  c");
        assert_eq!(terminal_text("\u{0}\u{7f}\u{85}\u{9b}"), "\\u{0}\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(
            terminal_text("\u{202e}exe.txt\u{2066}\u{2069}"),
            "\\u{202e}exe.txt\\u{2066}\\u{2069}"
        );
        // Marks that only join or space letters stay.
        assert_eq!(terminal_text("a\u{200d}b\u{a0}c"), "a\u{200d}b\u{a0}c");
    }

    #[test]
    fn fit_cuts_at_character_boundaries() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abcd", 3), "ab…");
        assert_eq!(fit("ñññññ", 4), "ñññ…");
        assert_eq!(fit("🙂🙂🙂", 2), "🙂…");
        assert_eq!(fit("", 0), "");
        assert_eq!(fit("a", 0), "…");
    }

    #[test]
    fn later_rows_are_cut_to_the_widths_of_the_first() {
        let columns = ["id".to_string(), "text".to_string()];
        let mut out = Vec::new();
        let table = TableWriter::start(&mut out, &columns, &[vec!["1".into(), "short".into()]], 60).unwrap();
        table.row(&mut out, &["22".into(), "much longer than short".into()]).unwrap();
        table.row(&mut out, &["3".into(), "\u{1b}[31m".into()]).unwrap();
        table.row(&mut out, &["-123.5".into(), "12345678".into()]).unwrap();
        table.row(&mut out, &["inf".into(), "1".repeat(30)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "id  text\n--  -----\n1   short\n22  much…\n3   \\u{1…\n-123.5  12345678\ni…  1111…\n"
        );
    }

    #[test]
    fn the_first_rows_are_capped_at_the_maximum_width() {
        let mut out = Vec::new();
        print_table(&mut out, &["c".to_string()], &[vec!["x".repeat(10)]]).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with(&format!("{}\n", "x".repeat(10))));
        let mut out = Vec::new();
        TableWriter::start(&mut out, &["c".to_string()], &[vec!["x".repeat(10)]], 4).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "c\n----\nxxx…\n");
    }
}
