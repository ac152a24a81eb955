//! Article main text on pages heavy with inline scripts, styles and embeds: their code never
//! reaches the text, the paragraphs around them stay in order, and JSON-LD still counts.

use std::path::Path;

use vigia::article::{Article, from_bytes};

fn fixture(name: &str) -> Article {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/article_kinds")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    from_bytes(&bytes, Some("text/html; charset=utf-8"), None, None)
}

#[test]
fn text_around_embeds_and_inline_scripts_is_kept_in_order() {
    let body = fixture("embeds_and_scripts.html").body;
    let order = [
        "defended a plan to move 1,200 inmates",
        "Rights groups questioned",
        "room for 2,000 inmates",
        "vote on the budget",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|p| body.find(p).unwrap_or_else(|| panic!("{p} missing:\n{body}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{body}");
    // Embedded posts and page furniture are not the article's text.
    for other in [
        "Every transfer will follow",
        "View this post on Instagram",
        "A post shared by",
        "Copyright",
        "Politics",
    ] {
        assert!(!body.contains(other), "{other} in\n{body}");
    }
}

#[test]
fn script_and_style_code_never_reaches_the_text() {
    for name in ["embeds_and_scripts.html", "scripts_heavy.html"] {
        let body = fixture(name).body;
        for code in [
            "Sponsored",
            "texto de prueba",
            "Publicidad insertada",
            "no es texto",
            "dataLayer",
            "color:",
        ] {
            assert!(!body.contains(code), "{name}: {code} in\n{body}");
        }
    }
}

#[test]
fn json_ld_metadata_is_read_on_a_page_heavy_with_scripts() {
    let art = fixture("scripts_heavy.html");
    assert_eq!(art.published.as_deref().map(|d| &d[..10]), Some("2026-02-14"));
    assert_eq!(art.authors, vec!["Lucía Paredes".to_string()]);
    let paragraphs: Vec<&str> = art.body.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 3, "{}", art.body);
    assert!(paragraphs[0].starts_with("La Policía Nacional capturó"), "{}", art.body);
    assert!(paragraphs[2].starts_with("Los capturados"), "{}", art.body);
}

#[test]
fn a_section_around_an_announced_list_of_links_is_kept() {
    let body = fixture("announced_link_list.html").body;
    for part in [
        "collects sentencing records",
        "New data this month",
        "These archives were imported and checked:",
        "Northern province: sentences from 2019 to 2024",
        "Southern province: prison transfer orders",
        "publish a guide to reading the detention orders",
    ] {
        assert!(body.contains(part), "{part} missing:\n{body}");
    }
    // A list of links nobody announces is still a box of other stories.
    for other in ["How we clean scanned rulings", "More posts", "Archive", "written by volunteers"] {
        assert!(!body.contains(other), "{other} in\n{body}");
    }
}
