//! Researcher exports of articles, statistics and entities as CSV or JSON Lines.

use crate::store::{ExportFilter, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("write failed: {0}")]
    Io(#[from] std::io::Error),
}

pub fn export_articles(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn std::io::Write) -> Result<u64, ExportError> {
    let _ = (store, filter, format, out);
    Ok(0)
}

pub fn export_statistics(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn std::io::Write) -> Result<u64, ExportError> {
    let _ = (store, filter, format, out);
    Ok(0)
}

pub fn export_entities(store: &Store, filter: &ExportFilter, format: Format, out: &mut dyn std::io::Write) -> Result<u64, ExportError> {
    let _ = (store, filter, format, out);
    Ok(0)
}
