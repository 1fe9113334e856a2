//! Writes a synthetic export (see `common/gen.rs`):
//!
//! ```sh
//! cargo bench --bench generate -- <small|typical|large|huge> <OUT> [--form bundle|single] [--seed N]
//! ```
//!
//! `--form bundle` (the default) makes the directory `OUT`; `--form single` the file `OUT`.

#[path = "common/gen.rs"]
mod generator;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut positional = Vec::new();
    let mut form = "bundle".to_string();
    let mut seed = 0u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--form" => form = args.next().unwrap_or_default(),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            _ => positional.push(a),
        }
    }
    let usage = "usage: cargo bench --bench generate -- <small|typical|large|huge> <OUT> [--form bundle|single] [--seed N]";
    let [size, out] = positional.as_slice() else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let Some(spec) = generator::spec(size) else {
        eprintln!("unknown size {size}\n{usage}");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    if out.exists() {
        eprintln!("{} exists already; give a new path", out.display());
        return ExitCode::from(2);
    }
    let g = generator::Gen::new(spec, seed);
    let started = Instant::now();
    let written = match form.as_str() {
        "bundle" => generator::write_bundle(&g, &out),
        "single" => generator::write_single(&g, &out),
        _ => {
            eprintln!("--form bundle|single\n{usage}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = written {
        eprintln!("{}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {} ({} form, {}): {:.1} MB in {:.1?}",
        out.display(),
        form,
        spec.name,
        generator::disk_size(&out) as f64 / 1e6,
        started.elapsed()
    );
    ExitCode::SUCCESS
}
