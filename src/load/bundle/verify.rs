//! A bundle's `manifest.json`: read at once (a manifest that cannot be read is a note),
//! and every file it lists checked against the sha256 `collect` recorded.

use super::super::Note;
use super::super::json::{self, Parsed};
use super::super::manifest::Manifest;
use super::super::raw::Origin;
use super::Entry;
use rayon::prelude::*;
use std::path::Path;

/// `manifest.json`, read at once: a manifest that cannot be read is a note, never a
/// failed export (export-format.md).
pub(super) fn read_manifest(e: &Entry, notes: &mut Vec<Note>) -> Manifest {
    let at = Origin::file(&e.display);
    match json::read_file(&e.path, &e.display) {
        Ok(Parsed::Value(v)) => Manifest::read(Some(v), &at, notes),
        Ok(Parsed::Blank) => Manifest::read(None, &at, notes),
        Err(error) => {
            notes.push(Note::ManifestUnreadable { error });
            Manifest::default()
        }
    }
}

/// Notes every file whose sha256 differs from the one `collect` recorded (the export was
/// edited after collection; it is audited as it is), or that is gone. Paths leading out
/// of the export are not read.
pub(super) fn verify_files(root: &Path, display: &str, manifest: &Manifest, notes: &mut Vec<Note>) {
    let real_root = std::fs::canonicalize(root);
    let outcomes: Vec<Option<Note>> = manifest
        .sha256
        .par_iter()
        .map(|(rel, want)| {
            let shown = Path::new(display).join(rel).display().to_string();
            let inside = Path::new(rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                return Some(Note::ManifestPathOutside { rel: rel.clone() });
            }
            let path = root.join(rel);
            if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                return Some(Note::ManifestFileMissing { file: shown });
            }
            // A link inside the export to a file outside it is not read (as for pages):
            // even a hash comparison would tell something about that file.
            if let (Ok(real), Ok(real_root)) = (std::fs::canonicalize(&path), &real_root)
                && !real.starts_with(real_root)
            {
                return Some(Note::ManifestPathOutside { rel: rel.clone() });
            }
            let got = match file_sha256(&path) {
                Ok(hash) => hash,
                Err(e) => {
                    return Some(Note::ManifestCannotCheck {
                        file: shown,
                        io: e.to_string(),
                    });
                }
            };
            (got != *want).then_some(Note::ManifestEdited { file: shown })
        })
        .collect();
    notes.extend(outcomes.into_iter().flatten());
}

/// The sha256 of a file, in hex as the manifest writes it, read in blocks: a 500 MB list
/// is never held whole just to be hashed.
fn file_sha256(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(crate::collect::staging::hex(&hasher.finalize()))
}
