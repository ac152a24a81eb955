//! The built `vigia` binary and the country of each figure: what places a figure, what only
//! looks like a place (a source, a currency, a region the country is ranked in), and what
//! leaves it with none.

mod common;

use common::cli::{stdout_of, vigia};

/// (value, unit, location, location_from) of each statistic `vigia extract` finds in `text`.
fn located(text: &str, lang: &str) -> Vec<(f64, String, Option<String>, Option<String>)> {
    let out = stdout_of(vigia().args(["extract", "--text", "--lang", lang]).write_stdin(text));
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text_of = |v: &serde_json::Value| v.as_str().map(str::to_string);
    record["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["value"].as_f64().unwrap(),
                s["unit"].as_str().unwrap().to_string(),
                text_of(&s["location"]),
                text_of(&s["location_from"]),
            )
        })
        .collect()
}

#[test]
fn figures_of_a_text_about_one_country_take_it_unless_shared_with_others() {
    let text = "Panamá decomisó 95 toneladas de droga en 2024.\n\
        Las autoridades panameñas quemaron la carga en la provincia de Darién.\n\
        Con esa cifra, el país de Centroamérica que más droga incauta suma 480 toneladas.\n\
        Costa Rica y Nicaragua gastan el 3 % de su presupuesto en seguridad.\n\
        Este año se interceptaron 12 lanchas, según datos de Estados Unidos.\n\
        La banda guardaba 200.000 dólares estadounidenses.\n";
    let pa = || Some("PA".to_string());
    let from = |w: &str| Some(w.to_string());
    assert_eq!(
        located(text, "es"),
        [
            (95_000.0, "kg".to_string(), pa(), from("sentence")),
            (480_000.0, "kg".to_string(), pa(), from("article")),
            (3.0, "percent".to_string(), None, None),
            (12.0, "count".to_string(), pa(), from("article")),
            (200_000.0, "USD".to_string(), pa(), from("article")),
        ]
    );
}

#[test]
fn a_body_that_several_countries_have_does_not_place_a_text() {
    let text = "Medicina Legal registró 1.200 muertes violentas en el primer semestre.\nDe ellas, 310 fueron de mujeres.\n";
    assert!(located(text, "es").iter().all(|s| s.2.is_none() && s.3.is_none()));
}
