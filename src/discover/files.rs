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
        let canonical =
            std::fs::canonicalize(&path).map_err(|e| DiscoverError::Files(format!("cannot resolve {}: {e}", path.display())))?;
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
            let url = Url::from_file_path(&path).map_err(|()| DiscoverError::Files(format!("{} has no file URL", path.display())))?;
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
    let cannot = |e: std::io::Error| DiscoverError::Files(format!("cannot read folder {}: {e}", folder.display()));
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
    let matches = glob::glob(pattern).map_err(|e| DiscoverError::Files(format!("{pattern} is not a valid glob: {e}")))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, "<html><body><p>x</p></body></html>").unwrap();
    }

    fn names(found: &[Candidate]) -> Vec<String> {
        found
            .iter()
            .map(|c| {
                let path = c.path.as_ref().unwrap();
                path.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect()
    }

    #[test]
    fn folder_gives_its_own_html_pages_sorted() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.html", "a.HTM", "c.htm", "notes.txt", "sub/deep.html"] {
            touch(&dir.path().join(name));
        }
        std::fs::create_dir(dir.path().join("folder.html")).unwrap();
        let found = list_files(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(names(&found), ["a.HTM", "b.html", "c.htm"]);
        for c in &found {
            let path = c.path.as_ref().unwrap();
            assert!(path.is_absolute());
            assert_eq!(Url::from_file_path(path).unwrap().as_str(), c.url);
            assert!(c.url.starts_with("file:///"));
        }
    }

    #[test]
    fn glob_can_walk_sub_folders_and_takes_what_it_matches() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["2024/03/a.html", "2024/b.html", "top.html", "2024/x.txt"] {
            touch(&dir.path().join(name));
        }
        let deep = format!("{}/**/*.html", dir.path().display());
        assert_eq!(names(&list_files(&deep).unwrap()), ["a.html", "b.html", "top.html"]);
        let txt = format!("{}/2024/*.txt", dir.path().display());
        assert_eq!(names(&list_files(&txt).unwrap()), ["x.txt"]);
    }

    #[test]
    fn paths_are_canonical_and_urls_escaped() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("con espacio/página 1.html"));
        let spec = format!("{}/con espacio/../con espacio", dir.path().display());
        let found = list_files(&spec).unwrap();
        assert_eq!(found.len(), 1);
        let path = found[0].path.as_ref().unwrap();
        assert_eq!(path, &std::fs::canonicalize(path).unwrap());
        assert!(!path.to_string_lossy().contains(".."));
        assert!(found[0].url.ends_with("/con%20espacio/p%C3%A1gina%201.html"), "{}", found[0].url);
    }

    #[test]
    fn nothing_found_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("readme.txt"));
        let spec = dir.path().to_str().unwrap();
        let err = list_files(spec).unwrap_err().to_string();
        assert!(err.contains(spec), "{err}");

        let missing = format!("{}/missing/*.html", dir.path().display());
        let err = list_files(&missing).unwrap_err().to_string();
        assert!(err.contains(&missing), "{err}");

        let bad = format!("{}/[*.html", dir.path().display());
        let err = list_files(&bad).unwrap_err().to_string();
        assert!(err.contains("glob"), "{err}");
    }
}
