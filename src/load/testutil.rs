//! Test helpers: build exports in temporary directories and load them.

use super::{ExportKind, ExportSource, LoadError, LoadOptions};
use crate::doc::Document;
use std::path::Path;

/// A temporary directory holding `files` (relative path, content); parents are created.
pub(crate) fn bundle(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, text).expect("write file");
    }
    dir
}

fn opts() -> LoadOptions {
    LoadOptions {
        audit_time: "2026-01-01T00:00:00Z".to_string(),
    }
}

pub(crate) fn load_bundle(dir: &Path) -> Result<Document, LoadError> {
    let source = ExportSource {
        path: dir.to_path_buf(),
        display: dir.display().to_string(),
        kind: ExportKind::Bundle,
    };
    super::load(&source, &opts())
}

/// Loads `text` as a single-file export displayed as `x.json`.
pub(crate) fn load_single(text: &str) -> Result<Document, LoadError> {
    let dir = bundle(&[("x.json", text)]);
    let source = ExportSource {
        path: dir.path().join("x.json"),
        display: "x.json".to_string(),
        kind: ExportKind::SingleFile,
    };
    super::load(&source, &opts())
}
