//! `integration.json`, the part no public API gives (export-format.md, "integration.json"):
//! the template `collect` writes (what is known filled in, `null` for the rest), the
//! checklist of UI screens to read the rest from, in Japanese (as a Zoho Japan support
//! engineer writes, with Zoho Japan's UI names) or English, and the questions `--ask`
//! puts, with the answers' parsing.
//!
//! The link ids are *expected* values, not answers: `desk.linked_crm_org_id` should be
//! the CRM org just collected, but whether Desk's screen shows it is exactly what the
//! `single-desk-link` check asks, so the template names it under `expected` and leaves
//! the key itself `null` until a person has read the screen.

use super::Summary;
use crate::bilingual::Lang;
use serde_json::{Value, json};

/// The values a person read from the UIs (`None`: not known, written as `null`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Integration {
    /// `crm.installed`: whether the integration is installed in CRM.
    pub installed: Option<bool>,
    /// `crm.configured_by`: the email or user id of the CRM user who configured it.
    pub configured_by: Option<String>,
    /// `crm.linked_desk_org_id`: the Desk org id CRM's screen shows it linked to.
    pub linked_desk_org_id: Option<String>,
    /// `crm.related_list_modules`: API names of the CRM modules selected for Desk's related lists.
    pub related_list_modules: Option<Vec<String>>,
    /// `crm.sync.status`: `running`, `paused` or `stopped`.
    pub sync_status: Option<String>,
    /// `desk.linked_crm_org_id`: the CRM org id Desk's screen shows it linked to.
    pub linked_crm_org_id: Option<String>,
    /// `desk.authorized`: false when Desk says the CRM integration is not authorized for the portal.
    pub authorized: Option<bool>,
    /// `desk.on_crm_delete`: `keep` or `delete`, what Desk does when a CRM contact/account is deleted.
    pub on_crm_delete: Option<String>,
}

/// The file's text.
pub fn render(i: &Integration, s: &Summary) -> String {
    let v = json!({
        "crm": {
            "installed": i.installed,
            "configured_by": i.configured_by,
            "linked_desk_org_id": i.linked_desk_org_id,
            "related_list_modules": i.related_list_modules,
            "sync": { "status": i.sync_status },
        },
        "desk": {
            "org_id": s.desk_org_id,
            "linked_crm_org_id": i.linked_crm_org_id,
            "authorized": i.authorized,
            "on_crm_delete": i.on_crm_delete,
        },
        "expected": {
            "crm.linked_desk_org_id": s.desk_org_id,
            "desk.linked_crm_org_id": s.crm_org_id,
        },
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

fn or_unknown(v: Option<&String>, lang: Lang) -> String {
    v.cloned().unwrap_or_else(|| match lang {
        Lang::Ja => "(取得できませんでした)".to_string(),
        Lang::En => "(not collected)".to_string(),
    })
}

/// The checklist printed after a collection: which screen, which value, which key.
pub fn checklist(s: &Summary, out: &str, lang: Lang) -> String {
    let crm_org = or_unknown(s.crm_org_id.as_ref(), lang);
    let desk_org = or_unknown(s.desk_org_id.as_ref(), lang);
    match lang {
        Lang::Ja => format!(
            "\
以下の設定はAPIでは取得できないため、お手数ですが各画面でご確認のうえ、
{out}/integration.json の null の箇所にご記入いただけますでしょうか。
(値は画面の表示どおり、日本語のままでも問題ございません)

1. Zoho CRM:[設定]→[マーケットプレイス]→[Zoho]→[Zoho Desk]
   ・Zoho Deskとの連携機能がインストールされているか
       → crm.installed(はい / いいえ)
   ・連携機能をインストール/設定したユーザー(メールアドレスまたはユーザーID)
       → crm.configured_by
   ・連携先のZoho Deskの組織ID
       → crm.linked_desk_org_id(今回エクスポートしたポータルの組織IDは {desk_org} です)
2. Zoho CRM:[設定]→[マーケットプレイス]→[Zoho]→[Zoho Desk]→[管理]
   ・関連リストの欄で、Zoho Deskの問い合わせを表示するタブとして選択されているタブ
       → crm.related_list_modules(API名の一覧。例: [\"Accounts\", \"Contacts\", \"Deals\"])
3. Zoho CRM:[設定]→[マーケットプレイス]→[Zoho]→[Zoho Desk]→[管理]→[同期設定]
   ・同期の状態
       → crm.sync.status(実行中 / 一時停止 / 停止)
4. Zoho Desk:[設定]→[マーケットプレイス]→[Zoho]→[Zoho CRM]
   ・連携先のZoho CRMの組織ID
       → desk.linked_crm_org_id(今回エクスポートしたZoho CRMの組織IDは {crm_org} です)
   ・「ポータルに対してCRM連携が認証されていません」という旨のエラーメッセージが表示されるか
       → desk.authorized(表示されない場合は はい、表示される場合は いいえ)
5. Zoho Desk:[設定]→[マーケットプレイス]→[Zoho]→[Zoho CRM]→[設定]
   ・各種設定の欄の「Zoho CRMの連絡先/取引先が削除された際にZoho Deskで行う処理」
       → desk.on_crm_delete([Deskで対応する連絡先/取引先を削除しない]の場合は 削除しない、
         それ以外の場合は 削除する)

desk.org_id(エクスポート元のポータル: {desk_org})は記入済みですので、変更なさらないようお願いいたします。
ご記入が終わりましたら、次のコマンドで診断できます: crmdesk-audit audit {out}
"
        ),
        Lang::En => format!(
            "\
These settings have no public API: please read them from the screens below and fill in
the nulls of {out}/integration.json (values may be written as the UI shows them).

1. Zoho CRM: Setup > Marketplace > Zoho > Zoho Desk
   - is the Zoho Desk integration installed?
       -> crm.installed (true / false)
   - the user who installed/configured it (email or user id)
       -> crm.configured_by
   - the Zoho Desk organization id it is linked to
       -> crm.linked_desk_org_id (the portal just exported is {desk_org})
2. Zoho CRM: Setup > Marketplace > Zoho > Zoho Desk > Manage
   - the modules selected in the related-list section (tabs that show Desk tickets)
       -> crm.related_list_modules (API names, e.g. [\"Accounts\", \"Contacts\", \"Deals\"])
3. Zoho CRM: Setup > Marketplace > Zoho > Zoho Desk > Manage > Sync settings
   - the sync status
       -> crm.sync.status (running / paused / stopped)
4. Zoho Desk: Setup > Marketplace > Zoho > Zoho CRM
   - the Zoho CRM organization id it is linked to
       -> desk.linked_crm_org_id (the CRM org just exported is {crm_org})
   - does Desk show \"CRM integration is not authorized for the portal\"?
       -> desk.authorized (false if it does, true if not)
5. Zoho Desk: Setup > Marketplace > Zoho > Zoho CRM > Settings
   - what Desk does when a CRM contact/account is deleted
       -> desk.on_crm_delete (keep if \"Do not delete the corresponding contact/account in
          Desk\" is selected, else delete)

desk.org_id (the portal exported: {desk_org}) is filled in; leave it as it is.
Then audit it: crmdesk-audit audit {out}
"
        ),
    }
}

/// What kind of value a question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Yes or no (`はい`/`いいえ` accepted too).
    Bool,
    /// Any text, kept as it is (trimmed).
    Text,
    /// A list separated by commas (`,` or `、`) or spaces, kept as an array of its items.
    List,
    /// One of these canonical values (Japanese UI words accepted too).
    Choice(&'static [&'static str]),
}

/// One `--ask` question.
#[derive(Clone, Copy, Debug)]
pub struct Question {
    /// The key in integration.json, e.g. `crm.sync.status`.
    pub key: &'static str,
    /// The question in Japanese, naming Zoho Japan's UI screens.
    pub ja: &'static str,
    /// The question in English.
    pub en: &'static str,
    /// What kind of answer it takes.
    pub kind: Kind,
}

/// Every `--ask` question, in the order asked: CRM's screens first, then Desk's.
pub const QUESTIONS: &[Question] = &[
    Question {
        key: "crm.installed",
        ja: "Zoho CRMの[設定]→[マーケットプレイス]→[Zoho]→[Zoho Desk]で、連携機能はインストールされていますか(はい/いいえ)",
        en: "Zoho CRM, Setup > Marketplace > Zoho > Zoho Desk: is the integration installed (yes/no)",
        kind: Kind::Bool,
    },
    Question {
        key: "crm.configured_by",
        ja: "同じ画面で、連携機能を設定したユーザーのメールアドレスまたはユーザーIDをご入力ください",
        en: "Same screen: the email or user id of the user who configured it",
        kind: Kind::Text,
    },
    Question {
        key: "crm.linked_desk_org_id",
        ja: "同じ画面で、連携先のZoho Deskの組織IDをご入力ください",
        en: "Same screen: the Zoho Desk organization id it is linked to",
        kind: Kind::Text,
    },
    Question {
        key: "crm.related_list_modules",
        ja: "[Zoho Desk]→[管理]の関連リストの欄で選択されているタブのAPI名を、カンマ区切りでご入力ください(例: Accounts,Contacts,Deals)",
        en: "Zoho Desk > Manage, related-list section: the selected modules' API names, comma-separated (e.g. Accounts,Contacts,Deals)",
        kind: Kind::List,
    },
    Question {
        key: "crm.sync.status",
        ja: "[Zoho Desk]→[管理]→[同期設定]の同期の状態をご入力ください(実行中/一時停止/停止)",
        en: "Zoho Desk > Manage > Sync settings: the sync status (running/paused/stopped)",
        kind: Kind::Choice(&["running", "paused", "stopped"]),
    },
    Question {
        key: "desk.linked_crm_org_id",
        ja: "Zoho Deskの[設定]→[マーケットプレイス]→[Zoho]→[Zoho CRM]で、連携先のZoho CRMの組織IDをご入力ください",
        en: "Zoho Desk, Setup > Marketplace > Zoho > Zoho CRM: the Zoho CRM organization id it is linked to",
        kind: Kind::Text,
    },
    Question {
        key: "desk.authorized",
        ja: "同じ画面で「ポータルに対してCRM連携が認証されていません」という旨のエラーが表示されていない場合は はい、表示されている場合は いいえ とご入力ください",
        en: "Same screen: answer yes if Desk does NOT show \"CRM integration is not authorized for the portal\", no if it does",
        kind: Kind::Bool,
    },
    Question {
        key: "desk.on_crm_delete",
        ja: "[Zoho CRM]→[設定]の各種設定の欄で、Zoho CRMの連絡先/取引先が削除された際の処理をご入力ください(削除しない/削除する)",
        en: "Zoho CRM > Settings: when a CRM contact/account is deleted, does Desk keep or delete its own (keep/delete)",
        kind: Kind::Choice(&["keep", "delete"]),
    },
];

impl Question {
    /// The question in `lang`.
    pub fn prompt(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }
}

/// Records an answer to `q` (trimmed; empty leaves the key `null`).
pub fn answer(
    i: &mut Integration,
    q: &Question,
    text: &str,
    lang: Lang,
) -> Result<(), AnswerError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(());
    }
    let invalid = |hint: &str| AnswerError {
        answer: t.to_owned(),
        expected: hint.to_owned(),
        lang,
    };
    let value = match q.kind {
        Kind::Bool => Value::Bool(yes_no(t).ok_or_else(|| invalid("はい/いいえ, yes/no"))?),
        Kind::Text => Value::String(t.to_string()),
        Kind::List => Value::Array(
            t.split([',', '、', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        Kind::Choice(options) => {
            let c = choice(t)
                .filter(|c| options.contains(c))
                .ok_or_else(|| invalid(&options.join("/")))?;
            Value::String(c.to_string())
        }
    };
    let text = value.as_str().map(str::to_string);
    let list = value.as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    match q.key {
        "crm.installed" => i.installed = value.as_bool(),
        "crm.configured_by" => i.configured_by = text,
        "crm.linked_desk_org_id" => i.linked_desk_org_id = text,
        "crm.related_list_modules" => i.related_list_modules = list,
        "crm.sync.status" => i.sync_status = text,
        "desk.linked_crm_org_id" => i.linked_crm_org_id = text,
        "desk.authorized" => i.authorized = value.as_bool(),
        "desk.on_crm_delete" => i.on_crm_delete = text,
        _ => {}
    }
    Ok(())
}

/// An answer that is none of the values a question takes; said in `lang`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerError {
    /// The answer, trimmed.
    pub answer: String,
    /// The values taken, as shown: `はい/いいえ, yes/no`, `keep/delete`.
    pub expected: String,
    /// The language to say it in.
    pub lang: Lang,
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (t, hint) = (&self.answer, &self.expected);
        match self.lang {
            Lang::Ja => write!(
                f,
                "「{t}」は読み取れませんでした。{hint} のいずれかでご入力ください(空欄で未記入のまま進みます)"
            ),
            Lang::En => write!(f, "`{t}` is not one of {hint} (leave it empty to skip)"),
        }
    }
}

impl std::error::Error for AnswerError {}

fn yes_no(t: &str) -> Option<bool> {
    match t.to_lowercase().as_str() {
        "y" | "yes" | "true" | "はい" | "有効" => Some(true),
        "n" | "no" | "false" | "いいえ" | "無効" => Some(false),
        _ => None,
    }
}

/// The canonical value of a status as people write it (export-format.md's synonyms).
fn choice(t: &str) -> Option<&'static str> {
    match t.to_lowercase().as_str() {
        "running" | "実行中" => Some("running"),
        "paused" | "一時停止" | "一時停止中" => Some("paused"),
        "stopped" | "停止" | "停止中" => Some("stopped"),
        "keep" | "削除しない" => Some("keep"),
        "delete" | "削除する" => Some("delete"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            data_centre: "jp".into(),
            crm_api_domain: String::new(),
            crm_org_id: Some("5725767000000020005".into()),
            desk_base_url: String::new(),
            desk_org_id: Some("2389290".into()),
            scopes: None,
            parts: vec![],
            stopped: None,
            requests_accounts: 0,
            requests_crm: 0,
            requests_desk: 0,
            requests_retried: 0,
        }
    }

    #[test]
    fn the_template_fills_in_the_portal_and_leaves_the_rest_null() {
        let v: Value =
            serde_json::from_str(&render(&Integration::default(), &summary())).expect("json");
        assert_eq!(v["desk"]["org_id"], "2389290");
        assert_eq!(v["desk"]["linked_crm_org_id"], Value::Null);
        assert_eq!(v["crm"]["sync"]["status"], Value::Null);
        assert_eq!(
            v["expected"]["desk.linked_crm_org_id"],
            "5725767000000020005"
        );
    }

    #[test]
    fn answers_are_read_as_the_ui_shows_them_in_either_language() {
        let mut i = Integration::default();
        let q = |k: &str| QUESTIONS.iter().find(|q| q.key == k).expect(k);
        answer(&mut i, q("crm.installed"), "はい", Lang::Ja).expect("yes");
        answer(&mut i, q("crm.sync.status"), "一時停止", Lang::Ja).expect("paused");
        answer(&mut i, q("desk.on_crm_delete"), " keep ", Lang::En).expect("keep");
        answer(
            &mut i,
            q("crm.related_list_modules"),
            "Accounts, Contacts,Deals",
            Lang::En,
        )
        .expect("list");
        answer(&mut i, q("desk.authorized"), "", Lang::En).expect("skipped");
        assert!(answer(&mut i, q("crm.sync.status"), "keep", Lang::En).is_err());
        assert_eq!(i.installed, Some(true));
        assert_eq!(i.sync_status.as_deref(), Some("paused"));
        assert_eq!(i.on_crm_delete.as_deref(), Some("keep"));
        assert_eq!(
            i.related_list_modules,
            Some(vec!["Accounts".into(), "Contacts".into(), "Deals".into()])
        );
        assert_eq!(i.authorized, None);
    }

    #[test]
    fn the_checklist_names_every_key_in_both_languages() {
        for lang in [Lang::Ja, Lang::En] {
            let text = checklist(&summary(), "x", lang);
            for q in QUESTIONS {
                assert!(text.contains(q.key), "{lang:?}: {}", q.key);
            }
            assert!(text.contains("5725767000000020005") && text.contains("2389290"));
        }
    }
}
