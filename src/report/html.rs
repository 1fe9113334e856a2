//! `--format html`: one self-contained page a support engineer can hand to the customer.
//! No request of any kind leaves the page (inline CSS, no script, no font, no image), it
//! prints on A4, and it reads in the report's language: a header with the organization,
//! a one-line verdict, the problems first (each with its FAQ item, what was found and the
//! numbered steps to take), the checks that could not run, the passes folded, and an
//! appendix with the evidence for the engineer. Every piece of text from an export, a
//! rule or a file name is escaped, its control characters neutralised.

use super::human::{self, Item};
use super::words;
use super::{Context, Counts, Summary};
use crate::audit::ExportOutcome;
use crate::audit::OrgHeader;
use crate::bilingual::Lang;
use crate::status::Status;
use std::fmt::Write as _;

const CSS: &str = r#"
:root{--ink:#1b1f24;--muted:#4a525c;--line:#c9ced6;--bg:#fff;
--fail:#8a1111;--fail-bg:#fdeceb;--warn:#6b4800;--warn-bg:#fff3d1;--error:#6a1570;--error-bg:#f6e7f7;
--skip:#37404b;--skip-bg:#eef0f3;--pass:#175c2a;--pass-bg:#e5f3e8}
*{box-sizing:border-box}
html{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",system-ui,sans-serif;color:var(--ink);background:var(--bg);line-height:1.7}
body{margin:0}
.page{max-width:60rem;margin:0 auto;padding:1.5rem 1.25rem 2rem}
h1{font-size:1.6rem;margin:0 0 .5rem;line-height:1.3}
h2{font-size:1.3rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:2px solid var(--ink);line-height:1.4}
h3{font-size:1.1rem;margin:1.5rem 0 .5rem}
h4{font-size:1rem;margin:0 0 .4rem;line-height:1.5}
p,li,dd,dt,td,th,summary{overflow-wrap:anywhere}
code{font-family:"Noto Sans Mono","DejaVu Sans Mono",ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
header.top{border-bottom:1px solid var(--line);padding-bottom:.75rem;margin-bottom:1rem}
.meta{color:var(--muted);margin:0}
dl.org{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:.5rem 0 1rem}
dl.org dt{font-weight:bold;color:var(--muted)}
dl.org dd{margin:0}
.verdict{font-size:1.15rem;font-weight:bold;padding:.6rem .9rem;border:2px solid;border-radius:.4rem;margin:1rem 0}
.verdict.fail{color:var(--fail);background:var(--fail-bg)}
.verdict.warn{color:var(--warn);background:var(--warn-bg)}
.verdict.error{color:var(--error);background:var(--error-bg)}
.verdict.skip{color:var(--skip);background:var(--skip-bg)}
.verdict.pass{color:var(--pass);background:var(--pass-bg)}
ol.items,ul.items{list-style:none;padding:0;margin:0}
.item{border:1px solid var(--line);border-left-width:.5rem;border-radius:.3rem;padding:.75rem 1rem;margin:0 0 .9rem;break-inside:avoid;page-break-inside:avoid}
.item.fail{border-left-color:var(--fail)}
.item.warn{border-left-color:var(--warn)}
.item.error{border-left-color:var(--error);border-left-style:double}
.item.skip{border-left-color:var(--skip)}
.item.pass{border-left-color:var(--pass)}
.badge{display:inline-block;font-size:.85rem;font-weight:bold;padding:0 .5rem;border:1px solid;border-radius:.25rem;margin-right:.4rem;white-space:nowrap}
.badge.fail{color:var(--fail);background:var(--fail-bg)}
.badge.warn{color:var(--warn);background:var(--warn-bg)}
.badge.error{color:var(--error);background:var(--error-bg)}
.badge.skip{color:var(--skip);background:var(--skip-bg)}
.badge.pass{color:var(--pass);background:var(--pass-bg)}
.found{margin:.25rem 0}
.label{font-weight:bold}
p.label{margin:.5rem 0 0}
ol.steps{margin:.25rem 0 .25rem 1.5rem;padding:0}
ol.steps li{margin:.15rem 0}
.ref{color:var(--muted);font-size:.85rem;margin:.35rem 0 0}
details{border:1px solid var(--line);border-radius:.3rem;padding:.5rem 1rem;margin:1rem 0}
summary{cursor:pointer;font-weight:bold}
details ul{margin:.5rem 0 0;padding-left:1.25rem}
details li{margin:.3rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.5rem 0 1rem;font-size:.85rem}
th,td{border:1px solid var(--line);padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-top:.75rem;color:var(--muted);font-size:.85rem}
footer dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem 1rem;margin:0}
footer dd{margin:0}
@media print{
 @page{size:A4;margin:15mm}
 .badge,.verdict,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .page{max-width:none;padding:0}
 html{font-size:10.5pt}
 h2{break-after:avoid}
 details{border:none;padding:0}
 details::details-content{content-visibility:visible;display:block}
 details>summary{list-style:none}
}
"#;

/// The whole HTML page, self-contained, in the report's language.
pub fn render(cx: &Context) -> String {
    let lang = cx.lang;
    let mut o = String::with_capacity(16 * 1024);
    let title = words::REPORT_TITLE.get(lang);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<div class=\"page\">\n",
        lang_code(lang),
        esc(&page_title(cx), lang)
    );
    // Header: the title, the organization(s), the audit time.
    o.push_str("<header class=\"top\">\n");
    let _ = writeln!(o, "<h1>{}</h1>", esc(title, lang));
    if let Some(t) = cx.info.audit_time_shown(lang) {
        let _ = writeln!(
            o,
            "<p class=\"meta\">{}: {}</p>",
            words::AUDITED_AT.get(lang),
            esc(&t, lang)
        );
    }
    let s = Summary::of(cx.outcomes);
    let _ = writeln!(
        o,
        "<p class=\"meta\">{}</p>",
        esc(&human::summary_line(&s, lang), lang)
    );
    o.push_str("</header>\n<main>\n");

    for (n, out) in cx.outcomes.iter().enumerate() {
        export(&mut o, cx, n + 1, out);
    }
    appendix(&mut o, cx);
    o.push_str("</main>\n");
    footer(&mut o, cx);
    o.push_str("</div>\n</body>\n</html>\n");
    o
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

fn page_title(cx: &Context) -> String {
    let title = words::REPORT_TITLE.get(cx.lang);
    // Each organisation once (several exports of one org are common), at most two.
    let mut names: Vec<&str> = Vec::new();
    for name in cx
        .outcomes
        .iter()
        .filter_map(org_of)
        .filter_map(|h| h.crm_name.as_deref().or(h.portal_name.as_deref()))
    {
        if names.len() < 2 && !names.contains(&name) {
            names.push(name);
        }
    }
    let sep = match cx.lang {
        Lang::Ja => "、",
        Lang::En => ", ",
    };
    if names.is_empty() {
        title.to_owned()
    } else {
        format!("{} - {title}", names.join(sep))
    }
}

fn status_class(s: Status) -> &'static str {
    s.as_str()
}

fn export(o: &mut String, cx: &Context, n: usize, out: &ExportOutcome) {
    let lang = cx.lang;
    let id = format!("e{n}");
    let header = org_of(out);
    let name = header
        .and_then(|h| h.crm_name.clone().or_else(|| h.portal_name.clone()))
        .unwrap_or_else(|| out.path.clone());
    let _ = writeln!(o, "<section aria-labelledby=\"{id}-h\">");
    let _ = writeln!(o, "<h2 id=\"{id}-h\">{}</h2>", esc(&name, lang));
    org_list(o, cx, out, header);

    let a = match &out.result {
        Err(_) => {
            let _ = writeln!(
                o,
                "<p class=\"verdict error\">{}: {}</p>",
                words::ERROR.get(lang),
                esc(words::CANNOT_LOAD.get(lang), lang)
            );
            let _ = writeln!(
                o,
                "<p>{}</p>",
                esc(
                    &words::sentences(
                        &[words::CANNOT_LOAD_WHAT, words::CANNOT_LOAD_IN_APPENDIX],
                        lang
                    ),
                    lang
                )
            );
            o.push_str("</section>\n");
            return;
        }
        Ok(a) => a,
    };
    let counts = Counts::of_checks(a);
    // The verdict's colour follows what it says first: a skipped check is no pass.
    let worst = [
        (counts.fail, Status::Fail),
        (counts.warn, Status::Warn),
        (counts.error, Status::Error),
        (counts.skip, Status::Skip),
    ]
    .into_iter()
    .find(|(n, _)| *n > 0)
    .map_or(Status::Pass, |(_, s)| s);
    let _ = writeln!(
        o,
        "<p class=\"verdict {}\">{}</p>",
        status_class(worst),
        esc(&human::verdict(&counts, lang), lang)
    );
    let sec = human::sections(a);
    if let Some(note) = human::truncated_note(a, lang) {
        let _ = writeln!(o, "<p>{}</p>", esc(&note, lang));
    }

    let _ = writeln!(
        o,
        "<h3 id=\"{id}-problems\">{}</h3>",
        words::PROBLEMS.get(lang)
    );
    if sec.problems.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", words::NO_PROBLEMS.get(lang));
    } else {
        o.push_str("<ol class=\"items\">\n");
        for (k, i) in sec.problems.iter().enumerate() {
            item(o, cx, &format!("{id}-p{}", k + 1), i, true);
        }
        o.push_str("</ol>\n");
    }

    if !sec.skipped.is_empty() {
        let _ = writeln!(
            o,
            "<h3 id=\"{id}-skipped\">{}</h3>",
            words::NOT_CHECKED.get(lang)
        );
        let _ = writeln!(o, "<p>{}</p>", words::NOT_CHECKED_WHY.get(lang));
        o.push_str("<ul class=\"items\">\n");
        for (k, i) in sec.skipped.iter().enumerate() {
            item(o, cx, &format!("{id}-s{}", k + 1), i, false);
        }
        o.push_str("</ul>\n");
    }

    if !sec.passed.is_empty() {
        let _ = writeln!(
            o,
            "<details>\n<summary>{} ({})</summary>\n<ul>",
            words::PASSED.get(lang),
            count_text(sec.passed.len(), lang)
        );
        for i in &sec.passed {
            let f = i.finding;
            let mut line = format!(
                "<li><span class=\"badge pass\">{}</span>{}{}: {}",
                esc(&human::status_word(f, lang), lang),
                super::faq_prefix(i.rule.faq),
                esc(i.rule.title.get(lang), lang),
                esc(f.message.get(lang), lang)
            );
            if let Some(n) = human::waiver_note(f, lang) {
                let _ = write!(line, " {}", esc(&n, lang));
            }
            line.push_str("</li>\n");
            o.push_str(&line);
        }
        o.push_str("</ul>\n</details>\n");
    }
    o.push_str("</section>\n");
}

fn count_text(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{n}件"),
        Lang::En => n.to_string(),
    }
}

/// The organization an audited export is about (`None` for one that did not load).
fn org_of(out: &ExportOutcome) -> Option<&OrgHeader> {
    out.result.as_ref().ok().map(|a| &a.org)
}

fn org_list(o: &mut String, cx: &Context, out: &ExportOutcome, header: Option<&OrgHeader>) {
    let lang = cx.lang;
    let unknown = words::UNKNOWN.get(lang);
    let h = header.cloned().unwrap_or_default();
    let row = |o: &mut String, dt: &str, dd: Option<&str>, is_code: bool| {
        let v = match dd {
            Some(v) if is_code => format!("<code>{}</code>", esc(v, lang)),
            Some(v) => esc(v, lang),
            None => esc(unknown, lang),
        };
        let _ = writeln!(o, "<dt>{}</dt><dd>{v}</dd>", esc(dt, lang));
    };
    o.push_str("<dl class=\"org\">\n");
    row(o, words::ORG.get(lang), h.crm_name.as_deref(), false);
    row(o, words::ORG_ID.get(lang), h.crm_id.as_deref(), true);
    let portal = match (&h.portal_name, &h.portal_company) {
        (Some(p), Some(c)) => Some(format!("{c} ({p})")),
        (Some(p), None) => Some(p.clone()),
        (None, Some(c)) => Some(c.clone()),
        (None, None) => None,
    };
    row(o, words::PORTAL.get(lang), portal.as_deref(), false);
    row(o, words::PORTAL_ID.get(lang), h.portal_id.as_deref(), true);
    row(o, words::EXPORT.get(lang), Some(&out.path), true);
    o.push_str("</dl>\n");
}

/// One finding as a card: status, FAQ item and title, what was found, what to do.
fn item(o: &mut String, cx: &Context, id: &str, i: &Item, problem: bool) {
    let lang = cx.lang;
    let (r, f) = (i.rule, i.finding);
    let st = i.status();
    let _ = writeln!(
        o,
        "<li class=\"item {}\" id=\"{id}\">\n<h4><span class=\"badge {}\">{}</span>{}{}</h4>",
        status_class(st),
        status_class(st),
        esc(&human::status_word(f, lang), lang),
        if r.faq == 0 {
            String::new()
        } else {
            format!("FAQ {}: ", r.faq)
        },
        esc(r.title.get(lang), lang)
    );
    let (said, technical) = if f.status == Status::Error {
        human::error_text(f, lang)
    } else {
        (f.message.get(lang).to_owned(), None)
    };
    let _ = writeln!(
        o,
        "<p class=\"found\"><span class=\"label\">{}:</span> {}</p>",
        words::FOUND.get(lang),
        esc(&said, lang)
    );
    if let Some(t) = technical {
        let _ = writeln!(
            o,
            "<p class=\"ref\">{}: <code>{}</code></p>",
            words::TECHNICAL.get(lang),
            esc(&t, lang)
        );
    }
    if let Some(remedy) = &f.remedy {
        let steps = steps(remedy.get(lang), lang);
        let _ = writeln!(
            o,
            "<p class=\"label\">{}:</p>\n<ol class=\"steps\">",
            words::STEPS.get(lang)
        );
        for s in steps {
            let _ = writeln!(o, "<li>{}</li>", esc(&s, lang));
        }
        o.push_str("</ol>\n");
    }
    if let Some(n) = human::waiver_note(f, lang) {
        let _ = writeln!(o, "<p class=\"ref\">{}</p>", esc(&n, lang));
    }
    let _ = problem;
    let _ = writeln!(
        o,
        "<p class=\"ref\">{}: <code>{}</code></p>\n</li>",
        words::COL_CHECK.get(lang),
        check_name(&r.rule, &f.check, lang)
    );
}

/// `rule` or `rule / check` when the check has a name of its own, escaped.
fn check_name(rule: &str, check: &str, lang: Lang) -> String {
    if rule == check {
        esc(rule, lang)
    } else {
        format!("{} / {}", esc(rule, lang), esc(check, lang))
    }
}

/// A remedy as numbered steps: one sentence a step.
fn steps(remedy: &str, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut chars = remedy.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        match c {
            '(' | '（' | '「' => depth += 1,
            ')' | '）' | '」' => depth -= 1,
            _ => {}
        }
        let end = match lang {
            Lang::Ja => c == '。' && depth <= 0,
            Lang::En => c == '.' && depth <= 0 && chars.peek().is_none_or(|n| *n == ' '),
        };
        if end {
            let s = cur.trim().to_owned();
            if !s.is_empty() {
                out.push(s);
            }
            cur.clear();
        }
    }
    let s = cur.trim().to_owned();
    if !s.is_empty() {
        out.push(s);
    }
    if lang == Lang::Ja {
        // A sentence that asks nothing (what happens next, why) belongs to the request
        // before it; one that comes first, to the request after it.
        let mut merged: Vec<String> = Vec::new();
        let mut pending = String::new();
        for s in out {
            if s.contains("ください") {
                merged.push(std::mem::take(&mut pending) + s.as_str());
            } else if let Some(last) = merged.last_mut() {
                last.push_str(&s);
            } else {
                pending.push_str(&s);
            }
        }
        if !pending.is_empty() {
            merged.push(pending);
        }
        return merged;
    }
    out
}

fn appendix(o: &mut String, cx: &Context) {
    let lang = cx.lang;
    o.push_str("<section aria-labelledby=\"appendix-h\">\n");
    let _ = writeln!(
        o,
        "<h2 id=\"appendix-h\">{}</h2>",
        words::APPENDIX.get(lang)
    );
    let _ = writeln!(o, "<p>{}</p>", words::APPENDIX_WHY.get(lang));
    for (n, out) in cx.outcomes.iter().enumerate() {
        let _ = writeln!(
            o,
            "<h3>{} {}: <code>{}</code></h3>",
            words::EXPORT.get(lang),
            n + 1,
            esc(&out.path, lang)
        );
        match &out.result {
            Err(e) => {
                let _ = writeln!(
                    o,
                    "<p>{}:</p>\n<p><code>{}</code></p>",
                    words::ENGINEER_NOTES.get(lang),
                    esc(&e.text(lang), lang)
                );
            }
            Ok(a) => {
                let items = human::ordered(a);
                let with_evidence: Vec<&Item> = items
                    .iter()
                    .filter(|i| !i.finding.evidence.is_empty())
                    .collect();
                if !with_evidence.is_empty() {
                    let _ = writeln!(
                        o,
                        "<table>\n<caption class=\"label\">{}</caption>\n<colgroup><col style=\"width:28%\"><col style=\"width:10%\"><col style=\"width:32%\"><col style=\"width:30%\"></colgroup>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
                        words::EVIDENCE.get(lang),
                        words::COL_CHECK.get(lang),
                        words::COL_STATUS.get(lang),
                        words::POINTER.get(lang),
                        words::FILE.get(lang),
                    );
                    for i in with_evidence {
                        let f = i.finding;
                        for e in f.evidence.iter().take(20) {
                            let place = cx
                                .locations
                                .get(&(out.path.clone(), e.clone()))
                                .map(|p| format!("{}:{}", p.file, p.line));
                            let _ = writeln!(
                                o,
                                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                                check_name(&i.rule.rule, &f.check, lang),
                                esc(&human::status_word(f, lang), lang),
                                esc(e, lang),
                                match place {
                                    Some(p) => format!("<code>{}</code>", esc(&p, lang)),
                                    None => esc(words::NOT_LOCATED.get(lang), lang),
                                }
                            );
                        }
                    }
                    o.push_str("</tbody>\n</table>\n");
                }
                if !a.notes.is_empty() {
                    let _ = writeln!(
                        o,
                        "<p class=\"label\">{}:</p>\n<ul>",
                        words::ENGINEER_NOTES.get(lang)
                    );
                    for n in &a.notes {
                        let _ = writeln!(o, "<li><code>{}</code></li>", esc(&n.text(lang), lang));
                    }
                    o.push_str("</ul>\n");
                }
                let outputs: Vec<_> = a.results.iter().filter(|r| !r.output.is_empty()).collect();
                for r in outputs {
                    let _ = writeln!(
                        o,
                        "<p><code>{}</code>: <code>{}</code></p>",
                        esc(&r.rule, lang),
                        esc(&r.output, lang)
                    );
                }
            }
        }
    }
    o.push_str("</section>\n");
}

fn footer(o: &mut String, cx: &Context) {
    let lang = cx.lang;
    o.push_str("<footer>\n<dl>\n");
    let _ = writeln!(
        o,
        "<dt>{}</dt><dd>crmdesk-audit {}</dd>",
        words::TOOL.get(lang),
        esc(&cx.info.version, lang)
    );
    let _ = writeln!(
        o,
        "<dt>{}</dt><dd><code>{}</code></dd>",
        words::RULES_HASH.get(lang),
        esc(&cx.info.rules_hash, lang)
    );
    let mut applied: Vec<String> = Vec::new();
    for out in cx.outcomes {
        let Ok(a) = &out.result else { continue };
        for r in &a.results {
            for f in &r.findings {
                if let Some(n) = human::waiver_note(f, lang) {
                    applied.push(format!("{} / {}: {n}", r.rule, f.check));
                }
            }
        }
    }
    for w in &cx.waivers.unmatched {
        applied.push(format!(
            "#{} {}: {}",
            w.number,
            w.describe_in(lang),
            words::WAIVER_UNMATCHED.get(lang)
        ));
    }
    let _ = write!(o, "<dt>{}</dt><dd>", words::WAIVERS.get(lang));
    if applied.is_empty() {
        o.push_str(words::NO_WAIVERS.get(lang));
    } else {
        o.push_str("<ul>");
        for a in applied {
            let _ = write!(o, "<li>{}</li>", esc(&a, lang));
        }
        o.push_str("</ul>");
    }
    o.push_str("</dd>\n</dl>\n</footer>\n");
}

/// Untrusted text as HTML: clipped, control characters neutralised, the five
/// characters HTML reads escaped, line breaks kept as `<br>`.
pub fn esc(s: &str, lang: Lang) -> String {
    let s = human::shown(s, lang);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remedy_becomes_one_step_per_sentence_brackets_kept_whole() {
        let s = steps(
            "Zoho CRMで[設定]→[管理]の順に移動してください。選択肢(「削除しない。」)を選んでください。",
            Lang::Ja,
        );
        assert_eq!(s.len(), 2, "{s:?}");
        let s = steps(
            "登録してください。登録すると、メニューが表示されます。",
            Lang::Ja,
        );
        assert_eq!(
            s.len(),
            1,
            "a sentence that asks nothing joins its request: {s:?}"
        );
        let s = steps(
            "Resume it: Setup > Sync settings. Then wait (e.g. 5 min.).",
            Lang::En,
        );
        assert_eq!(s.len(), 2, "{s:?}");
    }

    #[test]
    fn text_is_escaped_and_control_characters_neutralised() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>\x1b", Lang::En),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;␛"
        );
    }
}
