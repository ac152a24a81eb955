//! Language of a page: declared codes normalised to ISO 639-1, detection on the text otherwise.

use std::sync::LazyLock;

use whatlang::{Detector, Lang};

/// The languages the detector may answer; restricting it keeps short Spanish texts from
/// being read as Catalan or Galician.
static DETECTOR: LazyLock<Detector> =
    LazyLock::new(|| Detector::with_allowlist(vec![Lang::Eng, Lang::Spa, Lang::Por, Lang::Fra, Lang::Deu, Lang::Ita]));

/// Shortest text (in characters) the detector is asked about.
const MIN_CHARS: usize = 40;
/// Longest prefix of the text given to the detector: more adds time, not accuracy.
const MAX_BYTES: usize = 2000;

fn iso639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Eng => "en",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ita => "it",
        _ => return None,
    })
}

/// Detects the language of a text; None when it is too short or the detector is unsure.
pub fn detect(text: &str) -> Option<String> {
    let text = text.trim();
    if text.chars().filter(|c| c.is_alphabetic()).count() < MIN_CHARS {
        return None;
    }
    let mut cut = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let info = DETECTOR.detect(&text[..cut])?;
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang()).map(str::to_string)
}

/// Normalises a declared language ("es-MX", "en_US", "ES") to its ISO 639-1 code.
pub fn normalise_code(code: &str) -> Option<String> {
    let primary = code.trim().split(['-', '_', ',', ';', ' ']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_and_spanish() {
        let en = "The police said on Tuesday that three people were arrested after the seizure of cocaine at the port.";
        let es = "La policía informó el martes que tres personas fueron detenidas tras el decomiso de cocaína en el puerto.";
        assert_eq!(detect(en).as_deref(), Some("en"));
        assert_eq!(detect(es).as_deref(), Some("es"));
    }

    #[test]
    fn short_text_is_unknown() {
        assert_eq!(detect("Hola"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn declared_codes() {
        assert_eq!(normalise_code("es-MX").as_deref(), Some("es"));
        assert_eq!(normalise_code("en_US").as_deref(), Some("en"));
        assert_eq!(normalise_code("ES").as_deref(), Some("es"));
        assert_eq!(normalise_code("x"), None);
    }
}
