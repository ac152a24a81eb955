//! The CSV and Parquet exports read back by an independent reader (Python's csv module and
//! pyarrow, through `tests/readers/check_exports.py`) and compared cell by cell with the
//! database.
//!
//! The reader is the Python named by `VIGIA_READER_PYTHON`, else `python3`; `.ci/run` installs
//! pyarrow for it and sets `VIGIA_REQUIRE_READER`, under which a missing reader fails the test.
//! Elsewhere the test says it was skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cli::vigia;

/// A page of our own whose title a spreadsheet would run as a formula.
const FORMULA_PAGE: &str = r#"<html lang="es"><head><title>=SUMA(A1:A9) de los robos</title></head><body><article>
<h1>=SUMA(A1:A9) de los robos</h1>
<p>La fiscalía regional informó que en 2025 se denunciaron 1.245 robos a mano armada en la provincia, un 8 % menos que el año anterior.</p>
<p>El fiscal jefe, Martín Oyarzún, dijo que unas 300 denuncias siguen sin un sospechoso identificado y que la unidad de robos sumará 40 agentes.</p>
</article></body></html>"#;

fn reader() -> Option<PathBuf> {
    let python = std::env::var_os("VIGIA_READER_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let works = Command::new(&python)
        .args(["-c", "import pyarrow.parquet"])
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(python)
}

fn export(db: &Path, table: &str, format: &str, out: &Path) {
    vigia()
        .args(["export", table, "--format", format, "--db"])
        .arg(db)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn exports_read_back_by_an_independent_reader_equal_the_database() {
    let Some(python) = reader() else {
        assert!(
            std::env::var_os("VIGIA_REQUIRE_READER").is_none(),
            "VIGIA_REQUIRE_READER is set but no Python with pyarrow was found"
        );
        eprintln!("skipped: no Python with pyarrow (set VIGIA_READER_PYTHON)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/pages");
    for entry in std::fs::read_dir(demo).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, pages.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(pages.join("formula.html"), FORMULA_PAGE).unwrap();
    let config = dir.path().join("vigia.toml");
    std::fs::write(
        &config,
        "database = \"vigia.db\"\n[[sources]]\nname = \"saved\"\nkind = \"files\"\nurl = \"pages\"\nschedule = \"0 * * * *\"\nlanguage = \"auto\"\n",
    )
    .unwrap();
    vigia().arg("run").arg("--all").arg("--config").arg(&config).assert().success();
    let db = dir.path().join("vigia.db");

    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    for table in ["articles", "statistics", "entities"] {
        export(&db, table, "csv", &out.join(format!("{table}.csv")));
        export(&db, table, "parquet", &out.join(format!("{table}.parquet")));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/check_exports.py");
    let checked = Command::new(&python).arg(script).arg(&db).arg(&out).output().unwrap();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{said}{}", String::from_utf8_lossy(&checked.stderr));
    for table in ["articles", "statistics", "entities"] {
        assert!(said.contains(&format!("{table}: ")), "{said}");
    }
    // The formula title went through, neutralised in CSV and exact in Parquet.
    let articles = std::fs::read_to_string(out.join("articles.csv")).unwrap();
    assert!(
        articles.contains(",'=SUMA(A1:A9) de los robos,"),
        "the title cell is not neutralised"
    );
}
