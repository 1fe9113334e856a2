//! `crmdesk-audit collect` against a replay of the Zoho APIs on 127.0.0.1 (never the
//! internet), hosts given by `--accounts-url`, `--crm-url` and `--desk-url`: complete lists
//! across CRM `page` and `page_token` and overlapping Desk pages, HTTP 204, retries (429,
//! 5xx) without sleeping (`CRMDESK_AUDIT_TEST_INSTANT_BACKOFF=1`, a virtual clock), a 401
//! and a refresh, saved API errors, several Desk portals, `--max-records`, the API
//! credits running out, a failure mid-run that leaves nothing behind, a planted token
//! that must reach no file and no output, and a recorded org whose collected bundle
//! audits to the verdicts its fixture has.
//!
//! Response shapes follow Zoho's published v8 samples, repository `zoho/crm-oas`,
//! `v8.0/<resource>/operations/<op>/examples/` at commit
//! a6687fc961acdaa52592d39c5c7e4385e5b4c289 (each template names its file); the recorded
//! org is `fixtures/v8-healthy`, built from the same samples (fixtures/README.md).
//! Details no sample shows are marked "assumed".

mod common;

use common::replay::{self, Host, Reply, Request, Started};
use common::zoho::{
    Answer, DeskList, RecordPager, UsersPage, crm_error_body, desk_error_body, users_page,
};
use common::{all_files, audit_json, bin, names, pages};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const CLIENT_ID: &str = "1000.COLLECT0CLIENT0ID";
const CLIENT_SECRET: &str = "collect0client0secret0a7b3";
const REFRESH_TOKEN: &str = "1000.collect0refresh.token0c4d";
const CRM_ORG_ID: &str = "5725767000000020005";

// ---------------------------------------------------------------------------------------------
// The replayed org

#[derive(Clone)]
struct Org {
    users: usize,
    admins: usize,
    contacts: usize,
    leads: usize,
    /// Desk portals: (id, isDefault).
    portals: Vec<(u64, bool)>,
    departments: usize,
    agents: usize,
    desk_contacts: usize,
    tickets: usize,
    /// Desk's `from` counted from 1 for tickets (pages overlap by one record).
    tickets_one_based: bool,
    /// Serve `fixtures/v8-healthy` instead of generated records.
    recorded: bool,
    /// Put the issued access token and the refresh token into responses.
    plant_secrets: bool,
}

impl Default for Org {
    fn default() -> Self {
        Org {
            users: 3,
            admins: 1,
            contacts: 30,
            leads: 5,
            portals: vec![(2_389_290, true)],
            departments: 2,
            agents: 3,
            desk_contacts: 20,
            tickets: 30,
            tickets_one_based: false,
            recorded: false,
            plant_secrets: false,
        }
    }
}

/// A reply the server gives instead of the normal one, to requests matching `host` and
/// `path` (and `query` when given), after `skip` matching requests, `times` times.
#[derive(Clone)]
struct Fault {
    host: Host,
    path: &'static str,
    query: Option<(&'static str, &'static str)>,
    skip: usize,
    times: usize,
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Option<Value>,
    /// The access token stops being valid (before this reply).
    revoke: bool,
    /// Wait this long before replying (a slow server, for Ctrl-C mid-request).
    delay: Option<Duration>,
}

impl Fault {
    fn new(host: Host, path: &'static str, status: u16, body: Option<Value>) -> Fault {
        Fault {
            host,
            path,
            query: None,
            skip: 0,
            times: 1,
            status,
            headers: Vec::new(),
            body,
            revoke: false,
            delay: None,
        }
    }
}

struct State {
    org: Org,
    crm_base: String,
    valid_token: Mutex<Option<String>>,
    issued: Mutex<Vec<String>>,
    faults: Mutex<Vec<Fault>>,
    /// CRM's record lists; a page token is bound to its module only.
    records: RecordPager,
    /// Numbers the access tokens issued.
    seq: AtomicUsize,
    /// A delayed reply is being waited out.
    stalled: AtomicBool,
    /// The test is over: delayed replies end.
    stopping: Arc<AtomicBool>,
}

impl State {
    /// The access tokens issued so far.
    fn tokens(&self) -> Vec<String> {
        self.issued.lock().expect("issued").clone()
    }
}

type Server = replay::Server<State>;

/// The replay of `org`, answering as it normally would except where `faults` say.
fn start(org: Org, faults: Vec<Fault>) -> Server {
    Server::start(
        |s: &Started| State {
            org,
            crm_base: s.crm.clone(),
            valid_token: Mutex::new(None),
            issued: Mutex::new(Vec::new()),
            faults: Mutex::new(faults),
            records: RecordPager::new(),
            seq: AtomicUsize::new(0),
            stalled: AtomicBool::new(false),
            stopping: s.stopping.clone(),
        },
        respond,
    )
}

fn respond(req: &Request, state: &State) -> Reply {
    let fault = {
        let mut faults = state.faults.lock().expect("faults");
        let hit = faults.iter_mut().find(|f| {
            f.host == req.host
                && f.path == req.path
                && f.times > 0
                && f.query.is_none_or(|(k, v)| req.param(k) == Some(v))
        });
        match hit {
            Some(f) if f.skip > 0 => {
                f.skip -= 1;
                None
            }
            Some(f) => {
                f.times -= 1;
                Some(f.clone())
            }
            None => None,
        }
    };
    if let Some(f) = fault {
        if f.revoke {
            *state.valid_token.lock().expect("token") = None;
        }
        if let Some(d) = f.delay {
            state.stalled.store(true, Ordering::SeqCst);
            let until = Instant::now() + d;
            while Instant::now() < until && !state.stopping.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(10));
            }
        }
        return (f.status, f.headers, f.body);
    }
    match req.host {
        Host::Accounts => accounts(req, state),
        Host::Crm => crm(req, state),
        Host::Desk => desk(req, state),
    }
}

fn authorized(req: &Request, state: &State) -> bool {
    let valid = state.valid_token.lock().expect("token").clone();
    valid.is_some_and(|t| req.header("authorization") == Some(&format!("Zoho-oauthtoken {t}")))
}

/// The refresh-token grant. Shape from Zoho's OAuth guide: access_token, scope,
/// api_domain, token_type, expires_in; a bad grant is HTTP 200 with `error` (status
/// assumed, as in tests/export_recipe.rs).
fn accounts(req: &Request, state: &State) -> Reply {
    let ok = req.method == "POST"
        && req.path == "/oauth/v2/token"
        && req.param("grant_type") == Some("refresh_token")
        && req.param("refresh_token") == Some(REFRESH_TOKEN)
        && req.param("client_id") == Some(CLIENT_ID)
        && req.param("client_secret") == Some(CLIENT_SECRET);
    if !ok {
        return (200, vec![], Some(json!({"error": "invalid_code"})));
    }
    let n = state.seq.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let token = format!("1000.{:032x}.{:032x}", nanos ^ 0x5eed, n as u128 + 0xacce55);
    *state.valid_token.lock().expect("token") = Some(token.clone());
    state.issued.lock().expect("issued").push(token.clone());
    (
        200,
        vec![],
        Some(json!({
            "access_token": token,
            "scope": "ZohoCRM.org.READ ZohoCRM.users.READ ZohoCRM.settings.READ ZohoCRM.modules.READ Desk.basic.READ Desk.contacts.READ Desk.tickets.READ",
            "api_domain": state.crm_base,
            "token_type": "Bearer",
            "expires_in": 3600
        })),
    )
}

fn crm_error(status: u16, code: &str, message: &str, details: Value) -> Reply {
    (status, vec![], Some(crm_error_body(code, message, details)))
}

/// A shared stand-in's answer, with no headers of its own.
fn reply((status, body): Answer) -> Reply {
    (status, vec![], body)
}

fn fixture(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/v8-healthy")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("fixture")).expect("fixture json")
}

fn crm(req: &Request, state: &State) -> Reply {
    // v8.0/related_lists/operations/getRelatedLists/examples/response-401-invalidtoken.md
    if !authorized(req, state) {
        return crm_error(401, "INVALID_TOKEN", "invalid oauth token", json!({}));
    }
    let Some(rest) = req.path.strip_prefix("/crm/v8/") else {
        return crm_error(
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
        );
    };
    let org = &state.org;
    let module = req.param("module").unwrap_or("");
    let known = ["Accounts", "Contacts", "Deals", "Leads", "CM1", "sdfvg"].contains(&module);
    match rest {
        "org" if org.recorded => (200, vec![], Some(fixture("crm/org.json"))),
        // Trimmed from v8.0/org/operations/getOrganization/examples/response-200-orggetresponse.md
        "org" => {
            let mut o = json!({"id": CRM_ORG_ID, "company_name": "Sakura Motors", "country_code": "JP",
                "license_details": {"paid": true, "paid_type": "enterprise", "paid_expiry": "2027-04-11T17:00:00+09:00",
                                    "trial_type": null, "trial_expiry": null}});
            if org.plant_secrets {
                // A response that echoes credentials (as a misbehaving proxy might).
                let token = state.valid_token.lock().expect("token").clone();
                o["debug"] = json!({"access_token": token, "refresh_token": REFRESH_TOKEN});
            }
            (200, vec![], Some(json!({"org": [o]})))
        }
        "users" => users(req, state),
        "settings/modules" if org.recorded => (200, vec![], Some(fixture("crm/modules.json"))),
        // Shaped as v8.0/modules/operations/getModules/examples/response-200-allmoduleswithvariations.md
        "settings/modules" => {
            let m = |i: u64, api: &str, g: &str, status: &str, visibility: u64| {
                let n = 111_111_000_000_002_646u64 + i;
                json!({"api_name": api, "generated_type": g, "status": status, "visibility": visibility,
                       "module_name": api, "plural_label": api, "id": n.to_string()})
            };
            (
                200,
                vec![],
                Some(json!({"modules": [
                    m(0, "Leads", "default", "visible", 1), m(2, "Accounts", "default", "visible", 1),
                    m(4, "Contacts", "default", "visible", 1), m(6, "Deals", "default", "visible", 2046),
                    m(30, "Notes", "default", "system_hidden", 1),
                    m(239_521, "CM1", "custom", "visible", 14316),
                    m(268_250, "sdfvg", "custom", "visible", 2),
                    m(239_600, "Vehicles_Old", "custom", "system_hidden", 1)
                ]})),
            )
        }
        "settings/fields" | "settings/related_lists" if !known => {
            // v8.0/related_lists/operations/getRelatedLists/examples/response-400-invalidmodule.md (shape)
            crm_error(
                400,
                "INVALID_MODULE",
                "the given module is not supported in api",
                json!({"param_name": "module"}),
            )
        }
        "settings/fields" if req.param("type") != Some("all") => crm_error(
            400,
            "INVALID_DATA",
            "invalid data",
            json!({"param_name": "type"}),
        ),
        // The recorded org has Accounts' lists only; other modules get the same (assumed).
        "settings/fields" if org.recorded => {
            (200, vec![], Some(fixture("crm/fields/Accounts.json")))
        }
        "settings/related_lists" if org.recorded => (
            200,
            vec![],
            Some(fixture("crm/related_lists/Accounts.json")),
        ),
        // Trimmed from v8.0/fields/operations/getFields/examples/response-200-fullexample.md
        "settings/fields" => (
            200,
            vec![],
            Some(json!({"fields": [
                {"api_name": "Owner", "visible": true, "type": "used", "data_type": "ownerlookup", "id": "4832675000000000553"},
                {"api_name": "Account_Name", "visible": true, "type": "used", "data_type": "lookup", "id": "4832675000000000557"}
            ]})),
        ),
        // From v8.0/related_lists/operations/getRelatedLists/examples/response-200-successresponse.md
        "settings/related_lists" => (
            200,
            vec![],
            Some(json!({"related_lists": [
                {"id": "4150868000000091023", "api_name": "Zoho_Desk", "name": "Zoho Desk", "display_label": "Zoho Desk",
                 "type": "custom_lookup", "status": "visible", "sequence_number": "1"}
            ]})),
        ),
        "Contacts" if org.recorded => (200, vec![], Some(fixture("crm/contacts.json"))),
        "Leads" if org.recorded => (200, vec![], Some(fixture("crm/leads.json"))),
        "Contacts" => records(req, state, "Contacts", org.contacts),
        "Leads" => records(req, state, "Leads", org.leads),
        _ => crm_error(
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
        ),
    }
}

/// GET /users by `page`/`per_page`; info as in
/// v8.0/users/operations/getUsers/examples/response-200-usersgetresponse.md.
fn users(req: &Request, state: &State) -> Reply {
    let org = &state.org;
    if org.recorded {
        let mut v = fixture("crm/users.json");
        if req.param("type") == Some("AdminUsers") {
            let admins: Vec<Value> = v["users"]
                .as_array()
                .expect("users")
                .iter()
                .filter(|u| u["profile"]["name"] == "Administrator")
                .cloned()
                .collect();
            v["users"] = json!(admins);
        }
        return (200, vec![], Some(v));
    }
    let total = match req.param("type") {
        Some("AllUsers") => org.users,
        Some("AdminUsers") => org.admins,
        _ => {
            return crm_error(
                400,
                "INVALID_DATA",
                "invalid data",
                json!({"param_name": "type"}),
            );
        }
    };
    let UsersPage {
        page,
        per_page,
        from,
        to,
    } = match users_page(req, total) {
        Ok(p) => p,
        Err((status, body)) => return (status, vec![], Some(body)),
    };
    if from >= to {
        return (204, vec![], None);
    }
    let mut info =
        json!({"per_page": per_page, "count": to - from, "page": page, "more_records": to < total});
    if org.plant_secrets {
        info["access_token"] = json!(state.valid_token.lock().expect("token").clone());
    }
    let users: Vec<Value> = (from..to)
        .map(|i| {
            json!({"id": (5_725_767_000_000_411_001u64 + i as u64).to_string(), "email": format!("user{i}@sakura.example"),
                   "status": "active", "profile": {"name": if i < org.admins { "Administrator" } else { "Standard" }}})
        })
        .collect();
    (200, vec![], Some(json!({"users": users, "info": info})))
}

/// GET /{module} by `page`, then `page_token` (tests/common/zoho.rs, `RecordPager`), over
/// `total` generated records: each keeps `id` and the `fields` asked for of
/// `{id, Email, Last_Name, First_Name, Account_Name}` (as in
/// v8.0/record/operations/getRecords/examples/response-200-leads.md).
fn records(req: &Request, state: &State, module: &str, total: usize) -> Reply {
    reply(state.records.page(req, module, total, |i| {
        json!({"id": (5_725_767_000_001_000_000u64 + i as u64).to_string(),
            "Email": format!("c{i}@customer.example"), "Last_Name": format!("Tanaka{i}"), "First_Name": "Yui",
            "Account_Name": {"name": "Zylker", "id": "5725767000002000001"}})
    }))
}

fn desk_error(status: u16, code: &str, message: &str) -> Reply {
    (status, vec![], Some(desk_error_body(code, message)))
}

fn desk(req: &Request, state: &State) -> Reply {
    if !authorized(req, state) {
        return desk_error(
            401,
            "INVALID_OAUTH",
            "The OAuth Token you provided is invalid.",
        );
    }
    let Some(resource) = req.path.strip_prefix("/api/v1/") else {
        return desk_error(
            404,
            "URL_NOT_FOUND",
            "The URL you requested could not be found.",
        );
    };
    let org = &state.org;
    if resource == "organizations" {
        if org.recorded {
            return (200, vec![], Some(fixture("desk/organizations.json")));
        }
        let portals: Vec<Value> = org
            .portals
            .iter()
            .map(|(id, default)| {
                json!({"id": id, "isDefault": default, "portalName": format!("portal{id}"),
                "companyName": "Sakura Motors", "edition": "ENTERPRISE", "isAdminInOrg": true})
            })
            .collect();
        return (200, vec![], Some(json!({"data": portals})));
    }
    let known = |o: &str| {
        if org.recorded {
            o == "2389290"
        } else {
            org.portals.iter().any(|(id, _)| id.to_string() == o)
        }
    };
    match req.header("orgid") {
        Some(o) if known(o) => {}
        _ => return desk_error(400, "INVALID_DATA", "orgId header is missing or unknown"),
    }
    if org.recorded {
        return match resource {
            "departments" | "agents" | "contacts" | "tickets" => {
                (200, vec![], Some(fixture(&format!("desk/{resource}.json"))))
            }
            _ => desk_error(
                404,
                "URL_NOT_FOUND",
                "The URL you requested could not be found.",
            ),
        };
    }
    let (total, one_based) = match resource {
        "departments" => (org.departments, false),
        "agents" => (org.agents, false),
        "contacts" => (org.desk_contacts, false),
        "tickets" => (org.tickets, org.tickets_one_based),
        _ => {
            return desk_error(
                404,
                "URL_NOT_FOUND",
                "The URL you requested could not be found.",
            );
        }
    };
    let list = DeskList {
        total,
        max_limit: 100,
        one_based,
    };
    reply(list.page(req, |i| {
        json!({"id": (1_892_000_000_042_000u64 + i as u64).to_string(), "name": format!("{resource} {i}"),
               "emailId": format!("a{i}@sakura.example"), "departmentId": "1892000000082069"})
    }))
}

// ---------------------------------------------------------------------------------------------
// Running `collect`

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// The replay of `org` (answering as `faults` say), a scratch directory, and one
/// `collect` run in it.
fn collect_once(org: Org, faults: Vec<Fault>, args: &[&str]) -> (Server, TempDir, Run) {
    let server = start(org, faults);
    let work = tempfile::tempdir().expect("tempdir");
    let run = collect(&server, work.path(), args, None);
    (server, work, run)
}

fn collect(server: &Server, work: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let started = Instant::now();
    let child = spawn_collect(server, work, args, stdin, None);
    wait(child, started)
}

/// Starts `collect` with the self client's credentials, or with `ready_token` as
/// ZOHO_ACCESS_TOKEN and no client credentials.
fn spawn_collect(
    server: &Server,
    work: &Path,
    args: &[&str],
    stdin: Option<&str>,
    ready_token: Option<&str>,
) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crmdesk-audit"));
    cmd.arg("collect")
        .args([
            "--accounts-url",
            &server.accounts,
            "--crm-url",
            &server.crm,
            "--desk-url",
            &server.desk,
        ])
        .args(args)
        .current_dir(work)
        .env("CRMDESK_AUDIT_TEST_INSTANT_BACKOFF", "1")
        .env("LANG", "en_US.UTF-8")
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1");
    match ready_token {
        Some(t) => {
            cmd.env("ZOHO_ACCESS_TOKEN", t);
            for v in ["ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"] {
                cmd.env_remove(v);
            }
        }
        None => {
            cmd.env("ZOHO_CLIENT_ID", CLIENT_ID)
                .env("ZOHO_CLIENT_SECRET", CLIENT_SECRET)
                .env("ZOHO_REFRESH_TOKEN", REFRESH_TOKEN)
                .env_remove("ZOHO_ACCESS_TOKEN");
        }
    }
    for v in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run crmdesk-audit collect");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child
}

fn wait(mut child: std::process::Child, started: Instant) -> Run {
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "collect ran for more than 120 s");
        thread::sleep(Duration::from_millis(10));
    }
    let out: Output = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The built binary's `query` on a bundle.
fn query(bundle: &Path, expr: &str) -> Value {
    let out = bin()
        .arg("query")
        .arg(bundle)
        .arg(expr)
        .output()
        .expect("run query");
    assert!(
        out.status.success(),
        "query failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("query prints JSON")
}

/// Every file of a bundle matches its manifest entry (sha256, bytes).
fn assert_manifest_matches_files(bundle: &Path) {
    use sha2::{Digest, Sha256};
    let m = read_json(&bundle.join("manifest.json"));
    let files = m["files"].as_object().expect("files");
    assert!(!files.is_empty());
    for (rel, f) in files {
        let bytes = std::fs::read(bundle.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"], json!(hex), "{rel}");
        assert_eq!(f["bytes"], json!(bytes.len()), "{rel}");
    }
}

/// Nothing is left beside where `--out` would have been.
fn assert_nothing_left(work: &Path) {
    let left = names(work);
    assert!(left.is_empty(), "left behind: {left:?}");
}

// ---------------------------------------------------------------------------------------------
// The cases

#[test]
fn a_large_org_is_collected_complete_across_page_tokens_204s_and_overlapping_desk_pages() {
    let org = Org {
        users: 450,
        admins: 3,
        contacts: 2_300,
        leads: 0,
        desk_contacts: 300,
        tickets: 250,
        tickets_one_based: true,
        portals: vec![(2_389_291, false), (2_389_290, true)],
        ..Org::default()
    };
    let (server, work, run) = collect_once(org, vec![], &["--out", "bundle", "--lang", "en"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let b = work.path().join("bundle");
    let log = server.log();

    // CRM contacts: 10 pages by `page`, then 2 by `page_token`, never both; fields sent.
    let contacts: Vec<&Request> = log
        .iter()
        .filter(|r| r.path == "/crm/v8/Contacts")
        .collect();
    assert_eq!(contacts.len(), 12);
    for (i, r) in contacts.iter().enumerate() {
        assert_eq!(
            r.param("fields"),
            Some("Email,Last_Name,First_Name,Account_Name")
        );
        if i < 10 {
            assert_eq!(r.param("page"), Some((i + 1).to_string().as_str()));
        } else {
            assert!(
                r.param("page_token").is_some() && r.param("page").is_none(),
                "{:?}",
                r.query
            );
        }
    }
    // Every API request carried the token, read-only; Desk ones but /organizations the portal.
    let token = server.state.tokens().pop().expect("a token was issued");
    for r in log.iter().filter(|r| r.host != Host::Accounts) {
        assert_eq!(r.method, "GET", "{}", r.path);
        assert_eq!(
            r.header("authorization"),
            Some(format!("Zoho-oauthtoken {token}").as_str())
        );
        if r.host == Host::Desk && r.path != "/api/v1/organizations" {
            assert_eq!(r.header("orgid"), Some("2389290"), "{}", r.path);
        }
    }
    assert!(log.iter().all(|r| r.status < 400), "no request was refused");

    assert_eq!(names(&b.join("crm/contacts")), pages(12));
    assert_eq!(names(&b.join("crm/users")), pages(3));
    assert_eq!(names(&b.join("crm/leads")), pages(1));
    assert_eq!(
        std::fs::metadata(b.join("crm/leads/page-0001.json"))
            .expect("leads")
            .len(),
        0,
        "204: 0 bytes"
    );
    assert_eq!(
        names(&b.join("crm/fields")),
        [
            "Accounts.json",
            "CM1.json",
            "Contacts.json",
            "Deals.json",
            "sdfvg.json"
        ],
        "default modules and visible custom ones, not Vehicles_Old (system_hidden)"
    );
    assert_eq!(
        names(&b.join("desk/contacts")),
        pages(4),
        "3 full pages and a 204"
    );
    assert_eq!(
        names(&b.join("desk/tickets")),
        pages(3),
        "1-based `from`: pages overlap"
    );
    assert_eq!(
        names(&b),
        ["crm", "desk", "integration.json", "manifest.json"]
    );

    let m = read_json(&b.join("manifest.json"));
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["data_centre"], "com");
    assert_eq!(m["crm"]["api_version"], "v8");
    assert_eq!(m["crm"]["org_id"], CRM_ORG_ID);
    assert_eq!(m["crm"]["api_domain"], json!(server.crm));
    assert_eq!(m["desk"]["org_id"], "2389290");
    assert!(
        m["scopes"]
            .as_array()
            .expect("scopes")
            .contains(&json!("Desk.tickets.READ"))
    );
    for (part, records) in [
        ("crm.users", 450),
        ("crm.admin_users", 3),
        ("crm.contacts", 2_300),
        ("crm.leads", 0),
        ("desk.contacts", 300),
        ("desk.tickets", 250),
        ("desk.organizations", 2),
    ] {
        assert_eq!(m["parts"][part]["records"], json!(records), "{part}");
        assert_eq!(m["parts"][part]["complete"], true, "{part}");
    }
    assert_eq!(
        m["parts"]["crm.contacts"]["files"]
            .as_array()
            .expect("files")
            .len(),
        12
    );
    assert_eq!(m["files"]["crm/org.json"]["status"], 200);
    assert_eq!(m["files"]["crm/leads/page-0001.json"]["status"], 204);
    let api_requests = log.len() as u64;
    assert_eq!(
        m["requests"]["total"],
        json!(api_requests),
        "every request counted"
    );
    assert_manifest_matches_files(&b);
    assert!(
        !m.to_string().contains(&token),
        "the manifest holds no token"
    );

    // integration.json: the portal, nulls, the expected link ids.
    let i = read_json(&b.join("integration.json"));
    assert_eq!(i["desk"]["org_id"], "2389290");
    assert_eq!(i["desk"]["linked_crm_org_id"], Value::Null);
    assert_eq!(i["expected"]["desk.linked_crm_org_id"], CRM_ORG_ID);
    assert!(
        run.stdout
            .contains("Setup > Marketplace > Zoho > Zoho Desk > Manage > Sync settings"),
        "{}",
        run.stdout
    );

    // The loader reads it whole: counts, the portal, nothing truncated, no edited file.
    let got = query(
        &b,
        "#{users: doc.crm.users.len(), contacts: doc.crm.contacts.len(), tickets: doc.desk.tickets.len(), \
          desk_contacts: doc.desk.contacts.len(), org: doc.desk.organization.id, truncated: doc.meta.truncated, \
          notes: doc.meta.notes}",
    );
    let notes = got["notes"].clone();
    let mut got = got;
    got.as_object_mut().expect("object").remove("notes");
    assert_eq!(
        got,
        json!({"users": 450, "contacts": 2300, "tickets": 250, "desk_contacts": 300, "org": "2389290",
               "truncated": []})
    );
    // The one note: the tickets' overlapping pages (no file edited, none unknown).
    let notes: Vec<&str> = notes
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("desk.tickets") && notes[0].contains("overlapping pages"),
        "{notes:?}"
    );
}

#[test]
fn a_429_and_a_5xx_are_retried_with_backoff_without_the_test_sleeping() {
    let mut busy = Fault::new(
        Host::Crm,
        "/crm/v8/Contacts",
        429,
        Some(json!({
        // Assumed shape: CRM's error envelope with the wait in details.retry_after.
        "code": "TOO_MANY_REQUESTS", "details": {"retry_after": 20}, "message": "too many requests", "status": "error"})),
    );
    busy.headers = vec![("Retry-After", "30".to_string())];
    busy.skip = 1; // the second contacts page
    let down = Fault::new(
        Host::Crm,
        "/crm/v8/org",
        503,
        Some(json!({
        // v8.0/record/operations/getRecords/examples/response-500-internalerror.md (body)
        "code": "INTERNAL_ERROR", "message": "Internal Server Error", "status": "error", "details": {}})),
    );
    let bad_gateway = Fault {
        times: 2,
        ..Fault::new(Host::Desk, "/api/v1/agents", 502, None)
    };
    let org = Org {
        contacts: 450,
        ..Org::default()
    };
    let (server, work, run) = collect_once(org, vec![busy, down, bad_gateway], &["--out", "b"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.elapsed < Duration::from_secs(20),
        "the backoff slept: {:?}",
        run.elapsed
    );
    let log = server.log();
    let org_gets: Vec<u16> = log
        .iter()
        .filter(|r| r.path == "/crm/v8/org")
        .map(|r| r.status)
        .collect();
    assert_eq!(org_gets, [503, 200]);
    let contact_gets: Vec<u16> = log
        .iter()
        .filter(|r| r.path == "/crm/v8/Contacts")
        .map(|r| r.status)
        .collect();
    assert_eq!(contact_gets, [200, 429, 200, 200]);
    let m = read_json(&work.path().join("b/manifest.json"));
    assert_eq!(m["requests"]["retried"], 4);
    assert_eq!(m["requests"]["total"], json!(log.len()));
    assert_eq!(m["parts"]["crm.contacts"]["records"], 450);
    assert_eq!(
        m["files"]["crm/org.json"]["status"], 200,
        "the answer saved is the good one"
    );
}

#[test]
fn a_401_invalid_token_refreshes_the_token_once_and_the_run_goes_on() {
    // v8.0/related_lists/operations/getRelatedLists/examples/response-401-invalidtoken.md
    let expired = Fault {
        revoke: true,
        ..Fault::new(
            Host::Crm,
            "/crm/v8/users",
            401,
            Some(json!({
            "code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"})),
        )
    };
    let desk_expired = Fault {
        revoke: true,
        ..Fault::new(
            Host::Desk,
            "/api/v1/tickets",
            401,
            Some(json!({
            "errorCode": "INVALID_OAUTH", "message": "The OAuth Token you provided is invalid."})),
        )
    };
    let (server, work, run) =
        collect_once(Org::default(), vec![expired, desk_expired], &["--out", "b"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        server.state.tokens().len(),
        3,
        "one token, then one refresh per 401"
    );
    let m = read_json(&work.path().join("b/manifest.json"));
    assert_eq!(m["requests"]["accounts"], 3);
    assert_eq!(m["files"]["crm/users/page-0001.json"]["status"], 200);
    assert_eq!(m["parts"]["desk.tickets"]["complete"], true);
}

#[test]
fn a_ready_access_token_is_used_as_it_is_and_a_401_with_it_writes_nothing() {
    const READY: &str = "1000.ready0token.0000aaaa1111bbbb";
    let server = start(Org::default(), vec![]);
    *server.state.valid_token.lock().expect("token") = Some(READY.to_string());
    let work = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let run = wait(
        spawn_collect(&server, work.path(), &["--out", "b"], None, Some(READY)),
        started,
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        server.log().iter().all(|r| r.host != Host::Accounts),
        "no token request"
    );
    let m = read_json(&work.path().join("b/manifest.json"));
    assert_eq!(m["scopes"], Value::Null, "unknown without a token response");
    assert_eq!(m["crm"]["api_domain"], json!(server.crm));

    // The same token refused: it cannot be refreshed.
    *server.state.valid_token.lock().expect("token") = None;
    let run = wait(
        spawn_collect(&server, work.path(), &["--out", "c"], None, Some(READY)),
        Instant::now(),
    );
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("authentication"), "{}", run.stderr);
    assert!(!run.stderr.contains(READY), "{}", run.stderr);
    assert_eq!(names(work.path()), ["b"]);
}

#[test]
fn a_token_refused_again_after_a_refresh_is_an_authentication_failure_that_writes_nothing() {
    let always = Fault {
        revoke: true,
        times: 10,
        ..Fault::new(
            Host::Crm,
            "/crm/v8/org",
            401,
            Some(json!({
            "code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"})),
        )
    };
    let (_server, work, run) = collect_once(Org::default(), vec![always], &["--out", "b"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("authentication") && run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    assert_nothing_left(work.path());
}

#[test]
fn a_definite_api_error_is_saved_as_that_parts_file_and_the_exit_status_is_1() {
    // v8.0/record/operations/getRecords/examples/response-403-nopermission.md
    let no_permission = Fault::new(
        Host::Crm,
        "/crm/v8/Leads",
        403,
        Some(json!({
        "code": "NO_PERMISSION", "message": "Permission denied", "status": "error",
        "details": {"permissions": ["Crm_Implied_View_Leads"]}})),
    );
    // v8.0/record/operations/getRecords/examples/response-401-scopemismatch.md: a 401 that
    // is not about the token itself (no refresh helps).
    let scope = Fault::new(
        Host::Crm,
        "/crm/v8/settings/related_lists",
        401,
        Some(json!({
        "code": "OAUTH_SCOPE_MISMATCH", "message": "Unauthorized", "status": "error", "details": {}})),
    );
    // Desk (assumed status): the token lacks Desk.tickets.READ.
    let desk_scope = Fault::new(
        Host::Desk,
        "/api/v1/tickets",
        403,
        Some(json!({
        "errorCode": "SCOPE_MISMATCH", "message": "The OAuth Token does not contain the required scope."})),
    );
    // No Zoho error body at all (an empty 404, as a proxy might send): saved as an error
    // body the loader reads as a failed part.
    let empty = Fault::new(Host::Desk, "/api/v1/agents", 404, None);
    let (server, work, run) = collect_once(
        Org::default(),
        vec![no_permission, scope, desk_scope, empty],
        &["--out", "b"],
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let b = work.path().join("b");
    let leads = read_json(&b.join("crm/leads/page-0001.json"));
    assert_eq!(leads["code"], "NO_PERMISSION", "saved as it came");
    assert_eq!(
        server.state.tokens().len(),
        1,
        "a scope error is not a reason to refresh"
    );
    let m = read_json(&b.join("manifest.json"));
    assert_eq!(m["parts"]["crm.leads"]["error"], "NO_PERMISSION");
    assert_eq!(m["parts"]["crm.leads"]["complete"], false);
    assert_eq!(
        m["parts"]["crm.related_lists.Accounts"]["error"],
        "OAUTH_SCOPE_MISMATCH"
    );
    assert_eq!(m["parts"]["desk.tickets"]["error"], "SCOPE_MISMATCH");
    assert_eq!(m["parts"]["desk.agents"]["error"], "HTTP_404");
    assert_eq!(m["files"]["crm/leads/page-0001.json"]["status"], 403);
    for part in ["crm.leads", "desk.tickets", "desk.agents"] {
        assert!(
            run.stderr.contains(part),
            "stderr names {part}: {}",
            run.stderr
        );
    }
    // The loader reports each as a failed part, and loads the rest.
    let failed = query(&b, "doc.meta.failed.keys()");
    let failed: BTreeSet<String> = failed
        .as_array()
        .expect("keys")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    for part in [
        "crm.leads",
        "crm.related_lists.Accounts",
        "desk.tickets",
        "desk.agents",
    ] {
        assert!(failed.contains(part), "{part} failed: {failed:?}");
    }
    assert_eq!(query(&b, "doc.crm.contacts.len()"), json!(30));
}

#[test]
fn several_desk_portals_without_a_default_are_a_usage_error_until_desk_org_picks_one() {
    let org = Org {
        portals: vec![(2_389_290, false), (2_017_465, false)],
        ..Org::default()
    };
    let (server, work, run) = collect_once(org, vec![], &["--out", "b"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("--desk-org 2389290") && run.stderr.contains("--desk-org 2017465"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("usage"), "{}", run.stderr);
    assert_nothing_left(work.path());
    assert!(
        server.log().iter().all(|r| r.host != Host::Crm),
        "no CRM credits spent before the usage error"
    );

    let run = collect(
        &server,
        work.path(),
        &["--out", "b", "--desk-org", "2017465"],
        None,
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let m = read_json(&work.path().join("b/manifest.json"));
    assert_eq!(m["desk"]["org_id"], "2017465");
    assert!(
        server
            .log()
            .iter()
            .filter(|r| r.path == "/api/v1/tickets")
            .all(|r| r.header("orgid") == Some("2017465"))
    );
    assert_eq!(
        query(&work.path().join("b"), "doc.desk.organization.id"),
        json!("2017465")
    );

    let run = collect(
        &server,
        work.path(),
        &["--out", "c", "--desk-org", "42"],
        None,
    );
    assert_eq!(run.code, 2, "an unknown portal: {}", run.stderr);
    assert!(run.stderr.contains("--desk-org 2389290"), "{}", run.stderr);
    assert_eq!(names(work.path()), ["b"]);
}

#[test]
fn max_records_stops_each_list_early_and_the_manifest_marks_those_parts_incomplete() {
    let org = Org {
        contacts: 500,
        tickets: 120,
        ..Org::default()
    };
    let (_server, work, run) = collect_once(org, vec![], &["--out", "b", "--max-records", "25"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let b = work.path().join("b");
    let m = read_json(&b.join("manifest.json"));
    for part in ["crm.contacts", "desk.tickets"] {
        assert_eq!(m["parts"][part]["complete"], false, "{part}");
        assert_eq!(m["parts"][part]["records"], 25, "{part}");
        assert_eq!(
            m["parts"][part]["reason"], "stopped at --max-records 25",
            "{part}"
        );
    }
    assert_eq!(
        m["parts"]["crm.users"]["complete"], true,
        "a list shorter than N is complete"
    );
    assert_eq!(
        query(&b, "doc.meta.truncated"),
        json!(["crm.contacts", "desk.tickets"]),
        "the loader takes the manifest's word"
    );
    assert!(
        run.stderr.contains("crm.contacts is incomplete"),
        "{}",
        run.stderr
    );
}

#[test]
fn when_the_api_credits_run_out_the_run_stops_and_names_what_is_missing() {
    // A 429 that asks to wait hours: a daily quota, not a burst (Retry-After assumed).
    let mut spent = Fault::new(
        Host::Crm,
        "/crm/v8/Contacts",
        429,
        Some(json!({
        "code": "TOO_MANY_REQUESTS", "details": {}, "message": "API credits exhausted", "status": "error"})),
    );
    spent.headers = vec![("Retry-After", "36000".to_string())];
    spent.times = 100;
    let (server, work, run) = collect_once(Org::default(), vec![spent], &["--out", "b"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let m = read_json(&work.path().join("b/manifest.json"));
    assert!(
        m["stopped"].as_str().expect("stopped").contains("credits"),
        "{m}"
    );
    assert_eq!(m["parts"]["crm.contacts"]["complete"], false);
    for part in ["crm.leads", "desk.departments", "desk.tickets"] {
        assert!(
            m["parts"][part]["reason"]
                .as_str()
                .expect("reason")
                .starts_with("not collected"),
            "{part}"
        );
    }
    assert!(
        run.stderr.contains("desk.tickets is incomplete"),
        "{}",
        run.stderr
    );
    let contacts = server
        .log()
        .iter()
        .filter(|r| r.path == "/crm/v8/Contacts")
        .count();
    assert_eq!(contacts, 1, "no waiting, no retrying a spent quota");
    assert!(
        !server.log().iter().any(|r| r.path == "/api/v1/tickets"),
        "stopped sending"
    );
}

#[test]
fn a_failure_mid_run_leaves_no_out_no_staging_directory_and_exits_2() {
    let broken = Fault {
        times: 1000,
        ..Fault::new(
            Host::Desk,
            "/api/v1/contacts",
            500,
            Some(json!({"errorCode": "INTERNAL_SERVER_ERROR"})),
        )
    };
    let (server, work, run) = collect_once(Org::default(), vec![broken], &["--out", "b"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("network") && run.stderr.contains("HTTP 500"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    let tries = server
        .log()
        .iter()
        .filter(|r| r.path == "/api/v1/contacts")
        .count();
    assert_eq!(tries, 6, "bounded tries");
    assert_nothing_left(work.path());
    let token = server.state.tokens().pop().expect("token");
    assert!(!run.stderr.contains(&token) && !run.stdout.contains(&token));
}

#[cfg(unix)]
#[test]
fn ctrl_c_mid_request_removes_the_download_and_exits_2() {
    let mut slow = Fault::new(Host::Crm, "/crm/v8/Contacts", 503, None);
    slow.delay = Some(Duration::from_secs(20));
    let server = start(Org::default(), vec![slow]);
    let work = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let child = spawn_collect(&server, work.path(), &["--out", "b"], None, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server.state.stalled.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "collect never reached the slow request"
        );
        thread::sleep(Duration::from_millis(5));
    }
    let staged = names(work.path());
    assert!(
        staged.len() == 1 && staged[0].starts_with(".b.collect-"),
        "a staging directory beside --out while it runs: {staged:?}"
    );
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sends a signal to the child this test started; no memory is shared.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let run = wait(child, started);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(
        run.elapsed < Duration::from_secs(15),
        "Ctrl-C did not wait for the slow reply"
    );
    assert_nothing_left(work.path());
}

#[test]
fn a_progress_bar_is_drawn_on_a_terminal_and_nothing_of_it_on_a_pipe() {
    let mut slow = Fault::new(Host::Crm, "/crm/v8/users", 503, None);
    slow.delay = Some(Duration::from_millis(600));
    let server = start(Org::default(), vec![slow.clone()]);
    let work = tempfile::tempdir().expect("tempdir");
    // util-linux `script` gives the run a pseudo-terminal.
    let cmd = format!(
        "{} collect --out b --accounts-url {} --crm-url {} --desk-url {}",
        env!("CARGO_BIN_EXE_crmdesk-audit"),
        server.accounts,
        server.crm,
        server.desk
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(work.path())
        .env_remove("CI")
        .env("ZOHO_CLIENT_ID", CLIENT_ID)
        .env("ZOHO_CLIENT_SECRET", CLIENT_SECRET)
        .env("ZOHO_REFRESH_TOKEN", REFRESH_TOKEN)
        .env_remove("ZOHO_ACCESS_TOKEN")
        .env("CRMDESK_AUDIT_TEST_INSTANT_BACKOFF", "1")
        .env("NO_PROXY", "127.0.0.1")
        .output();
    let Ok(out) = out else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("collecting"),
        "a spinner on a terminal: {shown:?}"
    );
    assert!(
        shown.contains("retry 1 in"),
        "retries shown above it: {shown:?}"
    );
    assert!(work.path().join("b/manifest.json").is_file(), "{shown}");

    let server = start(Org::default(), vec![slow]);
    let run = collect(&server, work.path(), &["--out", "c"], None);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        !run.stderr.contains("collecting") && !run.stderr.contains("retry"),
        "quiet off a terminal: {}",
        run.stderr
    );
}

#[test]
fn an_out_that_holds_files_is_refused_before_any_request() {
    let server = start(Org::default(), vec![]);
    let work = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(work.path().join("b")).expect("mkdir");
    std::fs::write(work.path().join("b/keep.txt"), "mine").expect("write");
    let run = collect(&server, work.path(), &["--out", "b"], None);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("not an empty directory"),
        "{}",
        run.stderr
    );
    assert!(server.log().is_empty());
    assert_eq!(names(&work.path().join("b")), ["keep.txt"]);
}

#[test]
fn missing_credentials_are_a_usage_error_naming_the_variables() {
    let work = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_crmdesk-audit"))
        .args(["collect", "--out", "b"])
        .current_dir(work.path())
        .env_remove("ZOHO_ACCESS_TOKEN")
        .env_remove("ZOHO_CLIENT_SECRET")
        .env_remove("ZOHO_REFRESH_TOKEN")
        .env("ZOHO_CLIENT_ID", "1000.X")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN"),
        "{err}"
    );
    assert_nothing_left(work.path());
}

#[test]
fn a_planted_token_appears_in_no_file_and_no_output() {
    let org = Org {
        plant_secrets: true,
        ..Org::default()
    };
    let (server, work, run) = collect_once(org, vec![], &["--out", "b"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let tokens = server.state.tokens();
    assert!(!tokens.is_empty());
    let mut files = Vec::new();
    all_files(work.path(), &mut files);
    let secrets: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .chain([REFRESH_TOKEN, CLIENT_SECRET])
        .collect();
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).expect("read")).into_owned();
        for s in &secrets {
            assert!(!text.contains(s), "{} holds a credential", f.display());
        }
    }
    for s in &secrets {
        assert!(
            !run.stdout.contains(s) && !run.stderr.contains(s),
            "printed a credential"
        );
    }
    let b = work.path().join("b");
    let org = read_json(&b.join("crm/org.json"));
    assert_eq!(org["org"][0]["debug"]["access_token"], "[REDACTED]");
    let m = read_json(&b.join("manifest.json"));
    assert_eq!(m["files"]["crm/org.json"]["redacted"], true);
    assert_manifest_matches_files(&b);
}

/// The recorded org's verdicts, as tests/data/fixtures-expected.json gives them.
fn expected_verdicts(fixture: &str) -> Value {
    let all =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixtures-expected.json"));
    all[fixture].clone()
}

/// Rule and check statuses of a `--format json` report's only export.
fn verdicts(report: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for r in report["exports"][0]["results"].as_array().expect("results") {
        let mut checks = serde_json::Map::new();
        for f in r["findings"].as_array().expect("findings") {
            let check = f["check"].as_str().expect("check").to_string();
            let status = f["status"].clone();
            let worse = match checks.get(&check) {
                Some(old) => rank(&status) > rank(old),
                None => true,
            };
            if worse {
                checks.insert(check, status);
            }
        }
        out.insert(
            r["rule"].as_str().expect("rule").to_string(),
            json!({"status": r["status"], "checks": checks}),
        );
    }
    Value::Object(out)
}

fn rank(s: &Value) -> u8 {
    match s.as_str() {
        Some("pass") => 1,
        Some("warn") => 2,
        Some("fail") => 3,
        Some("error") => 4,
        _ => 0,
    }
}

fn audit(bundle: &Path) -> Value {
    let (code, report, stderr) = audit_json(bundle, &[]);
    assert!(matches!(code, 0 | 1), "audit: {stderr}");
    report
}

#[test]
fn the_bundle_collected_from_a_recorded_org_audits_to_the_fixtures_verdicts() {
    let org = Org {
        recorded: true,
        ..Org::default()
    };
    let server = start(org, vec![]);
    let work = tempfile::tempdir().expect("tempdir");

    // Answered with --ask as v8-healthy's integration.json records (piped, in Japanese).
    let answers = "はい\n111133000000057662\n2389290\nAccounts,Contacts,Deals,sdfvg,CM1\n実行中\n1234567890\nはい\n削除しない\n";
    let run = collect(
        &server,
        work.path(),
        &["--out", "asked", "--lang", "ja", "--ask"],
        Some(answers),
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.stdout
            .contains("[設定]→[マーケットプレイス]→[Zoho]→[Zoho Desk]→[管理]→[同期設定]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("同期の状態"),
        "the questions are asked: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("今回エクスポートした組織のIDは 1234567890 です"),
        "the link question names the id the screen should show: {}",
        run.stderr
    );
    let asked = work.path().join("asked");
    let i = read_json(&asked.join("integration.json"));
    assert_eq!(i["crm"]["sync"]["status"], "running");
    assert_eq!(i["desk"]["on_crm_delete"], "keep");
    assert_eq!(i["desk"]["org_id"], "2389290");
    let report = audit(&asked);
    assert_eq!(
        verdicts(&report),
        expected_verdicts("fixtures/v8-healthy"),
        "{report}"
    );

    // Without answers the template leaves the integration checks to a person: they skip,
    // and what the API data decides stands.
    let run = collect(&server, work.path(), &["--out", "template"], None);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let v = verdicts(&audit(&work.path().join("template")));
    assert_eq!(v["sync-running"]["checks"]["sync-running"], "skip", "{v}");
    assert_eq!(
        v["integration-prerequisites"]["checks"]["single-desk-link"], "skip",
        "{v}"
    );
    assert_eq!(
        v["integration-prerequisites"]["checks"]["accounts-module"], "pass",
        "{v}"
    );
    assert_eq!(
        v["contacts-have-email"]["checks"]["contacts-have-email"], "pass",
        "{v}"
    );
    assert_eq!(
        v["crm-edition-supports-integration"]["checks"]["edition"], "pass",
        "{v}"
    );
}

#[test]
fn in_japanese_the_summary_warnings_and_failures_are_japanese() {
    let org = Org {
        contacts: 60,
        ..Org::default()
    };
    let (_server, _work, run) = collect_once(
        org,
        vec![],
        &["--out", "b", "--max-records", "25", "--lang", "ja"],
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("件のデータを保存しました"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("crm.contacts は一部のみ取得されています"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("collected ") && !run.stderr.contains("is incomplete"),
        "{}",
        run.stderr
    );
    let always = Fault {
        revoke: true,
        times: 10,
        ..Fault::new(
            Host::Crm,
            "/crm/v8/org",
            401,
            Some(
                json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}),
            ),
        )
    };
    let (_server, _work, run) = collect_once(
        Org::default(),
        vec![always],
        &["--out", "b", "--lang", "ja"],
    );
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("認証エラー") && run.stderr.contains("何も保存していません"),
        "{}",
        run.stderr
    );
}

/// `--dc` is the data centre the manifest records (every host is given here, so the run
/// reaches only the replay server); a name cli.md does not list is a usage error that
/// lists the names, and writes nothing.
#[test]
fn the_data_centre_is_the_one_named_and_an_unknown_one_is_a_usage_error() {
    let (_server, work, run) = collect_once(Org::default(), vec![], &["--out", "b", "--dc", "jp"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let m = read_json(&work.path().join("b/manifest.json"));
    assert_eq!(m["data_centre"], "jp");

    let (_server, work, run) = collect_once(Org::default(), vec![], &["--out", "b", "--dc", "de"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("de") && run.stderr.contains("jp") && run.stderr.contains("com.cn"),
        "{}",
        run.stderr
    );
    assert_nothing_left(work.path());
}
