//! The one loader of the data files under `data/`: every word list and table goes through it.
//!
//! A table is tab-separated, one row a line; blank lines and lines starting with `#` are
//! skipped, and each cell is trimmed. The loader is strict: a row with the wrong number of
//! columns, a language or field value outside its closed set, or a number that does not
//! parse is an error naming the file and line, never a row quietly left out. The files are
//! compiled in, so their tables are built in a `LazyLock` that panics on such an error, and
//! the tests below load every file through its loader so a bad row fails the test suite.

use std::str::FromStr;

use super::Lang;

/// A bad row of a data file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("data/{file}:{line}: {found} columns, expected {expected}")]
    Columns {
        file: &'static str,
        line: usize,
        found: usize,
        expected: String,
    },
    #[error("data/{file}:{line}: column {column} is empty")]
    Empty { file: &'static str, line: usize, column: usize },
    #[error("data/{file}:{line}: unknown {field} {value:?}")]
    Unknown {
        file: &'static str,
        line: usize,
        field: &'static str,
        value: String,
    },
    #[error("data/{file}:{line}: {value:?} is not a number")]
    Number { file: &'static str, line: usize, value: String },
}

/// One data file compiled into the program, with the number of columns its rows may have.
#[derive(Debug, Clone, Copy)]
pub struct DataFile {
    pub name: &'static str,
    pub text: &'static str,
    columns: (usize, usize),
}

macro_rules! data_files {
    ($($id:ident = $name:literal, $min:literal..=$max:literal;)*) => {
        $(pub const $id: DataFile = DataFile { name: $name, text: include_str!(concat!("data/", $name)), columns: ($min, $max) };)*
        /// Every data file, for the tests.
        #[cfg(test)]
        pub const ALL: &[DataFile] = &[$($id),*];
    };
}

// Columns each file's rows may have (a row may leave its last optional columns out).
data_files! {
    ABBREVIATIONS = "abbreviations.tsv", 1..=1;
    AREAS = "areas.tsv", 1..=2;
    ATTRIBUTION = "attribution.tsv", 3..=3;
    CALENDAR = "calendar.txt", 1..=1;
    CHANGE_CUES = "change_cues.tsv", 4..=4;
    COMMON_SOURCES = "common_sources.txt", 1..=1;
    COMPARISON_CUES = "comparison_cues.tsv", 2..=2;
    CONNECTORS = "connectors.txt", 1..=1;
    COUNTRIES = "countries.tsv", 2..=4;
    CURRENCIES = "currencies.txt", 1..=1;
    CURRENCY_CODES = "currency_codes.txt", 1..=1;
    CURRENCY_NOUNS = "currency_nouns.txt", 1..=1;
    GIVEN_NAMES = "given_names.txt", 1..=1;
    NAME_WORDS = "name_words.tsv", 2..=2;
    NUMBER_WORDS = "number_words.tsv", 4..=4;
    NUMBERS = "numbers.tsv", 3..=3;
    ORG_HEADS = "org_heads.tsv", 2..=2;
    ORGANIZATIONS = "organizations.tsv", 2..=4;
    OWN_COUNTRY = "own_country.txt", 1..=1;
    PER_DAY = "per_day.txt", 1..=1;
    PERSON_NOUNS = "person_nouns.txt", 1..=1;
    PLACES = "places.tsv", 2..=2;
    POPULATION = "population.tsv", 3..=3;
    QUALIFIERS = "qualifiers.tsv", 3..=3;
    RATE_CUES = "rate_cues.tsv", 2..=2;
    RECORD_PARTICIPLES = "record_participles.txt", 1..=1;
    RELATIVE_YEARS = "relative_years.txt", 1..=1;
    RELEVANCE = "relevance.tsv", 3..=4;
    REPORT_WORDS = "report_words.txt", 1..=1;
    ROLE_WORDS = "role_words.tsv", 2..=2;
    ROUTE_MARKERS = "route_markers.txt", 1..=1;
    SITUATING = "situating.txt", 1..=1;
    SOURCE_CUES = "source_cues.tsv", 1..=1;
    SPEECH_VERBS = "speech_verbs.txt", 1..=1;
    STOPWORDS = "stopwords.tsv", 2..=2;
    STOPWORDS_NAMES = "stopwords.txt", 1..=1;
    TITLES = "titles.tsv", 2..=3;
    TOPICS = "topics.tsv", 4..=5;
    TOWN_MARKERS = "town_markers.txt", 1..=1;
    UNITS = "units.tsv", 5..=5;
    UNTOPICAL = "untopical.tsv", 2..=2;
    WORLD_WORDS = "world_words.txt", 1..=1;
}

/// One row of a table: its cells and where it was read.
#[derive(Debug, Clone)]
pub struct Row {
    pub file: &'static str,
    pub line: usize,
    cells: Vec<&'static str>,
}

impl DataFile {
    /// The rows of the file, each with an allowed number of columns.
    pub fn rows(&self) -> Result<Vec<Row>, TableError> {
        let (min, max) = self.columns;
        let mut out = Vec::new();
        for (n, line) in self.text.lines().enumerate() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<&'static str> = line.split('\t').map(str::trim).collect();
            let row = Row {
                file: self.name,
                line: n + 1,
                cells,
            };
            if !(min..=max).contains(&row.cells.len()) {
                let expected = if min == max { min.to_string() } else { format!("{min} to {max}") };
                return Err(TableError::Columns {
                    file: row.file,
                    line: row.line,
                    found: row.cells.len(),
                    expected,
                });
            }
            // Required columns must say something; optional ones may be left empty.
            if let Some(column) = (0..min).find(|&c| row.cells[c].is_empty()) {
                return Err(TableError::Empty {
                    file: row.file,
                    line: row.line,
                    column: column + 1,
                });
            }
            out.push(row);
        }
        Ok(out)
    }

    /// The entries of a one-per-line list (a phrase a line).
    pub fn lines(&self) -> Result<Vec<&'static str>, TableError> {
        Ok(self.rows()?.into_iter().map(|r| r.cells[0]).collect())
    }

    /// The words of a list written several to a line, separated by spaces.
    pub fn words(&self) -> Result<Vec<&'static str>, TableError> {
        Ok(self.lines()?.into_iter().flat_map(str::split_whitespace).collect())
    }
}

impl Row {
    /// Cell `i` (empty when the row leaves it out).
    pub fn get(&self, i: usize) -> &'static str {
        self.cells.get(i).copied().unwrap_or("")
    }

    /// Cell `i` unless it is left out or empty.
    pub fn opt(&self, i: usize) -> Option<&'static str> {
        self.cells.get(i).copied().filter(|c| !c.is_empty())
    }

    /// Whether the language cell `i` (`en`, `es`, `*`) applies to `lang`.
    pub fn applies(&self, i: usize, lang: Lang) -> Result<bool, TableError> {
        match self.get(i) {
            "*" => Ok(true),
            "en" => Ok(lang == Lang::En),
            "es" => Ok(lang == Lang::Es),
            _ => Err(self.unknown(i, "language")),
        }
    }

    /// The value cell `i` names among `choices`.
    pub fn choice<T: Copy>(&self, i: usize, field: &'static str, choices: &[(&str, T)]) -> Result<T, TableError> {
        let cell = self.get(i);
        choices
            .iter()
            .find(|(name, _)| *name == cell)
            .map(|(_, v)| *v)
            .ok_or_else(|| self.unknown(i, field))
    }

    /// Whether optional cell `i` holds the marker `name`; left out or empty is no, anything
    /// else is an error.
    pub fn flag(&self, i: usize, name: &'static str) -> Result<bool, TableError> {
        match self.opt(i) {
            None => Ok(false),
            Some(cell) if cell == name => Ok(true),
            Some(_) => Err(self.unknown(i, name)),
        }
    }

    /// Cell `i` read as a number.
    pub fn number<T: FromStr>(&self, i: usize) -> Result<T, TableError> {
        self.get(i).parse().map_err(|_| TableError::Number {
            file: self.file,
            line: self.line,
            value: self.get(i).to_string(),
        })
    }

    /// The error for a cell outside its field's closed set.
    pub fn unknown(&self, i: usize, field: &'static str) -> TableError {
        TableError::Unknown {
            file: self.file,
            line: self.line,
            field,
            value: self.get(i).to_string(),
        }
    }
}

/// Unwraps a table built from compiled-in data: a bad row is a defect of the program itself,
/// caught by the tests, so it stops the program with the file and line named.
pub fn built<T>(table: Result<T, TableError>) -> T {
    table.unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &'static str, min: usize, max: usize) -> DataFile {
        DataFile {
            name: "test.tsv",
            text,
            columns: (min, max),
        }
    }

    #[test]
    fn rows_skip_comments_and_blank_lines_and_count_lines() {
        let rows = file("# head\n\nen\tuno\t \nes\tdos\n", 2, 2).rows().unwrap_or_default();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].get(1)), (3, "uno"));
        assert_eq!((rows[1].line, rows[1].get(0)), (4, "es"));
    }

    #[test]
    fn a_bad_row_is_an_error_naming_file_and_line() {
        let err = file("en\tuno\nes\n", 2, 2).rows().err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("data/test.tsv:2: 1 columns, expected 2")
        );
        let err = file("en\t\n", 2, 3).rows().err();
        assert!(matches!(err, Some(TableError::Columns { line: 1, .. })));
        let err = file("\tuno\n", 2, 2).rows().err();
        assert!(matches!(err, Some(TableError::Empty { line: 1, column: 1, .. })));
        let Ok(rows) = file("fr\tx\tabc\n", 3, 3).rows() else {
            panic!("the row has three columns")
        };
        assert!(matches!(
            rows[0].applies(0, Lang::En),
            Err(TableError::Unknown { field: "language", .. })
        ));
        assert!(matches!(rows[0].number::<f64>(2), Err(TableError::Number { line: 1, .. })));
        assert!(rows[0].choice(1, "kind", &[("y", 1)]).is_err());
        assert_eq!(rows[0].choice(1, "kind", &[("x", 1)]), Ok(1));
    }

    #[test]
    fn optional_columns_may_be_left_out() {
        let rows = file("a\tb\nc\n", 1, 2).rows().unwrap_or_default();
        assert_eq!((rows[0].opt(1), rows[1].opt(1), rows[1].get(1)), (Some("b"), None, ""));
    }

    #[test]
    fn a_flag_column_is_the_marker_or_nothing() {
        let rows = file("a\tcommon\nb\nc\tcomon\n", 1, 2).rows().unwrap_or_default();
        assert!(matches!(rows[0].flag(1, "common"), Ok(true)));
        assert!(matches!(rows[1].flag(1, "common"), Ok(false)));
        let err = rows[2].flag(1, "common").map_err(|e| e.to_string());
        assert!(matches!(&err, Err(m) if m.contains("comon")), "{err:?}");
    }

    #[test]
    fn every_data_file_is_listed_and_its_rows_are_well_formed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/extract/data");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = ALL.iter().map(|f| f.name.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
        for f in ALL {
            if let Err(e) = f.rows() {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn every_table_builds_through_its_loader() {
        use crate::extract::{entities, geo, numbers, relevance, stats, topics, units};
        for lang in [Lang::En, Lang::Es] {
            let loaded = [
                stats::load(lang).map(drop),
                stats::relative_years().map(drop),
                units::load(lang).map(drop),
                numbers::load(lang).map(drop),
                topics::load(lang).map(drop),
                relevance::load(lang).map(drop),
            ];
            for r in loaded {
                if let Err(e) = r {
                    panic!("{e}");
                }
            }
        }
        // One-column lists need no loader of their own: `rows` above checks them.
        let loaded = [geo::build().map(drop), entities::load_tables()];
        for r in loaded {
            if let Err(e) = r {
                panic!("{e}");
            }
        }
    }
}
