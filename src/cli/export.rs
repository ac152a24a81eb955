//! `vigia export`: articles, statistics or entities as CSV, JSON Lines or Parquet, with provenance.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use vigia::export::{self, Format, Table};
use vigia::store::{ExportFilter, Versions};

use super::progress::{Bar, Conditions, Kind};
use super::{FilterArgs, Global, UsageError};

#[derive(Args)]
#[command(after_help = "Examples:\n  vigia export statistics --format csv > figures.csv\n  \
vigia export entities --format jsonl --since 2024-01-01 --out entities.jsonl\n  \
vigia export statistics --format parquet --out figures.parquet\n\n\
Every row carries its provenance: article_url, published and source.\n\
Every version of a changed article is written (version 1, 2, ...; superseded_at empty for the\n\
current one); --current writes current versions only.\n\
Parquet is written to a file only, so it needs --out.")]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    what: What,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    format: FormatArg,
    #[command(flatten)]
    filter: FilterArgs,
    /// Only the current version of each article (by default every version is written, each
    /// with its `version` and `superseded_at`)
    #[arg(long)]
    current: bool,
    /// Write to this file instead of standard output (written beside it, then moved in place;
    /// never the database; required for parquet)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum What {
    Statistics,
    Articles,
    Entities,
}

impl What {
    fn table(self) -> Table {
        match self {
            What::Statistics => Table::Statistics,
            What::Articles => Table::Articles,
            What::Entities => Table::Entities,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Csv,
    Jsonl,
    Parquet,
}

pub fn run(global: &Global, args: ExportArgs) -> anyhow::Result<ExitCode> {
    // Parquet stays a listed format in builds without it, so the refusal can say why.
    let format = match args.format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Parquet => parquet_format()?,
    };
    if args.format == FormatArg::Parquet && args.out.is_none() {
        return Err(UsageError("--format parquet needs --out FILE: Parquet is not written to standard output".into()).into());
    }
    let db = super::read_only_database(global)?;
    if let Some(out) = &args.out {
        refuse_database_files(out, &db)?;
    }
    let store = super::open_read_only(&db)?;
    let filter = ExportFilter {
        versions: if args.current { Versions::Current } else { Versions::All },
        ..args.filter.to_filter(&store)?
    };
    let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
        Ok(match args.what {
            What::Statistics => export::export_statistics(&store, &filter, format, out)?,
            What::Articles => export::export_articles(&store, &filter, format, out)?,
            What::Entities => export::export_entities(&store, &filter, format, out)?,
        })
    };
    // Bytes written, on a bar at a terminal; rows are counted only as they are written.
    let bar = |output_on_terminal| Bar::new(Conditions::of(global, output_on_terminal), "vigia export", Kind::Bytes);
    let Some(path) = &args.out else {
        let stdout = std::io::stdout();
        let bar = bar(stdout.is_terminal());
        write_stream(bar.counting(stdout.lock()), write)?;
        return Ok(ExitCode::SUCCESS);
    };
    let rows = if is_device_or_pipe(path) {
        // A device or a pipe (`/dev/stdout`, a FIFO) is written in place: a rename would
        // replace it with a regular file.
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let bar = bar(file.is_terminal());
        write_stream(bar.counting(file), write)?
    } else {
        // Written beside the target and moved in place at the end, so a failed or killed
        // export never leaves half a file nor destroys the previous one.
        let (partial, file) = Partial::create(path)?;
        let bar = bar(false);
        let rows = if args.format == FormatArg::Parquet {
            drop(file);
            // Parquet is written by path: the bar follows the file's size.
            bar.follow(
                || write_parquet(&store, args.what.table(), &filter, partial.path()),
                |bar| bar.set_position(std::fs::metadata(partial.path()).map_or(0, |m| m.len())),
            )?
        } else {
            write_stream(bar.counting(file), write)?
        };
        drop(bar);
        partial.persist(path)?;
        rows
    };
    super::notice(&format!("vigia export: {rows} rows written to {}", path.display()));
    Ok(ExitCode::SUCCESS)
}

/// Files that must never be replaced by an export: the database, what SQLite keeps beside it
/// (write-ahead log, shared memory, rollback journal) and the run lock.
const DATABASE_SUFFIXES: [&str; 5] = ["", "-wal", "-shm", "-journal", ".lock"];

/// Refuses an `--out` that names the database or one of its companion files, under any path.
fn refuse_database_files(out: &Path, db: &Path) -> anyhow::Result<()> {
    let out_resolved = resolved(out);
    let db_resolved = resolved(db);
    for suffix in DATABASE_SUFFIXES {
        let mut name = db_resolved.clone().into_os_string();
        name.push(suffix);
        let protected = PathBuf::from(name);
        if out_resolved == protected || same_file(out, &protected) {
            let what = if suffix.is_empty() {
                format!("the database {}", db.display())
            } else {
                format!("{}, which belongs to the database {}", protected.display(), db.display())
            };
            return Err(UsageError(format!("--out {} would overwrite {what}: choose another file", out.display())).into());
        }
    }
    Ok(())
}

/// A path with links, `.` and `..` resolved; for a file that does not exist yet, its folder's.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir).map_or(absolute.clone(), |d| d.join(name)),
        _ => absolute,
    }
}

/// Whether two existing paths are one file (hard links included).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

fn is_device_or_pipe(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

fn write_stream(out: impl Write, write: impl FnOnce(&mut dyn Write) -> anyhow::Result<u64>) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::new(out);
    let rows = write(&mut out)?;
    out.flush()?;
    Ok(rows)
}

/// An export being written beside its target; removed on drop unless moved into place.
struct Partial {
    path: PathBuf,
    persisted: bool,
}

impl Partial {
    /// Creates `<target>.<pid>.<n>.partial` in the target's folder, never reusing an existing file.
    fn create(target: &Path) -> anyhow::Result<(Partial, File)> {
        let name = target
            .file_name()
            .ok_or_else(|| UsageError(format!("--out {} does not name a file", target.display())))?;
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut attempt = 0u32;
        loop {
            let mut partial_name = name.to_owned();
            partial_name.push(format!(".{}.{attempt}.partial", std::process::id()));
            let path = dir.join(partial_name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((Partial { path, persisted: false }, file)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
            }
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the export to disk and moves it onto `target`.
    fn persist(mut self, target: &Path) -> anyhow::Result<()> {
        OpenOptions::new()
            .write(true)
            .open(&self.path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        std::fs::rename(&self.path, target).with_context(|| format!("cannot move {} to {}", self.path.display(), target.display()))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the error that stopped the export is the one to report.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(feature = "parquet")]
fn parquet_format() -> anyhow::Result<Format> {
    Ok(Format::Parquet)
}

#[cfg(not(feature = "parquet"))]
fn parquet_format() -> anyhow::Result<Format> {
    Err(UsageError(export::PARQUET_UNAVAILABLE.into()).into())
}

#[cfg(feature = "parquet")]
fn write_parquet(store: &vigia::store::Store, table: Table, filter: &ExportFilter, tmp: &Path) -> anyhow::Result<u64> {
    Ok(export::export_parquet(store, table, filter, tmp)?)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &vigia::store::Store, _: Table, _: &ExportFilter, _: &Path) -> anyhow::Result<u64> {
    Err(UsageError(export::PARQUET_UNAVAILABLE.into()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_devices_and_pipes_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.csv");
        assert!(!is_device_or_pipe(&file), "missing");
        std::fs::write(&file, "x").unwrap();
        assert!(!is_device_or_pipe(&file), "regular file");
        assert!(!is_device_or_pipe(dir.path()), "directory");
        #[cfg(unix)]
        assert!(is_device_or_pipe(Path::new("/dev/null")));
    }

    #[test]
    fn the_database_and_its_companions_are_refused_under_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v.db");
        std::fs::write(&db, "db").unwrap();
        let relative_db = dir.path().join("sub").join("..").join("v.db");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for out in ["v.db", "v.db-wal", "v.db-shm", "v.db-journal", "v.db.lock", "./v.db-wal"] {
            let err = refuse_database_files(&dir.path().join(out), &relative_db).unwrap_err();
            assert!(err.is::<UsageError>(), "{out}: {err}");
            assert!(err.to_string().contains("v.db"), "{err}");
        }
        for out in ["v.csv", "v.db.csv", "v.dbx", "sub/v.db"] {
            assert!(refuse_database_files(&dir.path().join(out), &db).is_ok(), "{out}");
        }
    }

    #[test]
    fn a_partial_file_is_removed_unless_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "previous").unwrap();
        let (first, _) = Partial::create(&target).unwrap();
        let (second, mut file) = Partial::create(&target).unwrap();
        assert_ne!(first.path(), second.path(), "two exports never share a file");
        drop(first);
        file.write_all(b"new").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous");
        second.persist(&target).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["out.csv"]);
    }
}
