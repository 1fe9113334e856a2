//! What the command-line tests share: running the binary and reading what it printed, the
//! files it wrote, and (`replay`) a local stand-in for the Zoho APIs.
#![allow(dead_code)] // each test crate uses only a part of it

pub mod replay;
pub mod zoho;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The "now" every test audits at, so trial expiries and waivers never depend on the clock.
pub const NOW: &str = "2026-11-24T09:00:00+09:00";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The binary, with the environment that changes its output (language, colour, width) cleared.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("crmdesk-audit").expect("binary");
    c.env_remove("LANG")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    c
}

/// The load options of the library-level tests: audited at `NOW`.
pub fn load_options() -> crmdesk_audit::load::LoadOptions {
    crmdesk_audit::load::LoadOptions {
        audit_time: NOW.to_owned(),
    }
}

/// Loads the file at `path` as a single-file export (named by its file name), with
/// `load_options`: what the library-level tests audit.
pub fn load_single_file(
    path: &Path,
) -> Result<crmdesk_audit::doc::Document, crmdesk_audit::load::LoadError> {
    use crmdesk_audit::load::{ExportKind, ExportSource};
    let source = ExportSource {
        path: path.to_path_buf(),
        display: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        kind: ExportKind::SingleFile,
    };
    crmdesk_audit::load::load(&source, &load_options())
}

/// Runs the binary in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = bin().current_dir(dir).args(args).output().expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary in the project's root (where `fixtures/` and `rules/` are).
pub fn run(args: &[&str]) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// A run's stdout as JSON; a failure showing stdout and stderr when it is not JSON.
pub fn json_of(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

/// `audit <export> --format json --now NOW <extra>` in the project's root: the exit status,
/// the report (stdout, which must be JSON whatever the status) and stderr.
pub fn audit_json(export: impl AsRef<Path>, extra: &[&str]) -> (i32, Value, String) {
    let path = export.as_ref().to_str().expect("utf-8 path");
    let mut args = vec!["audit", path, "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let r = run(&args);
    let json = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "{path}: stdout is not JSON ({e}): {}\n{}",
            r.stdout, r.stderr
        )
    });
    (r.code, json, r.stderr)
}

/// Copies a directory tree (an export into a scratch place).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// The names in a directory, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The file names of a list's first `n` pages: `page-0001.json`, ...
pub fn pages(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("page-{i:04}.json")).collect()
}

/// Every file below `dir`, into `out`.
pub fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}
