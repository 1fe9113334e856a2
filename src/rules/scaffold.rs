//! The files `rules new` writes: a small working rule and a test case for each status it
//! can give, so META, the cases and `rules test`'s coverage agree from the start.
//!
//! Without options it is a concrete example (every CRM user has an email address). With
//! `--statuses` and `--needs` it is a skeleton for those: a `skip` naming each part that
//! was not exported, and a placeholder decision to replace, with one case per status.

use crate::status::Status;

/// What the new rule declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The rule id (kebab-case); names the `.rhai` file and the `.tests` directory.
    pub id: String,
    /// The statuses its check gives (never `error`).
    pub statuses: Vec<Status>,
    /// The parts of the document it reads.
    pub needs: Vec<String>,
}

/// One file to write: its path under the rules directory, and its text.
pub type ScaffoldFile = (String, String);

/// The rule file and its cases, relative to the rules directory.
pub fn files(spec: &Spec) -> Vec<ScaffoldFile> {
    let id = &spec.id;
    let mut out = vec![(format!("{id}.rhai"), rule(spec))];
    for (case, export, expect) in cases(spec) {
        out.push((format!("{id}.tests/{case}/export.json"), export));
        out.push((format!("{id}.tests/{case}/expect.json"), expect));
    }
    out
}

/// The default: the concrete example of the tutorial (docs/writing-rules.md).
pub fn example(id: &str) -> Spec {
    Spec {
        id: id.to_owned(),
        statuses: vec![Status::Pass, Status::Fail, Status::Skip],
        needs: vec!["crm.users".to_owned()],
    }
}

fn is_example(spec: &Spec) -> bool {
    *spec == example(&spec.id)
}

fn quoted(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status the placeholder decision gives for a problem: `fail` if declared, else `warn`.
fn problem_status(spec: &Spec) -> Option<Status> {
    [Status::Fail, Status::Warn]
        .into_iter()
        .find(|s| spec.statuses.contains(s))
}

/// `doc.crm.users` for `crm.users` (`doc.crm.fields["Accounts"]` for a module part).
fn access(part: &str) -> String {
    let mut it = part.split('.');
    let mut out = String::from("doc");
    if let Some(first) = it.next() {
        out.push('.');
        out.push_str(first);
    }
    for seg in it {
        out.push_str(&format!("?[\"{seg}\"]"));
    }
    out
}

fn rule(spec: &Spec) -> String {
    if is_example(spec) {
        return example_rule(&spec.id);
    }
    let id = &spec.id;
    let statuses = quoted(spec.statuses.iter().map(|s| s.as_str()));
    let needs = quoted(&spec.needs);
    let first = spec.needs.first().map_or("crm.users", String::as_str);
    let mut body = String::new();
    if spec.statuses.contains(&Status::Skip) {
        body.push_str(&format!(
            r#"    // Missing data is never a pass: say which part is missing.
    for part in [{needs}] {{
        if !(part in doc.meta.present) {{
            return [skip("{id}", #{{ ja: `${{part}} がエクスポートされていないため、確認できません。`,
                                    en: `${{part}} was not exported, so this cannot be checked.` }})];
        }}
    }}
"#
        ));
    }
    body.push_str(&format!(
        "    let items = {};\n    // TODO: replace this decision with the rule's own (native helpers such as\n    // where_eq, where_missing, without_match and index_by scan big lists fast).\n",
        access(first)
    ));
    if let Some(problem) = problem_status(spec) {
        body.push_str(&format!(
            r#"    if items.len() > 0 {{
        return [{problem}("{id}", #{{ ja: `${{items.len()}} 件が見つかりました。`,
                                     en: `${{items.len()}} found.` }}, items)];
    }}
"#
        ));
    }
    if spec.statuses.contains(&Status::Pass) {
        body.push_str(&format!(
            "    [pass(\"{id}\", #{{ ja: \"問題はありません。\", en: \"Nothing to report.\" }}, items)]\n"
        ));
    } else {
        body.push_str(&format!(
            "    [{}(\"{id}\", #{{ ja: \"確認しました。\", en: \"Checked.\" }}, items)]\n",
            spec.statuses.first().map_or("skip", |s| s.as_str())
        ));
    }
    format!(
        r#"// {id}: describe in one line what this rule checks.
// Reference: docs/rule-reference.md. Test: crmdesk-audit rules test --rules <dir> --only {id}

const META = #{{
    // faq: 9,                                 // the FAQ item, if the rule belongs to one
    title: #{{ ja: "(日本語のタイトル)", en: "(title)" }},
    description: #{{ ja: "(何を、なぜ確認するか)", en: "(what it checks, and why)" }},
    needs: [{needs}],
    checks: #{{
        "{id}": #{{
            statuses: [{statuses}],
            remedy: #{{ ja: "(対処方法と画面の場所)", en: "(what to do, with the UI path)" }},
        }},
    }},
}};

fn audit(doc) {{
{body}}}
"#
    )
}

/// An export holding `parts`, each as an empty value of its kind, plus one item in the
/// first when `one_item`.
fn export(parts: &[String], one_item: bool) -> String {
    let mut root = serde_json::Map::new();
    for (i, part) in parts.iter().enumerate() {
        let value = match part.as_str() {
            "crm.org" | "desk.organization" | "integration" => serde_json::json!({}),
            _ if i == 0 && one_item => serde_json::json!([{ "id": "1" }]),
            _ => serde_json::json!([]),
        };
        let mut segs: Vec<&str> = part.split('.').collect();
        let last = segs.pop().unwrap_or_default();
        let mut cur = &mut root;
        for seg in segs {
            cur = cur
                .entry(seg.to_owned())
                .or_insert_with(|| serde_json::json!({}))
                .as_object_mut()
                .expect("a section of the export is an object");
        }
        cur.insert(last.to_owned(), value);
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(root))
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn expect(id: &str, status: Status) -> String {
    format!("{{ \"checks\": {{ \"{id}\": \"{status}\" }} }}\n")
}

fn cases(spec: &Spec) -> Vec<(String, String, String)> {
    if is_example(spec) {
        return example_cases(&spec.id);
    }
    let id = &spec.id;
    let mut out = Vec::new();
    if spec.statuses.contains(&Status::Skip) {
        let first = spec.needs.first().map_or("crm.users", String::as_str);
        out.push((
            format!("skips-without-{}", first.replace('.', "-").to_lowercase()),
            "{}\n".to_owned(),
            expect(id, Status::Skip),
        ));
    }
    if spec.statuses.contains(&Status::Pass) {
        out.push((
            "passes".to_owned(),
            export(&spec.needs, false),
            expect(id, Status::Pass),
        ));
    }
    if let Some(problem) = problem_status(spec) {
        let name = if problem == Status::Fail {
            "fails"
        } else {
            "warns"
        };
        out.push((
            name.to_owned(),
            export(&spec.needs, true),
            expect(id, problem),
        ));
    }
    out
}

fn example_rule(id: &str) -> String {
    format!(
        r#"// {id}: describe in one line what this rule checks.
// Reference: docs/rule-reference.md. Test: crmdesk-audit rules test --rules <dir> --only {id}

const META = #{{
    // faq: 9,                                 // the FAQ item, if the rule belongs to one
    title: #{{ ja: "CRMユーザーにメールアドレスがあるか", en: "CRM users have an email address" }},
    description: #{{
        ja: "メールアドレスのないCRMユーザーがいないか確認します。",
        en: "Checks that every CRM user has an email address.",
    }},
    needs: ["crm.users"],                      // parts of the export this rule reads
    checks: #{{
        "{id}": #{{
            statuses: ["pass", "fail", "skip"],
            remedy: #{{ ja: "Zoho CRMの[設定]→[ユーザーと管理]→[ユーザー]でメールアドレスを登録してください。", en: "Add the email in CRM: Setup > Users and Control > Users." }},
        }},
    }},
}};

fn audit(doc) {{
    let users = doc.crm.users;
    // Missing data is never a pass: say which part is missing.
    if users == () {{
        return [skip("{id}", #{{ ja: "CRMのユーザー一覧がエクスポートされていないため、確認できません。", en: "crm.users was not exported." }})];
    }}
    // Native helpers scan big lists fast: where_missing keeps the users without an email.
    let missing = where_missing(users, "email");
    if missing.is_empty() {{
        return [pass("{id}", #{{ ja: `CRMユーザー ${{users.len()}} 人全員にメールアドレスがあります。`,
                                en: `All ${{users.len()}} CRM users have an email address.` }}, users)];
    }}
    // One finding per offending user; the evidence points at the user.
    let findings = [];
    for u in missing {{
        findings.push(fail("{id}", #{{ ja: `CRMユーザー ${{u.full_name}} (ID ${{u.id}}) にメールアドレスがありません。`,
                                       en: `CRM user ${{u.full_name}} (id ${{u.id}}) has no email address.` }}, u));
    }}
    findings
}}
"#
    )
}

fn example_cases(id: &str) -> Vec<(String, String, String)> {
    let export = |email: &str| {
        format!(
            r#"{{
  "crm": {{
    "users": {{ "users": [
      {{ "id": "5725767000000411001", "full_name": "Sato Haruto", "email": "haruto.sato@example.com", "status": "active" }},
      {{ "id": "5725767000000411002", "full_name": "Suzuki Yui", "email": {email}, "status": "active" }}
    ] }}
  }}
}}
"#
        )
    };
    vec![
        (
            "passes".to_owned(),
            export("\"yui.suzuki@example.com\""),
            expect(id, Status::Pass),
        ),
        (
            "fails".to_owned(),
            export("null"),
            format!(
                "{{ \"checks\": {{ \"{id}\": {{ \"status\": \"fail\", \"message\": \"Suzuki Yui\", \"evidence\": \"/crm/users/1\" }} }} }}\n"
            ),
        ),
        (
            "skips-without-users".to_owned(),
            "{ \"crm\": {} }\n".to_owned(),
            expect(id, Status::Skip),
        ),
    ]
}
