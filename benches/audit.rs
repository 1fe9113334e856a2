//! The performance benchmark (README, "Performance"):
//!
//! ```sh
//! cargo bench --bench audit                       # typical + large + a batch of 1,000 small exports
//! cargo bench --bench audit -- --size typical --runs 5 --batch 200
//! ```
//!
//! For each export size it generates (once, into `--dir`, default /tmp/crmdesk-bench) the
//! bundle and single-file forms of the same data, then measures, each in its own child
//! process so that peak memory (max RSS, from `wait4`) is that process's alone:
//!
//! - the floor: this binary re-run as `--floor <bundle>`, which reads every JSON file of
//!   the export and parses it into `serde_json::Value` (kept until the end), nothing else;
//!   once on one thread (the floor the targets refer to), once on all cores (context);
//! - the full audit: `crmdesk-audit audit <bundle> --format json`, the whole process.
//!
//! It prints the median wall time of `--runs` runs, peak RSS, the ratio audit / floor and
//! peak RSS / size on disk. Then it checks that results do not depend on how they were
//! computed: `--threads 1` gives the same report as all cores, and the single-file form
//! gives the same results as the bundle form. The batch part audits a directory of
//! `--batch` small exports (half bundles, half single files, with varied settings) with
//! `--threads 1` and with all cores, and checks both reports are equal.

#[path = "common/gen.rs"]
mod generator;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Bump when the generator's output changes, so stale exports are made again.
const GENERATOR_VERSION: &str = "1";
/// The `--now` of every audit, so reports are comparable across runs.
const NOW: &str = "2026-11-24T09:00:00+09:00";
const AUDIT: &str = env!("CARGO_BIN_EXE_crmdesk-audit");

struct Options {
    sizes: Vec<String>,
    runs: usize,
    dir: PathBuf,
    batch: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--floor") {
        return floor(&args[1..]);
    }
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "{e}\nusage: cargo bench --bench audit -- [--size typical|large|huge]... [--runs N] [--batch N] [--dir DIR]"
            );
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("FAILED: a check above did not hold");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![],
        runs: 5,
        dir: PathBuf::from("/tmp/crmdesk-bench"),
        batch: 1000,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--size" => {
                let s = value()?;
                generator::spec(&s).ok_or(format!("unknown size {s}"))?;
                o.sizes.push(s);
            }
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--batch" => o.batch = value()?.parse().map_err(|e| format!("--batch: {e}"))?,
            "--dir" => o.dir = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.sizes.is_empty() {
        o.sizes = vec!["typical".into(), "large".into()];
    }
    o.runs = o.runs.max(1);
    Ok(o)
}

// ---------------------------------------------------------------------------------------
// the floor

/// `--floor PATH [--threads N]`: parse every JSON file under PATH into `serde_json::Value`
/// and keep them all until the end. Prints the number of files and of top-level items.
fn floor(args: &[String]) -> ExitCode {
    let Some(path) = args.first() else {
        eprintln!("--floor PATH [--threads N]");
        return ExitCode::from(2);
    };
    let threads: usize = match args.get(1..3) {
        Some([flag, n]) if flag == "--threads" => n.parse().unwrap_or(1),
        _ => 1,
    };
    let files = generator::json_files(Path::new(path));
    let parse = |f: &PathBuf| -> serde_json::Value {
        let bytes = fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return serde_json::Value::Null;
        }
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()))
    };
    let values: Vec<serde_json::Value> = if threads > 1 {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| files.par_iter().map(parse).collect())
    } else {
        files.iter().map(parse).collect()
    };
    let items: usize = values
        .iter()
        .map(|v| match v {
            serde_json::Value::Object(o) => o.len(),
            serde_json::Value::Array(a) => a.len(),
            _ => 1,
        })
        .sum();
    println!("{} files, {items} top-level items", values.len());
    // The floor is reading and parsing: the process ends without tearing the values down.
    std::mem::forget(values);
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------
// measuring a child process

struct Sample {
    wall: Duration,
    /// Peak resident set size in bytes.
    max_rss: u64,
}

/// Runs `cmd` to completion with stdout to `out` and stderr to `err`, and reports its
/// wall time and peak RSS (its own: `wait4` on that one child).
fn measure(cmd: &mut Command, out: &Path, err: &Path) -> Result<Sample, String> {
    let what = format!("{cmd:?}");
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(out).map_err(|e| format!("{}: {e}", out.display()))?)
        .stderr(File::create(err).map_err(|e| format!("{}: {e}", err.display()))?)
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, so all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std reaps only in `wait`, which is
    // never called on it); the pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    drop(child);
    if reaped != pid {
        return Err(format!("{what}: wait4 failed"));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        let stderr = fs::read_to_string(err).unwrap_or_default();
        return Err(format!("{what} failed ({status}): {stderr}"));
    }
    Ok(Sample {
        wall,
        // Linux reports ru_maxrss in KiB.
        max_rss: usage.ru_maxrss as u64 * 1024,
    })
}

/// Median wall time and the largest peak RSS of `runs` runs of `make()`.
fn repeat(
    runs: usize,
    scratch: &Path,
    mut make: impl FnMut() -> Command,
) -> Result<Sample, String> {
    let mut walls = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        let s = measure(
            &mut make(),
            &scratch.join("out.json"),
            &scratch.join("err.txt"),
        )?;
        walls.push(s.wall);
        rss = rss.max(s.max_rss);
    }
    walls.sort();
    Ok(Sample {
        wall: walls[walls.len() / 2],
        max_rss: rss,
    })
}

fn audit_cmd(path: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(AUDIT);
    c.arg("audit")
        .arg(path)
        .args(["--format", "json", "--lang", "en", "--now", NOW])
        .args(["--fail-on", "never"])
        .args(extra);
    c
}

fn floor_cmd(path: &Path, threads: usize) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("the benchmark's own path"));
    c.arg("--floor")
        .arg(path)
        .args(["--threads", &threads.to_string()]);
    c
}

/// Runs an audit once and returns its JSON report (and stderr).
fn report(
    path: &Path,
    extra: &[&str],
    scratch: &Path,
) -> Result<(serde_json::Value, String), String> {
    let out = scratch.join("report.json");
    let err = scratch.join("report-err.txt");
    measure(&mut audit_cmd(path, extra), &out, &err)?;
    let text = fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let json = serde_json::from_str(&text).map_err(|e| format!("the report is not JSON: {e}"))?;
    Ok((json, fs::read_to_string(&err).unwrap_or_default()))
}

// ---------------------------------------------------------------------------------------
// the benchmark

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn run(o: &Options) -> Result<bool, String> {
    fs::create_dir_all(&o.dir).map_err(|e| format!("{}: {e}", o.dir.display()))?;
    let scratch = o.dir.join("scratch");
    fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    println!(
        "crmdesk-audit benchmark: {} cores, median of {} runs, exports in {}",
        cores(),
        o.runs,
        o.dir.display()
    );
    let mut ok = true;
    for size in &o.sizes {
        ok &= one_size(o, size, &scratch)?;
    }
    if o.batch > 0 {
        ok &= batch(o, &scratch)?;
    }
    Ok(ok)
}

/// Makes `dir/<size>/{bundle, export.json}` unless an up-to-date copy is there.
fn ensure_export(o: &Options, spec: generator::Spec) -> Result<(PathBuf, PathBuf), String> {
    let base = o.dir.join(spec.name);
    let stamp = base.join("generator-version");
    let bundle = base.join("bundle");
    let single = base.join("export.json");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(GENERATOR_VERSION) {
        return Ok((bundle, single));
    }
    let _ = fs::remove_dir_all(&base);
    let started = Instant::now();
    let g = generator::Gen::new(spec, 0);
    generator::write_bundle(&g, &bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
    generator::write_single(&g, &single).map_err(|e| format!("{}: {e}", single.display()))?;
    fs::write(&stamp, GENERATOR_VERSION).map_err(|e| e.to_string())?;
    println!(
        "  generated {} in {:.1?}",
        base.display(),
        started.elapsed()
    );
    Ok((bundle, single))
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn one_size(o: &Options, size: &str, scratch: &Path) -> Result<bool, String> {
    let spec = generator::spec(size).ok_or("unknown size")?;
    println!(
        "\n== {size}: {} users, {} modules, {} departments, {} agents, {} CRM contacts, {} Desk contacts, {} tickets",
        spec.users,
        spec.modules,
        spec.departments,
        spec.agents,
        spec.crm_contacts,
        spec.desk_contacts,
        spec.tickets
    );
    let (bundle, single) = ensure_export(o, spec)?;
    let disk = generator::disk_size(&bundle);
    let files = generator::json_files(&bundle).len();
    println!("  export: {files} JSON files, {} on disk", mb(disk));

    let floor1 = repeat(o.runs, scratch, || floor_cmd(&bundle, 1))?;
    let floor_n = repeat(o.runs, scratch, || floor_cmd(&bundle, cores()))?;
    let audit = repeat(o.runs, scratch, || audit_cmd(&bundle, &[]))?;
    let audit_single = repeat(o.runs, scratch, || audit_cmd(&single, &[]))?;

    let row = |name: &str, s: &Sample| {
        println!(
            "  {name:<44} median {:>9}   peak RSS {:>10}  ({:.2}x disk)",
            secs(s.wall),
            mb(s.max_rss),
            s.max_rss as f64 / disk as f64
        );
    };
    row("(a) floor: parse into serde_json::Value, 1 thread", &floor1);
    row(
        &format!("    floor, {} threads (for context)", cores()),
        &floor_n,
    );
    row("(b) full audit, 8 rules, whole process", &audit);
    row("    full audit of the single-file form", &audit_single);
    let ratio = audit.wall.as_secs_f64() / floor1.wall.as_secs_f64();
    println!(
        "  ratio (b)/(a): {ratio:.2}x wall (target <= 1.5x); vs the {}-thread floor {:.2}x; peak RSS {:.2}x disk (target <= 2x)",
        cores(),
        audit.wall.as_secs_f64() / floor_n.wall.as_secs_f64(),
        audit.max_rss as f64 / disk as f64
    );

    // Same results however computed.
    let (all, timings) = report(&bundle, &["--timings"], scratch)?;
    let (one, _) = report(&bundle, &["--threads", "1"], scratch)?;
    let (from_single, _) = report(&single, &[], scratch)?;
    let mut ok = true;
    ok &= check("--threads 1 gives the same report as all cores", all == one);
    ok &= check(
        "the single-file form gives the same results as the bundle",
        results(&all) == results(&from_single),
    );
    println!("  verdicts: {}", verdicts(&all));
    println!("  per-rule times (--timings):");
    for line in timings.lines() {
        println!("    {line}");
    }
    Ok(ok)
}

/// Each export's status and results, without the path (which differs between forms).
fn results(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["exports"]
        .as_array()
        .map(|exports| {
            exports
                .iter()
                .map(|e| serde_json::json!([e["status"], e["results"], e["present"]]))
                .collect()
        })
        .unwrap_or_default()
}

/// `rule: status (n findings)` for the first export.
fn verdicts(report: &serde_json::Value) -> String {
    let mut out = Vec::new();
    if let Some(rs) = report["exports"][0]["results"].as_array() {
        for r in rs {
            out.push(format!(
                "{} {}{}",
                r["rule"].as_str().unwrap_or("?"),
                r["status"].as_str().unwrap_or("?"),
                match r["findings"].as_array().map_or(0, Vec::len) {
                    1 => String::new(),
                    n => format!(" ({n})"),
                }
            ));
        }
    }
    out.join(", ")
}

fn check(what: &str, holds: bool) -> bool {
    println!("  check: {what}: {}", if holds { "ok" } else { "FAILED" });
    holds
}

/// A directory of `n` small exports, half bundles and half single files, each with its
/// own seed (so settings, and verdicts, vary).
fn ensure_batch(o: &Options) -> Result<PathBuf, String> {
    let dir = o.dir.join(format!("batch-{}", o.batch));
    let stamp = o.dir.join(format!("batch-{}.generator-version", o.batch));
    if fs::read_to_string(&stamp).ok().as_deref() == Some(GENERATOR_VERSION) {
        return Ok(dir);
    }
    let _ = fs::remove_dir_all(&dir);
    let spec = generator::spec("small").ok_or("no small size")?;
    let started = Instant::now();
    for k in 0..o.batch {
        let g = generator::Gen::new(spec, k as u64 + 1);
        let written = if k % 2 == 0 {
            generator::write_bundle(&g, &dir.join(format!("export-{k:04}")))
        } else {
            generator::write_single(&g, &dir.join(format!("export-{k:04}.json")))
        };
        written.map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(&stamp, GENERATOR_VERSION).map_err(|e| e.to_string())?;
    println!("  generated {} in {:.1?}", dir.display(), started.elapsed());
    Ok(dir)
}

fn batch(o: &Options, scratch: &Path) -> Result<bool, String> {
    println!("\n== batch: {} small exports in one directory", o.batch);
    let dir = ensure_batch(o)?;
    println!("  export: {} on disk", mb(generator::disk_size(&dir)));
    let one = repeat(o.runs, scratch, || audit_cmd(&dir, &["--threads", "1"]))?;
    let all = repeat(o.runs, scratch, || audit_cmd(&dir, &[]))?;
    println!(
        "  {:<44} median {:>9}   peak RSS {:>10}",
        "audit, --threads 1",
        secs(one.wall),
        mb(one.max_rss)
    );
    println!(
        "  {:<44} median {:>9}   peak RSS {:>10}",
        format!("audit, all {} cores", cores()),
        secs(all.wall),
        mb(all.max_rss)
    );
    println!(
        "  speedup: {:.2}x on {} cores (target >= 1.7x on 2)",
        one.wall.as_secs_f64() / all.wall.as_secs_f64(),
        cores()
    );
    let (r1, _) = report(&dir, &["--threads", "1"], scratch)?;
    let (rn, _) = report(&dir, &[], scratch)?;
    let summary = &rn["summary"];
    println!("  summary: {summary}");
    Ok(check(
        "--threads 1 gives the same batch report as all cores",
        r1 == rn && r1["exports"].as_array().map_or(0, Vec::len) == o.batch,
    ))
}
