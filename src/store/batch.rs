//! Batched writes: many small write transactions folded into one SQLite transaction.
//!
//! Every commit rewrites the b-tree and full-text pages it touched, so one transaction per
//! article costs more than the article itself. In a batch, each write runs in a savepoint of
//! one open transaction (so a failed write still undoes only itself), and the batch commits
//! after [`BATCH_WRITES`] writes or when its owner calls [`Store::commit_batch`] (a pass does
//! on a timer): a crash loses at most the writes since the last commit, and nothing committed.

use std::cell::Cell;
use std::ops::Deref;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{Result, Store};

/// Writes after which a batch commits even before its owner asks.
pub const BATCH_WRITES: u32 = 500;

/// The page cache of a batching connection, in KiB as SQLite's negative `cache_size` reads.
const BATCH_CACHE_KIB: i64 = -32_768;

/// WAL pages after which a batching connection copies the log back into the database (SQLite's
/// default is 1,000). Every copy writes each page changed since the last once, whatever the
/// number of commits that changed it, and syncs the file: the index pages a batch of articles
/// touches are written once per checkpoint instead of once per 1,000 pages of log. The log
/// grows to 10,000 pages before it is reused: 80 MB in a file vigia made (8 KiB pages), 40 MB
/// in one with SQLite's default 4 KiB.
const BATCH_CHECKPOINT_PAGES: i64 = 10_000;

/// The batch state of one connection.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Passes batching their writes (the daemon runs several at once); batching goes on
    /// while there is one.
    users: Cell<u32>,
    /// Writes since the batch's transaction began.
    writes: Cell<u32>,
}

/// One write: its own IMMEDIATE transaction, or a savepoint of the open batch.
pub(super) struct WriteTx<'c> {
    conn: &'c Connection,
    /// The write's own transaction; None for a savepoint.
    own: Option<Transaction<'c>>,
    /// A savepoint not yet released.
    open: bool,
}

impl WriteTx<'_> {
    pub(super) fn commit(mut self) -> Result<()> {
        match self.own.take() {
            Some(tx) => {
                index_pending(&tx)?;
                tx.commit()?
            }
            None => {
                self.conn.prepare_cached("RELEASE vigia_write")?.execute([])?;
            }
        }
        self.open = false;
        Ok(())
    }
}

impl Deref for WriteTx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for WriteTx<'_> {
    /// A write dropped without commit (an error on the way) undoes itself, and only itself
    /// (its own transaction rolls back as it drops).
    fn drop(&mut self) {
        if self.own.is_none() && self.open {
            let _ = self.conn.execute_batch("ROLLBACK TO vigia_write; RELEASE vigia_write");
        }
    }
}

/// Puts the articles waiting for the full-text index into it, all at once (schema version 10
/// explains why they wait). Run inside the transaction about to commit and outside any
/// savepoint, so the index gets one segment for the lot.
pub(super) fn index_pending(conn: &Connection) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO articles_fts (rowid, title, body)
         SELECT a.id, a.title, a.body FROM articles_fts_pending p JOIN articles a ON a.id = p.id",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM articles_fts_pending")?.execute([])?;
    Ok(())
}

/// Indexes articles left waiting by another program's writes (vigia commits none), in one
/// transaction of their own; for a database just opened for writing.
pub(super) fn index_left_pending(conn: &Connection) -> Result<()> {
    let waiting: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM articles_fts_pending)", [], |row| row.get(0))?;
    if waiting {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        index_pending(&tx)?;
        tx.commit()?;
    }
    Ok(())
}

impl Store {
    /// Starts batching this connection's writes (see the module's documentation).
    pub fn begin_batch(&self) -> Result<()> {
        // A batch's pages stay in the cache until it commits, instead of spilling to the WAL
        // and being written there again; each write's savepoint keeps its undo in memory.
        self.conn.pragma_update(None, "cache_size", BATCH_CACHE_KIB)?;
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        self.conn.pragma_update(None, "wal_autocheckpoint", BATCH_CHECKPOINT_PAGES)?;
        self.batch.users.set(self.batch.users.get().saturating_add(1));
        Ok(())
    }

    /// Commits the writes batched so far; the next write opens a new transaction.
    pub fn commit_batch(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            let committed = index_pending(&self.conn).and_then(|()| Ok(self.conn.execute_batch("COMMIT")?));
            if committed.is_err() {
                // Claims held for the batch's figures may be of writes that are now undone.
                self.claim_ends.take();
            }
            committed?;
        }
        self.batch.writes.set(0);
        Ok(())
    }

    /// Commits what is batched; once every pass that began a batch has ended it, each write
    /// is in its own transaction again.
    pub fn end_batch(&self) -> Result<()> {
        self.batch.users.set(self.batch.users.get().saturating_sub(1));
        self.commit_batch()
    }

    /// Opens one write. In a batch, the batch's transaction is opened first if need be, and
    /// committed once it holds [`BATCH_WRITES`] writes.
    pub(super) fn write_tx(&self) -> Result<WriteTx<'_>> {
        if self.batch.users.get() == 0 {
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
            return Ok(WriteTx {
                conn: &self.conn,
                own: Some(tx),
                open: true,
            });
        }
        if self.batch.writes.get() >= BATCH_WRITES {
            self.commit_batch()?;
        }
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        self.batch.writes.set(self.batch.writes.get().saturating_add(1));
        // Kept compiled: every write of a batch opens one.
        self.conn.prepare_cached("SAVEPOINT vigia_write")?.execute([])?;
        Ok(WriteTx {
            conn: &self.conn,
            own: None,
            open: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::store::PageRecord;

    fn page(n: u32) -> PageRecord {
        let url = format!("https://diario.example/nota/{n}");
        PageRecord {
            final_url: url.clone(),
            url,
            source: "diario".into(),
            fetched_at: Utc::now(),
            ..PageRecord::default()
        }
    }

    /// Pages another connection sees.
    fn committed(path: &std::path::Path) -> i64 {
        let reader = Store::open_read_only(path).unwrap();
        reader.query("SELECT count(*) FROM pages").unwrap().rows[0][0].as_i64().unwrap()
    }

    fn store() -> (tempfile::TempDir, std::path::PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let store = Store::open(&path).unwrap();
        (dir, path, store)
    }

    #[test]
    fn batched_writes_reach_other_connections_when_the_batch_commits() {
        let (_dir, path, store) = store();
        store.begin_batch().unwrap();
        store.record_page(&page(1)).unwrap();
        assert!(store.has_page(&page(1).url).unwrap(), "the writer sees its own writes");
        assert_eq!(committed(&path), 0);
        store.commit_batch().unwrap();
        assert_eq!(committed(&path), 1);
        store.record_page(&page(2)).unwrap();
        store.end_batch().unwrap();
        assert_eq!(committed(&path), 2);
        // Out of the batch, each write commits at once.
        store.record_page(&page(3)).unwrap();
        assert_eq!(committed(&path), 3);
    }

    #[test]
    fn a_batch_commits_by_itself_after_so_many_writes() {
        let (_dir, path, store) = store();
        store.begin_batch().unwrap();
        for n in 0..=BATCH_WRITES {
            store.record_page(&page(n)).unwrap();
        }
        assert_eq!(committed(&path), i64::from(BATCH_WRITES));
        store.end_batch().unwrap();
        assert_eq!(committed(&path), i64::from(BATCH_WRITES) + 1);
    }

    #[test]
    fn a_write_dropped_in_a_batch_undoes_only_itself() {
        let (_dir, path, store) = store();
        store.begin_batch().unwrap();
        store.record_page(&page(1)).unwrap();
        {
            let tx = store.write_tx().unwrap();
            tx.execute("DELETE FROM pages", []).unwrap();
            // Dropped without commit, as when a write fails half-way.
        }
        store.record_page(&page(2)).unwrap();
        store.end_batch().unwrap();
        assert_eq!(committed(&path), 2);
    }

    #[test]
    fn batching_lasts_while_any_pass_batches() {
        let (_dir, path, store) = store();
        store.begin_batch().unwrap();
        store.begin_batch().unwrap();
        store.end_batch().unwrap();
        store.record_page(&page(1)).unwrap();
        assert_eq!(committed(&path), 0, "the other pass still batches");
        store.end_batch().unwrap();
        assert_eq!(committed(&path), 1);
    }
}
