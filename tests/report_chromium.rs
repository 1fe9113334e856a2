//! The HTML report as a browser shows and prints it: headless Chromium (Debian's
//! `chromium`, installed by .ci/install-deps) screenshots three fixtures' reports to PNG
//! and prints them to PDF, and the layout is measured for horizontal overflow.
//!
//! How overflow is measured, and why this way: the report has no script, and Chromium
//! shrinks an overflowing page to fit when it prints, so neither the PDF nor a
//! screenshot shows overflow reliably. The test therefore makes a test-only copy of the
//! page with one small script that writes `scrollWidth` and `clientWidth` of the root
//! into the title, and reads the title back with `--dump-dom` after the page has loaded
//! (`--virtual-time-budget`). It measures at 1280 px with the screen styles, and at
//! 680 px (A4's 180 mm content width at 96 px/in, 210 mm less 15 mm margins) with the
//! print styles applied to the screen (`@media print` rewritten to `@media all`). A
//! page built to overflow is measured the same way first, so the method is shown to
//! see overflow. The real PDF is checked to be A4.
//!
//! The screenshots and PDFs are left in target/report-shots/ for a person to look at.

mod common;

use common::{NOW, run};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &[&str] = &[
    "fixtures/faq7-sync-paused",
    "fixtures/single-file-trial.json",
    "fixtures/v8-truncated-contacts",
];

/// Chromium, or `None` off CI when it is not installed (CI installs it: a missing
/// browser there is a failure).
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "chromium is not installed; .ci/install-deps installs it"
    );
    eprintln!("chromium is not installed: the rendering tests did not run (bash .ci/install-deps)");
    None
}

/// Runs Chromium headless, isolated (a fresh profile, no network of its own), with `args`.
fn browse(chromium: &Path, args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let profile_arg = format!("--user-data-dir={}", profile.path().display());
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &profile_arg,
        ])
        .args(args)
        .output()
        .expect("run chromium")
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `(scrollWidth, clientWidth)` of the page at `width` px, print styles applied when `print`.
fn measure(chromium: &Path, html: &str, width: u32, print: bool, dir: &Path) -> (u32, u32) {
    let probe = "<script>addEventListener('load',function(){var d=document.documentElement;document.title='measured '+d.scrollWidth+' '+d.clientWidth;});</script>";
    let mut page = html.replacen("</body>", &format!("{probe}</body>"), 1);
    if print {
        page = page.replace("@media print{", "@media all{");
    }
    let file = dir.join(format!("probe-{width}-{print}.html"));
    std::fs::write(&file, page).expect("write probe");
    let out = browse(
        chromium,
        &[
            &format!("--window-size={width},900"),
            "--virtual-time-budget=5000",
            "--run-all-compositor-stages-before-draw",
            "--dump-dom",
            &url(&file),
        ],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>measured ")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap_or_else(|| panic!("no measurement in the DOM: {dom:.400}"));
    let mut n = title.split(' ').map(|x| x.parse::<u32>().expect("a width"));
    (
        n.next().expect("scrollWidth"),
        n.next().expect("clientWidth"),
    )
}

#[test]
fn the_html_report_renders_prints_on_a4_and_never_overflows_sideways() {
    let Some(chromium) = chromium() else { return };
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-shots");
    std::fs::create_dir_all(&shots).expect("shots dir");
    let scratch = tempfile::tempdir().expect("tempdir");

    // The method sees overflow where there is some.
    let over = format!(
        "<!DOCTYPE html><html><head><style>@media print{{p{{font-size:20pt}}}}</style></head><body><p style=\"white-space:nowrap\">{}</p></body></html>",
        "wide ".repeat(400)
    );
    for (width, print) in [(1280, false), (680, true)] {
        let (scroll, client) = measure(&chromium, &over, width, print, scratch.path());
        assert!(
            scroll > client,
            "the control page must overflow: {scroll} <= {client}"
        );
    }

    for fixture in FIXTURES {
        let name = fixture
            .trim_start_matches("fixtures/")
            .trim_end_matches(".json");
        let r = run(&[
            "audit", fixture, "--now", NOW, "--lang", "ja", "--format", "html",
        ]);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        let page = shots.join(format!("{name}.ja.html"));
        std::fs::write(&page, &r.stdout).expect("write report");

        let png = shots.join(format!("{name}.ja.png"));
        let out = browse(
            &chromium,
            &[
                "--window-size=1280,2000",
                &format!("--screenshot={}", png.display()),
                &url(&page),
            ],
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| {
            panic!(
                "{name}: no screenshot ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "{name}: screenshot"
        );

        let pdf = shots.join(format!("{name}.ja.pdf"));
        let out = browse(
            &chromium,
            &[
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
                &url(&page),
            ],
        );
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| {
            panic!(
                "{name}: no PDF ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert!(bytes.starts_with(b"%PDF"), "{name}: PDF");
        if let Ok(info) = Command::new("pdfinfo").arg(&pdf).output() {
            let info = String::from_utf8_lossy(&info.stdout);
            assert!(info.contains("(A4)"), "{name}: not A4: {info}");
        }

        for (width, print) in [(1280, false), (680, true)] {
            let (scroll, client) = measure(&chromium, &r.stdout, width, print, scratch.path());
            assert!(
                scroll <= client,
                "{name}: {scroll} px of content in {client} px at {width} px (print styles: {print})"
            );
        }
    }
}
