//! Schema migrations: numbered plain-SQL files, applied in order, version kept in `user_version`.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{Result, StoreError};

/// The migrations, in order; the schema version of a database is how many were applied.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_fts.sql"),
    include_str!("../../migrations/0003_articles_url.sql"),
    include_str!("../../migrations/0004_statistic_change.sql"),
    include_str!("../../migrations/0005_source_health.sql"),
    include_str!("../../migrations/0006_article_versions.sql"),
    include_str!("../../migrations/0007_claims.sql"),
    include_str!("../../migrations/0008_views.sql"),
    include_str!("../../migrations/0009_read_indexes.sql"),
    include_str!("../../migrations/0010_cheaper_passes.sql"),
    include_str!("../../migrations/0011_archived_pages.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version recorded in a database (0 for a new file).
pub(super) fn user_version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// The error for a database written by a newer vigia.
pub(super) fn too_new(path: &str, found: u32) -> StoreError {
    StoreError::Open {
        path: path.to_string(),
        message: format!(
            "its schema version {found} is newer than this vigia knows ({SCHEMA_VERSION}); \
             use a newer vigia"
        ),
    }
}

/// The error for a file that holds another program's tables.
fn foreign(path: &str) -> StoreError {
    StoreError::Open {
        path: path.to_string(),
        message: "it holds tables but no vigia schema; refusing to write into it".into(),
    }
}

/// Refuses, before anything is written, a database this build must not migrate.
pub(super) fn check_writable(conn: &Connection, path: &str) -> Result<()> {
    let current = user_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(too_new(path, current));
    }
    if current == 0 && has_tables(conn)? {
        return Err(foreign(path));
    }
    Ok(())
}

/// Applies the first `upto` migrations not yet applied, each in its own transaction.
///
/// The version is read again inside each write transaction, so two processes opening the same
/// new file never apply a migration twice.
///
/// Foreign keys are off while they run (the caller turns them on afterwards): a migration that
/// rebuilds a table drops the old one, which with foreign keys on would delete every row
/// pointing at it.
pub(super) fn migrate(conn: &Connection, path: &str, upto: u32) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    apply(conn, path, MIGRATIONS, upto)
}

fn apply(conn: &Connection, path: &str, migrations: &[&str], upto: u32) -> Result<()> {
    let upto = upto.min(migrations.len() as u32);
    loop {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(too_new(path, current));
        }
        if current >= upto {
            tx.commit()?;
            return Ok(());
        }
        if current == 0 && has_tables(&tx)? {
            return Err(foreign(path));
        }
        let version = current + 1;
        let failed = |e: rusqlite::Error| StoreError::Migration {
            version,
            message: e.to_string(),
        };
        tx.execute_batch(migrations[current as usize]).map_err(failed)?;
        tx.pragma_update(None, "user_version", version).map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
}

/// Whether a database with no recorded version already holds something (another program's file).
fn has_tables(conn: &Connection) -> Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_migration_leaves_the_previous_version_whole() {
        let conn = Connection::open_in_memory().unwrap();
        let migrations = ["CREATE TABLE a (x);", "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);"];
        let err = apply(&conn, "mem", &migrations, 2).unwrap_err();
        assert!(matches!(err, StoreError::Migration { version: 2, .. }), "{err}");
        assert_eq!(user_version(&conn).unwrap(), 1);
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }
}
