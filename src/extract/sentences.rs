//! Sentence splitting with byte and code-point offsets, shared by every extractor.
//!
//! A sentence ends at a line break, or at `.`, `?`, `!` (and closing quotes or brackets)
//! followed by a space and a capital, an opening quote or a digit, except after an
//! abbreviation ("Mr.", "Gral.", "No."), an initial, or a dotted short form ("U.S.", "EE.UU.", "p.m.").

use super::geo::words::FastSet;
use std::sync::LazyLock;

use super::table;
use super::tokens::fold;

static ABBREV: LazyLock<FastSet<String>> = LazyLock::new(|| table::built(table::ABBREVIATIONS.lines()).into_iter().map(fold).collect());

/// One sentence of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the body.
    pub byte_start: usize,
    /// Code-point offset of `text` in the body.
    pub char_start: usize,
}

/// Splits a body into sentences (at line breaks, and at `.`/`?`/`!` followed by a space and a capital).
pub fn split(body: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let mut start = 0;
        for end in boundaries(line).into_iter().chain(std::iter::once(line.len())) {
            // Very long runs without sentence ends are cut at a space, so that work per
            // sentence stays bounded whatever the input.
            while end - start > MAX_SENTENCE {
                let cut = cut_point(line, start, start + MAX_SENTENCE);
                push(body, line_start + start, line_start + cut, &mut out);
                start = cut;
            }
            push(body, line_start + start, line_start + end, &mut out);
            start = end;
        }
        line_start += line.len();
    }
    // Code-point offsets in one pass.
    let mut chars = 0;
    let mut pos = 0;
    for s in &mut out {
        chars += body[pos..s.byte_start].chars().count();
        pos = s.byte_start;
        s.char_start = chars;
    }
    out
}

/// The longest sentence kept whole, in bytes.
const MAX_SENTENCE: usize = 4000;

/// A place to cut `line` between `start` and `limit`: the last space, else a char boundary.
fn cut_point(line: &str, start: usize, limit: usize) -> usize {
    let mut limit = limit.min(line.len());
    while !line.is_char_boundary(limit) {
        limit -= 1;
    }
    match line[start..limit].rfind(char::is_whitespace) {
        Some(i) if i > 0 => start + i,
        _ => limit.max(start + 1).min(line.len()),
    }
}

fn push<'a>(body: &'a str, start: usize, end: usize, out: &mut Vec<Sentence<'a>>) {
    let raw = &body[start..end];
    let text = raw.trim();
    if text.is_empty() {
        return;
    }
    let lead = raw.len() - raw.trim_start().len();
    out.push(Sentence {
        text,
        byte_start: start + lead,
        char_start: 0,
    });
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn starts_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '\'' | '“' | '‘' | '«' | '¿' | '¡' | '(' | '[' | '—' | '-')
}

/// Byte offsets (within `line`) where a sentence ends. Only the end marks are visited, so the
/// line is not decoded into characters first.
fn boundaries(line: &str) -> Vec<usize> {
    let is_end = |c: char| matches!(c, '.' | '?' | '!' | '…');
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = next_end(line, from) {
        let Some(c) = line[pos..].chars().next() else { break };
        let after = pos + c.len_utf8();
        // Further end marks and closing quotes or brackets belong to this end.
        let run = line[after..]
            .find(|d: char| !(is_end(d) || is_closing(d)))
            .unwrap_or(line.len() - after);
        let end = after + run;
        let next = line[end..].trim_start();
        let spaced = next.len() < line.len() - end;
        let next_ok = next.chars().next().is_some_and(starts_sentence);
        // "S/. 35": the point of the sol symbol.
        let after_slash = c == '.' && line[..pos].ends_with('/');
        if spaced && next_ok && !after_slash && !(c == '.' && run == 0 && is_abbreviation(&line[..pos])) {
            out.push(end);
        }
        from = end;
    }
    out
}

/// Byte offset of the first end mark (`.`, `?`, `!`, `…`) of `line` at or after `from`.
/// The bytes are searched, not the characters: three marks are ASCII, and a byte 0xE2
/// begins a character, so `…` is looked for only there.
fn next_end(line: &str, mut from: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    loop {
        let found = from + bytes.get(from..)?.iter().position(|b| matches!(b, b'.' | b'?' | b'!' | 0xE2))?;
        if bytes[found] != 0xE2 || line[found..].starts_with('…') {
            return Some(found);
        }
        from = found + 1;
    }
}

/// Whether the word ending `before` (the text up to a point) is an abbreviation.
fn is_abbreviation(before: &str) -> bool {
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(super::tokens::is_alphanumeric(c) || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    if word.contains('.') {
        return true;
    }
    let mut letters = word.chars();
    if let (Some(first), None) = (letters.next(), letters.next())
        && super::tokens::is_alphabetic(first)
    {
        return true;
    }
    ABBREV.contains(&fold(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Vec<&str> {
        split(body).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn end_marks_are_found_among_other_typographic_characters() {
        let line = "“Sí” — dijo… Luego, nada. ¿Y? ¡Ya! ‘Fin’…";
        let found: Vec<usize> = std::iter::successors(next_end(line, 0), |&p| next_end(line, p + 1)).collect();
        let marks: Vec<usize> = line
            .char_indices()
            .filter(|&(_, c)| matches!(c, '.' | '?' | '!' | '…'))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, marks);
        assert_eq!(found.len(), 5);
    }

    #[test]
    fn splits_on_lines_and_sentence_ends() {
        assert_eq!(
            texts("One here. Two there!\nThree? \"Four.\" 5 more."),
            vec!["One here.", "Two there!", "Three?", "\"Four.\"", "5 more."]
        );
    }

    #[test]
    fn keeps_abbreviations_and_numbers() {
        assert_eq!(
            texts("Mr. Soto met Gral. Díaz in the U.S. He paid 1.5 million."),
            vec!["Mr. Soto met Gral. Díaz in the U.S. He paid 1.5 million."]
        );
        assert_eq!(
            texts("Llegó a EE.UU. Luego habló la Sra. Paz."),
            vec!["Llegó a EE.UU. Luego habló la Sra. Paz."]
        );
        assert_eq!(
            texts("It was 3.5 percent. No. 4 came later."),
            vec!["It was 3.5 percent.", "No. 4 came later."]
        );
        assert_eq!(
            texts("¿Dónde están? ¡Nadie sabe! Fin."),
            vec!["¿Dónde están?", "¡Nadie sabe!", "Fin."]
        );
    }

    #[test]
    fn offsets_point_into_the_body() {
        let body = "Año récord.  Él habló.\n\nÚltima línea";
        for s in split(body) {
            assert_eq!(&body[s.byte_start..s.byte_start + s.text.len()], s.text);
            let by_chars: String = body.chars().skip(s.char_start).take(s.text.chars().count()).collect();
            assert_eq!(by_chars, s.text);
        }
        assert_eq!(split(body).len(), 3);
    }

    #[test]
    fn long_runs_are_cut() {
        let body = "palabra ".repeat(2000) + &"ñ".repeat(5000);
        let parts = split(&body);
        assert!(parts.len() > 2);
        assert!(parts.iter().all(|s| s.text.len() <= MAX_SENTENCE));
        for s in &parts {
            assert_eq!(&body[s.byte_start..s.byte_start + s.text.len()], s.text);
        }
    }
}
