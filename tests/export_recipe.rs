//! The README's export recipe ("## Making an export"), run as written against a replay of the
//! Zoho APIs on 127.0.0.1 (never the internet): every command of the script runs, every list
//! must come back complete across many pages (CRM `page` 1-10 and then `page_token`, Desk
//! `from`/`limit` with a 1-based `from` on one list and an HTTP 204 on another), the
//! Authorization and orgId headers must be sent, no file may hold a credential, and the built
//! binary must load the result with the counts the server holds.
//!
//! Needs bash, curl and jq: a machine without them fails here (run `.ci/install-deps`).
//!
//! The replay's responses are built from Zoho's published samples; each template names its
//! source. Where a response detail is not in a published sample it says "assumed".

mod common;

use common::replay::{self, Host, Request};
use common::zoho::{
    Answer, DeskList, RecordPager, UsersPage, crm_error_body, desk_error_body, users_page,
};
use common::{all_files, names, pages};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "1000.REPLAY0CLIENT0ID";
const CLIENT_SECRET: &str = "replay0client0secret0f1c2";
const REFRESH_TOKEN: &str = "1000.replay0refresh.token0e9d";

// What the replayed org holds. Contacts need 12 pages of 200: 10 by `page`, 2 by `page_token`.
const CRM_USERS: usize = 450;
const CRM_ADMINS: usize = 3;
const CRM_CONTACTS: usize = 2_300;
const CRM_LEADS: usize = 450;
const DESK_DEPARTMENTS: usize = 12;
const DESK_AGENTS: usize = 130;
const DESK_CONTACTS: usize = 300; // a multiple of 100: the 4th page is an HTTP 204
const DESK_TICKETS: usize = 250; // replayed with a 1-based `from`: pages overlap by one
/// The portal the recipe must pick: the `isDefault` one, listed second.
const DESK_ORG: u64 = 2_389_290;
const OTHER_DESK_ORG: u64 = 2_389_291;
/// Custom modules in the modules response: the visible ones need fields and related lists.
const VISIBLE_CUSTOM: &[&str] = &["CM1", "sdfvg"];
const HIDDEN_CUSTOM: &str = "Vehicles_Old";

// ---------------------------------------------------------------------------------------------
// Tools and the recipe

/// bash, curl and jq, or a failure that says how to get them (never a silent skip).
fn require_tools() {
    for tool in ["bash", "curl", "jq"] {
        let ok = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "`{tool}` is not installed, and the README's export recipe needs it: \
             run `.ci/install-deps` (installs curl and jq with apt-get) and test again"
        );
    }
}

/// The shell block right after the `<!-- export-recipe` marker in README.md.
fn recipe() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let at = readme
        .find("<!-- export-recipe")
        .expect("README.md has no `<!-- export-recipe` marker before the export script");
    let mut lines = readme[at..].lines().skip(1);
    let fence = lines.next().expect("a line after the marker");
    assert_eq!(
        fence.trim(),
        "```sh",
        "the export-recipe marker must be followed by a ```sh block"
    );
    let mut script = String::new();
    for line in lines {
        if line.trim_start().starts_with("```") {
            assert!(
                script.contains("curl"),
                "the recipe block holds no curl command"
            );
            return script;
        }
        script.push_str(line);
        script.push('\n');
    }
    panic!("the export-recipe block in README.md is not closed");
}

// ---------------------------------------------------------------------------------------------
// The replay: what its three hosts answer (tests/common/replay.rs serves it)

struct Replay {
    access_token: String,
    crm_base: String,
    /// CRM's record lists; a page token is bound to its module and `fields`, and expires.
    records: RecordPager,
}

type Server = replay::Server<Replay>;

/// The replay of the org the recipe exports, with an access token unique to this run.
fn start() -> Server {
    Server::start(
        |s| {
            // Looks like Zoho's ("1000.<32 hex>.<32 hex>"), unique to this run.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let access_token = format!(
                "1000.{:032x}.{:032x}",
                nanos ^ 0x5eed_0000_1111_2222,
                (u128::from(std::process::id()) << 64) | 0xacce55
            );
            Replay {
                access_token,
                crm_base: s.crm.clone(),
                records: RecordPager::binding_fields()
                    .with_token_expiry("2026-11-25T09:00:00+09:00"),
            }
        },
        respond,
    )
}

type Reply = Answer;

/// What the three hosts answer (no reply here has headers of its own).
fn respond(req: &Request, replay: &Replay) -> replay::Reply {
    let (status, body) = match req.host {
        Host::Accounts => accounts(req, replay),
        Host::Crm => crm(req, replay),
        Host::Desk => desk(req, replay),
    };
    (status, Vec::new(), body)
}

// ---------------------------------------------------------------------------------------------
// Accounts: the self client's refresh-token grant

fn accounts(req: &Request, replay: &Replay) -> Reply {
    let ok = req.method == "POST"
        && req.path == "/oauth/v2/token"
        && req.query_param("grant_type") == Some("refresh_token")
        && req.query_param("refresh_token") == Some(REFRESH_TOKEN)
        && req.query_param("client_id") == Some(CLIENT_ID)
        && req.query_param("client_secret") == Some(CLIENT_SECRET);
    if !ok {
        // Zoho Accounts answers a bad grant with HTTP 200 and an `error` key (as its OAuth
        // guide shows for `invalid_code`); the status code is assumed.
        return (200, Some(json!({"error": "invalid_code"})));
    }
    // Shape from Zoho's OAuth guide (refresh-token grant): access_token, scope, api_domain,
    // token_type, expires_in. `api_domain` names the CRM host of the org's data centre.
    (
        200,
        Some(json!({
            "access_token": replay.access_token,
            "scope": "ZohoCRM.org.READ ZohoCRM.users.READ ZohoCRM.settings.READ ZohoCRM.modules.READ Desk.basic.READ Desk.contacts.READ Desk.tickets.READ",
            "api_domain": replay.crm_base,
            "token_type": "Bearer",
            "expires_in": 3600
        })),
    )
}

// ---------------------------------------------------------------------------------------------
// CRM v8

fn crm_error(status: u16, code: &str, message: &str, details: Value) -> Reply {
    (status, Some(crm_error_body(code, message, details)))
}

fn crm(req: &Request, replay: &Replay) -> Reply {
    // zoho/crm-oas v8.0/related_lists/operations/getRelatedLists/examples/response-401-invalidtoken.md
    if req.header("authorization") != Some(&format!("Zoho-oauthtoken {}", replay.access_token)) {
        return crm_error(401, "INVALID_TOKEN", "invalid oauth token", json!({}));
    }
    if req.method != "GET" {
        return crm_error(
            400,
            "INVALID_REQUEST_METHOD",
            "The http request method type is not a valid one",
            json!({}),
        );
    }
    let Some(rest) = req.path.strip_prefix("/crm/v8/") else {
        // Assumed: the code Zoho gives for a URL it does not know.
        return crm_error(
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
        );
    };
    match rest {
        "org" => (200, Some(json!({"org": [crm_org()]}))),
        "users" => crm_users(req),
        "settings/modules" => (200, Some(json!({"modules": crm_modules()}))),
        "settings/fields" | "settings/related_lists" => {
            let module = req.query_param("module").unwrap_or("");
            if !crm_module_names().contains(&module) {
                // zoho/crm-oas v8.0/related_lists/operations/getRelatedLists/examples/response-400-invalidmodule.md (shape)
                return crm_error(
                    400,
                    "INVALID_MODULE",
                    "the given module is not supported in api",
                    json!({"param_name": "module"}),
                );
            }
            if rest == "settings/fields" {
                (200, Some(json!({"fields": crm_fields(module)})))
            } else {
                (
                    200,
                    Some(json!({"related_lists": crm_related_lists(module)})),
                )
            }
        }
        // GET /{module}: tests/common/zoho.rs (`RecordPager`).
        "Contacts" => replay
            .records
            .page(req, "Contacts", CRM_CONTACTS, crm_contact),
        "Leads" => replay.records.page(req, "Leads", CRM_LEADS, crm_lead),
        _ => crm_error(
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
        ),
    }
}

/// GET /users: `page` and `per_page` (at most 200), no page tokens. Info as in
/// zoho/crm-oas v8.0/users/operations/getUsers/examples/response-200-usersgetresponse.md.
fn crm_users(req: &Request) -> Reply {
    let all = match req.query_param("type") {
        Some("AllUsers") => CRM_USERS,
        Some("AdminUsers") => CRM_ADMINS,
        _ => {
            return crm_error(
                400,
                "INVALID_DATA",
                "invalid data",
                json!({"param_name": "type"}),
            );
        }
    };
    // The admins are the first users (Administrator profile).
    let UsersPage {
        page,
        per_page,
        from,
        to,
    } = match users_page(req, all) {
        Ok(p) => p,
        Err((status, body)) => return (status, Some(body)),
    };
    if from >= to {
        return (204, None);
    }
    let users: Vec<Value> = (from..to).map(crm_user).collect();
    (
        200,
        Some(json!({
            "users": users,
            "info": {"per_page": per_page, "count": to - from, "page": page, "more_records": to < all}
        })),
    )
}

/// Trimmed from zoho/crm-oas v8.0/org/operations/getOrganization/examples/response-200-orggetresponse.md
fn crm_org() -> Value {
    json!({
        "country": "JP", "type": "production", "created_time": "2023-01-01T12:00:00Z",
        "domain_name": "sakuramotors", "currency": "Japanese Yen - JPY",
        "id": "5725767000000020005", "time_zone": "Asia/Tokyo", "primary_zuid": "808233918",
        "zgid": "808232144", "country_code": "JP",
        "license_details": {
            "paid_expiry": "2027-04-11T17:00:00+09:00", "users_license_purchased": 500,
            "trial_type": null, "trial_expiry": null, "paid": true, "paid_type": "enterprise",
            "portal_users_license_purchased": 0
        },
        "company_name": "Sakura Motors", "primary_email": "admin@sakura-motors.example",
        "iso_code": "JPY", "max_per_page": 200
    })
}

/// Trimmed from zoho/crm-oas v8.0/users/operations/getUsers/examples/response-200-usersgetresponse.md
fn crm_user(i: usize) -> Value {
    let admin = i < CRM_ADMINS;
    json!({
        "role": {"name": if admin { "CEO" } else { "Manager" }, "id": "5725767000000026005"},
        "locale": "ja_JP",
        "id": (5_725_767_000_000_411_001u64 + i as u64).to_string(),
        "first_name": format!("User{i}"),
        "last_name": "Sato",
        "full_name": format!("User{i} Sato"),
        "email": format!("user{i}@sakura-motors.example"),
        "profile": if admin {
            json!({"name": "Administrator", "id": "5725767000000026011"})
        } else {
            json!({"name": "Standard", "id": "5725767000000026014"})
        },
        "zuid": (808_233_918 + i).to_string(),
        "confirm": true,
        "status": if i % 50 == 49 { "disabled" } else { "active" },
        "type__s": "Regular User"
    })
}

/// Record shapes as in .../getRecords/examples/response-200-leads.md. `Account_Name` is a
/// lookup: Zoho returns lookups as `{"name", "id"}` (as `Owner` in that sample).
fn crm_contact(i: usize) -> Value {
    json!({
        "id": (5_725_767_000_001_000_000u64 + i as u64).to_string(),
        "Email": if i % 97 == 13 { Value::Null } else { json!(format!("contact{i}@customer.example")) },
        "Last_Name": format!("Tanaka{i}"),
        "First_Name": "Yui",
        "Account_Name": {"name": format!("Account {}", i / 10), "id": (5_725_767_000_002_000_000u64 + (i / 10) as u64).to_string()},
        "Phone": "+81-3-0000-0000"
    })
}

fn crm_lead(i: usize) -> Value {
    json!({
        "id": (5_725_767_000_003_000_000u64 + i as u64).to_string(),
        "Email": format!("lead{i}@prospect.example"),
        "Last_Name": format!("Suzuki{i}"),
        "Company": "Zylker Corp"
    })
}

fn crm_module_names() -> Vec<&'static str> {
    vec![
        "Home",
        "Leads",
        "Accounts",
        "Contacts",
        "Deals",
        "CM1",
        "sdfvg",
        HIDDEN_CUSTOM,
        "Notes",
    ]
}

/// Modules shaped as in zoho/crm-oas v8.0/modules/operations/getModules/examples/
/// response-200-allmoduleswithvariations.md (trimmed): two visible custom modules from it
/// (`CM1`, `sdfvg`), one custom module hidden by the system, default modules, Notes
/// `system_hidden` as in the sample.
fn crm_modules() -> Vec<Value> {
    let m = |i: u64, api: &str, generated: &str, status: &str, visibility: u64| {
        json!({
            "access_type": "org_based", "deletable": generated == "custom", "creatable": true,
            "plural_label": api, "singular_label": api, "actual_plural_label": api,
            "id": (111_111_000_000_002_646u64 + i).to_string(), "visibility": visibility,
            "api_supported": true, "api_name": api, "generated_type": generated,
            "module_name": api, "show_as_tab": status == "visible", "viewable": true,
            "sequence_number": i + 1, "parent_module": {}, "status": status
        })
    };
    vec![
        m(0, "Home", "default", "visible", 1),
        m(2, "Leads", "default", "visible", 1),
        m(4, "Accounts", "default", "visible", 1),
        m(6, "Contacts", "default", "visible", 1),
        m(8, "Deals", "default", "visible", 1),
        m(30, "Notes", "default", "system_hidden", 1),
        m(268_250, "sdfvg", "custom", "visible", 1),
        m(239_521, "CM1", "custom", "visible", 1),
        m(239_600, HIDDEN_CUSTOM, "custom", "system_hidden", 1),
    ]
}

/// Trimmed from zoho/crm-oas v8.0/fields/operations/getFields/examples/response-200-fullexample.md
fn crm_fields(module: &str) -> Vec<Value> {
    let f = |i: u64, api: &str, label: &str, data_type: &str, used: &str, visible: bool| {
        json!({
            "field_label": label, "display_label": label, "type": used, "read_only": false,
            "id": (4_832_675_000_000_000_553u64 + i).to_string(), "visible": visible,
            "api_name": api, "json_type": "string", "data_type": data_type,
            "custom_field": false, "length": 120, "system_mandatory": false
        })
    };
    let mut fields = vec![
        f(
            0,
            "Owner",
            &format!("{module} Owner"),
            "ownerlookup",
            "used",
            true,
        ),
        f(2, "Email", "Email", "email", "used", true),
    ];
    if module == "Contacts" || module == "Deals" {
        fields.push(f(4, "Account_Name", "Account Name", "lookup", "used", true));
    }
    fields
}

/// From zoho/crm-oas v8.0/related_lists/operations/getRelatedLists/examples/response-200-successresponse.md
fn crm_related_lists(module: &str) -> Vec<Value> {
    let r = |i: u64, api: &str, name: &str, kind: &str| {
        json!({
            "id": (4_150_868_000_000_091_023u64 + i).to_string(), "sequence_number": (i + 1).to_string(),
            "display_label": name, "api_name": api, "module": {"api_name": api, "id": "4150868000000002175"},
            "name": name, "action": null, "href": null, "type": kind, "status": "visible"
        })
    };
    let mut lists = vec![r(0, "Notes", "Notes", "default")];
    if module != "Deals" {
        lists.push(r(1, "Zoho_Desk", "Zoho Desk", "custom_lookup"));
    }
    lists
}

// ---------------------------------------------------------------------------------------------
// Desk v1

fn desk_error(status: u16, code: &str, message: &str) -> Reply {
    (status, Some(desk_error_body(code, message)))
}

fn desk(req: &Request, replay: &Replay) -> Reply {
    if req.header("authorization") != Some(&format!("Zoho-oauthtoken {}", replay.access_token)) {
        return desk_error(
            401,
            "INVALID_OAUTH",
            "The OAuth Token you provided is invalid.",
        );
    }
    if req.method != "GET" {
        return desk_error(405, "METHOD_NOT_ALLOWED", "The method is not allowed");
    }
    let Some(resource) = req.path.strip_prefix("/api/v1/") else {
        return desk_error(
            404,
            "URL_NOT_FOUND",
            "The URL you requested could not be found.",
        );
    };
    // "All API endpoints except /organizations mandatorily require the orgId" (Desk API guide).
    if resource == "organizations" {
        return (
            200,
            Some(json!({"data": [desk_org(OTHER_DESK_ORG, false), desk_org(DESK_ORG, true)]})),
        );
    }
    match req.header("orgid") {
        None => return desk_error(400, "INVALID_DATA", "orgId header is missing"),
        Some(org) if org != DESK_ORG.to_string() => {
            return desk_error(
                403,
                "FORBIDDEN",
                "You do not have permission to access this organization",
            );
        }
        Some(_) => {}
    }
    // Desk documents 200 as the most departments and agents a page; 100 for tickets and
    // contacts is assumed from the Desk API reference. Tickets are replayed with a 1-based
    // `from` (Desk's `from` is documented both ways).
    let list = |total, max_limit, one_based| DeskList {
        total,
        max_limit,
        one_based,
    };
    let (list, record): (DeskList, fn(usize) -> Value) = match resource {
        "departments" => (list(DESK_DEPARTMENTS, 200, false), desk_department),
        "agents" => (list(DESK_AGENTS, 200, false), desk_agent),
        "contacts" => (list(DESK_CONTACTS, 100, false), desk_contact),
        "tickets" => (list(DESK_TICKETS, 100, true), desk_ticket),
        _ => {
            return desk_error(
                404,
                "URL_NOT_FOUND",
                "The URL you requested could not be found.",
            );
        }
    };
    list.page(req, record)
}

/// Shaped as the organizations in this repository's fixtures (from Desk's "Get all
/// organizations"); the id is a JSON number, as Desk sends it.
fn desk_org(id: u64, default: bool) -> Value {
    json!({
        "companyName": if default { "Sakura Motors" } else { "Sakura Motors Sandbox" },
        "edition": "ENTERPRISE", "isDefault": default, "isAdminInOrg": true,
        "isSandboxPortal": !default, "id": id,
        "portalName": if default { "sakuramotors" } else { "sakuramotorssandbox" },
        "portalURL": "https://desk.zoho.jp/support/sakuramotors", "currencyCode": "JPY"
    })
}

fn desk_id(base: u64, i: usize) -> String {
    (base + i as u64).to_string()
}

/// From Desk's "List departments" sample (developers.qodex.ai mirror of desk.zoho.com/DeskAPIDocument).
fn desk_department(i: usize) -> Value {
    json!({
        "isAssignToTeamEnabled": true, "chatStatus": "AVAILABLE", "isDefault": i == 0,
        "hasLogo": false, "isVisibleInCustomerPortal": true, "isEnabled": true,
        "name": format!("Support {i:02}"), "creatorId": "1892000000042001", "description": null,
        "createdTime": "2019-07-26T13:11:02.000Z", "id": desk_id(1_892_000_000_082_069, i * 16),
        "nameInCustomerPortal": format!("Support {i:02}")
    })
}

/// From Desk's "List agents" sample (same source).
fn desk_agent(i: usize) -> Value {
    json!({
        "lastName": format!("Agent{i}"), "firstName": "Ken", "emailId": format!("agent{i}@sakura-motors.example"),
        "id": desk_id(1_892_000_000_042_001, i * 8), "roleId": "1892000000056099",
        "profileId": "1892000000056091", "zuid": (10_687_231 + i).to_string(), "langCode": "ja_JP",
        "associatedDepartmentIds": [desk_id(1_892_000_000_082_069, (i % DESK_DEPARTMENTS) * 16)],
        "associatedChatDepartmentIds": [], "photoURL": null, "isConfirmed": true
    })
}

/// From Desk's "List contacts" sample (same source): `zohoCRMContact` is null or `{id, type}`.
fn desk_contact(i: usize) -> Value {
    let linked = i < CRM_CONTACTS && i.is_multiple_of(3);
    json!({
        "lastName": format!("Tanaka{i}"), "firstName": "Yui", "secondaryEmail": null, "mobile": null,
        "ownerId": null, "type": null, "accountId": "1892000000091433", "photoURL": null,
        "isAnonymous": false, "phone": null, "createdTime": "2015-02-16T14:46:24.000Z",
        "isEndUser": false,
        "zohoCRMContact": if linked {
            json!({"id": (5_725_767_000_001_000_000u64 + i as u64).to_string(), "type": "contacts_leads"})
        } else {
            Value::Null
        },
        "id": desk_id(1_892_000_000_772_003, i * 4), "isSpam": false,
        "customerHappiness": {"badPercentage": "0", "okPercentage": "0", "goodPercentage": "0"},
        "email": format!("contact{i}@customer.example")
    })
}

/// From Desk's "List tickets by tag" sample (same source; the list-tickets shape).
fn desk_ticket(i: usize) -> Value {
    json!({
        "ticketNumber": (101 + i).to_string(), "statusType": "Open", "subject": format!("Question {i}"),
        "dueDate": "2016-06-21T16:16:16.000Z",
        "departmentId": desk_id(1_892_000_000_082_069, (i % DESK_DEPARTMENTS) * 16),
        "channel": if i.is_multiple_of(2) { "Email" } else { "FORUMS" }, "language": "English",
        "closedTime": null, "createdTime": "2013-11-04T11:21:07.000Z",
        "id": desk_id(1_892_000_000_042_034, i * 4),
        "contactId": desk_id(1_892_000_000_772_003, (i % DESK_CONTACTS) * 4),
        "email": "carol@zylker.com", "priority": "Medium",
        "assigneeId": desk_id(1_892_000_000_042_001, (i % DESK_AGENTS) * 8), "status": "Open"
    })
}

// ---------------------------------------------------------------------------------------------
// The test

/// Runs the script with a deadline (a runaway loop fails the test instead of hanging it).
fn run_recipe(script: &Path, work: &Path, server: &Server) -> Output {
    let mut child = Command::new("bash")
        .arg(script)
        .arg("export")
        .current_dir(work)
        .env("ACCOUNTS", &server.accounts)
        .env("DESK", &server.desk)
        .env("ZOHO_CLIENT_ID", CLIENT_ID)
        .env("ZOHO_CLIENT_SECRET", CLIENT_SECRET)
        .env("ZOHO_REFRESH_TOKEN", REFRESH_TOKEN)
        .env_remove("API_DOMAIN")
        .env_remove("DESK_ORG_ID")
        // curl must reach 127.0.0.1 directly, whatever proxy the machine has.
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("CURL_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bash");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "the recipe ran for more than 180 s; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if text.trim().is_empty() {
        return None;
    }
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Every record of a page directory, in page order, by envelope key.
fn records(dir: &Path, envelope: &str) -> Vec<Value> {
    names(dir)
        .iter()
        .filter_map(|n| read_json(&dir.join(n)))
        .flat_map(|v| v[envelope].as_array().cloned().unwrap_or_default())
        .collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("string id").to_string())
        .collect()
}

#[test]
fn readme_export_recipe_saves_complete_lists_that_the_binary_loads() {
    require_tools();
    let started = Instant::now();
    let work = tempfile::tempdir().expect("tempdir");
    let script = work.path().join("zoho-export.sh");
    std::fs::write(&script, recipe()).expect("write script");
    let server = start();

    let out = run_recipe(&script, work.path(), &server);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "the recipe failed ({}); stderr:\n{stderr}",
        out.status
    );
    let log = server.log();
    let token = server.state.access_token.clone();
    let export = work.path().join("export");

    // Every request got an answer it can use: no error status anywhere.
    let failed: Vec<String> = log
        .iter()
        .filter(|r| r.status >= 400)
        .map(|r| {
            format!(
                "{} {:?} {} {:?} -> {}",
                r.method, r.host, r.path, r.query, r.status
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "requests the replay refused:\n{}",
        failed.join("\n")
    );

    // One token request; every API request carries the token; Desk ones (but /organizations) the org.
    let token_requests: Vec<&Request> = log.iter().filter(|r| r.host == Host::Accounts).collect();
    assert_eq!(token_requests.len(), 1, "one token request");
    assert_eq!(token_requests[0].method, "POST");
    let auth = format!("Zoho-oauthtoken {token}");
    for r in log.iter().filter(|r| r.host != Host::Accounts) {
        assert_eq!(r.method, "GET", "{} is read with GET", r.path);
        assert_eq!(
            r.header("authorization"),
            Some(auth.as_str()),
            "Authorization on {}",
            r.path
        );
        if r.host == Host::Desk && r.path != "/api/v1/organizations" {
            assert_eq!(
                r.header("orgid"),
                Some(DESK_ORG.to_string().as_str()),
                "orgId on {}",
                r.path
            );
        }
    }

    // CRM: every page, pages 11 and 12 of contacts by page_token (and never with `page`).
    let crm_gets = |path: &str| -> Vec<&Request> {
        log.iter()
            .filter(|r| r.host == Host::Crm && r.path == path)
            .collect()
    };
    let contact_gets = crm_gets("/crm/v8/Contacts");
    assert_eq!(contact_gets.len(), 12, "12 pages of contacts");
    for (i, r) in contact_gets.iter().enumerate() {
        assert_eq!(
            r.param("fields"),
            Some("Email,Last_Name,First_Name,Account_Name")
        );
        assert_eq!(r.param("per_page"), Some("200"));
        if i < 10 {
            assert_eq!(
                r.param("page"),
                Some((i + 1).to_string().as_str()),
                "contacts page {}",
                i + 1
            );
        } else {
            assert!(
                r.param("page_token").is_some() && r.param("page").is_none(),
                "contacts page {} by page_token only: {:?}",
                i + 1,
                r.query
            );
        }
    }
    let mut fields_for: BTreeSet<String> = BTreeSet::new();
    for r in crm_gets("/crm/v8/settings/fields") {
        assert_eq!(r.param("type"), Some("all"), "fields with type=all");
        fields_for.insert(r.param("module").unwrap_or("").to_string());
    }
    let related_for: BTreeSet<String> = crm_gets("/crm/v8/settings/related_lists")
        .iter()
        .map(|r| r.param("module").unwrap_or("").to_string())
        .collect();
    let expected_modules: BTreeSet<String> = ["Accounts", "Contacts", "Deals"]
        .iter()
        .chain(VISIBLE_CUSTOM)
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        fields_for, expected_modules,
        "fields of the default and visible custom modules"
    );
    assert_eq!(
        related_for, expected_modules,
        "related lists of the same modules"
    );

    // The files: exactly the expected ones.
    assert_eq!(
        names(&export.join("crm")),
        [
            "admin_users",
            "contacts",
            "fields",
            "leads",
            "modules.json",
            "org.json",
            "related_lists",
            "users"
        ]
    );
    assert_eq!(
        names(&export.join("desk")),
        [
            "agents",
            "contacts",
            "departments",
            "organizations.json",
            "tickets"
        ]
    );
    assert_eq!(names(&export), ["crm", "desk", "integration.json"]);
    for f in [
        "crm/org.json",
        "crm/modules.json",
        "desk/organizations.json",
        "integration.json",
    ] {
        assert!(export.join(f).is_file(), "{f} saved");
    }
    let module_files: Vec<String> = expected_modules
        .iter()
        .map(|m| format!("{m}.json"))
        .collect();
    assert_eq!(names(&export.join("crm/fields")), module_files);
    assert_eq!(names(&export.join("crm/related_lists")), module_files);
    let crm_pages = |n: usize| pages(n.div_ceil(200));
    assert_eq!(names(&export.join("crm/users")), crm_pages(CRM_USERS));
    assert_eq!(
        names(&export.join("crm/admin_users")),
        crm_pages(CRM_ADMINS)
    );
    assert_eq!(names(&export.join("crm/contacts")), crm_pages(CRM_CONTACTS));
    assert_eq!(names(&export.join("crm/leads")), crm_pages(CRM_LEADS));
    assert_eq!(names(&export.join("desk/departments")), pages(1));
    assert_eq!(names(&export.join("desk/agents")), pages(2));
    assert_eq!(
        names(&export.join("desk/contacts")),
        pages(4),
        "3 full pages and a 204"
    );
    assert_eq!(
        std::fs::metadata(export.join("desk/contacts/page-0004.json"))
            .expect("page 4")
            .len(),
        0,
        "HTTP 204 saved as a 0-byte page"
    );
    assert_eq!(names(&export.join("desk/tickets")), pages(3));

    // Every list complete: the records the replay holds, each once (tickets' pages overlap).
    let unique = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>().len();
    let counted = [
        ("crm/users", "users", CRM_USERS),
        ("crm/admin_users", "users", CRM_ADMINS),
        ("crm/contacts", "data", CRM_CONTACTS),
        ("crm/leads", "data", CRM_LEADS),
        ("desk/departments", "data", DESK_DEPARTMENTS),
        ("desk/agents", "data", DESK_AGENTS),
        ("desk/contacts", "data", DESK_CONTACTS),
        ("desk/tickets", "data", DESK_TICKETS),
    ];
    for (dir, envelope, n) in counted {
        let recs = records(&export.join(dir), envelope);
        assert_eq!(unique(ids(&recs)), n, "{dir}: distinct records");
        if dir == "desk/tickets" {
            assert_eq!(
                recs.len(),
                n + 1,
                "tickets: with a 1-based `from`, pages 1 and 2 share a record"
            );
        } else {
            assert_eq!(recs.len(), n, "{dir}: records saved");
        }
    }
    let last = read_json(&export.join("crm/contacts/page-0012.json")).expect("last contacts page");
    assert_eq!(
        last["info"]["more_records"],
        json!(false),
        "the last contacts page ends the list"
    );

    // integration.json names the portal (the isDefault one) and leaves the rest to a person.
    let integration = read_json(&export.join("integration.json")).expect("integration.json");
    assert_eq!(
        integration["desk"]["org_id"],
        json!(DESK_ORG.to_string()),
        "{integration}"
    );
    assert_eq!(integration["crm"]["sync"]["status"], Value::Null);

    // No credential in any file.
    let mut files = Vec::new();
    all_files(work.path(), &mut files);
    for f in files.iter().filter(|f| **f != script) {
        let bytes = std::fs::read(f).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in [token.as_str(), REFRESH_TOKEN, CLIENT_SECRET] {
            assert!(!text.contains(secret), "{} holds a credential", f.display());
        }
    }
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(
        !printed.contains(&token),
        "the recipe printed the access token"
    );

    // The binary loads it, with the counts the replay holds.
    let expr = "#{crm_users: doc.crm.users.len(), crm_admin_users: doc.crm.admin_users.len(), \
        crm_contacts: doc.crm.contacts.len(), crm_leads: doc.crm.leads.len(), \
        crm_modules: doc.crm.modules.len(), crm_org: doc.crm.org.id, \
        desk_organizations: doc.desk.organizations.len(), desk_org: doc.desk.organization.id, \
        desk_departments: doc.desk.departments.len(), desk_agents: doc.desk.agents.len(), \
        desk_contacts: doc.desk.contacts.len(), desk_tickets: doc.desk.tickets.len(), \
        org_id: doc.integration.desk.org_id}";
    let query = Command::new(env!("CARGO_BIN_EXE_crmdesk-audit"))
        .arg("query")
        .arg(&export)
        .arg(expr)
        .env_remove("LANG")
        .env("NO_COLOR", "1")
        .output()
        .expect("run crmdesk-audit");
    assert!(
        query.status.success(),
        "crmdesk-audit query failed: {}",
        String::from_utf8_lossy(&query.stderr)
    );
    let got: Value = serde_json::from_slice(&query.stdout).expect("query prints JSON");
    let want = json!({
        "crm_users": CRM_USERS, "crm_admin_users": CRM_ADMINS, "crm_contacts": CRM_CONTACTS,
        "crm_leads": CRM_LEADS, "crm_modules": crm_modules().len(), "crm_org": "5725767000000020005",
        "desk_organizations": 2, "desk_org": DESK_ORG.to_string(),
        "desk_departments": DESK_DEPARTMENTS, "desk_agents": DESK_AGENTS,
        "desk_contacts": DESK_CONTACTS, "desk_tickets": DESK_TICKETS,
        "org_id": DESK_ORG.to_string()
    });
    let sorted = |v: &Value| -> BTreeMap<String, Value> {
        v.as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(sorted(&got), sorted(&want), "what crmdesk-audit loaded");
    // No list is marked truncated (every CRM list's last page says more_records false).
    let truncated = Command::new(env!("CARGO_BIN_EXE_crmdesk-audit"))
        .arg("query")
        .arg(&export)
        .arg("doc.meta.truncated")
        .output()
        .expect("run crmdesk-audit");
    assert!(
        truncated.status.success(),
        "query doc.meta.truncated failed"
    );
    let truncated: Value = serde_json::from_slice(&truncated.stdout).expect("query prints JSON");
    assert_eq!(truncated, json!([]), "parts marked truncated");

    drop(server);
    eprintln!(
        "export recipe: {} requests, {:.1} s",
        log.len(),
        started.elapsed().as_secs_f64()
    );
}
