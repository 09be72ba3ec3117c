//! The one error type of this crate.
//!
//! tantivy's own error type stays private: callers see a stable code and a message, so a
//! tantivy upgrade cannot break them.

use std::io;
use std::path::PathBuf;

/// What went wrong while opening, writing or searching the catalog index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The file system refused: the index directory cannot be created, opened, read or
    /// written.
    #[error("search index I/O failed{}: {source}", path.as_ref().map(|p| format!(" at {}", p.display())).unwrap_or_default())]
    Io {
        /// The directory or file involved, when known.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The index itself failed: corrupt or incompatible files (e.g. written with another
    /// schema), the directory is locked by another writer, an indexing thread died.
    #[error("search index failed: {0}")]
    Index(String),
}

impl SearchError {
    /// A stable, machine-readable code: `search.io` or `search.index`.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Io { .. } => "search.io",
            SearchError::Index(_) => "search.index",
        }
    }

    pub(crate) fn io(path: Option<PathBuf>, source: io::Error) -> Self {
        SearchError::Io { path, source }
    }
}

/// tantivy keeps I/O errors behind an `Arc`; copy kind and message into an owned one.
fn owned_io(err: &io::Error) -> io::Error {
    io::Error::new(err.kind(), err.to_string())
}

impl SearchError {
    pub(crate) fn from_tantivy(err: tantivy::TantivyError) -> Self {
        use tantivy::directory::error::OpenDirectoryError;
        use tantivy::TantivyError as T;
        match err {
            T::IoError(e) => SearchError::io(None, owned_io(&e)),
            T::OpenDirectoryError(OpenDirectoryError::DoesNotExist(p)) => SearchError::io(
                Some(p),
                io::Error::new(io::ErrorKind::NotFound, "directory does not exist"),
            ),
            T::OpenDirectoryError(OpenDirectoryError::NotADirectory(p)) => SearchError::io(
                Some(p),
                io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
            ),
            T::OpenDirectoryError(OpenDirectoryError::IoError {
                io_error,
                directory_path,
            }) => SearchError::io(Some(directory_path), owned_io(&io_error)),
            other => SearchError::Index(other.to_string()),
        }
    }
}

impl SearchError {
    pub(crate) fn from_open_dir(err: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::from_tantivy(tantivy::TantivyError::from(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let io = SearchError::io(None, io::Error::other("disk full"));
        assert_eq!(io.code(), "search.io");
        assert!(io.to_string().contains("disk full"));
        let idx = SearchError::Index("bad".into());
        assert_eq!(idx.code(), "search.index");
    }

    #[test]
    fn tantivy_io_maps_to_search_io() {
        let e = tantivy::TantivyError::from(io::Error::new(io::ErrorKind::PermissionDenied, "no"));
        let s = SearchError::from_tantivy(e);
        assert_eq!(s.code(), "search.io");
        let schema = SearchError::from_tantivy(tantivy::TantivyError::SchemaError("x".into()));
        assert_eq!(schema.code(), "search.index");
    }
}
