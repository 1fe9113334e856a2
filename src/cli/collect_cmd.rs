//! `collect` on the command line: credentials from the environment (never a flag), a
//! progress bar on a terminal (quiet otherwise), Ctrl-C (the download is removed, exit
//! 2), `--ask`, the summary on stderr, the integration.json checklist on stdout, and the
//! exit status of cli.md (0 complete, 1 written but incomplete, 2 nothing written).

use super::CliError;
use super::args::CollectArgs;
use crate::bilingual::Lang;
use crate::collect::auth::{Credentials, Secret};
use crate::collect::template::{self, Integration};
use crate::collect::{self, CollectError, Event, Options, Portal, staging};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

/// Test-only: makes backoff waits instant (a virtual clock), so retry tests never
/// sleep. Not for real runs: it would retry a busy server without pause.
const INSTANT_BACKOFF_VAR: &str = "CRMDESK_AUDIT_TEST_INSTANT_BACKOFF";

/// Runs `collect`.
pub fn run(a: &CollectArgs) -> Result<u8, CliError> {
    let lang = super::lang(a.lang);
    let credentials = credentials()?;
    let secrets = secret_texts(&credentials);
    let scrub = |m: &str| scrub(m, &secrets);
    let opts = Options {
        out: a.out.clone(),
        dc: a.dc.clone(),
        accounts_url: a.accounts_url.clone(),
        crm_url: a.crm_url.clone(),
        desk_url: a.desk_url.clone(),
        desk_org: a.desk_org.clone(),
        max_records: a
            .max_records
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        credentials,
        instant_backoff: std::env::var(INSTANT_BACKOFF_VAR).is_ok_and(|v| v == "1"),
    };
    // Ctrl-C (and SIGTERM): remove the download, write nothing, exit 2. A second
    // handler cannot be set in one process; that only happens in tests calling `run`.
    let _ = ctrlc::set_handler(move || {
        staging::remove_current();
        eprintln!(
            "{}",
            match lang {
                Lang::En => "interrupted: nothing was written",
                Lang::Ja => "中断しました。何も保存していません。",
            }
        );
        std::process::exit(i32::from(super::ERROR));
    });

    let bar = Bar::start();
    let result = collect::collect(&opts, &mut |e| bar.event(&e, &scrub));
    bar.finish();
    let failed = |e: CollectError| CliError::Collect {
        error: scrubbed(e, &scrub),
        lang,
    };
    let collected = result.map_err(failed)?;

    let mut integration = Integration::default();
    if a.ask {
        ask(&mut integration, &collected.summary, lang);
    }
    let collected_at = jiff::Zoned::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let (out, summary) = collected
        .finish(&integration, &collected_at)
        .map_err(failed)?;

    let shown = out.display().to_string();
    let total = summary.requests_accounts + summary.requests_crm + summary.requests_desk;
    let (parts, crm, desk, accounts, retried) = (
        summary.parts.len(),
        summary.requests_crm,
        summary.requests_desk,
        summary.requests_accounts,
        summary.requests_retried,
    );
    eprintln!(
        "{}",
        match lang {
            Lang::En => format!(
                "collected {parts} parts into {shown} ({total} requests: {crm} CRM, {desk} Desk, {accounts} accounts; {retried} retried)"
            ),
            Lang::Ja => format!(
                "{shown} に {parts} 件のデータを保存しました(リクエスト {total} 件: Zoho CRM {crm} 件、Zoho Desk {desk} 件、認証 {accounts} 件、うち再試行 {retried} 件)。"
            ),
        }
    );
    if let Some(why) = &summary.stopped {
        eprintln!(
            "{}",
            match lang {
                Lang::En => format!("warning: stopped early: {}", scrub(why)),
                Lang::Ja => format!("注意: 途中で取得を停止しました(技術情報: {})。", scrub(why)),
            }
        );
    }
    for p in summary.shortfalls() {
        let why = p.reason.as_deref().unwrap_or("incomplete");
        eprintln!(
            "{}",
            match lang {
                Lang::En => format!("warning: {} is incomplete: {}", p.name, scrub(why)),
                Lang::Ja => format!(
                    "注意: {} は一部のみ取得されています(技術情報: {})。監査では、取得できたデータだけを確認します。",
                    p.name,
                    scrub(why)
                ),
            }
        );
    }
    print!("{}", template::checklist(&summary, &shown, lang));
    let _ = std::io::stdout().flush();
    Ok(if summary.is_complete() {
        super::SUCCESS
    } else {
        super::FAILURE
    })
}

/// The credentials cli.md names, from the environment.
fn credentials() -> Result<Credentials, CliError> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(token) = var("ZOHO_ACCESS_TOKEN") {
        return Ok(Credentials::Ready(Secret::new(token)));
    }
    let (id, secret, refresh) = (
        var("ZOHO_CLIENT_ID"),
        var("ZOHO_CLIENT_SECRET"),
        var("ZOHO_REFRESH_TOKEN"),
    );
    match (id, secret, refresh) {
        (Some(client_id), Some(client_secret), Some(refresh_token)) => Ok(Credentials::Refresh {
            client_id: Secret::new(client_id),
            client_secret: Secret::new(client_secret),
            refresh_token: Secret::new(refresh_token),
        }),
        (id, secret, refresh) => {
            let missing: Vec<&'static str> = [
                ("ZOHO_CLIENT_ID", id.is_none()),
                ("ZOHO_CLIENT_SECRET", secret.is_none()),
                ("ZOHO_REFRESH_TOKEN", refresh.is_none()),
            ]
            .iter()
            .filter(|(_, m)| *m)
            .map(|(n, _)| *n)
            .collect();
            Err(CliError::Credentials { missing })
        }
    }
}

/// The credential texts, to be kept out of every message.
fn secret_texts(c: &Credentials) -> Vec<String> {
    let all: Vec<&Secret> = match c {
        Credentials::Ready(t) => vec![t],
        Credentials::Refresh {
            client_secret,
            refresh_token,
            ..
        } => vec![client_secret, refresh_token],
    };
    all.into_iter()
        .map(|s| s.expose().to_string())
        .filter(|s| s.len() >= 8)
        .collect()
}

fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_string(), |t, s| t.replace(s.as_str(), "[REDACTED]"))
}

/// `e` with every credential text replaced in its messages and portal names: what
/// `CliError::Collect` holds and prints.
fn scrubbed(e: CollectError, scrub: &dyn Fn(&str) -> String) -> CollectError {
    match e {
        CollectError::Usage(m) => CollectError::Usage(scrub(&m)),
        CollectError::Auth(m) => CollectError::Auth(scrub(&m)),
        CollectError::Network(m) => CollectError::Network(scrub(&m)),
        CollectError::Disk(m) => CollectError::Disk(scrub(&m)),
        CollectError::Portals { message, portals } => CollectError::Portals {
            message: scrub(&message),
            portals: portals
                .into_iter()
                .map(|p| Portal {
                    name: scrub(&p.name),
                    company: scrub(&p.company),
                    ..p
                })
                .collect(),
        },
    }
}

/// The message for a run that wrote nothing (in Japanese the kind of failure and what
/// to do are Japanese; the detail from the API or the system follows as it came). `e`'s
/// texts are already scrubbed (`scrubbed`).
pub(super) fn describe(e: &CollectError, lang: Lang) -> String {
    let what = match (e, lang) {
        (CollectError::Usage(_) | CollectError::Portals { .. }, Lang::En) => "usage",
        (CollectError::Auth(_), Lang::En) => "authentication",
        (CollectError::Network(_), Lang::En) => "network",
        (CollectError::Disk(_), Lang::En) => "disk",
        (CollectError::Usage(_) | CollectError::Portals { .. }, Lang::Ja) => "指定の誤り",
        (CollectError::Auth(_), Lang::Ja) => "認証エラー",
        (CollectError::Network(_), Lang::Ja) => "通信エラー",
        (CollectError::Disk(_), Lang::Ja) => "保存先のエラー",
    };
    let mut m = format!("{what}: {}", e.message());
    if let CollectError::Portals { portals, .. } = e {
        for p in portals {
            let default = if p.is_default { "  (default)" } else { "" };
            m.push_str(&format!(
                "\n  --desk-org {}  {}  {}{default}",
                p.id, p.name, p.company
            ));
        }
    }
    m.push_str(match lang {
        Lang::En => "\nnothing was written",
        Lang::Ja => "\n何も保存していません。",
    });
    m
}

/// `--ask`: each question on stderr, each answer a line of stdin (a terminal, or a
/// pipe in scripts). Empty leaves the key null; end of input stops asking.
fn ask(i: &mut Integration, summary: &collect::Summary, lang: Lang) {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut err = std::io::stderr();
    'questions: for q in template::QUESTIONS {
        // The id the screen should show, so a person notices when it shows another.
        let expected = match q.key {
            "crm.linked_desk_org_id" => summary.desk_org_id.as_deref(),
            "desk.linked_crm_org_id" => summary.crm_org_id.as_deref(),
            _ => None,
        };
        let hint = match (expected, lang) {
            (Some(id), Lang::Ja) => format!("(今回エクスポートした組織のIDは {id} です)"),
            (Some(id), Lang::En) => format!(" (the org just exported is {id})"),
            (None, _) => String::new(),
        };
        for _ in 0..3 {
            let _ = write!(err, "{}{hint}\n> ", q.prompt(lang));
            let _ = err.flush();
            let Some(Ok(line)) = lines.next() else {
                let _ = writeln!(err);
                break 'questions;
            };
            match template::answer(i, q, &line, lang) {
                Ok(()) => continue 'questions,
                Err(m) => {
                    let _ = writeln!(err, "{m}");
                }
            }
        }
    }
}

/// A spinner with the part being collected, only where a person watches (stderr is a
/// terminal and `CI` is not set); retries are shown above it there.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn start() -> Bar {
        let watching = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !watching {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} collecting {msg}  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(Some(bar))
    }

    fn event(&self, e: &Event, scrub: &dyn Fn(&str) -> String) {
        let Some(bar) = &self.0 else {
            return;
        };
        match e {
            Event::Part(p) => bar.set_message((*p).to_string()),
            Event::Page { part, records } => bar.set_message(format!("{part}: {records} records")),
            Event::Retry { why, wait, attempt } => bar.println(format!(
                "retry {attempt} in {:.1} s: {}",
                wait.as_secs_f64(),
                scrub(why)
            )),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
