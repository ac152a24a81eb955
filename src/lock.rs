//! A lock file so that two overlapping runs never both write.
//!
//! The lock is an advisory file lock (`flock`) on `<database>.lock`: the operating system
//! releases it when the holder exits, even after `kill -9`, so a stale lock never blocks.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another vigia run holds {path}{}", holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Held { path: PathBuf, holder: Option<String> },
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Held while a run writes; released on drop or process exit.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock beside `database`, or says who holds it.
    pub fn acquire(database: &Path) -> Result<RunLock, LockError> {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held {
                    path,
                    holder: (!holder.is_empty()).then(|| holder.to_string()),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // Who holds it, for the message the next run prints.
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(
            file,
            "pid {} since {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        )
        .map_err(io)?;
        Ok(RunLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v.db");
        let first = RunLock::acquire(&db).unwrap();
        match RunLock::acquire(&db) {
            Err(LockError::Held { holder, .. }) => assert!(holder.unwrap().contains(&std::process::id().to_string())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        RunLock::acquire(&db).unwrap();
    }
}
