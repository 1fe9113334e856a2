//! Command-line paths -> the exports they name (export-format.md, "Telling exports apart").
//!
//! A bundle directory or a `.json` file is one export; any other directory holds many,
//! found by walking it in name order. Nothing is read here beyond directory listings.

use super::{ExportKind, ExportSource, LoadError, LoadErrorKind};
use std::path::Path;
use walkdir::WalkDir;

/// Every export named by `inputs`, in input order and, inside a directory of exports, in
/// path order. A path that cannot be used is an `Err` in its place.
pub(crate) fn discover(inputs: &[std::path::PathBuf]) -> Vec<Result<ExportSource, LoadError>> {
    let mut out = Vec::new();
    for input in inputs {
        discover_one(input, &mut out);
    }
    out
}

fn discover_one(input: &Path, out: &mut Vec<Result<ExportSource, LoadError>>) {
    let display = input.display().to_string();
    let meta = match std::fs::metadata(input) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            out.push(Err(error(&display, LoadErrorKind::NoSuchInput)));
            return;
        }
        Err(e) => {
            out.push(Err(error(
                &display,
                LoadErrorKind::CannotReadInput { io: e.to_string() },
            )));
            return;
        }
    };
    if !meta.is_dir() {
        out.push(if has_json_extension(input) {
            Ok(source(input, display, ExportKind::SingleFile))
        } else {
            Err(error(&display, LoadErrorKind::NotJsonOrDir))
        });
        return;
    }
    if is_bundle(input) {
        out.push(Ok(source(input, display, ExportKind::Bundle)));
        return;
    }
    let before = out.len();
    walk(input, out);
    if out.len() == before {
        out.push(Err(error(&display, LoadErrorKind::HoldsNoExport)));
    }
}

/// A directory of exports: bundles and `.json` files below it; other directories are
/// walked into. Hidden entries (`.git`, `.DS_Store`) are skipped.
fn walk(root: &Path, out: &mut Vec<Result<ExportSource, LoadError>>) {
    let real_root = std::fs::canonicalize(root).ok();
    let mut entries = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().unwrap_or(root).display().to_string();
                out.push(Err(error(
                    &file,
                    LoadErrorKind::CannotReadInBatch { io: e.to_string() },
                )));
                continue;
            }
        };
        let path = entry.path();
        let hidden = entry.file_name().as_encoded_bytes().starts_with(b".");
        let file_type = entry.file_type();
        if hidden {
            if file_type.is_dir() {
                entries.skip_current_dir();
            }
            continue;
        }
        let display = path.display().to_string();
        if file_type.is_dir() {
            if is_bundle(path) {
                out.push(Ok(source(path, display, ExportKind::Bundle)));
                entries.skip_current_dir();
            }
            continue;
        }
        if file_type.is_symlink() {
            // Links are not walked into (so they cannot loop), but a link that is itself
            // an export counts; one that cannot be resolved is reported. A batch never
            // leaves its directory: a link to something outside it is refused.
            if let (Ok(real), Some(real_root)) = (std::fs::canonicalize(path), &real_root)
                && !real.starts_with(real_root)
            {
                out.push(Err(error(
                    &display,
                    LoadErrorKind::LinkOutsideBatch {
                        target: real.display().to_string(),
                    },
                )));
                continue;
            }
            match std::fs::metadata(path) {
                Err(e) => out.push(Err(error(
                    &display,
                    LoadErrorKind::CannotFollowLink { io: e.to_string() },
                ))),
                Ok(m) if m.is_dir() => {
                    if is_bundle(path) {
                        out.push(Ok(source(path, display, ExportKind::Bundle)));
                    }
                }
                Ok(_) => {
                    if has_json_extension(path) {
                        out.push(Ok(source(path, display, ExportKind::SingleFile)));
                    }
                }
            }
            continue;
        }
        if has_json_extension(path) {
            out.push(Ok(source(path, display, ExportKind::SingleFile)));
        }
    }
}

/// A bundle holds `crm/`, `desk/` or `integration.json`.
pub(crate) fn is_bundle(dir: &Path) -> bool {
    dir.join("crm").is_dir() || dir.join("desk").is_dir() || dir.join("integration.json").exists()
}

fn has_json_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn source(path: &Path, display: String, kind: ExportKind) -> ExportSource {
    ExportSource {
        path: path.to_path_buf(),
        display,
        kind,
    }
}

fn error(file: &str, kind: LoadErrorKind) -> LoadError {
    LoadError::new(file, kind)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::bundle;
    use super::*;
    use std::path::PathBuf;

    fn found(inputs: &[PathBuf]) -> Vec<Result<(String, ExportKind), String>> {
        discover(inputs)
            .into_iter()
            .map(|r| r.map(|s| (s.display, s.kind)).map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn a_bundle_directory_and_a_json_file_are_one_export_each() {
        let dir = bundle(&[("acme/crm/users.json", "[]"), ("one.json", "{}")]);
        let acme = dir.path().join("acme");
        let one = dir.path().join("one.json");
        let got = found(&[acme.clone(), one.clone()]);
        assert_eq!(
            got,
            vec![
                Ok((acme.display().to_string(), ExportKind::Bundle)),
                Ok((one.display().to_string(), ExportKind::SingleFile)),
            ]
        );
    }

    #[test]
    fn a_batch_directory_yields_bundles_and_json_files_in_path_order_walking_deeper() {
        let dir = bundle(&[
            ("batch/b-bundle/desk/tickets.json", "[]"),
            ("batch/b-bundle/crm/x.json", "[]"),
            ("batch/a.json", "{}"),
            ("batch/c-only-integration/integration.json", "{}"),
            ("batch/d-group/e/crm/users.json", "[]"),
            ("batch/d-group/f.json", "{}"),
            ("batch/notes.txt", "x"),
            ("batch/.git/config.json", "{}"),
        ]);
        let batch = dir.path().join("batch");
        let got = found(std::slice::from_ref(&batch));
        let rel = |p: &str| batch.join(p).display().to_string();
        assert_eq!(
            got,
            vec![
                Ok((rel("a.json"), ExportKind::SingleFile)),
                Ok((rel("b-bundle"), ExportKind::Bundle)),
                Ok((rel("c-only-integration"), ExportKind::Bundle)),
                Ok((rel("d-group/e"), ExportKind::Bundle)),
                Ok((rel("d-group/f.json"), ExportKind::SingleFile)),
            ]
        );
    }

    #[test]
    fn a_missing_path_is_an_error_saying_what_to_give() {
        let got = found(&[PathBuf::from("/no/such/export")]);
        assert_eq!(got.len(), 1);
        let e = got[0].as_ref().unwrap_err();
        assert!(
            e.starts_with("/no/such/export: no such file or directory; give a bundle"),
            "{e}"
        );
    }

    #[test]
    fn a_directory_without_exports_is_an_error() {
        let dir = bundle(&[("empty/readme.txt", "x")]);
        let got = found(&[dir.path().join("empty")]);
        assert_eq!(got.len(), 1);
        assert!(
            got[0].as_ref().unwrap_err().contains("holds no export"),
            "{got:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_json_is_refused() {
        let dir = bundle(&[("notes.txt", "x")]);
        let got = found(&[dir.path().join("notes.txt")]);
        assert!(
            got[0].as_ref().unwrap_err().contains("not a .json file"),
            "{got:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_broken_links_are_errors_in_place_not_hangs() {
        let dir = bundle(&[("batch/a.json", "{}")]);
        let batch = dir.path().join("batch");
        std::os::unix::fs::symlink(&batch, batch.join("loop")).unwrap();
        std::os::unix::fs::symlink(batch.join("self.json"), batch.join("self.json")).unwrap();
        let got = found(std::slice::from_ref(&batch));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            Ok((
                batch.join("a.json").display().to_string(),
                ExportKind::SingleFile
            ))
        );
        assert!(
            got[1].as_ref().unwrap_err().contains("self.json"),
            "{got:?}"
        );
    }
}
