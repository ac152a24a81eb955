//! Claims and stories end to end: three outlets (saved pages in `tests/fixtures/claims/`) repeat
//! one prison figure, one of them as a syndicated copy, and one repeats it again months later;
//! then the bundled demo, where every figure and article must be grouped.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{demo_db, sql_count, stdout_of, vigia};

const FIGURE: &str = "s.value = 24310 AND s.unit = 'count'";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claims")
}

/// A configuration with one `files` source per outlet folder of the fixtures.
fn config(dir: &Path, outlets: &[&str]) -> PathBuf {
    config_in(dir, &fixtures(), outlets)
}

/// ... of the outlet folders under `fixtures`.
fn config_in(dir: &Path, fixtures: &Path, outlets: &[&str]) -> PathBuf {
    let mut text = format!("database = {:?}\n", dir.join("claims.db").to_str().unwrap());
    for outlet in outlets {
        let folder = fixtures.join(outlet);
        text += &format!(
            "\n[[sources]]\nname = {outlet:?}\nkind = \"files\"\nurl = {:?}\nlanguage = \"en\"\n",
            folder.to_str().unwrap()
        );
    }
    let path = dir.join("claims.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(config: &Path) {
    vigia().args(["run", "--all", "-q", "--config"]).arg(config).assert().success();
}

/// (outlet, day, claim_id, story_id, article id) of each report of the figure, by day.
fn reports(db: &Path) -> Vec<(String, String, i64, i64, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT a.source, a.day, s.claim_id, a.story_id, a.id FROM statistics s JOIN articles a ON a.id = s.article_id
             WHERE {FIGURE} AND a.superseded_at IS NULL ORDER BY a.day"
        ))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Which reports share a claim and which share a story, as lists of equal-or-not.
fn groups(reports: &[(String, String, i64, i64, i64)]) -> (Vec<bool>, Vec<bool>) {
    let first = &reports[0];
    (
        reports.iter().map(|r| r.2 == first.2).collect(),
        reports.iter().map(|r| r.3 == first.3).collect(),
    )
}

#[test]
fn repeats_are_one_claim_copies_one_story_and_a_later_repeat_a_new_claim() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &["north-wire", "south-daily", "east-weekly"]);
    run(&config);
    let db = dir.path().join("claims.db");
    let found = reports(&db);
    let outlets: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(outlets, ["north-wire", "south-daily", "east-weekly", "east-weekly"]);
    // The wire report, its copy and the analysis 18 days later are one claim; the repeat in
    // July, more than 60 days after the first report, is another.
    let (same_claim, same_story) = groups(&found);
    assert_eq!(same_claim, [true, true, true, false]);
    // Only the syndicated copy shares the wire report's story, named by the first article.
    assert_eq!(same_story, [true, true, false, false]);
    assert_eq!(found[0].3, found[0].4);

    let claim = found[0].2;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row: (String, String, String, i64, i64) = conn
        .query_row(
            "SELECT first_outlet, first_date, first_url, articles, outlets FROM claims_v WHERE claim_id = ?1",
            [claim],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "north-wire".into(),
            "2026-03-02".into(),
            "https://northwire.example/2026/03/honduras-prison-census".into(),
            3,
            3
        )
    );

    // The trend counts two claims, or four reports, and explains the claims behind it.
    let trend = |extra: &[&str]| {
        stdout_of(
            vigia()
                .args([
                    "trend",
                    "statistics",
                    "--unit",
                    "count",
                    "--topic",
                    "prisons",
                    "--metric",
                    "inmates",
                    "--format",
                    "csv",
                ])
                .args(extra)
                .arg("--config")
                .arg(&config),
        )
    };
    let claims = trend(&[]);
    assert!(claims.contains("\n2026,2,4,"), "{claims}");
    let reports_count = trend(&["--count", "reports"]);
    assert!(reports_count.contains("\n2026,4,4,"), "{reports_count}");
    let explained = trend(&["--explain"]);
    let mut lines = explained.lines();
    assert_eq!(
        lines.next(),
        Some("period,claim_id,value,unit,first_outlet,first_date,articles,outlets")
    );
    assert_eq!(
        lines.next(),
        Some(format!("2026,{claim},24310,count,north-wire,2026-03-02,3,3").as_str())
    );
    assert_eq!(
        lines.next(),
        Some(format!("2026,{},24310,count,east-weekly,2026-07-15,1,1", found[3].2).as_str())
    );
    assert_eq!(lines.next(), None);

    // Exports carry the claim and the story last.
    let export = |what: &str| stdout_of(vigia().args(["export", what, "--format", "csv", "--config"]).arg(&config));
    let header = |csv: &str| csv.lines().next().unwrap_or_default().to_string();
    assert!(header(&export("statistics")).ends_with(",superseded_at,claim_id,story_id"));
    assert!(header(&export("articles")).ends_with(",superseded_at,story_id"));
    assert!(header(&export("entities")).ends_with(",superseded_at,story_id"));

    // Reprocessing replaces every figure and groups them again the same way.
    vigia().args(["reprocess", "--config"]).arg(&config).assert().success();
    assert_eq!(groups(&reports(&db)), (same_claim, same_story));
}

#[test]
fn a_later_run_regroups_the_claims_its_figures_touch() {
    let dir = tempfile::tempdir().unwrap();
    // The analysis is stored first; the wire report, published earlier, arrives in a later run.
    run(&config(dir.path(), &["east-weekly"]));
    let db = dir.path().join("claims.db");
    let before = reports(&db);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0].2, before[1].2);
    run(&config(dir.path(), &["north-wire", "south-daily", "east-weekly"]));
    let after = reports(&db);
    assert_eq!(groups(&after).0, [true, true, true, false]);
    // The claim is named after its earliest report now, the wire's.
    assert_eq!(
        sql_count(&db, &format!("SELECT article_id FROM statistics WHERE id = {}", after[0].2)),
        after[0].4 as u64
    );
    assert_eq!(after[3].2, before[1].2, "the July repeat keeps its claim");
}

#[test]
fn every_figure_and_article_of_the_demo_is_grouped_and_the_trend_counts_claims() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let current = "JOIN articles a ON a.id = s.article_id WHERE a.superseded_at IS NULL";
    assert_eq!(
        sql_count(&db, &format!("SELECT count(*) FROM statistics s {current} AND s.claim_id IS NULL")),
        0
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM articles WHERE superseded_at IS NULL AND story_id IS NULL"
        ),
        0
    );
    // A claim's figures share its key, and its id is one of its figures.
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM statistics s JOIN statistics c ON c.id = s.claim_id
             WHERE s.unit <> c.unit OR s.value IS NOT c.value OR s.low IS NOT c.low OR s.high IS NOT c.high
                OR s.topic IS NOT c.topic OR s.location IS NOT c.location OR s.year IS NOT c.year OR s.change IS NOT c.change"
        ),
        0
    );
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM claims_v"),
        sql_count(&db, &format!("SELECT count(DISTINCT s.claim_id) FROM statistics s {current}"))
    );
    // By reference year, the trend's counts add up to the distinct claims of dated levels.
    let csv = stdout_of(
        vigia()
            .args(["trend", "statistics", "--by", "reference-year", "--format", "csv", "--db"])
            .arg(&db),
    );
    let total: u64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    let claims = sql_count(
        &db,
        &format!(
            "SELECT count(*) FROM (SELECT DISTINCT s.year, s.claim_id FROM statistics s {current}
               AND s.change IS NULL AND s.year IS NOT NULL AND coalesce(s.value, s.low + s.high) IS NOT NULL)"
        ),
    );
    assert_eq!(total, claims);
}

#[test]
fn a_corrected_article_leaves_the_claim_of_its_earlier_text() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    for outlet in ["north-wire", "south-daily"] {
        std::fs::create_dir_all(pages.join(outlet)).unwrap();
        for entry in std::fs::read_dir(fixtures().join(outlet)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), pages.join(outlet).join(entry.file_name())).unwrap();
        }
    }
    let config = config_in(dir.path(), &pages, &["north-wire", "south-daily"]);
    run(&config);
    let db = dir.path().join("claims.db");
    assert_eq!(groups(&reports(&db)).0, [true, true]);
    // The wire corrects its figure: its new text is a new version with another figure.
    let page = pages.join("north-wire/prison-census.html");
    let text = std::fs::read_to_string(&page).unwrap().replace("24,310", "24,130");
    std::fs::write(&page, text).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(later)
        .unwrap();
    run(&config);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM articles WHERE superseded_at IS NOT NULL"), 1);
    let left = reports(&db);
    assert_eq!(left.len(), 1, "only the copy still reports the old figure: {left:?}");
    assert_eq!(left[0].0, "south-daily");
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM statistics s JOIN articles a ON a.id = s.article_id
             WHERE a.superseded_at IS NOT NULL AND s.claim_id IS NOT NULL"
        ),
        0
    );
    assert_eq!(
        sql_count(&db, &format!("SELECT outlets FROM claims_v WHERE claim_id = {}", left[0].2)),
        1
    );
}
