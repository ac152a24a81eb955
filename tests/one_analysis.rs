//! `vigia run` and `vigia extract` read a page the same way: what the demo run stores for each
//! page is what `vigia extract` prints for the same file.

mod common;

use common::cli::{demo_db, stdout_of, vigia};

#[test]
fn run_stores_what_extract_prints_for_each_demo_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let stored = stdout_of(vigia().args(["sql", "--format", "json", "--db"]).arg(&db).arg(
        "SELECT a.url, a.title, a.language, a.body, \
                 (SELECT count(*) FROM statistics s WHERE s.article_id = a.id) AS statistics \
                 FROM articles a ORDER BY a.url",
    ));
    let mut compared = 0;
    for line in stored.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let url = row["url"].as_str().unwrap();
        let path = url::Url::parse(url).unwrap().to_file_path().unwrap();
        let printed = stdout_of(vigia().args(["extract", "--url", url]).arg(&path));
        let record: serde_json::Value = serde_json::from_str(&printed).unwrap();
        for field in ["title", "language", "body"] {
            assert_eq!(record[field], row[field], "{url}: {field}");
        }
        let statistics = record["statistics"].as_array().unwrap().len() as u64;
        assert_eq!(Some(statistics), row["statistics"].as_u64(), "{url}: statistics");
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} stored articles");
}
