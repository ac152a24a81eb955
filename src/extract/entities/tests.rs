//! Tests of the entity finder on made-up sentences in both languages.

use super::*;
use crate::extract::sentences;
use proptest::prelude::*;

fn run(text: &str, lang: Lang) -> Vec<Entity> {
    let found = find(text, &sentences::split(text), lang);
    for e in &found {
        let slice: String = text.chars().skip(e.start).take(e.end - e.start).collect();
        assert_eq!(slice, e.name, "offsets of {e:?}");
    }
    found
}

fn en(text: &str) -> Vec<Entity> {
    run(text, Lang::En)
}

fn es(text: &str) -> Vec<Entity> {
    run(text, Lang::Es)
}

fn person<'a>(found: &'a [Entity], name: &str) -> Option<&'a Entity> {
    found.iter().find(|e| e.kind == EntityType::Person && e.name == name)
}

fn role_of(found: &[Entity], name: &str) -> Option<String> {
    person(found, name).and_then(|e| e.role.clone())
}

fn has(found: &[Entity], kind: EntityType, name: &str) -> bool {
    found.iter().any(|e| e.kind == kind && e.name == name)
}

fn names(found: &[Entity], kind: EntityType) -> Vec<&str> {
    found.iter().filter(|e| e.kind == kind).map(|e| e.name.as_str()).collect()
}

#[test]
fn title_before_name_in_english() {
    let f = en("Security Minister Laura Benítez toured the border on Sunday.");
    assert_eq!(role_of(&f, "Laura Benítez").as_deref(), Some("Security Minister"));
    let f = en("Yesterday President Jorge Salas signed the decree.");
    assert_eq!(role_of(&f, "Jorge Salas").as_deref(), Some("President"));
    let f = en("The report was presented by police chief Marco Antonio Ríos.");
    assert_eq!(role_of(&f, "Marco Antonio Ríos").as_deref(), Some("police chief"));
}

#[test]
fn office_with_complement_runs_into_the_name() {
    let f = en("Vice Minister of Citizen Security Elena Paredes Rojas presented the plan.");
    assert_eq!(
        role_of(&f, "Elena Paredes Rojas").as_deref(),
        Some("Vice Minister of Citizen Security")
    );
}

#[test]
fn title_with_a_typo_still_introduces_a_name() {
    let f = en("Speaking on Monday, Minster Tomás Ortega blamed the gangs.");
    assert_eq!(role_of(&f, "Tomás Ortega").as_deref(), Some("Minster"));
    // Without a name right after it, a misspelt word is not a title.
    let f = en("The Minster said nothing.");
    assert!(names(&f, EntityType::Person).is_empty());
}

#[test]
fn bare_title_borrows_the_fuller_office_written_elsewhere() {
    let f = en("Chile's Interior minister warned of new gangs. Later, Minister Sofía Herrera Luna said more police would come.");
    assert_eq!(role_of(&f, "Sofía Herrera Luna").as_deref(), Some("Interior minister"));
}

#[test]
fn appositive_after_the_name() {
    let f = en("Raúl Medina Soto, the country's justice minister, resigned.");
    assert_eq!(role_of(&f, "Raúl Medina Soto").as_deref(), Some("justice minister"));
    let f = es("Ernesto Quiroga, jefe de la Dirección Antidrogas, confirmó el decomiso.");
    assert_eq!(role_of(&f, "Ernesto Quiroga").as_deref(), Some("jefe de la Dirección Antidrogas"));
    assert!(has(&f, EntityType::Organization, "Dirección Antidrogas"));
}

#[test]
fn spanish_office_then_comma_name() {
    let f = es("El ministro del Interior, Óscar Villanueva, anunció más patrullajes.");
    assert_eq!(role_of(&f, "Óscar Villanueva").as_deref(), Some("ministro del Interior"));
    let f = es("La fiscal de la Nación, Gloria Huamán, abrió una investigación.");
    assert_eq!(role_of(&f, "Gloria Huamán").as_deref(), Some("fiscal de la Nación"));
    assert!(names(&f, EntityType::Organization).is_empty(), "{f:?}");
}

#[test]
fn spanish_title_directly_before_name() {
    let f = es("Ayer el presidente Ramiro Quispe viajó a Cusco.");
    assert_eq!(role_of(&f, "Ramiro Quispe").as_deref(), Some("presidente"));
    let f = es("El operativo lo dirigió el general PNP Hugo Salazar.");
    assert_eq!(role_of(&f, "Hugo Salazar").as_deref(), Some("general PNP"));
    let f = es("La exministra Carmen Rojas declaró ante la comisión.");
    assert_eq!(role_of(&f, "Carmen Rojas").as_deref(), Some("exministra"));
}

#[test]
fn persons_without_an_office() {
    let f = en("Analysts compared the plans of Gabriela Montes and others.");
    assert!(person(&f, "Gabriela Montes").is_some());
    let f = es("Según Quispe Mamani dijo a la prensa, hubo tres heridos.");
    assert!(names(&f, EntityType::Person).is_empty() || person(&f, "Quispe Mamani").is_some());
    // A later mention by surname alone is not a new person.
    let f = en("Minister Rafael Ugarte spoke first. Ugarte said the plan would work.");
    assert_eq!(names(&f, EntityType::Person), ["Rafael Ugarte"]);
}

#[test]
fn acronym_joined_to_its_full_name() {
    let f = en("Data from the National Drug Observatory (NDO) show a rise. The NDO counted 40 labs.");
    let orgs = names(&f, EntityType::Organization);
    assert_eq!(orgs[0], "National Drug Observatory");
    assert!(orgs.iter().all(|o| *o == "National Drug Observatory" || *o == "NDO"), "{orgs:?}");
    let f = es("El Instituto Nacional Penitenciario (INPE) informó que hay 100.000 internos.");
    assert_eq!(names(&f, EntityType::Organization), ["Instituto Nacional Penitenciario"]);
}

#[test]
fn organisations_from_head_words_without_article() {
    let f = en("The figures came from the Ministry of Justice and Human Rights and the Lima Bar Association.");
    let orgs = names(&f, EntityType::Organization);
    assert!(orgs.contains(&"Ministry of Justice and Human Rights"), "{orgs:?}");
    assert!(orgs.contains(&"Lima Bar Association"), "{orgs:?}");
    let f = es("La Superintendencia Nacional de Migraciones y la Universidad Católica firmaron un convenio.");
    let orgs = names(&f, EntityType::Organization);
    assert_eq!(orgs, ["Superintendencia Nacional de Migraciones", "Universidad Católica"]);
}

#[test]
fn media_outlets_are_organisations() {
    let f = en("The mayor resigned, the newspaper El Tiempo reported.");
    assert!(has(&f, EntityType::Organization, "El Tiempo"));
    let f = es("Así lo informó La República en su edición del domingo.");
    assert!(has(&f, EntityType::Organization, "La República"));
}

#[test]
fn sentence_initial_common_words_are_not_names() {
    let f = en("Robberies fell. Extortion rose. However, Kidnappings stayed flat. The Police did not comment.");
    assert!(names(&f, EntityType::Person).is_empty(), "{f:?}");
    assert!(names(&f, EntityType::Organization).is_empty(), "{f:?}");
    let f = es("Según los datos, Las denuncias crecieron. En marzo hubo más robos. Tras el ataque, Nadie habló.");
    assert!(f.is_empty(), "{f:?}");
    let f = en("On Tuesday, March 3, the report came out.\nMONTHLY SECURITY BULLETIN\n");
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn places_with_their_country() {
    let f = es("Hubo ataques en Piura, Tumbes y el departamento de Madre de Dios, en el Perú.");
    for (name, code) in [("Piura", "PE"), ("Tumbes", "PE"), ("Madre de Dios", "PE"), ("Perú", "PE")] {
        let e = f.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} in {f:?}"));
        assert_eq!((e.kind, e.country.as_deref()), (EntityType::Location, Some(code)));
    }
    let f = en("Drug routes across Central America and the Caribbean reach South America.");
    for name in ["Central America", "Caribbean", "South America"] {
        let e = f.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} in {f:?}"));
        assert_eq!((e.kind, e.country.as_deref()), (EntityType::Location, None));
    }
}

#[test]
fn demonyms_are_not_places() {
    let f = en("Peruvian and Bolivian traffickers use the same routes.");
    assert!(f.is_empty(), "{f:?}");
    let f = es("Los venezolanos y las colombianas denunciaron abusos.");
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn ambiguous_place_follows_the_country_of_the_text() {
    let f = es("En Bolivia, la policía patrulla Santa Cruz y Cochabamba.");
    let sc = f.iter().find(|e| e.name == "Santa Cruz").expect("Santa Cruz");
    assert_eq!(sc.country.as_deref(), Some("BO"));
    let f = es("En Argentina, la policía patrulla Santa Cruz y Chubut.");
    let sc = f.iter().find(|e| e.name == "Santa Cruz").expect("Santa Cruz");
    assert_eq!(sc.country.as_deref(), Some("AR"));
}

#[test]
fn given_name_before_surname_beats_a_city() {
    let f = en("Salvador Mendieta, a lawyer, said the trial was rigged.");
    assert!(person(&f, "Salvador Mendieta").is_some(), "{f:?}");
}

#[test]
fn offsets_count_code_points() {
    let text = "Ñandú: el ministro de Defensa, José Núñez, visitó Ayacucho.";
    let f = es(text);
    let jose = person(&f, "José Núñez").expect("person");
    assert_eq!(jose.start, text.chars().position(|c| c == 'J').expect("J"));
}

proptest! {
    #[test]
    fn never_panics_and_offsets_hold(text in "[A-Za-zÁÉÍÓÚáéíóúÑñ0-9 ,.;:'()\\-\n\u{301}\u{a0}’“”«»]{0,300}") {
        let found = find(&text, &sentences::split(&text), Lang::Es);
        let chars: Vec<char> = text.chars().collect();
        for e in found {
            prop_assert!(e.start < e.end && e.end <= chars.len());
            let slice: String = chars[e.start..e.end].iter().collect();
            prop_assert_eq!(slice, e.name);
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        let found = find(&text, &sentences::split(&text), Lang::En);
        let chars: Vec<char> = text.chars().collect();
        for e in found {
            prop_assert!(e.start < e.end && e.end <= chars.len());
        }
    }

    #[test]
    fn names_from_word_lists_keep_offsets(words in proptest::collection::vec(
        prop::sample::select(vec!["el", "ministro", "del", "Interior", ",", "Juan", "Pérez", "Minister", "of", "Peru",
            "Policía", "Nacional", "(", "PNP", ")", "said", "Lima", "the", "Ñuño", "’s", ".", "\n", "EE.UU.", "La", "Gen.", "Los",
            "Monos", "según", "avenida", "former", "Ministry", "and", "y", "Contra", "el", "UNODC", "Peru\u{301}", "Office", "on",
            "SAID", "Gustavo", "de", ",", "banda", "San", "Rosa", "2024"]), 0..60), seps in proptest::collection::vec(
        prop::sample::select(vec![" ", "", ", ", ". ", "\u{a0}", "  "]), 60)) {
        let mut text = String::new();
        for (w, sep) in words.iter().zip(&seps) {
            text.push_str(w);
            text.push_str(sep);
        }
        let found = find(&text, &sentences::split(&text), Lang::En);
        let chars: Vec<char> = text.chars().collect();
        for e in found {
            prop_assert!(e.start < e.end && e.end <= chars.len());
            let slice: String = chars[e.start..e.end].iter().collect();
            prop_assert_eq!(slice, e.name);
        }
    }
}

#[test]
fn abbreviated_titles_and_middle_initials() {
    let f = en("The raid was led by Gen. Walter Ocampo, with help from Sen. Mary T. Collins.");
    assert_eq!(role_of(&f, "Walter Ocampo").as_deref(), Some("Gen."));
    assert_eq!(role_of(&f, "Mary T. Collins").as_deref(), Some("Sen."));
    // An initial that spells a Spanish function word ("a", "y", "e", "o").
    let f = es("El jefe de la Dirección Antidrogas, Julián A. Ferreyra Soto, presentó el balance.");
    assert_eq!(
        role_of(&f, "Julián A. Ferreyra Soto").as_deref(),
        Some("jefe de la Dirección Antidrogas")
    );
    let f = es("Según la fiscal Lucía Y. Barrenechea, hubo 40 denuncias.");
    assert!(person(&f, "Lucía Y. Barrenechea").is_some(), "{f:?}");
}

#[test]
fn headline_names_stop_at_two_words() {
    let f = en("Mayor Ricardo Lozano Rejects Curfew Plan\n\nThe plan was drafted in Arequipa.");
    assert_eq!(role_of(&f, "Ricardo Lozano").as_deref(), Some("Mayor"));
}

#[test]
fn an_acronym_before_the_title_belongs_to_the_role() {
    let f = en("CONADIC head Carla Núñez told reporters that the crop shrank.");
    assert_eq!(role_of(&f, "Carla Núñez").as_deref(), Some("CONADIC head"), "{f:?}");
}

#[test]
fn a_saints_name_is_a_place_not_a_person() {
    let f = en("Thefts rose in St. Mary East and St Ann North, said Gregory Walsh.");
    assert!(person(&f, "Mary East").is_none(), "{f:?}");
    assert!(person(&f, "Ann North").is_none(), "{f:?}");
    assert!(person(&f, "Gregory Walsh").is_some(), "{f:?}");
}

#[test]
fn a_capitalised_word_before_a_given_name_is_no_part_of_it() {
    let f = en("Head of Robbery Ravi Persad said 35 cases were closed.");
    assert!(person(&f, "Ravi Persad").is_some(), "{f:?}");
}

#[test]
fn police_ranks_and_academic_offices() {
    let f = en("Snr Supt of Fraud Anil Maharaj said 40 cases were solved.");
    assert_eq!(role_of(&f, "Anil Maharaj").as_deref(), Some("Snr Supt of Fraud"), "{f:?}");
    let f = en("The UNAM dean Marta Lozano said the rate fell.");
    assert_eq!(role_of(&f, "Marta Lozano").as_deref(), Some("UNAM dean"), "{f:?}");
}

#[test]
fn a_lowercase_complement_before_an_apposed_name() {
    let f = es("Según la jefa de la unidad de homicidios, Rosa Medina, hubo 100 denuncias.");
    assert_eq!(
        role_of(&f, "Rosa Medina").as_deref(),
        Some("jefa de la unidad de homicidios"),
        "{f:?}"
    );
}

#[test]
fn names_in_table_rows_are_whole() {
    let f = es("Condenados\n1. | Mario Andrés Quiroga Salcedo | 40 años |\n2. | Rosa Elena Paz Ugarte | 35 años |");
    assert!(person(&f, "Mario Andrés Quiroga Salcedo").is_some(), "{f:?}");
    assert!(person(&f, "Rosa Elena Paz Ugarte").is_some(), "{f:?}");
}

#[test]
fn criminal_groups_and_place_words() {
    let f = es("La banda Los Topos del Norte operaba en Puerto Esperanza y en el distrito de Villa Rica.");
    assert!(has(&f, EntityType::Organization, "Los Topos del Norte"), "{f:?}");
    assert!(has(&f, EntityType::Location, "Puerto Esperanza"), "{f:?}");
    assert!(has(&f, EntityType::Location, "Villa Rica"), "{f:?}");
}

#[test]
fn months_do_not_continue_names() {
    let f = en("The bill went to Congress on August 3 and to the Senate in May.");
    assert_eq!(names(&f, EntityType::Organization), ["Congress", "Senate"]);
}

#[test]
fn names_joined_by_and_before_the_head() {
    let f = en("Filings with the Securities and Exchange Commission show the loans.");
    assert_eq!(names(&f, EntityType::Organization), ["Securities and Exchange Commission"]);
    let f = en("Officials from Bolivia and Customs Agency staff met.");
    assert!(has(&f, EntityType::Location, "Bolivia"), "{f:?}");
    assert!(has(&f, EntityType::Organization, "Customs Agency"), "{f:?}");
}

#[test]
fn spanish_names_with_capitalised_links_and_group_names() {
    let f = es("La Unidad de Lucha Contra el Crimen Organizado capturó a miembros de Los Gatilleros en Ica.");
    assert!(
        has(&f, EntityType::Organization, "Unidad de Lucha Contra el Crimen Organizado"),
        "{f:?}"
    );
    assert!(has(&f, EntityType::Organization, "Los Gatilleros"), "{f:?}");
    // A head word written like a title ("Secretaría") does not introduce a person.
    let f = es("La Secretaría de Seguridad y Protección Ciudadana publicó el informe.");
    assert!(names(&f, EntityType::Person).is_empty(), "{f:?}");
}

#[test]
fn one_word_places_can_be_surnames() {
    let f = en("Clashes in Guerrero continued, said Beatriz Guerrero, a local judge.");
    assert!(person(&f, "Beatriz Guerrero").is_some(), "{f:?}");
    assert!(has(&f, EntityType::Location, "Guerrero"), "{f:?}");
}

#[test]
fn rank_after_the_comma_of_an_office() {
    let f = en("The head of the Navy, Admiral Jorge Villalba, confirmed the seizure.");
    assert_eq!(role_of(&f, "Jorge Villalba").as_deref(), Some("head of the Navy"));
}

#[test]
fn streets_are_places_not_people() {
    let f = es("El ataque ocurrió en la avenida Manuel Olguín, cerca del parque Kennedy.");
    assert!(names(&f, EntityType::Person).is_empty(), "{f:?}");
    assert!(has(&f, EntityType::Location, "Manuel Olguín"), "{f:?}");
}

#[test]
fn two_people_joined_by_y_stay_apart() {
    let f = es("Declararon Ana Lucía Campos y Jorge Luis Vera ante el juez.");
    assert_eq!(names(&f, EntityType::Person), ["Ana Lucía Campos", "Jorge Luis Vera"]);
}

#[test]
fn attributions_and_outlet_nouns_mark_organisations() {
    let f = en("Thefts doubled, according to Datacrim, and the newspaper Diario Sur agreed.");
    assert_eq!(names(&f, EntityType::Organization), ["Datacrim", "Diario Sur"]);
    let f = es("Según Vox Populi, el 70 % teme salir de noche.");
    assert_eq!(names(&f, EntityType::Organization), ["Vox Populi"]);
    // A person stays a person after "according to".
    let f = en("According to Marta Quiroz, the figure is too low.");
    assert!(person(&f, "Marta Quiroz").is_some(), "{f:?}");
}

#[test]
fn former_is_part_of_the_office() {
    let f = en("Ricardo Palma Soto, the former interior minister, was questioned.");
    assert_eq!(role_of(&f, "Ricardo Palma Soto").as_deref(), Some("former interior minister"));
}

#[test]
fn headings_in_capitals_give_no_acronyms() {
    let f = es("UN INFORME DE LA ONU REVELA CIFRAS\nLa DEA colabora con la policía.");
    assert_eq!(names(&f, EntityType::Organization), ["DEA"]);
}

#[test]
fn surname_mention_with_office_joins_the_full_name() {
    let f = es("Ernesto Ugaz llegó temprano. Luego el fiscal Ugaz pidió la prisión del acusado.");
    assert_eq!(names(&f, EntityType::Person), ["Ernesto Ugaz"]);
    assert_eq!(role_of(&f, "Ernesto Ugaz").as_deref(), Some("fiscal"));
}

#[test]
fn an_acronym_after_a_run_makes_it_an_organisation() {
    let f = en("The Regional Drug Watch (RDW) counted 40 labs. Later the RDW revised it.");
    assert_eq!(names(&f, EntityType::Organization), ["Regional Drug Watch", "RDW"]);
    let f = es("Las Farc y el Inpe aparecen en el informe.");
    assert_eq!(names(&f, EntityType::Organization), ["Farc", "Inpe"]);
}

#[test]
fn a_place_of_several_words_is_no_name_after_an_office() {
    let f = es("Lo dijo la ministra de Seguridad de Santa Fe, Paula Ortiz, en rueda de prensa.");
    assert_eq!(names(&f, EntityType::Person), ["Paula Ortiz"]);
}

#[test]
fn a_country_closes_a_name_only_before_its_acronym() {
    let f = en("Data from the UN Verification Mission in Colombia (UNVMC) show 40 killings.");
    assert_eq!(names(&f, EntityType::Organization), ["UN Verification Mission in Colombia"]);
    let f = en("The National Police in Colombia said 40 people died.");
    assert_eq!(names(&f, EntityType::Organization), ["National Police"]);
}

#[test]
fn a_surname_that_names_a_foreign_place_is_the_person() {
    let text = "Security Minister Héctor Lagos defended the plan in Tegucigalpa. \"The prisons are ours,\" Lagos told lawmakers.";
    let found = run(text, Lang::En);
    assert!(
        found.iter().all(|e| !(e.kind == EntityType::Location && e.name == "Lagos")),
        "{found:?}"
    );
    // A place of a country the text is about stays a place, whoever shares its name.
    let text = "El fiscal Juan Lima visitó Lima y otras ciudades del Perú.";
    let found = run(text, Lang::Es);
    assert!(
        found.iter().any(|e| e.kind == EntityType::Location && e.name == "Lima"),
        "{found:?}"
    );
}

#[test]
fn an_acronym_joins_a_name_with_inner_prepositions() {
    let f = es("Según la Fiscalía Especializada en Materia Ambiental (FEMA), los equipos valían S/ 12 millones.");
    assert!(
        has(&f, EntityType::Organization, "Fiscalía Especializada en Materia Ambiental"),
        "{f:?}"
    );
    assert!(!has(&f, EntityType::Location, "Materia Ambiental"), "{f:?}");
}

#[test]
fn a_capitalised_particle_stays_inside_a_surname() {
    let f = es("Lo anunció la ministra de Justicia, Marisol Del Águila, en Lima.");
    assert_eq!(role_of(&f, "Marisol Del Águila").as_deref(), Some("ministra de Justicia"));
    let f = en("Prosecutor Pablo De la Fuente said 12 officers were charged.");
    assert_eq!(role_of(&f, "Pablo De la Fuente").as_deref(), Some("Prosecutor"));
}

#[test]
fn a_capitalised_title_takes_its_capitalised_qualifier() {
    let f = es("Según el Director Ejecutivo de la OEA, Tomás Berrocal, la cifra bajó.");
    assert_eq!(role_of(&f, "Tomás Berrocal").as_deref(), Some("Director Ejecutivo de la OEA"));
    assert!(person(&f, "Ejecutivo").is_none(), "{f:?}");
    let f = es("En la audiencia un Fiscal Especializado presentó las pruebas del caso.");
    assert!(names(&f, EntityType::Person).is_empty(), "{f:?}");
}

#[test]
fn a_country_adjective_inside_an_office_is_left_out_of_the_role() {
    let f = en("Former Guatemalan President Rodrigo Solís was extradited in March. Solís, then president of the Republic, denied it.");
    assert_eq!(role_of(&f, "Rodrigo Solís").as_deref(), Some("Former President"));
    let f = es("El presidente chileno, Tomás Urrutia, anunció 300 nuevos carabineros.");
    assert_eq!(role_of(&f, "Tomás Urrutia").as_deref(), Some("presidente"));
    let f = es("El ministro hondureño de Seguridad, Óscar Ramírez, presentó el informe.");
    assert_eq!(role_of(&f, "Óscar Ramírez").as_deref(), Some("ministro de Seguridad"));
}

#[test]
fn a_given_name_spelt_like_a_month_opens_a_name() {
    let f = en("The Attorney General, Julio Ernesto Vidal, said 40 officers were dismissed in July.");
    assert_eq!(role_of(&f, "Julio Ernesto Vidal").as_deref(), Some("Attorney General"));
    let f = es("El abogado Julio Paredes Soto dijo que en julio hubo 12 casos.");
    assert!(person(&f, "Julio Paredes Soto").is_some(), "{f:?}");
}

#[test]
fn a_gloss_in_brackets_between_the_office_and_the_name() {
    let f = es("El ministro de Gobernación (Interior), Héctor Lemus, anunció más patrullajes.");
    assert_eq!(role_of(&f, "Héctor Lemus").as_deref(), Some("ministro de Gobernación"));
}

#[test]
fn a_paragraph_end_closes_a_name_after_its_office() {
    let f = es(
        "\"Las cárceles están al 300 %\", dijo la investigadora del instituto, Paola Ferrandi\n\nLos 20 penales del país albergan 9.000 presos.",
    );
    assert_eq!(role_of(&f, "Paola Ferrandi").as_deref(), Some("investigadora del instituto"));
}

#[test]
fn an_outlet_that_closes_a_sentence_as_its_reporter() {
    let f = en("Troops found 900 kilos of cocaine in a truck near the border, El Centinela reported.");
    assert!(has(&f, EntityType::Organization, "Centinela"), "{f:?}");
    let f = en("The navy seized two semi-submersibles last week, Noticias Costeras reported.");
    assert!(has(&f, EntityType::Organization, "Noticias Costeras"), "{f:?}");
    let f = en("Two prisoners escaped overnight, Mario Quintana reported. Four more fled at dawn, Quintana reported.");
    assert_eq!(names(&f, EntityType::Person), ["Mario Quintana"]);
    assert!(names(&f, EntityType::Organization).is_empty(), "{f:?}");
    // Without the comma the run is the sentence's subject, not its reporter.
    let f = en("Nine guards were hurt. Officials reported no deaths.");
    assert!(names(&f, EntityType::Organization).is_empty(), "{f:?}");
}

#[test]
fn sobre_links_the_words_of_an_organisation() {
    let f = es("Lo dijo el Centro de Investigación y Estudios sobre la Violencia Urbana en su informe.");
    assert!(
        has(
            &f,
            EntityType::Organization,
            "Centro de Investigación y Estudios sobre la Violencia Urbana"
        ),
        "{f:?}"
    );
}

#[test]
fn an_institution_named_inside_another() {
    let f = es("Los datos son del Observatorio de la Violencia de la Universidad Nacional de Ingeniería (UNI).");
    let orgs = names(&f, EntityType::Organization);
    assert!(orgs.contains(&"Universidad Nacional de Ingeniería"), "{orgs:?}");
    let f = es("El estudio fue hecho por la Unidad de Análisis de la Dirección General de Migraciones, según el informe.");
    let orgs = names(&f, EntityType::Organization);
    assert!(orgs.contains(&"Dirección General de Migraciones"), "{orgs:?}");
    // The acronym spells the whole name: one body.
    let f = es("Según el Secretariado Técnico del Consejo Nacional de Seguridad (STCNS), bajaron los robos.");
    let orgs = names(&f, EntityType::Organization);
    assert!(!orgs.contains(&"Consejo Nacional de Seguridad"), "{orgs:?}");
}

#[test]
fn cabinets_and_hospitals_are_organisations() {
    let f = es("El Gabinete de Seguridad y Justicia se reunió; los heridos fueron llevados al Hospital Escuela.");
    let orgs = names(&f, EntityType::Organization);
    assert_eq!(orgs, ["Gabinete de Seguridad y Justicia", "Hospital Escuela"]);
    let f = en("The Security Cabinet met after two officers died at Kingston Public Hospital.");
    let orgs = names(&f, EntityType::Organization);
    assert!(
        orgs.contains(&"Security Cabinet") && orgs.contains(&"Kingston Public Hospital"),
        "{orgs:?}"
    );
}

#[test]
fn a_capitalised_link_continues_an_english_name() {
    let f = en("Since 2015 the Task Force Against Kidnapping has freed 40 hostages.");
    assert!(has(&f, EntityType::Organization, "Task Force Against Kidnapping"), "{f:?}");
    let f = en("The Office Against Drugs and Crime counted 300 labs.");
    assert!(has(&f, EntityType::Organization, "Office Against Drugs and Crime"), "{f:?}");
    let f = en("The Unit For Organised Crime reported 30 arrests.");
    assert!(has(&f, EntityType::Organization, "Unit For Organised Crime"), "{f:?}");
}

#[test]
fn a_building_named_after_a_body_is_a_place() {
    let f = en("Reporters gathered at the National Security Council Building in Kingston.");
    assert!(names(&f, EntityType::Organization).is_empty(), "{f:?}");
    assert!(has(&f, EntityType::Location, "National Security Council Building"), "{f:?}");
}

#[test]
fn a_place_named_after_a_person() {
    let f = es("Los cuerpos fueron hallados en el municipio de José Azueta, Guerrero.");
    assert!(names(&f, EntityType::Person).is_empty(), "{f:?}");
    assert!(has(&f, EntityType::Location, "José Azueta"), "{f:?}");
}

#[test]
fn a_head_word_closing_a_list_of_portfolios() {
    let f = en("The Ministry of Justice and Police said 12 inmates escaped.");
    assert_eq!(names(&f, EntityType::Organization), ["Ministry of Justice and Police"]);
    // Two bodies of several words each stay apart.
    let f = en("The Ministry of Justice and the National Police said 12 inmates escaped.");
    assert_eq!(names(&f, EntityType::Organization), ["Ministry of Justice", "National Police"]);
}

#[test]
fn an_article_after_y_may_open_the_last_word_of_a_linked_name() {
    let f = es("La Comisión contra la Corrupción y el Soborno abrió 40 casos.");
    assert_eq!(names(&f, EntityType::Organization), ["Comisión contra la Corrupción y el Soborno"]);
    // Two bodies joined by "y el" stay two.
    let f = es("La Fiscalía y el Ministerio Público abrieron 40 casos.");
    assert_eq!(names(&f, EntityType::Organization), ["Fiscalía", "Ministerio Público"]);
    let f = es("El Ministerio de Defensa y el Ejército movilizaron 900 soldados.");
    assert_eq!(names(&f, EntityType::Organization), ["Ministerio de Defensa", "Ejército"]);
}
