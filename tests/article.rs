//! Article stage on saved pages: main text, boilerplate left out, metadata from every layer.

use std::path::Path;

use chrono::{TimeZone, Utc};
use vigia::article::{detect_language, extract_article};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/article").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_contains_all(body: &str, parts: &[&str]) {
    for p in parts {
        assert!(body.contains(p), "body lacks {p:?}:\n{body}");
    }
}

fn assert_contains_none(body: &str, parts: &[&str]) {
    for p in parts {
        assert!(!body.contains(p), "body has {p:?}:\n{body}");
    }
}

#[test]
fn latin_american_news_page() {
    let html = fixture("nota_latam.html");
    let art = extract_article(&html, Some("https://observador.example.mx/seguridad/nota-123"), None);
    assert_eq!(
        art.title.as_deref(),
        Some("Detienen a tres presuntos integrantes de célula delictiva en Culiacán")
    );
    assert_eq!(art.published.as_deref(), Some("2024-08-22"));
    assert_eq!(art.authors, vec!["Mariana Quintero Salas"]);
    assert_eq!(art.language.as_deref(), Some("es"));
    assert_eq!(
        art.canonical_url.as_deref(),
        Some("https://observador.example.mx/seguridad/2024/08/22/detienen-tres-presuntos-integrantes")
    );
    assert!(art.body.starts_with("Elementos de la Guardia Nacional"), "{}", art.body);
    assert_contains_all(
        &art.body,
        &[
            "puestos a disposición del Ministerio Público federal",
            "una cifra 8,5% menor",
            "Antecedentes del operativo",
            "Dos armas largas aseguradas",
            "atención es anónima y gratuita las 24 horas.",
        ],
    );
    assert_contains_none(
        &art.body,
        &[
            "Última hora",
            "Inicio",
            "cookies",
            "Lee también",
            "Aumentan denuncias",
            "Confirmamos la detención",
            "Foto: Archivo",
            "Publicidad",
            "Suscríbete",
            "Lo más leído",
            "Ojalá",
            "derechos reservados",
            "Por: Mariana",
        ],
    );
    // Paragraphs are separated by one blank line and trimmed.
    assert!(art.body.split("\n\n").all(|p| !p.is_empty() && p.trim() == p && !p.contains('\n')));
}

#[test]
fn english_page_with_json_ld_graph() {
    let html = fixture("english_jsonld.html");
    let art = extract_article(
        &html,
        Some("https://monitor.example.org/news/prison-riot-leaves-14-dead?utm_source=x"),
        None,
    );
    assert_eq!(art.title.as_deref(), Some("Prison riot leaves 14 dead in northern Ecuador"));
    assert_eq!(art.published.as_deref(), Some("2024-07-02T14:30:00Z"));
    assert_eq!(art.modified.as_deref(), Some("2024-07-02T21:05:00Z"));
    assert_eq!(art.authors, vec!["Daniel Reyes", "Laura Méndez"]);
    assert_eq!(art.language.as_deref(), Some("en"));
    assert_eq!(
        art.canonical_url.as_deref(),
        Some("https://monitor.example.org/news/prison-riot-leaves-14-dead")
    );
    assert_contains_all(
        &art.body,
        &[
            "At least 14 inmates were killed",
            "regained control of the facility",
            "more than 2,300 people",
            "extortion rackets from inside the cells.",
        ],
    );
    assert_contains_none(
        &art.body,
        &[
            "Prison riot leaves",
            "By Daniel",
            "Photo: Handout",
            "Read more",
            "weekly briefing",
            "Subscribe to continue",
            "timeline of massacres",
            "Homicides in the region",
            "Privacy",
            "Home",
        ],
    );
}

#[test]
fn text_separated_by_line_breaks() {
    let html = fixture("br_paragraphs.html");
    let art = extract_article(&html, Some("https://diario.example.com.py/nota.php?id=77"), None);
    assert_eq!(art.title.as_deref(), Some("Decomisan cargamento de marihuana en la frontera"));
    assert_eq!(art.published.as_deref(), Some("2024-08-22"));
    assert_eq!(art.language.as_deref(), Some("es"));
    let paragraphs: Vec<&str> = art.body.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 4, "{}", art.body);
    assert!(paragraphs[0].starts_with("Efectivos de la policía fronteriza"));
    assert!(paragraphs[3].ends_with("todo el año anterior."));
    assert_contains_none(&art.body, &["Clasificados", "Vendo terreno", "Portada", "derechos reservados"]);
}

#[test]
fn long_comment_thread_is_not_the_article() {
    let html = fixture("comentarios_largos.html");
    let art = extract_article(&html, None, None);
    assert_eq!(art.title.as_deref(), Some("Balacera en el centro deja dos heridos"));
    assert_eq!(art.published.as_deref(), Some("2024-05-15T05:40:00Z"));
    assert_eq!(art.body.split("\n\n").count(), 3, "{}", art.body);
    assert!(art.body.starts_with("Dos hombres resultaron heridos"));
    assert_contains_none(
        &art.body,
        &["usuario", "Yo vivo a dos cuadras", "Ojalá", "Publicar comentario", "Portada"],
    );
}

#[test]
fn published_date_after_fetch_is_dropped() {
    let html = r#"<html><head><meta property="article:published_time" content="2030-01-01T00:00:00Z">
        <meta name="date" content="2024-02-10"></head><body><p>Texto.</p></body></html>"#;
    let fetched = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).single();
    let art = extract_article(html, None, fetched);
    assert_eq!(art.published.as_deref(), Some("2024-02-10"));
    let unbounded = extract_article(html, None, None);
    assert_eq!(unbounded.published.as_deref(), Some("2030-01-01T00:00:00Z"));
}

#[test]
fn date_from_url_as_last_resort() {
    let html = "<html><body><p>Sin fecha visible en esta página, solo en la dirección.</p></body></html>";
    let art = extract_article(html, Some("https://example.com/2023/11/05/nota"), None);
    assert_eq!(art.published.as_deref(), Some("2023-11-05"));
}

#[test]
fn deeply_nested_page_does_not_overflow() {
    // The tree is built directly: the extractor, not the HTML parser, is under test here.
    // Everything runs in a thread with a small stack, so recursion over the depth would fail.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            // A paragraph that wins as article text, and a short line only the fallback keeps.
            let texts = [
                "La policía detuvo a cuatro personas, según el informe oficial publicado el lunes por la fiscalía.",
                "Cuatro detenidos.",
            ];
            texts.map(|text| {
                let mut doc = scraper::Html::parse_document(&format!("<html><body><div></div><p>{text}</p></body></html>"));
                let find = |doc: &scraper::Html, tag: &str| {
                    doc.tree
                        .nodes()
                        .find(|n| n.value().as_element().is_some_and(|e| e.name() == tag))
                        .map(|n| n.id())
                        .unwrap()
                };
                let div = find(&doc, "div");
                let p = find(&doc, "p");
                let div_value = doc.tree.get(div).unwrap().value().clone();
                let mut id = div;
                for _ in 0..200_000 {
                    id = doc.tree.get_mut(id).unwrap().append(div_value.clone()).id();
                }
                doc.tree.get_mut(id).unwrap().append_id(p);
                (text, vigia::article::extract_from_document(&doc, None, None).body)
            })
        })
        .expect("spawn");
    for (text, body) in handle.join().expect("no stack overflow") {
        assert_eq!(body, text);
    }
}

#[test]
fn deeply_nested_page_through_the_parser() {
    // The nesting cap keeps the parse of a hostile page short; its text still comes out.
    let depth = 200_000;
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(depth));
    html.push_str("<p>La policía detuvo a cuatro personas, según el informe oficial publicado el lunes por la fiscalía.</p>");
    html.push_str(&"</div>".repeat(depth));
    let start = std::time::Instant::now();
    let art = extract_article(&html, None, None);
    assert!(art.body.contains("La policía detuvo a cuatro personas"), "{}", art.body);
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn odd_input_does_not_panic() {
    for html in [
        "",
        "<",
        "<html>",
        "<p>",
        "\u{0}\u{fffd}",
        "<script type=application/ld+json>{\"@graph\":[[[[</script>",
        "<br><br><br>",
    ] {
        let art = extract_article(html, Some("not a url"), None);
        assert!(art.body.len() < 100);
    }
}

#[test]
fn language_detection() {
    assert_eq!(
        detect_language("Las autoridades confirmaron que el número de homicidios disminuyó durante el primer semestre del año.").as_deref(),
        Some("es")
    );
    assert_eq!(
        detect_language("Authorities confirmed that the number of homicides fell during the first half of the year.").as_deref(),
        Some("en")
    );
    assert_eq!(detect_language("OK"), None);
}

/// Realistic saved pages with their expected fields, when the folder holds any.
#[test]
fn saved_pages_match_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".expected.json") else {
            continue;
        };
        let expected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let html_path = dir.join(format!("{stem}.html"));
        let bytes = std::fs::read(&html_path).unwrap();
        let html = vigia::article::charset::decode(&bytes, None);
        let url = expected.get("url").and_then(|u| u.as_str());
        let art = extract_article(&html, url, None);
        if let Some(t) = expected.get("title").and_then(|v| v.as_str()) {
            assert_eq!(art.title.as_deref(), Some(t), "{stem}: title");
        }
        if let Some(p) = expected.get("published").and_then(|v| v.as_str()) {
            let got = art.published.clone().unwrap_or_default();
            let n = p.len().min(got.len()).min(10);
            assert!(n == 10 && got[..n] == p[..n], "{stem}: published {got} vs {p}");
        }
        if let Some(l) = expected.get("language").and_then(|v| v.as_str()) {
            assert_eq!(art.language.as_deref(), Some(l), "{stem}: language");
        }
        let authors: Vec<String> = match expected.get("author") {
            Some(serde_json::Value::String(a)) => vec![a.clone()],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        for a in &authors {
            assert!(art.authors.contains(a), "{stem}: author {a} not in {:?}", art.authors);
        }
        let list = |key: &str| -> Vec<String> {
            expected
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        for s in list("body_contains") {
            assert!(art.body.contains(&s), "{stem}: body lacks {s:?}");
        }
        for s in list("body_excludes") {
            assert!(!art.body.contains(&s), "{stem}: body has {s:?}");
        }
    }
}
