//! Article main text on recent layouts: every paragraph of the article is kept when the
//! page cuts it into many blocks, names its blocks like boilerplate, or streams it late.

use vigia::article::extract_article;

fn para(topic: &str) -> String {
    format!(
        "<p>The {topic} section explains, step by step, how households can compare offers, read the fine print and avoid the usual mistakes.</p>"
    )
}

fn menu() -> &'static str {
    "<nav><a href='/'>Home</a> <a href='/a'>Guides</a> <a href='/b'>Reviews</a></nav>"
}

#[test]
fn page_builder_widgets_are_not_taken_for_sidebars() {
    // Every block of the page is a "widget": the hint words are the theme's vocabulary.
    let widget = |t: &str| {
        format!(
            "<div class='builder-widget builder-widget-text'><div class='widget-container'>{}</div></div>",
            para(t)
        )
    };
    let html = format!(
        "<html><body>{}<div class='page'><h1>Guide</h1>{}{}{}</div><footer>Copyright</footer></body></html>",
        menu(),
        widget("first"),
        widget("second"),
        widget("third")
    );
    let body = extract_article(&html, None, None).body;
    for t in ["first", "second", "third"] {
        assert!(body.contains(&format!("The {t} section")), "{t} missing:\n{body}");
    }
    assert!(!body.contains("Copyright") && !body.contains("Reviews"), "{body}");
}

#[test]
fn article_split_over_builder_sections_is_kept_whole() {
    // The longest run of paragraphs sits deep in one section; the rest of the article is in
    // sibling sections several levels up.
    let section = |paras: &[&str]| {
        let ps: String = paras.iter().map(|t| para(t)).collect();
        format!("<section class='row'><div class='column'><div class='module'><div class='inner'>{ps}</div></div></div></section>")
    };
    let html = format!(
        "<html><body>{}<main><div class='builder'>{}{}{}</div></main>\
         <div class='links'><a href='/x'>Another story about something else</a></div></body></html>",
        menu(),
        section(&["intro", "pricing"]),
        section(&["installation"]),
        section(&["maintenance", "contracts"])
    );
    let body = extract_article(&html, None, None).body;
    for t in ["intro", "pricing", "contracts", "installation", "maintenance"] {
        assert!(body.contains(&format!("The {t} section")), "{t} missing:\n{body}");
    }
    assert!(!body.contains("Another story"), "{body}");
}

#[test]
fn article_element_bounds_the_article() {
    // Teasers of other stories below the article are prose too, but outside <article>.
    let teaser = |t: &str| {
        format!(
            "<div class='card'><h3><a href='/{t}'>Headline of the {t} story</a></h3>{}</div>",
            para(t)
        )
    };
    let html = format!(
        "<html><body>{}<div class='wrap'><article><h1>Title</h1>{}{}{}</article>{}{}{}</div></body></html>",
        menu(),
        para("article"),
        para("middle"),
        para("closing"),
        teaser("one"),
        teaser("two"),
        teaser("three")
    );
    let body = extract_article(&html, None, None).body;
    assert!(body.contains("The article section"), "{body}");
    assert!(!body.contains("The one section") && !body.contains("The three section"), "{body}");
}

#[test]
fn streamed_hidden_segments_are_read() {
    // Streaming server rendering sends the article in a hidden segment a script moves into place.
    let html = format!(
        "<html><body>{}<div hidden id='S:0'><main><article><h1>Guide</h1>{}{}</article></main></div>\
         <div hidden class='drawer'>{}</div></body></html>",
        menu(),
        para("streamed"),
        para("second"),
        para("hidden drawer")
    );
    let body = extract_article(&html, None, None).body;
    assert!(
        body.contains("The streamed section") && body.contains("The second section"),
        "{body}"
    );
    assert!(!body.contains("hidden drawer"), "{body}");
}

#[test]
fn long_prose_in_a_negatively_named_block_is_kept() {
    // A builder module named "widget" holding several paragraphs of the article, next to a
    // real sidebar widget of links and a short teaser.
    let ps: String = ["pricing", "contracts", "installation", "maintenance", "warranty"]
        .iter()
        .map(|t| para(t))
        .collect();
    // The rest of the article is much longer, so the module is a small share of the page.
    let rest: String = std::iter::once("intro".to_string())
        .chain((0..12).map(|i| format!("t{i}")))
        .map(|t| para(&t))
        .collect();
    let html = format!(
        "<html><body>{}<article><h1>Guide</h1>{}<div class='module-widget'>{ps}</div></article>\
         <div class='sidebar-widget'><a href='/1'>Popular guide one</a> <a href='/2'>Popular guide two</a>\
         <p>Sign up for our weekly letter, it is free.</p></div></body></html>",
        menu(),
        rest
    );
    let body = extract_article(&html, None, None).body;
    for t in ["intro", "t11", "pricing", "warranty"] {
        assert!(body.contains(&format!("The {t} section")), "{t} missing:\n{body}");
    }
    assert!(!body.contains("Popular guide") && !body.contains("weekly letter"), "{body}");
}

#[test]
fn a_list_of_links_the_text_announces_is_kept() {
    let html = format!(
        "<html><body>{}<article><h1>Progress report</h1>{}{}\
         <p>Many patches were sent for review:</p>\
         <ul><li><a href='/p1'>Add support for the weak variable attribute</a></li>\
         <li><a href='/p2'>Fix volatile loads and stores</a></li></ul>{}\
         <h4>More:</h4><ul><li><a href='/other'>Another report on a different project</a></li></ul>\
         </article></body></html>",
        menu(),
        para("intro"),
        para("status"),
        para("closing")
    );
    let body = extract_article(&html, None, None).body;
    assert!(
        body.contains("weak variable attribute") && body.contains("volatile loads"),
        "{body}"
    );
    assert!(!body.contains("Another report"), "{body}");
}
