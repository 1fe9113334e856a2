//! The report of `rules explain` (`render`): a rule's metadata as text, with what it says
//! about the built-in checks beyond their metadata: the order the FAQ gives the causes
//! in, and when each check passes, warns or fails (from rule-catalogue.md), in both
//! languages. A check not listed here (a rule of the user's own) is shown after these,
//! with its statuses only.

use super::words::{self, W};
use crate::bilingual::Lang;
use crate::rules::meta::{CheckMeta, RuleMeta};
use crate::status::Status;
use std::fmt::Write as _;

/// `rules explain`: rule `id` (read from `source`, as `rules list` names it) with its
/// title, description, the parts it reads, and each check in the FAQ's order of causes
/// with its statuses, severity, when it ends in each status and its remedy, in `lang`.
pub fn render(id: &str, source: &str, m: &RuleMeta, lang: Lang) -> String {
    let (h_needs, h_checks, h_remedy, h_source, h_severity) = match lang {
        Lang::En => (
            "Reads",
            "Checks (in the FAQ's order of causes)",
            "Remedy",
            "Source",
            "Severity",
        ),
        Lang::Ja => (
            "使うデータ",
            "確認項目(FAQに記載の原因の順)",
            "対応方法",
            "ファイル",
            "重要度",
        ),
    };
    let mut s = String::new();
    let _ = if m.faq == 0 {
        writeln!(s, "{id}: {}\n", m.title.get(lang))
    } else {
        writeln!(s, "{id} (FAQ {}): {}\n", m.faq, m.title.get(lang))
    };
    let _ = writeln!(s, "{}\n", m.description.get(lang));
    let _ = writeln!(
        s,
        "{h_needs}: {}",
        if m.needs.is_empty() {
            "-".to_owned()
        } else {
            m.needs.join(", ")
        }
    );
    let _ = writeln!(s, "{h_source}: {source}\n");
    let _ = writeln!(s, "{h_checks}:");
    // The FAQ's order of causes where it is known, then any other check by name.
    let order = order(id).unwrap_or(&[]);
    let mut checks: Vec<(&String, &CheckMeta)> = m.checks.iter().collect();
    checks.sort_by_key(|(name, _)| order.iter().position(|o| o == name).unwrap_or(usize::MAX));
    for (name, check) in checks {
        let statuses: Vec<&str> = check.statuses.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(s, "  {name}  [{}]", statuses.join(", "));
        let _ = writeln!(
            s,
            "    {h_severity}: {}",
            words::severity(check.severity).get(lang)
        );
        for (st, w) in when(name) {
            let _ = writeln!(s, "    {}: {}", words::status(*st).get(lang), w.get(lang));
        }
        let _ = writeln!(s, "    {h_remedy}: {}", check.remedy.get(lang));
    }
    s
}

/// The checks of a rule in the FAQ's cause order; `None` for a rule not built in.
pub fn order(rule: &str) -> Option<&'static [&'static str]> {
    Some(match rule {
        "integration-prerequisites" => &[
            "admin-profile",
            "api-user-active",
            "accounts-module",
            "single-desk-link",
            "link-integrity",
        ],
        "crm-edition-supports-integration" => &["edition", "desk-authorized"],
        _ => return None,
    })
}

macro_rules! w {
    ($en:literal, $ja:literal) => {
        W { en: $en, ja: $ja }
    };
}

/// When `check` of a built-in rule ends in each status.
pub fn when(check: &str) -> &'static [(Status, W)] {
    use Status::{Fail, Pass, Skip, Warn};
    match check {
        "admin-profile" => &[
            (
                Pass,
                w!(
                    "the user who configured the integration is an administrator, and an active administrator exists",
                    "連携を設定したユーザーが管理者で、有効な管理者がいる場合"
                ),
            ),
            (
                Warn,
                w!(
                    "the configuring user is not recorded or matches no user, while an active administrator exists",
                    "連携を設定したユーザーが記録されていない、または一致するユーザーがいない場合(有効な管理者はいる)"
                ),
            ),
            (
                Fail,
                w!(
                    "the configuring user is not an administrator, or no active administrator exists at all",
                    "連携を設定したユーザーが管理者でない場合、または有効な管理者が1人もいない場合"
                ),
            ),
            (
                Skip,
                w!(
                    "the CRM users were not exported",
                    "Zoho CRMのユーザーの一覧がエクスポートに含まれていない場合"
                ),
            ),
        ],
        "api-user-active" => &[
            (
                Pass,
                w!(
                    "the configuring user is active",
                    "連携を設定したユーザーが有効な場合"
                ),
            ),
            (
                Warn,
                w!(
                    "the configuring user is not among the CRM users",
                    "連携を設定したユーザーがZoho CRMのユーザーの中に見つからない場合"
                ),
            ),
            (
                Fail,
                w!(
                    "the configuring user is not active (its API key is invalid)",
                    "連携を設定したユーザーが有効でない場合(APIキーが無効)"
                ),
            ),
            (
                Skip,
                w!(
                    "the configuring user or the CRM users are not in the export",
                    "連携を設定したユーザー、またはZoho CRMのユーザーの一覧がエクスポートにない場合"
                ),
            ),
        ],
        "accounts-module" => &[
            (
                Pass,
                w!(
                    "Accounts is visible and its Account Name field is used and visible",
                    "[取引先]タブが有効で、[取引先名]の項目が使用可能な場合"
                ),
            ),
            (
                Warn,
                w!(
                    "Contacts or Deals is missing or hidden, or the Accounts fields were not exported",
                    "[連絡先]タブか[商談]タブがない、または無効な場合、または[取引先]タブの項目の一覧がない場合"
                ),
            ),
            (
                Fail,
                w!(
                    "Accounts is missing or hidden, or Account Name is missing, unused or hidden",
                    "[取引先]タブがない、または無効な場合、または[取引先名]の項目がない、使用していない、非表示の場合"
                ),
            ),
            (
                Skip,
                w!(
                    "the CRM modules were not exported",
                    "Zoho CRMのタブの一覧がエクスポートに含まれていない場合"
                ),
            ),
        ],
        "single-desk-link" => &[
            (
                Pass,
                w!(
                    "every recorded link id matches the exported organization",
                    "記録された連携先の組織IDが、エクスポートした組織のIDとすべて一致する場合"
                ),
            ),
            (
                Fail,
                w!(
                    "a recorded link id names another organization (already integrated)",
                    "記録された連携先の組織IDが別の組織を指している場合(すでに連携済み)"
                ),
            ),
            (
                Skip,
                w!(
                    "no link id is recorded, or its counterpart was not exported",
                    "連携先の組織IDが記録されていない場合、または比較する組織の情報がない場合"
                ),
            ),
        ],
        "link-integrity" => &[
            (
                Pass,
                w!(
                    "every Desk contact linked to CRM points at an existing CRM contact or lead",
                    "Zoho CRMと連携したZoho Deskの連絡先が、すべて既存のZoho CRMの連絡先または見込み客を指している場合"
                ),
            ),
            (
                Warn,
                w!(
                    "some point at records that do not exist (data may be corrupted)",
                    "存在しないレコードを指す連絡先がある場合(データの破損)"
                ),
            ),
            (
                Skip,
                w!(
                    "either contacts list is missing, or an incomplete list leaves nothing to judge",
                    "どちらかの連絡先の一覧がない場合、または一覧が途中までで判断できない場合"
                ),
            ),
        ],
        "custom-module-related-list" => &[
            (
                Pass,
                w!(
                    "every visible custom module has the Desk related list (or there is none)",
                    "表示されているすべてのカスタムタブでZoho Deskの関連リストが有効な場合(カスタムタブがない場合も含む)"
                ),
            ),
            (
                Warn,
                w!(
                    "some visible custom modules lack the Desk related list",
                    "Zoho Deskの関連リストが有効でないカスタムタブがある場合"
                ),
            ),
            (
                Skip,
                w!(
                    "the modules, or any record of the related lists, are not in the export",
                    "タブの一覧、または関連リストの情報がエクスポートにない場合"
                ),
            ),
        ],
        "ticket-department-access" => &[
            (
                Pass,
                w!(
                    "every active CRM user with a Desk agent can see every CRM-linked ticket",
                    "Zoho Deskの担当者でもある有効なZoho CRMのユーザー全員が、連携した問い合わせをすべて表示できる場合"
                ),
            ),
            (
                Warn,
                w!(
                    "a user cannot see tickets of departments the user is not in",
                    "ユーザーが所属していない部門の問い合わせを表示できない場合"
                ),
            ),
            (
                Skip,
                w!(
                    "tickets, agents, contacts or CRM users are not in the export",
                    "問い合わせ、担当者、連絡先、Zoho CRMのユーザーのいずれかの一覧がない場合"
                ),
            ),
        ],
        "edition" => &[
            (
                Pass,
                w!(
                    "the effective CRM edition includes the integration",
                    "Zoho CRMのプランが連携機能に対応している場合"
                ),
            ),
            (
                Warn,
                w!(
                    "the edition is not recognised, the paid plan has passed its expiry, or custom modules were hidden by the system after a downgrade",
                    "プランを判別できない場合、有料プランの有効期限が過ぎている場合、またはダウングレードでカスタムタブが非表示になった場合"
                ),
            ),
            (
                Fail,
                w!(
                    "the effective edition is Free (an expired trial included)",
                    "無料プランの場合(試用期間の終了後を含む)"
                ),
            ),
            (
                Skip,
                w!(
                    "the CRM organization was not exported",
                    "Zoho CRMの組織情報がエクスポートに含まれていない場合"
                ),
            ),
        ],
        "desk-authorized" => &[
            (
                Pass,
                w!(
                    "Desk has the CRM integration authorized for the portal",
                    "Zoho Deskでポータルに対して連携が認証されている場合"
                ),
            ),
            (
                Fail,
                w!(
                    "it is not authorized (the CRM plan was likely downgraded)",
                    "認証されていない場合(プランのダウングレードが考えられます)"
                ),
            ),
            (Skip, w!("it is not recorded", "記録されていない場合")),
        ],
        "contacts-have-email" => &[
            (
                Pass,
                w!(
                    "every CRM contact has an email address",
                    "Zoho CRMのすべての連絡先にメールアドレスが登録されている場合"
                ),
            ),
            (
                Warn,
                w!(
                    "some contacts have no email address",
                    "メールアドレスが登録されていない連絡先がある場合"
                ),
            ),
            (
                Skip,
                w!(
                    "the CRM contacts were not exported (or the list is incomplete)",
                    "Zoho CRMの連絡先の一覧がない場合(または途中までの場合)"
                ),
            ),
        ],
        "desk-tab-initialized" => &[
            (
                Pass,
                w!(
                    "at least one Desk ticket belongs to a contact linked to CRM",
                    "Zoho CRMと連携した連絡先の問い合わせが1件以上ある場合"
                ),
            ),
            (Warn, w!("no ticket does", "1件もない場合")),
            (
                Skip,
                w!(
                    "tickets or Desk contacts are not in the export",
                    "問い合わせ、またはZoho Deskの連絡先の一覧がない場合"
                ),
            ),
        ],
        "sync-running" => &[
            (Pass, w!("the sync is running", "同期が実行中の場合")),
            (
                Warn,
                w!(
                    "any other recorded status",
                    "それ以外の状態が記録されている場合"
                ),
            ),
            (
                Fail,
                w!(
                    "the sync is paused or stopped",
                    "同期が一時停止または停止している場合"
                ),
            ),
            (
                Skip,
                w!(
                    "the sync status is not recorded",
                    "同期の状態が記録されていない場合"
                ),
            ),
        ],
        "crm-delete-keeps-desk-records" => &[
            (
                Pass,
                w!(
                    "deleting in CRM keeps the Desk records",
                    "Zoho CRMで削除してもZoho Deskのデータを残す設定の場合"
                ),
            ),
            (
                Warn,
                w!(
                    "deleting in CRM also deletes in Desk, or the setting is not recorded (the default deletes)",
                    "Zoho Deskでも削除する設定の場合、または設定が記録されていない場合(初期設定では削除されます)"
                ),
            ),
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_check_says_when_it_passes_and_in_both_languages() {
        for check in [
            "admin-profile",
            "api-user-active",
            "accounts-module",
            "single-desk-link",
            "link-integrity",
            "custom-module-related-list",
            "ticket-department-access",
            "edition",
            "desk-authorized",
            "contacts-have-email",
            "desk-tab-initialized",
            "sync-running",
            "crm-delete-keeps-desk-records",
        ] {
            let w = when(check);
            assert!(w.iter().any(|(s, _)| *s == Status::Pass), "{check}");
            for (_, t) in w {
                assert!(
                    !t.ja.is_empty() && !t.en.is_empty() && t.ja != t.en,
                    "{check}"
                );
            }
        }
    }
}
