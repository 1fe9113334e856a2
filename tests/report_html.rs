//! The human reports as a customer receives them: the HTML parsed by an HTML5 parser
//! (well-formed, self-contained, landmarks and heading order, everything escaped), the
//! HTML and Markdown of three fixtures in both languages as snapshots, and no stray
//! English in the Japanese reports.

mod common;

use common::{NOW, run};
use scraper::{Html, Selector};

/// Three fixtures that between them show every section: a failure, skipped checks, a
/// truncated list with warnings.
const FIXTURES: &[&str] = &[
    "fixtures/faq7-sync-paused",
    "fixtures/single-file-trial.json",
    "fixtures/v8-truncated-contacts",
];

fn report(path: &str, format: &str, lang: &str) -> String {
    let r = run(&[
        "audit", path, "--now", NOW, "--lang", lang, "--format", format,
    ]);
    assert!(r.code == 0 || r.code == 1, "{path}: {}", r.stderr);
    r.stdout
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

/// The tool's version and the rules' hash change with every release and rule edit;
/// snapshots compare everything else.
fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex = String::new();
    for c in s.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            hex.push(c);
            continue;
        }
        if hex.len() == 64 {
            out.push_str("[sha256]");
        } else {
            out.push_str(&hex);
        }
        hex.clear();
        out.push(c);
    }
    out.push_str(&hex);
    out.replace(
        &format!("crmdesk-audit {}", env!("CARGO_PKG_VERSION")),
        "crmdesk-audit [version]",
    )
}

#[test]
fn the_html_report_is_well_formed_self_contained_and_has_its_landmarks() {
    for path in FIXTURES {
        for lang in ["ja", "en"] {
            let html = report(path, "html", lang);
            let doc = Html::parse_document(&html);
            assert!(
                doc.errors.is_empty(),
                "{path} {lang}: HTML5 parse errors {:?}",
                doc.errors
            );
            let root = doc.select(&sel("html")).next().expect("html");
            assert_eq!(root.value().attr("lang"), Some(lang), "{path}");
            for landmark in ["header", "main", "footer", "main section[aria-labelledby]"] {
                assert!(
                    doc.select(&sel(landmark)).next().is_some(),
                    "{path} {lang}: no {landmark}"
                );
            }
            // Nothing that loads or runs anything.
            for tag in [
                "script", "link", "img", "iframe", "object", "embed", "base", "form",
            ] {
                assert!(
                    doc.select(&sel(tag)).next().is_none(),
                    "{path} {lang}: a <{tag}> element"
                );
            }
            let refs: Vec<String> = doc
                .select(&sel("[src], [href], [srcset], [action]"))
                .map(|el| el.html())
                .collect();
            assert!(
                refs.is_empty(),
                "{path} {lang}: elements that refer elsewhere: {refs:?}"
            );
            for style in doc.select(&sel("style")) {
                let css = style.text().collect::<String>();
                assert!(
                    !css.contains("url(") && !css.contains("@import"),
                    "{path}: CSS that fetches"
                );
            }
            // One h1; no heading level skipped on the way down.
            let headings: Vec<u8> = doc
                .select(&sel("h1, h2, h3, h4, h5, h6"))
                .map(|h| h.value().name().as_bytes()[1] - b'0')
                .collect();
            assert_eq!(headings.iter().filter(|l| **l == 1).count(), 1, "{path}");
            for w in headings.windows(2) {
                assert!(w[1] <= w[0] + 1, "{path} {lang}: h{} after h{}", w[1], w[0]);
            }
            // A status never only by colour: every badge says it in words.
            for b in doc.select(&sel(".badge")) {
                assert!(!b.text().collect::<String>().trim().is_empty(), "{path}");
            }
        }
    }
}

#[test]
fn the_html_report_puts_problems_first_and_folds_the_passes() {
    let html = report("fixtures/faq7-sync-paused", "html", "ja");
    let doc = Html::parse_document(&html);
    let verdict = doc.select(&sel(".verdict")).next().expect("verdict");
    assert_eq!(verdict.text().collect::<String>().trim(), "要対応 1件");
    let first = doc.select(&sel("main li.item")).next().expect("a problem");
    let text = first.text().collect::<String>();
    assert!(text.contains("要対応") && text.contains("FAQ 7"), "{text}");
    assert!(text.contains("[同期設定]"), "the remedy's UI path: {text}");
    let details = doc.select(&sel("details")).next().expect("passes folded");
    assert!(
        details
            .text()
            .collect::<String>()
            .contains("問題のなかった項目")
    );
    // Evidence goes to the appendix with its file and line.
    assert!(html.contains("integration.json:13"), "{html}");
    // The header names the organization and the audit time in the reader's zone.
    assert!(html.contains("株式会社サクラモータース"));
    assert!(html.contains("2026年11月24日 09:00(日本時間)"), "{html}");
    let r = run(&[
        "audit",
        "fixtures/faq7-sync-paused",
        "--now",
        NOW,
        "--lang",
        "ja",
        "--format",
        "html",
        "--tz",
        "UTC",
    ]);
    assert!(
        r.stdout.contains("2026年11月24日 00:00(UTC)"),
        "{}",
        r.stdout
    );
}

#[test]
fn hostile_text_in_an_export_stays_text_in_html_and_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = std::fs::read_to_string("fixtures/single-file-healthy.json").expect("fixture");
    let mut v: serde_json::Value = serde_json::from_str(&src).expect("json");
    let c = &mut v["crm"]["contacts"]["data"][0];
    c["Email"] = serde_json::Value::Null;
    c["Last_Name"] = "<img src=x onerror=alert(1)>|**x**\u{1b}[31m\r".into();
    c["First_Name"] = "</td></table><script>alert(2)</script>".into();
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, v.to_string()).expect("write");
    let p = path.to_str().expect("utf-8 path");
    for lang in ["ja", "en"] {
        let html = report(p, "html", lang);
        let doc = Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert!(doc.select(&sel("img, script")).next().is_none(), "{html}");
        assert!(!html.contains('\u{1b}') && !html.contains('\r'));
        assert!(html.contains("&lt;img src=x"), "the name is shown as text");
        let md = report(p, "markdown", lang);
        assert!(!md.contains("<img") && !md.contains("<script"), "{md}");
        assert!(!md.contains('\u{1b}') && !md.contains('\r'));
        assert!(md.contains("\\*\\*x\\*\\*") && md.contains("\\|"), "{md}");
    }
}

#[test]
fn a_megabyte_message_is_clipped_in_every_human_format_and_stays_fast() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("big.rhai"),
        r#"const META = #{ faq: 9, title: #{ja: "長い", en: "Long"}, description: #{ja: "d", en: "d"},
            checks: #{ "big": #{ statuses: ["warn"], remedy: #{ja: "短くしてください。", en: "Shorten it."} } } };
        fn audit(doc) { let s = "x"; while s.len() < 1000000 { s += s; } [warn("big", s)] }"#,
    )
    .expect("rule");
    let rules = dir.path().to_str().expect("path");
    for format in ["table", "markdown", "html"] {
        let started = std::time::Instant::now();
        let r = run(&[
            "audit",
            "fixtures/faq7-sync-paused",
            "--rules",
            rules,
            "--only",
            "big",
            "--now",
            NOW,
            "--lang",
            "ja",
            "--format",
            format,
            "--max-string-size",
            "4000000",
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(
            r.stdout.len() < 40_000,
            "{format}: {} bytes",
            r.stdout.len()
        );
        // The table wraps the note over lines: read it without the layout.
        let flat: String = r
            .stdout
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect();
        assert!(flat.contains("文字を省略しました"), "{format}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{format} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn html_and_markdown_reports_of_three_fixtures_in_both_languages() {
    for path in FIXTURES {
        let name = path
            .trim_start_matches("fixtures/")
            .trim_end_matches(".json");
        for lang in ["ja", "en"] {
            insta::assert_snapshot!(
                format!("html_{name}_{lang}"),
                redact(&report(path, "html", lang))
            );
            insta::assert_snapshot!(
                format!("markdown_{name}_{lang}"),
                redact(&report(path, "markdown", lang))
            );
        }
    }
}

/// Latin-letter runs a Japanese report may hold: product names Zoho Japan writes in
/// Latin letters, and abbreviations it uses as they are.
const LATIN_OK: &[&str] = &[
    "Zoho", "CRM", "Desk", "FAQ", "ID", "API", "One", "Plus", "SHA", "UTC", "JSON",
];

/// What a Japanese report says in its own words: the text with identifiers (code,
/// pointers, ids, rule and check names, dotted keys, file names, e-mail addresses),
/// values quoted from the export (in 「」 or []) and the engineer's appendix removed.
fn own_words(text: &str) -> String {
    let mut out = String::new();
    let mut depth_quote = 0;
    let mut depth_bracket = 0;
    for c in text.chars() {
        match c {
            '「' => depth_quote += 1,
            '」' => depth_quote -= 1,
            '[' => depth_bracket += 1,
            ']' => depth_bracket -= 1,
            _ if depth_quote > 0 || depth_bracket > 0 => {}
            _ => out.push(c),
        }
    }
    out.split(|c: char| c.is_whitespace() || "(),、。:：)(|`<>".contains(c))
        .filter(|w| {
            !(w.starts_with('/')
                || w.starts_with('@')
                || w.contains('.')
                || w.contains('_')
                || w.contains('-')
                || w.contains('@')
                || w.contains('#'))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn stray_latin(text: &str) -> Vec<String> {
    own_words(text)
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !LATIN_OK.contains(w))
        .map(str::to_owned)
        .collect()
}

#[test]
fn japanese_reports_hold_no_english_words() {
    let fixtures = [
        "fixtures/faq1-configurer-deactivated",
        "fixtures/faq1-account-name-unused",
        "fixtures/faq1-already-linked",
        "fixtures/faq1-configurer-not-admin",
        "fixtures/faq1-corrupted-links",
        "fixtures/faq2-custom-module-no-related-list",
        "fixtures/faq3-ticket-in-other-department",
        "fixtures/faq4-downgraded",
        "fixtures/faq4-free-edition",
        "fixtures/faq4-not-authorized",
        "fixtures/faq5-contacts-without-email",
        "fixtures/faq6-no-crm-ticket",
        "fixtures/faq7-sync-paused",
        "fixtures/faq8-delete-propagates",
        "fixtures/single-file-trial.json",
        "fixtures/v8-truncated-contacts",
        "fixtures/v8-system-hidden-modules",
        "fixtures/v8-japanese-integration",
    ];
    let mut problems = Vec::new();
    for path in fixtures {
        // HTML: what the customer reads, i.e. everything but <code> and the appendix.
        let html = report(path, "html", "ja");
        let doc = Html::parse_document(&html);
        let mut text = String::new();
        for section in doc.select(&sel("main > section")) {
            if section.value().attr("aria-labelledby") == Some("appendix-h") {
                continue;
            }
            for node in section.descendants() {
                if let Some(t) = node.value().as_text() {
                    // Code, and the organization's names as the export holds them.
                    let in_code = node.ancestors().any(|a| {
                        a.value().as_element().is_some_and(|e| {
                            e.name() == "code" || e.name() == "h2" || e.name() == "dd"
                        })
                    });
                    if !in_code {
                        text.push_str(t);
                        text.push(' ');
                    }
                }
            }
        }
        let stray = stray_latin(&text);
        if !stray.is_empty() {
            problems.push(format!("{path} html: {stray:?}"));
        }
        // Markdown: the table rows (not the engineer's notes under them).
        let md = report(path, "markdown", "ja");
        let rows: String = md
            .lines()
            .filter(|l| l.starts_with("| ") || l.starts_with("**") || l.starts_with("## "))
            .map(|l| {
                // The rule and check columns are identifiers.
                let cells: Vec<&str> = l.split(" | ").collect();
                if cells.len() >= 5 {
                    format!("{} {}", cells[3], cells[4..].join(" "))
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let stray = stray_latin(&rows.replace("<br>", " ").replace("\\", ""));
        if !stray.is_empty() {
            problems.push(format!("{path} markdown: {stray:?}"));
        }
        // Table: the status and message columns, the export's heading and the summary.
        let table = run(&["audit", path, "--now", NOW, "--lang", "ja"]).stdout;
        let mut said = String::new();
        for l in table.lines() {
            let cells: Vec<&str> = l.split('│').collect();
            if cells.len() >= 5 {
                said.push_str(cells[3]);
                said.push(' ');
                said.push_str(cells[4]);
                said.push('\n');
            } else if !l.starts_with(['┌', '╞', '└', ' ']) {
                said.push_str(l);
                said.push('\n');
            }
        }
        let stray = stray_latin(&said);
        if !stray.is_empty() {
            problems.push(format!("{path} table: {stray:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_page_title_names_each_organisation_once() {
    // Three exports of one organisation: its name once, then the report's title.
    let r = run(&[
        "audit",
        "fixtures/healthy",
        "fixtures/faq7-sync-paused",
        "fixtures/faq1-accounts-hidden",
        "--now",
        NOW,
        "--lang",
        "ja",
        "--format",
        "html",
    ]);
    let doc = Html::parse_document(&r.stdout);
    let title: String = doc
        .select(&sel("title"))
        .next()
        .expect("a title")
        .text()
        .collect();
    assert_eq!(
        title, "株式会社サクラモータース - Zoho CRMとZoho Deskの連携の診断結果",
        "{title}"
    );
}
