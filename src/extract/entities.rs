//! Entities: people with their office, organisations and places.

use super::sentences::Sentence;
use super::{Entity, Lang};

/// Finds the entities of a body.
pub fn find(body: &str, sentences: &[Sentence<'_>], lang: Lang) -> Vec<Entity> {
    let _ = (body, sentences, lang);
    Vec::new()
}
