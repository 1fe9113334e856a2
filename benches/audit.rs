//! The performance benchmark (README, "Performance"):
//!
//! ```sh
//! cargo bench --bench audit        # typical; large with 10% and 50% shared tickets; a batch of 1,000
//! cargo bench --bench audit -- --size typical --runs 3 --batch 200     # a quicker look
//! cargo bench --bench audit -- --size large --shared 10 --form lists --batch 0
//! ```
//!
//! For each case (a size and a share of tickets shared with other departments) it
//! generates, once, into `--dir` (default /tmp/crmdesk-bench), the same data in three
//! forms: `bundle` (page directories, as `collect` saves them), `lists` (a bundle with
//! each list in one file: `desk/tickets.json`, ...) and `single` (one JSON file). For each
//! form it measures, each in its own child process so that peak memory (max RSS, from
//! `wait4`) is that process's alone:
//!
//! - the floor: this binary re-run as `--floor <path>`, which reads every JSON file of
//!   the export and parses it into `serde_json::Value` (kept until the end), nothing
//!   else, on one thread;
//! - the full audit: `crmdesk-audit audit <path> --format json --timings`, the whole process.
//!
//! It prints, per form, the median wall time of `--runs` runs of each, the ratio audit /
//! floor, the largest peak RSS / size on disk, and the rules' share of the audit: the
//! rules' wall time (`--timings`' `wall`: from the first rule's start to the last one's
//! end, median) over the audit's wall time, and in brackets their run times summed
//! (`--timings`' `total`) over it: a smaller export's rules run side by side, so there the
//! sum exceeds the wall time, the upper bound; a large export's rules run one after
//! another (each long scan split across the cores, `audit::run_all`), so there the two are
//! equal (a rule's time leaves out waiting for a scan another rule is making,
//! `engine::memo`, which is counted in that rule). Last, the audit run with `--threads 1`
//! (median of `--runs`): the rules' summed time over that run's wall time, what the rules
//! cost when nothing runs beside them.
//! Then it checks that results do not depend on how they were computed:
//! `--threads 1` gives the same report as all cores, and every form gives the same
//! results as the bundle. The batch part audits a directory of `--batch` small exports
//! (half bundles, half single files, with varied settings) with `--threads 1` and with
//! all cores, and checks both reports are equal.

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
/// The binary measured: this build's, or `CRMDESK_AUDIT_BIN` (to measure another build,
/// e.g. the last release, on the same exports).
fn audit_bin() -> String {
    std::env::var("CRMDESK_AUDIT_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_crmdesk-audit").to_string())
}
const FORMS: &[&str] = &["bundle", "lists", "single"];

/// One export shape: a size and the percent of tickets shared with other departments
/// (0: the generator's default, 1 ticket in 500).
#[derive(Clone, Debug, PartialEq)]
struct Case {
    size: String,
    shared: u32,
}

struct Options {
    cases: Vec<Case>,
    forms: Vec<String>,
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
                "{e}\nusage: cargo bench --bench audit -- [--size typical|large|huge]... [--shared PERCENT]... \
                 [--form bundle|lists|single]... [--runs N] [--batch N] [--dir DIR]\n\
                 (--shared applies to every --size given; without --size: typical, and large with 10% and 50%)"
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
    let mut sizes: Vec<String> = vec![];
    let mut shared: Vec<u32> = vec![];
    let mut o = Options {
        cases: vec![],
        forms: vec![],
        runs: 3,
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
                sizes.push(s);
            }
            "--shared" => {
                let p: u32 = value()?.parse().map_err(|e| format!("--shared: {e}"))?;
                if p > 100 {
                    return Err("--shared is a percent, 0 to 100".into());
                }
                shared.push(p);
            }
            "--form" => {
                let f = value()?;
                if !FORMS.contains(&f.as_str()) {
                    return Err(format!("unknown form {f}"));
                }
                o.forms.push(f);
            }
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--batch" => o.batch = value()?.parse().map_err(|e| format!("--batch: {e}"))?,
            "--dir" => o.dir = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    let case = |size: &str, shared: u32| Case {
        size: size.to_string(),
        shared,
    };
    o.cases = match (sizes.is_empty(), shared.is_empty()) {
        (true, true) => vec![case("typical", 0), case("large", 10), case("large", 50)],
        (true, false) => shared.iter().map(|&p| case("large", p)).collect(),
        (false, true) => sizes.iter().map(|s| case(s, 0)).collect(),
        (false, false) => sizes
            .iter()
            .flat_map(|s| shared.iter().map(move |&p| case(s, p)))
            .collect(),
    };
    if o.forms.is_empty() {
        o.forms = FORMS.iter().map(|f| f.to_string()).collect();
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
    /// CPU time (user + system), all threads: unlike wall time, it hardly moves when
    /// other work shares the machine.
    cpu: Duration,
    /// The rules' run times summed (`--timings`' total), when the child printed them.
    rules: Option<Duration>,
    /// The rules' wall time: first start to last end (`--timings`' wall).
    rules_wall: Option<Duration>,
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
    let stderr = fs::read_to_string(err).unwrap_or_default();
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        return Err(format!("{what} failed ({status}): {stderr}"));
    }
    Ok(Sample {
        wall,
        // Linux reports ru_maxrss in KiB.
        max_rss: usage.ru_maxrss as u64 * 1024,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        rules: timings_line(&stderr, "total"),
        rules_wall: timings_line(&stderr, "wall"),
    })
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// A line of `--timings`: `total` (`  total   1234.567 ms`) or `wall`.
fn timings_line(stderr: &str, name: &str) -> Option<Duration> {
    let line = stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))?;
    let ms: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_secs_f64(ms / 1000.0))
}

fn median(mut v: Vec<Duration>) -> Option<Duration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

/// Median wall time, the largest peak RSS and the median rule time of `runs` runs.
fn repeat(
    runs: usize,
    scratch: &Path,
    mut make: impl FnMut() -> Command,
) -> Result<Sample, String> {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut rules = Vec::new();
    let mut rules_wall = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        let s = measure(
            &mut make(),
            &scratch.join("out.json"),
            &scratch.join("err.txt"),
        )?;
        walls.push(s.wall);
        cpus.push(s.cpu);
        rules.extend(s.rules);
        rules_wall.extend(s.rules_wall);
        rss = rss.max(s.max_rss);
    }
    Ok(Sample {
        wall: median(walls).unwrap_or_default(),
        max_rss: rss,
        cpu: median(cpus).unwrap_or_default(),
        rules: median(rules),
        rules_wall: median(rules_wall),
    })
}

fn audit_cmd(path: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(audit_bin());
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
    let mut rows = Vec::new();
    for case in &o.cases {
        ok &= one_case(o, case, &scratch, &mut rows)?;
    }
    if !rows.is_empty() {
        println!("\n== summary (markdown)\n");
        println!(
            "| export | form | files, size on disk | floor (1 thread) | audit (CPU) | audit / floor | peak RSS / size | rules' share: wall (summed), one thread |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for r in &rows {
            println!("{r}");
        }
    }
    if o.batch > 0 {
        ok &= batch(o, &scratch)?;
    }
    Ok(ok)
}

/// Makes `path` in `form` unless an up-to-date copy is there (a stamp file beside it).
fn ensure_form(g: &generator::Gen, form: &str, path: &Path) -> Result<(), String> {
    let stamp = PathBuf::from(format!("{}.generator-version", path.display()));
    if fs::read_to_string(&stamp).ok().as_deref() == Some(GENERATOR_VERSION) && path.exists() {
        return Ok(());
    }
    let _ = fs::remove_dir_all(path);
    let _ = fs::remove_file(path);
    let started = Instant::now();
    let written = match form {
        "bundle" => generator::write_bundle(g, path),
        "lists" => generator::write_lists(g, path),
        _ => generator::write_single(g, path),
    };
    written.map_err(|e| format!("{}: {e}", path.display()))?;
    fs::write(&stamp, GENERATOR_VERSION).map_err(|e| e.to_string())?;
    println!(
        "  generated {} in {:.1?}",
        path.display(),
        started.elapsed()
    );
    Ok(())
}

fn form_path(base: &Path, form: &str) -> PathBuf {
    match form {
        "single" => base.join("export.json"),
        other => base.join(other),
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn one_case(
    o: &Options,
    case: &Case,
    scratch: &Path,
    rows: &mut Vec<String>,
) -> Result<bool, String> {
    let mut spec = generator::spec(&case.size).ok_or("unknown size")?;
    spec.shared_pct = case.shared;
    let name = if case.shared == 0 {
        case.size.clone()
    } else {
        format!("{}-shared{}", case.size, case.shared)
    };
    let shared_text = if case.shared == 0 {
        "1 in 500 tickets shared".to_string()
    } else {
        format!("{}% of tickets shared", case.shared)
    };
    println!(
        "\n== {name}: {} users, {} modules, {} departments, {} agents, {} CRM contacts, {} Desk contacts, {} tickets, {shared_text}",
        spec.users,
        spec.modules,
        spec.departments,
        spec.agents,
        spec.crm_contacts,
        spec.desk_contacts,
        spec.tickets
    );
    let base = o.dir.join(&name);
    fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    let g = generator::Gen::new(spec, 0);
    // The bundle is the reference the other forms are compared with: always made.
    let mut forms: Vec<&str> = vec!["bundle"];
    forms.extend(
        o.forms
            .iter()
            .map(String::as_str)
            .filter(|f| *f != "bundle"),
    );
    for f in &forms {
        ensure_form(&g, f, &form_path(&base, f))?;
    }

    let bundle = form_path(&base, "bundle");
    let (reference, timings) = report(&bundle, &["--timings"], scratch)?;
    let mut ok = true;
    for form in &forms {
        if !o.forms.iter().any(|f| f == form) {
            continue;
        }
        let path = form_path(&base, form);
        let disk = generator::disk_size(&path);
        let files = generator::json_files(&path).len();
        let floor1 = repeat(o.runs, scratch, || floor_cmd(&path, 1))?;
        let audit = repeat(o.runs, scratch, || audit_cmd(&path, &["--timings"]))?;
        let ratio = audit.wall.as_secs_f64() / floor1.wall.as_secs_f64();
        let rss = audit.max_rss as f64 / disk as f64;
        let rules = audit.rules.unwrap_or_default();
        let share = rules.as_secs_f64() / audit.wall.as_secs_f64();
        let rules_wall = audit.rules_wall.unwrap_or_default();
        let wall_share = rules_wall.as_secs_f64() / audit.wall.as_secs_f64();
        // On one thread the rules neither overlap one another nor share the cores with a
        // scan's parts: their summed time is then what they cost.
        let one = repeat(o.runs, scratch, || {
            audit_cmd(&path, &["--timings", "--threads", "1"])
        })?;
        let one_share = one.rules.unwrap_or_default().as_secs_f64() / one.wall.as_secs_f64();
        println!("  {form}: {files} JSON files, {} on disk", mb(disk));
        println!(
            "    floor, 1 thread   median {:>9} (CPU {:>9})   peak RSS {:>10}  ({:.2}x disk)",
            secs(floor1.wall),
            secs(floor1.cpu),
            mb(floor1.max_rss),
            floor1.max_rss as f64 / disk as f64
        );
        println!(
            "    full audit        median {:>9} (CPU {:>9})   peak RSS {:>10}  ({rss:.2}x disk)",
            secs(audit.wall),
            secs(audit.cpu),
            mb(audit.max_rss),
        );
        println!(
            "    audit, --threads 1 median {:>9} (CPU {:>9})   rules {} = {:.1}% of it",
            secs(one.wall),
            secs(one.cpu),
            secs(one.rules.unwrap_or_default()),
            one_share * 100.0
        );
        println!(
            "    audit / floor {ratio:.2}x (target <= 0.5x); peak RSS {rss:.2}x disk (target <= 1.5x); \
             rules {} summed = {:.1}% of the audit, {} wall = {:.1}%, on one thread {:.1}% (target <= 10%)",
            secs(rules),
            share * 100.0,
            secs(rules_wall),
            wall_share * 100.0,
            one_share * 100.0
        );
        rows.push(format!(
            "| {name} | {form} | {files}, {} | {} | {} ({}) | {ratio:.2}x | {rss:.2}x | {:.1}% ({:.1}%), {:.1}% |",
            mb(disk),
            secs(floor1.wall),
            secs(audit.wall),
            secs(audit.cpu),
            wall_share * 100.0,
            share * 100.0,
            one_share * 100.0
        ));
        if *form != "bundle" {
            let (other, _) = report(&path, &[], scratch)?;
            ok &= check(
                &format!("the {form} form gives the same results as the bundle"),
                results(&reference) == results(&other),
            );
        }
    }

    // Same results however computed.
    let (one, _) = report(&bundle, &["--threads", "1", "--timings"], scratch)?;
    ok &= check(
        "--threads 1 gives the same report as all cores",
        reference == one,
    );
    println!("  verdicts: {}", verdicts(&reference));
    println!("  per-rule times (bundle, --timings):");
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
        "  {:<44} median {:>9} (CPU {:>9})   peak RSS {:>10}",
        "audit, --threads 1",
        secs(one.wall),
        secs(one.cpu),
        mb(one.max_rss)
    );
    println!(
        "  {:<44} median {:>9} (CPU {:>9})   peak RSS {:>10}",
        format!("audit, all {} cores", cores()),
        secs(all.wall),
        secs(all.cpu),
        mb(all.max_rss)
    );
    println!(
        "  speedup: {:.2}x on {} cores (target >= 1.8x on 2)",
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
