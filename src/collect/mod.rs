//! `collect`: fetches a complete, verifiable export from the live Zoho APIs, read-only,
//! into a new bundle directory that `load` reads (export-format.md, form 1, with
//! `manifest.json`). It sits beside `load` and writes what `load` reads; it never prints
//! (progress goes to a callback, the outcome to the caller).
//!
//! A run: token (`auth`), Desk portals and the portal to export (`desk`), the CRM parts
//! (`crm`), the Desk lists (`desk`), each response saved as it came into the staging
//! directory (`staging`); then the caller may ask the questions of the
//! `integration.json` template (`template`) and calls `Collected::finish`, which writes
//! the template and the manifest (`manifest`) and renames the download to `--out`.

pub mod auth;
mod clock;
mod crm;
mod desk;
pub mod endpoints;
mod http;
mod manifest;
mod paging;
pub mod staging;
pub mod template;

use auth::{Auth, AuthError, Credentials};
use clock::Clock;
use http::{Http, Reply, Request, RetryPolicy, Service};
use paging::{Distinct, ListPage, Next, error_code, is_error_body, page_file, page_size, records};
use staging::{Saved, Staging};
use std::path::PathBuf;
use std::time::Duration;

/// The CRM API version collected (the loader reads v2 to v8; v8 is current).
pub const CRM_API_VERSION: &str = "v8";

/// What to collect and how (cli.md, `collect`).
#[derive(Debug)]
pub struct Options {
    /// The bundle directory to create (`--out`); it must not exist, or be empty.
    pub out: PathBuf,
    /// The data centre (`--dc`): `com`, `eu`, `in`, `com.au`, `jp`, `ca`, `sa`, `uk` or `com.cn`.
    pub dc: String,
    /// The accounts server (`--accounts-url`); `None`: the data centre's.
    pub accounts_url: Option<String>,
    /// The CRM API host (`--crm-url`); `None`: the token's `api_domain`, else the data centre's.
    pub crm_url: Option<String>,
    /// The Desk host (`--desk-url`); `None`: the data centre's.
    pub desk_url: Option<String>,
    /// The Desk portal's org id (`--desk-org`); `None`: the default portal, else the only one.
    pub desk_org: Option<String>,
    /// Stop each list after this many records (`--max-records`), marking it incomplete.
    pub max_records: Option<usize>,
    /// The credentials from the environment.
    pub credentials: Credentials,
    /// Test-only (`CRMDESK_AUDIT_TEST_INSTANT_BACKOFF=1`): backoff waits return at once
    /// on a virtual clock, so retry tests do not sleep.
    pub instant_backoff: bool,
}

/// Progress, for a progress bar.
#[derive(Debug)]
pub enum Event<'a> {
    /// A part is being collected.
    Part(&'a str),
    /// A page of a list part was saved; `records` so far.
    Page { part: &'a str, records: usize },
    /// A request is about to be sent again.
    Retry {
        /// What failed (an HTTP status or the transport error).
        why: &'a str,
        /// How long the run waits before the next attempt.
        wait: Duration,
        /// How many attempts have failed so far (1 before the first retry).
        attempt: u32,
    },
}

/// A Desk portal, as listed in a usage error.
#[derive(Clone, Debug)]
pub struct Portal {
    /// The portal's org id (what `--desk-org` takes).
    pub id: String,
    /// The portal's name (`portalName`).
    pub name: String,
    /// The company's name (`companyName`).
    pub company: String,
    /// Whether Desk marks it as the default portal (`isDefault`).
    pub is_default: bool,
}

/// Why nothing was written (exit status 2).
#[derive(Debug)]
pub enum CollectError {
    /// A usage error (bad flag value, `--out` not empty, no portal chosen).
    Usage(String),
    /// Several Desk portals and none chosen or default; or `--desk-org` names none.
    Portals {
        /// What is wrong, in English.
        message: String,
        /// The portals there are, to choose one from.
        portals: Vec<Portal>,
    },
    /// The accounts server refused the credentials, or an API refused the token.
    Auth(String),
    /// A service could not be reached, kept failing, or answered with something not JSON.
    Network(String),
    /// The staging directory or a file in it could not be written.
    Disk(String),
}

impl CollectError {
    /// A usage error in `e`'s words.
    fn usage(e: impl std::fmt::Display) -> CollectError {
        CollectError::Usage(e.to_string())
    }

    /// A disk error in `e`'s words.
    fn disk(e: impl std::fmt::Display) -> CollectError {
        CollectError::Disk(e.to_string())
    }

    /// The message, in English, without the kind of failure.
    pub fn message(&self) -> &str {
        match self {
            CollectError::Usage(m)
            | CollectError::Auth(m)
            | CollectError::Network(m)
            | CollectError::Disk(m)
            | CollectError::Portals { message: m, .. } => m,
        }
    }
}

/// The message alone, in English; the command line adds the kind of failure.
impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CollectError {}

/// One part as collected (the manifest's `parts.<name>`).
#[derive(Clone, Debug)]
pub struct PartSummary {
    /// As `meta.present` names it: `crm.contacts`, `crm.fields.Accounts`, ...
    pub name: String,
    /// The files saved for it, relative to the bundle (`desk/tickets/page-0001.json`).
    pub files: Vec<String>,
    /// Distinct records saved (records repeated by overlapping pages count once).
    pub records: usize,
    /// Whether every record was collected (false: stopped early, by `--max-records`, or not
    /// collected at all).
    pub complete: bool,
    /// Why the part is incomplete; `None` when it is complete.
    pub reason: Option<String>,
    /// The API error code saved as the part's file.
    pub error: Option<String>,
}

/// What a run collected.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The data centre (`--dc`).
    pub data_centre: String,
    /// The CRM host the requests went to.
    pub crm_api_domain: String,
    /// The CRM org's id, from its `org` response; `None` if that was not read.
    pub crm_org_id: Option<String>,
    /// The Desk host the requests went to.
    pub desk_base_url: String,
    /// The id of the Desk portal exported; `None` if none was chosen.
    pub desk_org_id: Option<String>,
    /// The scopes the token response granted; `None` for a ready token (`ZOHO_ACCESS_TOKEN`).
    pub scopes: Option<Vec<String>>,
    /// Every part, in the order collected.
    pub parts: Vec<PartSummary>,
    /// Why the run stopped before the end (the day's API credits ran out).
    pub stopped: Option<String>,
    /// Requests sent to the accounts server (token refreshes).
    pub requests_accounts: u64,
    /// Requests sent to the CRM API, retries included.
    pub requests_crm: u64,
    /// Requests sent to the Desk API, retries included.
    pub requests_desk: u64,
    /// How many of all the requests were repeats of a failed one.
    pub requests_retried: u64,
}

impl Summary {
    /// Every part complete and none holds an API error (exit status 0).
    pub fn is_complete(&self) -> bool {
        self.stopped.is_none() && self.parts.iter().all(|p| p.complete && p.error.is_none())
    }

    /// The parts that are not complete or hold an error.
    pub fn shortfalls(&self) -> Vec<&PartSummary> {
        self.parts
            .iter()
            .filter(|p| !p.complete || p.error.is_some())
            .collect()
    }
}

/// A download waiting to be finished: dropping it removes it.
#[derive(Debug)]
pub struct Collected {
    staging: Staging,
    files: Vec<Saved>,
    secrets: Vec<auth::Secret>,
    /// What was collected, for the caller to report before or after `finish`.
    pub summary: Summary,
}

impl Collected {
    /// Writes `integration.json` (the template, with any answers filled in) and
    /// `manifest.json`, then renames the download to `--out`.
    pub fn finish(
        mut self,
        integration: &template::Integration,
        collected_at: &str,
    ) -> Result<(PathBuf, Summary), CollectError> {
        let secrets: Vec<&str> = self.secrets.iter().map(auth::Secret::expose).collect();
        let text = template::render(integration, &self.summary);
        // The template is for a person to fill in: not in the manifest's `files`, so
        // editing it is not reported as "changed after collection".
        self.staging
            .write("integration.json", text.as_bytes(), None, &secrets)
            .map_err(CollectError::disk)?;
        let manifest = manifest::render(&self.summary, &self.files, collected_at);
        let saved = self
            .staging
            .write("manifest.json", manifest.as_bytes(), None, &secrets)
            .map_err(CollectError::disk)?;
        if saved.redacted {
            return Err(CollectError::Disk(
                "manifest.json would have held a credential; nothing was written".to_string(),
            ));
        }
        let out = self.staging.finish().map_err(CollectError::disk)?;
        self.files.clear();
        Ok((out, self.summary))
    }
}

/// Runs a collection into a staging directory beside `opts.out`.
pub fn collect(opts: &Options, on: &mut dyn FnMut(Event)) -> Result<Collected, CollectError> {
    let hosts = endpoints::hosts(&opts.dc).ok_or_else(|| {
        CollectError::Usage(format!(
            "--dc {}: not a data centre; use one of {}",
            opts.dc,
            endpoints::NAMES.join(", ")
        ))
    })?;
    let pick = |flag: &str, given: &Option<String>, default: &str| match given {
        Some(u) => endpoints::base_url(flag, u).map_err(CollectError::usage),
        None => Ok(default.to_string()),
    };
    let accounts = pick("--accounts-url", &opts.accounts_url, &hosts.accounts)?;
    let desk_host = pick("--desk-url", &opts.desk_url, &hosts.desk)?;
    let crm_override = match &opts.crm_url {
        Some(u) => Some(endpoints::base_url("--crm-url", u).map_err(CollectError::usage)?),
        None => None,
    };
    if opts.max_records == Some(0) {
        return Err(CollectError::Usage(
            "--max-records: give at least 1".to_string(),
        ));
    }
    let staging = Staging::create(&opts.out).map_err(CollectError::usage)?;

    let clock = if opts.instant_backoff {
        Clock::virtual_()
    } else {
        Clock::real()
    };
    let mut http = Http::new(clock, RetryPolicy::default());
    let mut auth = Auth::new(opts.credentials.clone(), &accounts);
    if auth.can_refresh() {
        auth.refresh(&mut http).map_err(|e| auth_error(&e))?;
    }
    let crm_host = crm_override
        .or_else(|| auth.api_domain.clone())
        .unwrap_or(hosts.crm);

    let mut c = Collector {
        opts,
        http,
        auth,
        staging,
        crm_base: format!("{crm_host}/crm/{CRM_API_VERSION}"),
        desk_base: format!("{desk_host}/api/v1"),
        desk_org: None,
        files: Vec::new(),
        stopped: None,
        summary: Summary {
            data_centre: opts.dc.clone(),
            crm_api_domain: crm_host,
            crm_org_id: None,
            desk_base_url: desk_host,
            desk_org_id: None,
            scopes: None,
            parts: Vec::new(),
            stopped: None,
            requests_accounts: 0,
            requests_crm: 0,
            requests_desk: 0,
            requests_retried: 0,
        },
        on,
    };
    // Desk's portals first: a run that needs `--desk-org` stops before spending credits.
    c.desk_portal()?;
    c.crm()?;
    c.desk_lists()?;

    let Collector {
        http,
        auth,
        staging,
        files,
        stopped,
        mut summary,
        ..
    } = c;
    summary.scopes = auth.scopes.clone();
    summary.stopped = stopped;
    summary.requests_accounts = http.counts.accounts;
    summary.requests_crm = http.counts.crm;
    summary.requests_desk = http.counts.desk;
    summary.requests_retried = http.counts.retried;
    Ok(Collected {
        staging,
        files,
        secrets: auth.secrets().into_iter().map(auth::Secret::new).collect(),
        summary,
    })
}

fn auth_error(e: &AuthError) -> CollectError {
    match e {
        AuthError::Refused(m) => CollectError::Auth(m.clone()),
        AuthError::Unreachable(m) => CollectError::Network(m.clone()),
    }
}

/// Why a run cannot go on: a failure (nothing is written), or the day's API credits are
/// gone (what was collected is written, and the rest named as missing).
enum Stop {
    Fatal(CollectError),
    Credits(String),
}

impl From<CollectError> for Stop {
    fn from(e: CollectError) -> Stop {
        Stop::Fatal(e)
    }
}

/// A saved answer, as the part logic sees it.
enum Answer {
    /// 2xx with a JSON body.
    Data(serde_json::Value),
    /// 204, or a 2xx with an empty body: nothing matches.
    Empty,
    /// A definite API error, saved as it came: its code.
    ApiError(String),
}

/// Error codes that mean the org's API credits (or a daily quota) are used up, rather
/// than a burst limit worth waiting out. Assumed from Zoho's documentation of API
/// limits; no published sample shows them.
const CREDIT_CODES: &[&str] = &[
    "LIMIT_REACHED",
    "API_LIMIT_EXCEEDED",
    "API_CREDITS_EXCEEDED",
];

struct Collector<'o, 'e> {
    opts: &'o Options,
    http: Http,
    auth: Auth,
    staging: Staging,
    crm_base: String,
    desk_base: String,
    desk_org: Option<String>,
    files: Vec<Saved>,
    stopped: Option<String>,
    summary: Summary,
    on: &'e mut dyn FnMut(Event),
}

impl Collector<'_, '_> {
    /// GET `url`, with the token (refreshed once when an API calls it invalid), and
    /// save the answer as `rel`.
    fn fetch(
        &mut self,
        service: Service,
        url: &str,
        query: &[(&str, String)],
        rel: &str,
    ) -> Result<Answer, Stop> {
        let mut refreshed = false;
        let reply = loop {
            let token = self
                .auth
                .token(&mut self.http)
                .map_err(|e| Stop::Fatal(auth_error(&e)))?;
            let mut headers = vec![(
                "Authorization",
                format!("Zoho-oauthtoken {}", token.expose()),
            )];
            if service == Service::Desk
                && let Some(org) = &self.desk_org
            {
                headers.push(("orgId", org.clone()));
            }
            let req = Request {
                service,
                url,
                query: query.to_vec(),
                headers,
                form: None,
            };
            let on = &mut *self.on;
            let sent = self.http.send(&req, &mut |r| {
                on(Event::Retry {
                    why: &r.why,
                    wait: r.wait,
                    attempt: r.attempt,
                });
            });
            let reply = match sent {
                Ok(r) => r,
                Err(g) => {
                    let what = format!("{url}: {} after {} tries", g.last.describe(), g.tries);
                    let rate_limited =
                        matches!(&g.last, http::Attempt::Status(r) if r.status == 429);
                    return Err(if rate_limited {
                        let wait = g
                            .wait_too_long
                            .map(|w| format!(" (the server asked to wait {} s)", w.as_secs()))
                            .unwrap_or_default();
                        Stop::Credits(format!(
                            "{what}{wait}: the API's request limit or the day's API credits \
                             are used up"
                        ))
                    } else {
                        Stop::Fatal(CollectError::Network(what))
                    });
                }
            };
            if reply.status == 401 && auth::is_invalid_token(&reply.body) {
                if !refreshed && self.auth.can_refresh() {
                    refreshed = true;
                    self.auth
                        .refresh(&mut self.http)
                        .map_err(|e| Stop::Fatal(auth_error(&e)))?;
                    continue;
                }
                return Err(Stop::Fatal(CollectError::Auth(format!(
                    "{url}: the access token was refused (HTTP 401 {})",
                    error_code(&reply.body).unwrap_or_default()
                ))));
            }
            break reply;
        };
        self.save(rel, &reply)
    }

    /// Saves a reply as `rel` and says what it holds.
    fn save(&mut self, rel: &str, reply: &Reply) -> Result<Answer, Stop> {
        let status = reply.status;
        let blank = reply.body.iter().all(u8::is_ascii_whitespace);
        let (bytes, answer): (Vec<u8>, Answer) = match status {
            200..=299 if blank => (Vec::new(), Answer::Empty),
            200..=299 => {
                let value: serde_json::Value =
                    serde_json::from_slice(&reply.body).map_err(|e| {
                        CollectError::Network(format!(
                            "{rel}: the answer (HTTP {status}) is not JSON ({e}); try again later"
                        ))
                    })?;
                match error_code(&reply.body) {
                    Some(code) if is_error_body(&value) => {
                        (reply.body.clone(), Answer::ApiError(code))
                    }
                    _ => (reply.body.clone(), Answer::Data(value)),
                }
            }
            400..=499 => match error_code(&reply.body) {
                Some(code) => (reply.body.clone(), Answer::ApiError(code)),
                None => {
                    // Not a Zoho error body (a proxy's page, say): saved as one the loader
                    // reads as a failed part, keeping the status and the text.
                    let code = format!("HTTP_{status}");
                    let text = String::from_utf8_lossy(&reply.body);
                    let text: String = text.chars().take(500).collect();
                    let body = serde_json::json!({
                        "code": code, "status": "error",
                        "message": format!("HTTP {status} without a Zoho error body (saved by crmdesk-audit collect)"),
                        "details": {"body": text}
                    });
                    (
                        serde_json::to_vec_pretty(&body).unwrap_or_default(),
                        Answer::ApiError(code),
                    )
                }
            },
            _ => {
                return Err(Stop::Fatal(CollectError::Network(format!(
                    "{rel}: unexpected HTTP {status}"
                ))));
            }
        };
        if let Answer::ApiError(code) = &answer
            && CREDIT_CODES.contains(&code.as_str())
        {
            return Err(Stop::Credits(format!(
                "{rel}: {code}: the day's API credits are used up"
            )));
        }
        let secrets = self.auth.secrets();
        let saved = self
            .staging
            .write(rel, &bytes, Some(status), &secrets)
            .map_err(CollectError::disk)?;
        self.files.push(saved);
        Ok(answer)
    }

    /// Records a part that was not collected because the run stopped.
    fn skip_part(&mut self, name: &str) {
        let reason = self.stopped.clone().unwrap_or_default();
        self.summary.parts.push(PartSummary {
            name: name.to_string(),
            files: Vec::new(),
            records: 0,
            complete: false,
            reason: Some(format!("not collected: {reason}")),
            error: None,
        });
    }

    /// Handles a stop met while collecting part `name` (whose `files` were saved).
    fn stop(
        &mut self,
        name: &str,
        files: Vec<String>,
        records: usize,
        s: Stop,
    ) -> Result<(), CollectError> {
        match s {
            Stop::Fatal(e) => Err(e),
            Stop::Credits(why) => {
                self.summary.parts.push(PartSummary {
                    name: name.to_string(),
                    files,
                    records,
                    complete: false,
                    reason: Some(format!("stopped: {why}")),
                    error: None,
                });
                self.stopped = Some(why);
                Ok(())
            }
        }
    }

    /// One response saved as one file (org, modules, fields, related lists, portals).
    fn single(
        &mut self,
        name: &str,
        rel: &str,
        service: Service,
        url: &str,
        query: &[(&str, String)],
        envelope: &str,
    ) -> Result<Option<serde_json::Value>, CollectError> {
        if self.stopped.is_some() {
            self.skip_part(name);
            return Ok(None);
        }
        (self.on)(Event::Part(name));
        match self.fetch(service, url, query, rel) {
            Ok(answer) => {
                let (records, error, value) = match answer {
                    Answer::Data(v) => (records(&v, envelope).len(), None, Some(v)),
                    Answer::Empty => (0, None, None),
                    Answer::ApiError(code) => (0, Some(code), None),
                };
                self.summary.parts.push(PartSummary {
                    name: name.to_string(),
                    files: vec![rel.to_string()],
                    records,
                    complete: error.is_none(),
                    reason: error
                        .as_ref()
                        .map(|c| format!("the API answered {c}; the error body is saved")),
                    error,
                });
                Ok(value)
            }
            Err(s) => {
                self.stop(name, Vec::new(), 0, s)?;
                Ok(None)
            }
        }
    }

    /// Every page of a list, saved as `dir/page-0001.json`, ...: `first` is page 1's
    /// query, and after each page that holds data `next` says what comes after it (the
    /// CRM's and Desk's rules differ). An empty answer (204) ends the list complete; an
    /// API error ends it incomplete, its body saved as that page.
    #[allow(
        clippy::too_many_arguments,
        reason = "what a list is (part, directory, service, URL, envelope) and how to page it"
    )]
    fn list<'q>(
        &mut self,
        name: &str,
        dir: &str,
        service: Service,
        url: &str,
        envelope: &str,
        first: Vec<(&'q str, String)>,
        mut next: impl FnMut(&ListPage) -> Next<'q>,
    ) -> Result<(), CollectError> {
        (self.on)(Event::Part(name));
        let mut files = Vec::new();
        let mut distinct = Distinct::default();
        let mut query = first;
        let mut n = 1;
        let (complete, reason, error) = loop {
            let rel = page_file(dir, n);
            let answer = match self.fetch(service, url, &query, &rel) {
                Ok(a) => a,
                Err(s) => return self.stop(name, files, distinct.len(), s),
            };
            files.push(rel);
            let v = match answer {
                Answer::Empty => break (true, None, None),
                Answer::ApiError(code) => {
                    break (
                        false,
                        Some(format!(
                            "the API answered {code} on page {n}; the error body is saved"
                        )),
                        Some(code),
                    );
                }
                Answer::Data(v) => v,
            };
            let recs = records(&v, envelope);
            let new = distinct.add(&recs);
            (self.on)(Event::Page {
                part: name,
                records: distinct.len(),
            });
            let page = ListPage {
                n,
                body: &v,
                records: recs.len(),
                new,
                distinct: distinct.len(),
            };
            match next(&page) {
                Next::Page(q) => query = q,
                Next::Complete => break (true, None, None),
                Next::Stop(why) => break (false, Some(why), None),
            }
            n += 1;
        };
        self.summary.parts.push(PartSummary {
            name: name.to_string(),
            files,
            records: distinct.len(),
            complete,
            reason,
            error,
        });
        Ok(())
    }
}
