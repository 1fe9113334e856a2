//! `--format github`: GitHub Actions workflow commands, so findings appear as
//! annotations on the export files: `::error file=F,line=L,col=C,title=T::message`.
//! `fail`/`error` are errors, `warn` warnings, `skip` notices; passes and waived
//! findings make no annotation.

use super::Context;
use crate::status::Status;
use std::fmt::Write as _;

/// One workflow command per line: an annotation for each finding that counts as warn,
/// fail, skip or error, and one for each export that could not be loaded.
pub fn render(cx: &Context) -> String {
    let mut out = String::new();
    for o in cx.outcomes {
        let Ok(a) = &o.result else {
            if let Err(e) = &o.result {
                let p = crate::locate::FileLocation::of_error(e);
                let _ = writeln!(
                    out,
                    "::error file={},line={},col={},title={}::{}",
                    property(&p.file),
                    p.line,
                    p.column,
                    property("crmdesk-audit: cannot load"),
                    data(&e.text(cx.lang))
                );
            }
            continue;
        };
        for r in &a.results {
            for f in &r.findings {
                let level = match f.counted_status() {
                    Status::Fail | Status::Error => "error",
                    Status::Warn => "warning",
                    Status::Skip => "notice",
                    Status::Pass => continue,
                };
                let mut props = Vec::new();
                if let Some(p) = cx.location(&o.path, f) {
                    props.push(format!("file={}", property(&p.file)));
                    props.push(format!("line={}", p.line));
                    props.push(format!("col={}", p.column));
                }
                let title = format!(
                    "{}{} / {} ({})",
                    super::faq_prefix(r.faq),
                    r.rule,
                    f.check,
                    f.severity.as_str()
                );
                props.push(format!("title={}", property(&title)));
                let _ = writeln!(
                    out,
                    "::{level} {}::{}: {}",
                    props.join(","),
                    data(&o.path),
                    data(&super::message_and_remedy(f, cx.lang))
                );
            }
        }
    }
    out
}

/// Escaping for a command's message (GitHub's toolkit: `%`, CR, LF).
/// Control characters other than line breaks (ESC, NUL, ...) are made visible first: a
/// log reader is a terminal.
fn data(s: &str) -> String {
    super::human::neutralise(s, true)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a property value: the message escapes plus `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_and_properties_are_escaped_as_the_actions_toolkit_does() {
        assert_eq!(super::data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
