//! Local files: saved pages in a folder or matched by a glob.

use std::path::{Path, PathBuf};

use url::Url;

use super::{Candidate, DiscoverError};

/// The saved pages `spec` names, sorted by path.
///
/// A folder gives its own `.html` and `.htm` files (any letter case), without descending into
/// sub-folders; for a deeper walk write a glob such as `pages/**/*.html`. A glob gives every
/// regular file it matches, whatever its extension, since the pattern already says which
/// files are wanted. Each candidate's URL is the `file://` URL of the canonical path.
pub fn list_files(spec: &str) -> Result<Vec<Candidate>, DiscoverError> {
    let spec_path = Path::new(spec);
    let found = if spec_path.is_dir() {
        folder_pages(spec_path)?
    } else {
        glob_files(spec)?
    };
    let mut paths = Vec::with_capacity(found.len());
    for path in found {
        let canonical = std::fs::canonicalize(&path)
            .map_err(|e| DiscoverError::Files(format!("cannot resolve {}: {e}", path.display())))?;
        paths.push(canonical);
    }
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        let what = if spec_path.is_dir() {
            "holds no .html or .htm files"
        } else {
            "matches no files"
        };
        return Err(DiscoverError::Files(format!("{spec} {what}")));
    }
    paths
        .into_iter()
        .map(|path| {
            let url = Url::from_file_path(&path).map_err(|()| {
                DiscoverError::Files(format!("{} has no file URL", path.display()))
            })?;
            Ok(Candidate {
                url: url.into(),
                path: Some(path),
                title: None,
                published: None,
            })
        })
        .collect()
}

fn folder_pages(folder: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    let cannot = |e: std::io::Error| {
        DiscoverError::Files(format!("cannot read folder {}: {e}", folder.display()))
    };
    let mut pages = Vec::new();
    for item in std::fs::read_dir(folder).map_err(cannot)? {
        let path = item.map_err(cannot)?.path();
        let is_page = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        if is_page && path.is_file() {
            pages.push(path);
        }
    }
    Ok(pages)
}

fn glob_files(pattern: &str) -> Result<Vec<PathBuf>, DiscoverError> {
    let matches = glob::glob(pattern)
        .map_err(|e| DiscoverError::Files(format!("{pattern} is not a valid glob: {e}")))?;
    let mut files = Vec::new();
    for entry in matches {
        match entry {
            Ok(path) if path.is_file() => files.push(path),
            Ok(_) => {}
            Err(e) => tracing::warn!(pattern, error = %e, "Skipping an unreadable path."),
        }
    }
    Ok(files)
}
