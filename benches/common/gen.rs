//! A deterministic generator of realistic synthetic exports (export-format.md), in the
//! bundle form (page directories of saved API responses) and the single-file form.
//!
//! The same `(Spec, seed)` always gives the same bytes, and both forms hold the same data.
//! Records are written one at a time through a `BufWriter`, so even `huge` (4M records,
//! several GB) needs a few MB of memory. Every record is a function of its index, so the
//! two forms need no shared state.
//!
//! The data is healthy-ish with a few findings, so rules do real work: some CRM contacts
//! have no email, one CRM user's Desk agent lacks a department, a few Desk contacts link
//! to deleted CRM contacts, a few tickets are shared with other departments, some ids are
//! numbers (the Desk org id, some department ids) and every CRM id is a 19-digit string.

#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// How big an export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    pub users: usize,
    pub modules: usize,
    pub departments: usize,
    pub agents: usize,
    pub crm_contacts: usize,
    pub desk_contacts: usize,
    pub tickets: usize,
    /// Percent of tickets shared with one or two other departments; 0: 1 ticket in 500
    /// (with one other), as the generator always made them.
    pub shared_pct: u32,
}

pub const SIZES: &[Spec] = &[
    Spec {
        name: "small",
        users: 8,
        modules: 24,
        departments: 3,
        agents: 6,
        crm_contacts: 40,
        desk_contacts: 40,
        tickets: 100,
        shared_pct: 0,
    },
    Spec {
        name: "typical",
        users: 40,
        modules: 60,
        departments: 10,
        agents: 40,
        crm_contacts: 5_000,
        desk_contacts: 5_000,
        tickets: 20_000,
        shared_pct: 0,
    },
    Spec {
        name: "large",
        users: 200,
        modules: 80,
        departments: 30,
        agents: 150,
        crm_contacts: 200_000,
        desk_contacts: 200_000,
        tickets: 500_000,
        shared_pct: 0,
    },
    Spec {
        name: "huge",
        users: 200,
        modules: 80,
        departments: 30,
        agents: 150,
        crm_contacts: 1_000_000,
        desk_contacts: 1_000_000,
        tickets: 2_000_000,
        shared_pct: 0,
    },
];

pub fn spec(name: &str) -> Option<Spec> {
    SIZES.iter().copied().find(|s| s.name == name)
}

/// Records per page file: CRM lists answer at most 200 per page, Desk lists 100.
pub const CRM_PAGE: usize = 200;
pub const DESK_PAGE: usize = 100;

// ---------------------------------------------------------------------------------------
// ids

/// A CRM id: 19 digits, larger than 2^53, as the APIs send them (strings).
fn crm_id(kind: u64, i: usize) -> u64 {
    5_725_767_000_000_000_000 + kind * 100_000_000 + i as u64
}
const CRM_ORG: u64 = 5_725_767_000_000_020_005;
const K_USER: u64 = 4;
const K_PROFILE: u64 = 1;
const K_ROLE: u64 = 2;
const K_MODULE: u64 = 3;
const K_FIELD: u64 = 9;
const K_CONTACT: u64 = 5;
const K_ACCOUNT: u64 = 7;
const K_RELATED: u64 = 8;

/// A Desk id: 16 digits (below 2^53, so some scripts send them as numbers).
fn desk_id(kind: u64, i: usize) -> u64 {
    1_892_000_000_000_000 + kind * 10_000_000_000 + i as u64
}
const D_DEPT: u64 = 1;
const D_AGENT: u64 = 2;
const D_CONTACT: u64 = 3;
const D_TICKET: u64 = 4;
const D_ACCOUNT: u64 = 5;
const D_PRODUCT: u64 = 6;
const D_ROLE: u64 = 7;
const D_PROFILE: u64 = 8;
const D_LAYOUT: u64 = 9;

// ---------------------------------------------------------------------------------------
// small helpers

/// A cheap deterministic hash of an index (splitmix64), for "random-looking" choices.
fn mix(seed: u64, salt: u64, i: usize) -> u64 {
    let mut z = seed
        .wrapping_add(salt.wrapping_mul(0xA076_1D64_78BD_642F))
        .wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

/// `YYYY-MM-DDTHH:MM:SS` for seconds since the Unix epoch (UTC).
fn civil(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// 2026-11-20T00:00:00Z, the generated data's "today".
const TODAY: i64 = 1_795_132_800;

/// A Desk time (`2026-11-18T00:42:10.000Z`) `back` seconds before today.
fn desk_time(back: i64) -> String {
    format!("{}.000Z", civil(TODAY - back))
}

/// A CRM time (`2026-11-18T09:42:10+09:00`) `back` seconds before today.
fn crm_time(back: i64) -> String {
    format!("{}+09:00", civil(TODAY - back + 9 * 3600))
}

/// A JSON string literal.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

const LAST: &[&str] = &[
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Ito",
    "Yamamoto",
    "Nakamura",
    "Kobayashi",
    "Kato",
    "Yoshida",
    "Yamada",
    "Sasaki",
    "Yamaguchi",
    "Matsumoto",
    "Inoue",
    "Kimura",
    "Hayashi",
    "Shimizu",
    "Clarke",
    "Nguyen",
    "Garcia",
];
const LAST_JA: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const FIRST: &[&str] = &[
    "Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Minato", "Mei", "Riku", "Sakura", "Daniel",
    "Emi", "Hiroshi", "Takumi", "Yuki", "Kenji", "Akiko", "Naomi",
];
const FIRST_JA: &[&str] = &[
    "陽翔",
    "結衣",
    "蒼",
    "陽菜",
    "蓮",
    "葵",
    "湊",
    "芽依",
    "陸",
    "さくら",
    "浩",
    "恵美",
];
const COMPANIES: &[&str] = &[
    "関東ロジスティクス株式会社",
    "北陸レンタカー",
    "Minato Auto Parts",
    "Pacific Fleet Services",
    "株式会社みなとモビリティ",
    "Osaka Bay Trading",
    "東北カーリース",
    "Nagoya Precision",
    "九州オートサービス",
    "Hokkaido Cold Chain",
];
const DOMAINS: &[&str] = &[
    "kanto-logistics.example",
    "hokuriku-rentacar.example",
    "minato-auto.example",
    "pacific-fleet.example",
    "osaka-bay.example",
    "nagoya-precision.example",
];
const SUBJECTS: &[&str] = &[
    "ブレーキ警告灯が点灯する",
    "見積書の再発行をお願いします",
    "Invoice shows the wrong billing address",
    "車検の予約を変更したい",
    "Cannot log in to the customer portal",
    "タイヤ交換の費用について",
    "Delivery delayed for order 4471",
    "エンジン始動時に異音がする",
    "Request for a replacement key",
    "リース契約の延長について",
    "Warranty claim for the navigation unit",
    "請求書の送付先を変更してください",
];
const STATUSES: &[(&str, &str)] = &[
    ("Open", "Open"),
    ("On Hold", "On Hold"),
    ("Escalated", "Open"),
    ("Closed", "Closed"),
    ("Closed", "Closed"),
    ("Open", "Open"),
];
const CHANNELS: &[&str] = &[
    "Email", "Phone", "Web", "FORUMS", "Chat", "Twitter", "email",
];
const PRIORITIES: &[&str] = &["High", "Medium", "Low", "Medium"];
const CLASSIFICATIONS: &[&str] = &["Problem", "Question", "Request", "Others"];
const CITIES: &[&str] = &[
    "Minato-ku",
    "Osaka",
    "Nagoya",
    "Fukuoka",
    "Sapporo",
    "Sendai",
];

// ---------------------------------------------------------------------------------------
// the data, one record at a time

/// Everything a record generator needs: the sizes and the seed.
#[derive(Clone, Copy, Debug)]
pub struct Gen {
    pub spec: Spec,
    pub seed: u64,
}

impl Gen {
    pub fn new(spec: Spec, seed: u64) -> Gen {
        Gen { spec, seed }
    }

    fn h(&self, salt: u64, i: usize) -> u64 {
        mix(self.seed, salt, i)
    }

    /// Seeds other than 0 vary the integration settings, so a batch has mixed verdicts.
    fn variant(&self) -> u64 {
        if self.seed == 0 { 0 } else { self.seed % 11 }
    }

    fn user_email(&self, i: usize) -> String {
        format!(
            "{}.{}{i}@sakura-motors.example",
            FIRST[i % FIRST.len()].to_lowercase(),
            LAST[i % LAST.len()].to_lowercase()
        )
    }

    fn user_active(&self, i: usize) -> bool {
        i == 0 || i % 25 != 7
    }

    fn user_admin(&self, i: usize) -> bool {
        i < 3
    }

    fn dept_id_text(&self, d: usize) -> String {
        desk_id(D_DEPT, d * 1000 + 907).to_string()
    }

    /// A department id as a JSON value: a number for every 7th department in the
    /// lists that scripts re-save (as export-format.md warns), else a string.
    fn dept_id_json(&self, d: usize, numeric: bool) -> String {
        if numeric {
            self.dept_id_text(d)
        } else {
            format!("\"{}\"", self.dept_id_text(d))
        }
    }

    fn module_names(&self) -> Vec<(String, &'static str, bool)> {
        // (api_name, generated_type, visible)
        const DEFAULTS: &[&str] = &[
            "Home",
            "Leads",
            "Contacts",
            "Accounts",
            "Deals",
            "Tasks",
            "Events",
            "Calls",
            "Products",
            "Quotes",
            "Sales_Orders",
            "Purchase_Orders",
            "Invoices",
            "Campaigns",
            "Vendors",
            "Price_Books",
            "Cases",
            "Solutions",
            "Documents",
            "Forecasts",
            "Visits",
            "Social",
            "Reports",
            "Dashboards",
            "Notes",
            "Attachments",
            "Approvals",
            "Feeds",
            "Analytics",
            "Activities",
        ];
        const CUSTOM: &[&str] = &["Vehicles", "Contracts", "Assets", "Projects", "Shipments"];
        let mut out = Vec::new();
        let defaults = (self.spec.modules * 2 / 3).clamp(6, DEFAULTS.len());
        for (i, name) in DEFAULTS.iter().take(defaults).enumerate() {
            let visible = !matches!(i, 16 | 17 | 21);
            out.push(((*name).to_string(), "default", visible));
        }
        let mut c = 0;
        while out.len() < self.spec.modules {
            let name = match CUSTOM.get(c) {
                Some(n) => (*n).to_string(),
                None => format!("CustomModule{}", c + 1 - CUSTOM.len()),
            };
            // Every 4th custom module is a hidden one; linking modules come in too.
            let kind = if c % 6 == 5 { "linking" } else { "custom" };
            out.push((name, kind, c % 4 != 3));
            c += 1;
        }
        out
    }

    /// The visible custom modules, which integration.json lists as having the related list.
    fn related_list_modules(&self) -> Vec<String> {
        let mut out: Vec<String> = ["Accounts", "Contacts", "Deals"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let skip_one = self.variant() == 3;
        let mut skipped = false;
        for (name, kind, visible) in self.module_names() {
            if kind == "custom" && visible {
                if skip_one && !skipped {
                    skipped = true;
                    continue;
                }
                out.push(name);
            }
        }
        out
    }

    // ---- CRM ----------------------------------------------------------------------

    fn org(&self, w: &mut dyn Write) -> io::Result<()> {
        let (paid, paid_type, trial_type, trial_expiry) = match self.variant() {
            5 => ("false", "free", "null", "null".to_string()),
            7 => (
                "false",
                "free",
                "\"professional\"",
                format!("\"{}\"", crm_time(-10 * 86_400)),
            ),
            _ => ("true", "enterprise", "null", "null".to_string()),
        };
        write!(
            w,
            r#"{{"country":"Japan","hierarchy_preferences":{{"type":"Role_Hierarchy","strictly_reporting":false}},"photo_id":null,"city":"Minato-ku","description":null,"mc_status":false,"gapps_enabled":false,"domain_name":"org60018231","translation_enabled":true,"street":"1-2-3 Shiba","alias":null,"currency":"Japanese Yen - JPY","id":"{CRM_ORG}","state":"Tokyo","fax":null,"employee_count":"{}","zip":"105-0014","website":"https://www.sakura-motors.example","currency_symbol":"¥","mobile":null,"currency_locale":"ja_JP","primary_zuid":"60018231","zia_portal_id":"60018232","time_zone":"Asia/Tokyo","zgid":"60018231","country_code":"JP","license_details":{{"paid_expiry":"2027-03-31T23:59:59+09:00","users_license_purchased":{},"trial_type":{trial_type},"trial_expiry":{trial_expiry},"paid":{paid},"paid_type":"{paid_type}"}},"phone":"+81-3-5555-0100","company_name":"株式会社サクラモータース","privacy_settings":true,"primary_email":"{}","iso_code":"JPY"}}"#,
            self.spec.users * 2,
            self.spec.users,
            self.user_email(0),
        )
    }

    fn user(&self, w: &mut dyn Write, i: usize) -> io::Result<()> {
        let id = crm_id(K_USER, i);
        let first = FIRST[i % FIRST.len()];
        let last = LAST[i % LAST.len()];
        let status = if self.user_active(i) {
            "active"
        } else if i.is_multiple_of(2) {
            "disabled"
        } else {
            "inactive"
        };
        let (profile, profile_id) = if self.user_admin(i) {
            ("Administrator", crm_id(K_PROFILE, 11))
        } else {
            ("Standard", crm_id(K_PROFILE, 14))
        };
        let created = crm_time(400 * 86_400 - i as i64 * 3_600);
        write!(
            w,
            r#"{{"country":"Japan","name_format__s":"Salutation,Last Name,First Name","language":"ja_JP","microsoft":false,"$shift_effective_from":null,"id":"{id}","state":null,"fax":null,"country_locale":"ja_JP","sandboxDeveloper":false,"zip":null,"decimal_separator":"Period","created_time":"{created}","time_format":"HH:mm","offset":32400000,"profile":{{"name":"{profile}","id":"{profile_id}"}},"created_by":{{"name":"Sato Haruto","id":"{}"}},"zuid":"{}","full_name":"{first} {last}","phone":null,"dob":null,"sort_order_preference__s":"Last Name,First Name","status":"{status}","role":{{"name":"{}","id":"{}"}},"city":null,"signature":null,"locale":"ja_JP","personal_account":false,"Isonline":false,"default_tab_group":"0","Modified_By":{{"name":"Sato Haruto","id":"{}"}},"street":null,"Currency":"JPY","alias":null,"first_name":"{first}","email":"{}","status_reason__s":null,"Reporting_To":null,"website":null,"Modified_Time":"{created}","mobile":null,"last_name":"{last}","time_zone":"Asia/Tokyo","created_by__s":null,"confirm":true,"date_format":"yyyy/MM/dd","territories":[],"number_separator":"Comma"}}"#,
            crm_id(K_USER, 0),
            60_018_231 + i,
            if i == 0 { "CEO" } else { "Sales Rep" },
            crm_id(K_ROLE, if i == 0 { 5 } else { 9 }),
            crm_id(K_USER, 0),
            self.user_email(i),
        )
    }

    fn module(&self, w: &mut dyn Write, i: usize, m: &(String, &str, bool)) -> io::Result<()> {
        let (name, kind, visible) = m;
        let (status, visibility) = if *visible {
            ("visible", 1)
        } else {
            ("user_hidden", 0)
        };
        let (status, visibility) = if self.variant() == 9 && i == 13 {
            ("system_hidden", -1)
        } else {
            (status, visibility)
        };
        let label = name.replace('_', " ");
        write!(
            w,
            r#"{{"access_type":"org_based","global_search_supported":true,"deletable":{},"description":null,"creatable":true,"modified_time":null,"plural_label":"{label}","triggers_supported":true,"id":"{}","isBlueprintSupported":true,"visibility":{visibility},"convertable":false,"editable":true,"emailTemplate_support":false,"profiles":[{{"name":"Administrator","id":"{}"}},{{"name":"Standard","id":"{}"}}],"filter_supported":true,"show_as_tab":true,"web_link":null,"sequence_number":{},"singular_label":"{label}","viewable":true,"api_supported":true,"api_name":"{name}","quick_create":true,"modified_by":null,"generated_type":"{kind}","scoring_supported":false,"webform_supported":false,"arguments":[],"module_name":"{name}","parent_module":{{}},"status":"{status}"}}"#,
            *kind != "default",
            crm_id(K_MODULE, i),
            crm_id(K_PROFILE, 11),
            crm_id(K_PROFILE, 14),
            i + 1,
        )
    }

    fn field(&self, w: &mut dyn Write, module: usize, i: usize, api: &str) -> io::Result<()> {
        let label = api.replace('_', " ");
        let unused = self.variant() == 4 && module == 0 && api == "Account_Name";
        let data_type = match api {
            "Owner" => "ownerlookup",
            "Account_Name" | "Last_Name" | "Deal_Name" => "text",
            _ if i.is_multiple_of(5) => "picklist",
            _ if i.is_multiple_of(7) => "datetime",
            _ => "text",
        };
        write!(
            w,
            r#"{{"associated_module":null,"webhook":true,"field_label":"{label}","tooltip":null,"type":"{}","field_read_only":false,"display_label":"{label}","read_only":false,"businesscard_supported":true,"id":"{}","created_time":null,"filterable":true,"visible":true,"view_type":{{"view":true,"edit":true,"quick_create":{},"create":true}},"separator":false,"searchable":true,"external":null,"api_name":"{api}","unique":{{}},"pick_list_values":[],"system_mandatory":{},"virtual_field":false,"json_type":"string","created_source":"default","display_type":-1,"ui_type":{},"modified_time":null,"custom_field":false,"lookup":{{}},"length":120,"column_name":"{}","data_type":"{data_type}","decimal_place":null,"mass_update":true}}"#,
            if unused { "unused" } else { "used" },
            crm_id(K_FIELD, module * 1000 + i),
            i < 3,
            i == 1,
            1 + i % 30,
            api.to_uppercase(),
        )
    }

    fn related_list(&self, w: &mut dyn Write, module: usize, i: usize) -> io::Result<()> {
        const LISTS: &[(&str, &str)] = &[
            ("Notes", "Notes"),
            ("Attachments", "Attachments"),
            ("Activities", "Open Activities"),
            ("Zoho_Desk", "Zoho Desk"),
            ("Emails", "Emails"),
            ("Deals", "Deals"),
            ("Campaigns", "Campaigns"),
        ];
        let (api, label) = LISTS[i % LISTS.len()];
        write!(
            w,
            r#"{{"sequence_number":"{}","display_label":"{label}","api_name":"{api}","module":{{"api_name":"{api}","id":"{}"}},"name":"{label}","action":null,"id":"{}","href":null,"type":"default","connectedmodule":null,"linkingmodule":null}}"#,
            i + 1,
            crm_id(K_MODULE, i),
            crm_id(K_RELATED, module * 100 + i),
        )
    }

    fn crm_contact(&self, w: &mut dyn Write, i: usize) -> io::Result<()> {
        let h = self.h(1, i);
        let id = crm_id(K_CONTACT, i);
        let ja = h.is_multiple_of(3);
        let (first, last) = if ja {
            (pick(FIRST_JA, h >> 8), pick(LAST_JA, h >> 16))
        } else {
            (pick(FIRST, h >> 8), pick(LAST, h >> 16))
        };
        // Healthy-ish: about 1 in 100 contacts has no email (null, "" or no key at all).
        let email = match i % 97 {
            13 => "\"Email\":null,".to_string(),
            41 => "\"Email\":\"\",".to_string(),
            71 => String::new(),
            _ => format!(
                "\"Email\":\"{}.{}{i}@{}\",",
                pick(FIRST, h >> 8).to_lowercase(),
                pick(LAST, h >> 16).to_lowercase(),
                pick(DOMAINS, h >> 24)
            ),
        };
        let account = if h.is_multiple_of(11) {
            "null".to_string()
        } else {
            let a = (h >> 32) as usize % 5000;
            format!(
                r#"{{"name":"{}","id":"{}"}}"#,
                COMPANIES[a % COMPANIES.len()],
                crm_id(K_ACCOUNT, a)
            )
        };
        let owner = (h >> 40) as usize % self.spec.users;
        write!(
            w,
            r#"{{{email}"Last_Name":"{last}","First_Name":"{first}","Full_Name":"{first} {last}","Account_Name":{account},"Owner":{{"name":"{} {}","id":"{}","email":"{}"}},"Phone":"+81-3-{:04}-{:04}","Mobile":null,"Mailing_City":"{}","Lead_Source":"{}","Created_Time":"{}","Modified_Time":"{}","$approval_state":"approved","$editable":true,"$currency_symbol":"¥","Tag":[],"id":"{id}"}}"#,
            FIRST[owner % FIRST.len()],
            LAST[owner % LAST.len()],
            crm_id(K_USER, owner),
            self.user_email(owner),
            (h >> 12) % 10_000,
            (h >> 28) % 10_000,
            pick(CITIES, h >> 20),
            pick(&["Web", "Trade Show", "Partner", "Advertisement"], h >> 44),
            crm_time(700 * 86_400 - (i as i64 * 97) % (690 * 86_400)),
            crm_time((i as i64 * 53) % (30 * 86_400)),
        )
    }

    // ---- Desk ---------------------------------------------------------------------

    fn desk_org_id(&self) -> u64 {
        2_389_290
    }

    fn organization(&self, w: &mut dyn Write, i: usize) -> io::Result<()> {
        let id = self.desk_org_id() + i as u64 * 7919;
        write!(
            w,
            r#"{{"companyName":"{}","alias":null,"city":"Minato-ku","country":"Japan","employeeCount":"85","description":null,"edition":"ENTERPRISE","isDefault":{},"isAdminInOrg":true,"isPayloadEncryptionEnabled":false,"isSandboxPortal":{},"isSignUpEnabled":false,"id":{id},"state":"Tokyo","street":"1-2-3 Shiba","zip":"105-0014","website":"https://www.sakura-motors.example","logoURL":null,"faviconURL":null,"phoneNumber":"+81-3-5555-0100","fax":null,"currencyCode":"JPY","currencySymbol":"¥","currencyLocale":"JA_JP","portalName":"sakuramotors{}","portalURL":"https://desk.zoho.jp/support/sakuramotors{}","primaryContact":"{}","mobile":null}}"#,
            if i == 0 {
                "株式会社サクラモータース"
            } else {
                "サクラモータース (sandbox)"
            },
            i == 0,
            i != 0,
            if i == 0 { "" } else { "sandbox" },
            if i == 0 { "" } else { "sandbox" },
            self.user_email(0),
        )
    }

    fn department(&self, w: &mut dyn Write, d: usize) -> io::Result<()> {
        let agents: Vec<String> = (0..self.spec.agents)
            .filter(|a| self.agent_departments(*a).contains(&d))
            .map(|a| format!("\"{}\"", desk_id(D_AGENT, a)))
            .collect();
        write!(
            w,
            r#"{{"isAssignToTeamEnabled":false,"chatStatus":"AVAILABLE","hasLogo":false,"isVisibleInCustomerPortal":true,"creatorId":"{}","description":"{}","associatedAgentIds":[{}],"isDefault":{},"isEnabled":true,"name":"{}","createdTime":"{}","id":{},"nameInCustomerPortal":"{}","sanitizedName":"support-{d:02}"}}"#,
            desk_id(D_AGENT, 0),
            if d == 0 {
                "一般のお問い合わせ窓口"
            } else {
                "Product and service enquiries"
            },
            agents.join(","),
            d == 0,
            self.dept_name(d),
            desk_time(500 * 86_400 - d as i64 * 86_400),
            self.dept_id_json(d, d % 7 == 3),
            self.dept_name(d),
        )
    }

    fn dept_name(&self, d: usize) -> String {
        if d == 0 {
            "カスタマーサポート".to_string()
        } else {
            format!("Support {d:02}")
        }
    }

    /// The departments an agent is in: all of them, except for the agent of user 5,
    /// who misses the last one (so that CRM user cannot see some linked tickets),
    /// and agents beyond the users, who are in a few departments only.
    fn agent_departments(&self, a: usize) -> Vec<usize> {
        let n = self.spec.departments;
        if a == 5.min(self.spec.users - 1) && n > 1 {
            (0..n - 1).collect()
        } else if a >= self.spec.users {
            (0..n).filter(|d| (d + a).is_multiple_of(3)).collect()
        } else {
            (0..n).collect()
        }
    }

    fn agent(&self, w: &mut dyn Write, a: usize) -> io::Result<()> {
        let first = FIRST[a % FIRST.len()];
        let last = LAST[a % LAST.len()];
        let email = if a < self.spec.users {
            self.user_email(a)
        } else {
            format!("agent{a}@sakura-motors.example")
        };
        // The list response often omits status (counts as ACTIVE); a few are DISABLED.
        let status = if a % 30 == 29 {
            "\"status\":\"DISABLED\","
        } else if a % 11 == 4 {
            ""
        } else {
            "\"status\":\"ACTIVE\","
        };
        let depts: Vec<String> = self
            .agent_departments(a)
            .into_iter()
            .map(|d| self.dept_id_json(d, (a + d).is_multiple_of(13)))
            .collect();
        write!(
            w,
            r#"{{"lastName":"{last}","firstName":"{first}","emailId":"{email}","id":"{}","name":"{last} {first}",{status}"photoURL":null,"roleId":"{}","profileId":"{}","isConfirmed":true,"zuid":"{}","associatedDepartmentIds":[{}],"associatedChatDepartmentIds":[],"rolePermissionType":"{}","langCode":"ja_JP","timeZone":"Asia/Tokyo","isZiaAgent":false,"mobile":null,"phone":null,"extn":null,"aboutInfo":null,"channelExpert":["Email","Phone","Web"]}}"#,
            desk_id(D_AGENT, a),
            desk_id(D_ROLE, 5103),
            desk_id(D_PROFILE, 5097 + (a > 0) as usize),
            60_018_231 + a,
            depts.join(","),
            if a == 0 { "Admin" } else { "Agent" },
        )
    }

    /// The CRM contact a Desk contact is linked to: most are, some are not linked, and
    /// a few point at CRM contacts that were deleted (ids beyond the exported ones).
    fn desk_link(&self, j: usize) -> String {
        let h = self.h(2, j);
        if j % 4999 == 17 {
            return format!(
                r#"{{"id":"{}","type":"contacts"}}"#,
                crm_id(K_CONTACT, self.spec.crm_contacts + j)
            );
        }
        match h % 10 {
            0 | 1 => "null".to_string(),
            _ => format!(
                r#"{{"id":"{}","type":"contacts"}}"#,
                crm_id(K_CONTACT, j % self.spec.crm_contacts.max(1))
            ),
        }
    }

    fn desk_contact(&self, w: &mut dyn Write, j: usize) -> io::Result<()> {
        let h = self.h(3, j);
        let id = desk_id(D_CONTACT, j);
        let (first, last) = if h.is_multiple_of(3) {
            (pick(FIRST_JA, h >> 8), pick(LAST_JA, h >> 16))
        } else {
            (pick(FIRST, h >> 8), pick(LAST, h >> 16))
        };
        write!(
            w,
            r#"{{"lastName":"{last}","firstName":"{first}","email":"{}.{}{j}@{}","secondaryEmail":null,"phone":"+81-6-{:04}-{:04}","mobile":null,"id":"{id}","isSpam":false,"type":null,"accountId":"{}","ownerId":"{}","zohoCRMContact":{},"customerHappiness":{{"badPercentage":"0","okPercentage":"{}","goodPercentage":"{}"}},"webUrl":"https://desk.zoho.jp/support/sakuramotors/ShowHomePage.do#Contacts/dv/{id}","isAnonymous":false,"createdTime":"{}","photoURL":null}}"#,
            pick(FIRST, h >> 8).to_lowercase(),
            pick(LAST, h >> 16).to_lowercase(),
            pick(DOMAINS, h >> 24),
            (h >> 12) % 10_000,
            (h >> 28) % 10_000,
            desk_id(D_ACCOUNT, (h >> 32) as usize % 5000),
            desk_id(D_AGENT, (h >> 40) as usize % self.spec.agents),
            self.desk_link(j),
            (h >> 44) % 30,
            70 + (h >> 50) % 30,
            desk_time(600 * 86_400 - (j as i64 * 89) % (590 * 86_400)),
        )
    }

    fn ticket(&self, w: &mut dyn Write, t: usize) -> io::Result<()> {
        let h = self.h(4, t);
        let id = desk_id(D_TICKET, t);
        let contact = (h >> 8) as usize % self.spec.desk_contacts.max(1);
        let n = self.spec.departments;
        let dept = (h >> 16) as usize % n;
        // A few re-saved tickets carry the department id as a number.
        let department = self.dept_id_json(dept, t % 37 == 5);
        let shared = if self.spec.shared_pct == 0 {
            if t % 500 == 3 && n > 1 {
                let other = (dept + 1 + (h >> 24) as usize % (n - 1)) % n;
                format!(
                    r#"[{{"id":"{}","name":"{}","type":"READ_ONLY"}}]"#,
                    self.dept_id_text(other),
                    self.dept_name(other)
                )
            } else {
                "[]".to_string()
            }
        } else if self.h(6, t) % 100 < u64::from(self.spec.shared_pct) && n > 1 {
            // Shared with one other department, or (when there are enough) two.
            let h6 = self.h(7, t);
            let count = if n > 2 { 1 + (h6 % 2) as usize } else { 1 };
            let first = 1 + (h6 >> 8) as usize % (n - 1);
            let mut others = vec![(dept + first) % n];
            if count == 2 {
                let second = 1 + (h6 >> 16) as usize % (n - 1);
                let d2 = (dept + second) % n;
                if d2 != others[0] {
                    others.push(d2);
                }
            }
            let items: Vec<String> = others
                .iter()
                .map(|&o| {
                    format!(
                        r#"{{"id":"{}","name":"{}","type":"READ_ONLY"}}"#,
                        self.dept_id_text(o),
                        self.dept_name(o)
                    )
                })
                .collect();
            format!("[{}]", items.join(","))
        } else {
            "[]".to_string()
        };
        let (status, status_type) = STATUSES[(h >> 28) as usize % STATUSES.len()];
        let created = 400 * 86_400 - (t as i64 * 61) % (395 * 86_400);
        let closed = if status_type == "Closed" {
            format!("\"{}\"", desk_time(created - 86_400))
        } else {
            "null".to_string()
        };
        let h2 = self.h(5, t);
        write!(
            w,
            r#"{{"ticketNumber":"{}","subCategory":null,"statusType":"{status_type}","subject":{},"dueDate":"{}","departmentId":{department},"channel":"{}","onholdTime":null,"language":"{}","source":{{"appName":null,"extId":null,"permalink":null,"type":"SYSTEM","appPhotoURL":null}},"closedTime":{closed},"sharedCount":"{}","responseDueDate":null,"createdTime":"{}","id":"{id}","email":"customer{contact}@{}","channelCode":null,"customerResponseTime":"{}","productId":{},"contactId":"{}","threadCount":"{}","priority":"{}","classification":"{}","assigneeId":"{}","commentCount":"{}","accountId":"{}","phone":null,"webUrl":"https://desk.zoho.jp/support/sakuramotors/ShowHomePage.do#Cases/dv/{id}","isSpam":false,"status":"{status}","entitySkills":[],"isArchived":false,"layoutId":"{}","teamId":null,"lastThreadId":"{}","sentiment":"{}","sharedDepartments":{shared}}}"#,
            100 + t,
            q(pick(SUBJECTS, h >> 32)),
            desk_time(created - 2 * 86_400),
            pick(CHANNELS, h >> 36),
            if h.is_multiple_of(3) {
                "Japanese"
            } else {
                "English"
            },
            (shared.len() > 2) as u8,
            desk_time(created),
            pick(DOMAINS, h >> 40),
            desk_time(created - 3_600),
            if h2.is_multiple_of(4) {
                format!("\"{}\"", desk_id(D_PRODUCT, (h2 >> 8) as usize % 300))
            } else {
                "null".to_string()
            },
            desk_id(D_CONTACT, contact),
            1 + h2 % 9,
            pick(PRIORITIES, h2 >> 12),
            pick(CLASSIFICATIONS, h2 >> 16),
            desk_id(D_AGENT, (h2 >> 20) as usize % self.spec.agents),
            (h2 >> 28) % 4,
            desk_id(D_ACCOUNT, (h2 >> 32) as usize % 5000),
            desk_id(D_LAYOUT, 74001),
            desk_id(D_TICKET, 1_000_000_000 + t * 3),
            pick(&["Positive", "Neutral", "Negative", "Neutral"], h2 >> 40),
        )
    }

    fn integration(&self, w: &mut dyn Write) -> io::Result<()> {
        let v = self.variant();
        let configured_by = if v == 1 {
            crm_id(K_USER, 4) // not an administrator
        } else {
            crm_id(K_USER, 0)
        };
        let sync = if v == 2 { "paused" } else { "running" };
        let on_delete = if v == 6 || v == 8 { "delete" } else { "keep" };
        let authorized = v != 10;
        let modules: Vec<String> = self
            .related_list_modules()
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect();
        write!(
            w,
            r#"{{"crm":{{"installed":true,"configured_by":"{configured_by}","linked_desk_org_id":"{}","related_list_modules":[{}],"sync":{{"status":"{sync}"}}}},"desk":{{"linked_crm_org_id":"{CRM_ORG}","authorized":{authorized},"on_crm_delete":"{on_delete}"}}}}"#,
            self.desk_org_id(),
            modules.join(","),
        )
    }
}

// ---------------------------------------------------------------------------------------
// the two forms

/// Fields saved per module (`crm/fields/<Module>.json`).
const FIELD_MODULES: &[(&str, &[&str])] = &[
    (
        "Accounts",
        &[
            "Owner",
            "Account_Name",
            "Account_Site",
            "Parent_Account",
            "Account_Number",
            "Account_Type",
            "Industry",
            "Annual_Revenue",
            "Rating",
            "Phone",
            "Fax",
            "Website",
            "Ticker_Symbol",
            "Ownership",
            "Employees",
            "SIC_Code",
            "Billing_Street",
            "Billing_City",
            "Billing_State",
            "Billing_Code",
            "Billing_Country",
            "Shipping_Street",
            "Shipping_City",
            "Shipping_State",
            "Shipping_Code",
            "Shipping_Country",
            "Description",
            "Created_By",
            "Modified_By",
            "Created_Time",
            "Modified_Time",
            "Last_Activity_Time",
            "Tag",
        ],
    ),
    (
        "Contacts",
        &[
            "Owner",
            "Lead_Source",
            "First_Name",
            "Last_Name",
            "Full_Name",
            "Account_Name",
            "Vendor_Name",
            "Email",
            "Title",
            "Department",
            "Phone",
            "Home_Phone",
            "Other_Phone",
            "Fax",
            "Mobile",
            "Date_of_Birth",
            "Assistant",
            "Asst_Phone",
            "Reporting_To",
            "Email_Opt_Out",
            "Skype_ID",
            "Salutation",
            "Secondary_Email",
            "Mailing_Street",
            "Mailing_City",
            "Mailing_State",
            "Mailing_Zip",
            "Mailing_Country",
            "Description",
            "Created_Time",
            "Modified_Time",
            "Tag",
        ],
    ),
    (
        "Deals",
        &[
            "Owner",
            "Amount",
            "Deal_Name",
            "Closing_Date",
            "Account_Name",
            "Stage",
            "Type",
            "Probability",
            "Expected_Revenue",
            "Next_Step",
            "Lead_Source",
            "Campaign_Source",
            "Contact_Name",
            "Description",
            "Created_Time",
            "Modified_Time",
            "Tag",
        ],
    ),
];

/// Writes a list of `n` records as `[r0,r1,...]`.
fn array(
    w: &mut dyn Write,
    range: std::ops::Range<usize>,
    mut rec: impl FnMut(&mut dyn Write, usize) -> io::Result<()>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (k, i) in range.enumerate() {
        if k > 0 {
            w.write_all(b",")?;
        }
        rec(w, i)?;
    }
    w.write_all(b"]")
}

/// `"info"` of a CRM list page.
fn crm_info(per_page: usize, count: usize, page: usize, more: bool) -> String {
    format!(
        r#"{{"per_page":{per_page},"next_page_token":{},"count":{count},"sort_by":"id","page":{page},"previous_page_token":null,"page_token_expiry":null,"sort_order":"desc","more_records":{more}}}"#,
        if more {
            format!("\"c8582xx9e7d2b9c{page:04}\"")
        } else {
            "null".to_string()
        }
    )
}

fn create(path: &Path) -> io::Result<BufWriter<File>> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    Ok(BufWriter::with_capacity(1 << 16, File::create(path)?))
}

fn file(path: &Path, body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut w = create(path)?;
    body(&mut w)?;
    w.flush()
}

/// Zero-padded page file names that sort in page order (at least 4 digits).
fn page_name(page: usize, pages: usize) -> String {
    let width = pages.to_string().len().max(4);
    format!("page-{page:0width$}.json")
}

/// A page directory of `n` records, `per` per page, in `{"data": [...]}` envelopes.
fn pages(
    dir: &Path,
    n: usize,
    per: usize,
    crm: bool,
    rec: impl Fn(&mut dyn Write, usize) -> io::Result<()>,
) -> io::Result<()> {
    let count = n.div_ceil(per).max(1);
    for p in 0..count {
        let range = p * per..((p + 1) * per).min(n);
        let len = range.len();
        file(&dir.join(page_name(p + 1, count)), |w| {
            w.write_all(br#"{"data":"#)?;
            array(w, range, &rec)?;
            if crm {
                write!(w, r#","info":{}"#, crm_info(per, len, p + 1, p + 1 < count))?;
            }
            w.write_all(b"}")
        })?;
    }
    Ok(())
}

/// A list part: a page directory `dir/` (`paged`), or the one file `dir.json` holding
/// every record in one response (as saved with a large `per_page`, or merged).
fn list_part(
    dir: &Path,
    n: usize,
    per: usize,
    crm: bool,
    paged: bool,
    rec: impl Fn(&mut dyn Write, usize) -> io::Result<()>,
) -> io::Result<()> {
    if paged {
        return pages(dir, n, per, crm, rec);
    }
    file(&dir.with_extension("json"), |w| {
        w.write_all(br#"{"data":"#)?;
        array(w, 0..n, &rec)?;
        if crm {
            write!(w, r#","info":{}"#, crm_info(per, n, 1, false))?;
        }
        w.write_all(b"}")
    })
}

/// Writes the bundle form into `dir` (which must not exist yet, or be empty), the big
/// lists (contacts, tickets) as page directories.
pub fn write_bundle(g: &Gen, dir: &Path) -> io::Result<()> {
    write_bundle_as(g, dir, true)
}

/// Writes the bundle form with each list in one file (`desk/tickets.json`, ...).
pub fn write_lists(g: &Gen, dir: &Path) -> io::Result<()> {
    write_bundle_as(g, dir, false)
}

fn write_bundle_as(g: &Gen, dir: &Path, paged: bool) -> io::Result<()> {
    let s = g.spec;
    let crm = dir.join("crm");
    let desk = dir.join("desk");
    file(&crm.join("org.json"), |w| {
        w.write_all(br#"{"org":["#)?;
        g.org(w)?;
        w.write_all(b"]}")
    })?;
    file(&crm.join("users.json"), |w| {
        w.write_all(br#"{"users":"#)?;
        array(w, 0..s.users, |w, i| g.user(w, i))?;
        write!(w, r#","info":{}}}"#, crm_info(200, s.users, 1, false))
    })?;
    let admins: Vec<usize> = (0..s.users).filter(|i| g.user_admin(*i)).collect();
    file(&crm.join("admin_users.json"), |w| {
        w.write_all(br#"{"users":["#)?;
        for (k, i) in admins.iter().enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            g.user(w, *i)?;
        }
        write!(w, r#"],"info":{}}}"#, crm_info(200, admins.len(), 1, false))
    })?;
    let modules = g.module_names();
    file(&crm.join("modules.json"), |w| {
        w.write_all(br#"{"modules":"#)?;
        array(w, 0..modules.len(), |w, i| g.module(w, i, &modules[i]))?;
        w.write_all(b"}")
    })?;
    for (m, (module, fields)) in FIELD_MODULES.iter().enumerate() {
        file(&crm.join("fields").join(format!("{module}.json")), |w| {
            w.write_all(br#"{"fields":"#)?;
            array(w, 0..fields.len(), |w, i| g.field(w, m, i, fields[i]))?;
            w.write_all(b"}")
        })?;
        file(
            &crm.join("related_lists").join(format!("{module}.json")),
            |w| {
                w.write_all(br#"{"related_lists":"#)?;
                array(w, 0..7, |w, i| g.related_list(w, m, i))?;
                w.write_all(b"}")
            },
        )?;
    }
    list_part(
        &crm.join("contacts"),
        s.crm_contacts,
        CRM_PAGE,
        true,
        paged,
        |w, i| g.crm_contact(w, i),
    )?;
    file(&desk.join("organizations.json"), |w| {
        w.write_all(br#"{"data":"#)?;
        array(w, 0..2, |w, i| g.organization(w, i))?;
        w.write_all(b"}")
    })?;
    file(&desk.join("departments.json"), |w| {
        w.write_all(br#"{"data":"#)?;
        array(w, 0..s.departments, |w, d| g.department(w, d))?;
        w.write_all(b"}")
    })?;
    file(&desk.join("agents.json"), |w| {
        w.write_all(br#"{"data":"#)?;
        array(w, 0..s.agents, |w, a| g.agent(w, a))?;
        w.write_all(b"}")
    })?;
    list_part(
        &desk.join("contacts"),
        s.desk_contacts,
        DESK_PAGE,
        false,
        paged,
        |w, j| g.desk_contact(w, j),
    )?;
    list_part(
        &desk.join("tickets"),
        s.tickets,
        DESK_PAGE,
        false,
        paged,
        |w, t| g.ticket(w, t),
    )?;
    file(&dir.join("integration.json"), |w| g.integration(w))
}

/// Writes the single-file form to `path`: the same data as `write_bundle`, each part
/// as its whole API response (with the envelope), list parts as one array each.
pub fn write_single(g: &Gen, path: &Path) -> io::Result<()> {
    let s = g.spec;
    file(path, |w| {
        w.write_all(br#"{"crm":{"org":{"org":["#)?;
        g.org(w)?;
        w.write_all(br#"]},"users":{"users":"#)?;
        array(w, 0..s.users, |w, i| g.user(w, i))?;
        write!(w, r#","info":{}}}"#, crm_info(200, s.users, 1, false))?;
        let admins: Vec<usize> = (0..s.users).filter(|i| g.user_admin(*i)).collect();
        w.write_all(br#","admin_users":{"users":"#)?;
        array(w, 0..admins.len(), |w, k| g.user(w, admins[k]))?;
        w.write_all(br#"},"modules":{"modules":"#)?;
        let modules = g.module_names();
        array(w, 0..modules.len(), |w, i| g.module(w, i, &modules[i]))?;
        w.write_all(br#"},"fields":{"#)?;
        for (m, (module, fields)) in FIELD_MODULES.iter().enumerate() {
            if m > 0 {
                w.write_all(b",")?;
            }
            write!(w, r#""{module}":{{"fields":"#)?;
            array(w, 0..fields.len(), |w, i| g.field(w, m, i, fields[i]))?;
            w.write_all(b"}")?;
        }
        w.write_all(br#"},"related_lists":{"#)?;
        for (m, (module, _)) in FIELD_MODULES.iter().enumerate() {
            if m > 0 {
                w.write_all(b",")?;
            }
            write!(w, r#""{module}":{{"related_lists":"#)?;
            array(w, 0..7, |w, i| g.related_list(w, m, i))?;
            w.write_all(b"}")?;
        }
        w.write_all(br#"},"contacts":{"data":"#)?;
        array(w, 0..s.crm_contacts, |w, i| g.crm_contact(w, i))?;
        write!(
            w,
            r#","info":{}}},"leads":null}},"desk":{{"organizations":{{"data":"#,
            crm_info(CRM_PAGE, s.crm_contacts, 1, false)
        )?;
        array(w, 0..2, |w, i| g.organization(w, i))?;
        w.write_all(br#"},"departments":{"data":"#)?;
        array(w, 0..s.departments, |w, d| g.department(w, d))?;
        w.write_all(br#"},"agents":{"data":"#)?;
        array(w, 0..s.agents, |w, a| g.agent(w, a))?;
        w.write_all(br#"},"contacts":{"data":"#)?;
        array(w, 0..s.desk_contacts, |w, j| g.desk_contact(w, j))?;
        w.write_all(br#"},"tickets":{"data":"#)?;
        array(w, 0..s.tickets, |w, t| g.ticket(w, t))?;
        w.write_all(br#"}},"integration":"#)?;
        g.integration(w)?;
        w.write_all(b"}")
    })
}

/// Total size in bytes of the regular files under `path` (or of `path` itself).
pub fn disk_size(path: &Path) -> u64 {
    let Ok(meta) = fs::metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    let mut total = 0;
    if let Ok(entries) = fs::read_dir(path) {
        for e in entries.flatten() {
            total += disk_size(&e.path());
        }
    }
    total
}

/// Every `*.json` file under `path` (or `path` itself), in path order.
pub fn json_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if path.is_file() {
        out.push(path.to_path_buf());
        return out;
    }
    let mut entries: Vec<_> = match fs::read_dir(path) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(_) => return out,
    };
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(json_files(&p));
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    out
}
