//! The message catalogue of the human formats: every fixed word or sentence the binary
//! prints in a report (table, markdown, html), in English and Japanese, in one place.
//! A word added in one language only is a compile error (both fields are required), and
//! a Japanese text left empty, left in English, or holding a stray English word is a test
//! failure (`every_word_has_a_native_japanese_text` below).

use crate::bilingual::Lang;
use crate::severity::Severity;
use crate::status::Status;

/// One entry: the same thing said in each language.
#[derive(Clone, Copy, Debug)]
pub struct W {
    /// The English text.
    pub en: &'static str,
    /// The Japanese text.
    pub ja: &'static str,
}

impl W {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }
}

/// Whole sentences of the catalogue said one after another: Japanese runs them together,
/// English puts a space between them.
pub fn sentences(parts: &[W], lang: Lang) -> String {
    let sep = match lang {
        Lang::En => " ",
        Lang::Ja => "",
    };
    parts
        .iter()
        .map(|w| w.get(lang))
        .collect::<Vec<_>>()
        .join(sep)
}

macro_rules! words {
    ($($(#[$doc:meta])* $name:ident = $en:literal, $ja:literal;)*) => {
        $($(#[$doc])* pub const $name: W = W { en: $en, ja: $ja };)*
        /// Every entry, by name, for the catalogue's own tests.
        pub const ALL: &[(&str, W)] = &[$((stringify!($name), $name)),*];
    };
}

words! {
    // Statuses as a person reads them (JSON keeps pass/warn/fail/skip/error).
    PASS = "pass", "問題なし";
    WARN = "warn", "要確認";
    FAIL = "fail", "要対応";
    SKIP = "skip", "未確認";
    ERROR = "error", "エラー";
    WAIVED = "waived", "免除";
    WAIVER_EXPIRED = "waiver expired", "免除の期限切れ";
    // Against a baseline (`--baseline`): already known, or new since it was saved.
    BASELINE_UNCHANGED = "known", "既知";
    BASELINE_NEW = "new", "新規";
    // Severities of a check (META `severity`), shown after a warn or fail.
    SEVERITY_CRITICAL = "critical", "重大";
    SEVERITY_HIGH = "high", "高";
    SEVERITY_MEDIUM = "medium", "中";
    SEVERITY_LOW = "low", "低";
    SEVERITY_INFO = "info", "情報";

    // Table and markdown column heads.
    COL_FAQ = "FAQ", "FAQ";
    COL_RULE = "Rule", "確認内容";
    COL_CHECK = "Check", "確認項目";
    COL_STATUS = "Status", "結果";
    COL_MESSAGE = "Message", "内容";
    WHAT_TO_DO = "What to do", "対応方法";
    EVIDENCE = "Evidence", "根拠";

    // Headings and labels.
    REPORT_TITLE = "Zoho CRM - Zoho Desk integration audit", "Zoho CRMとZoho Deskの連携の診断結果";
    CANNOT_LOAD = "The export could not be loaded.", "エクスポートを読み込めませんでした。";
    CANNOT_LOAD_WHAT = "Check that the path names an export (a bundle directory or an export .json file) and that its files are complete, then audit again.", "指定したパスがエクスポート(フォルダーまたはエクスポートのJSONファイル)であること、ファイルが欠けていないことをご確認のうえ、再度診断してください。";
    CANNOT_LOAD_IN_APPENDIX = "The reader's own words are in the appendix.", "読み込み時の詳しい情報は付録に記載しています。";
    CANNOT_LOAD_BELOW = "The reader's own words follow.", "読み込み時の詳しい情報は、下の技術メモに記載しています。";
    NOTE = "note", "技術メモ";
    ENGINEER_NOTES = "Notes for the engineer (as the reader wrote them)", "技術メモ(担当エンジニア向け・読み込み処理からの情報)";
    PROBLEMS = "Problems found", "対応が必要な項目";
    NO_PROBLEMS = "No problem was found among the checks that ran.", "実施した確認では、問題は見つかりませんでした。";
    NOT_CHECKED = "Checks that could not run", "確認できなかった項目";
    NOT_CHECKED_WHY = "The export lacks the data these checks need. Each item says which data, and how to include it.", "以下の項目は、必要なデータがエクスポートに含まれていないため確認できませんでした。項目ごとに、不足しているデータと、その含め方を記載しています。";
    PASSED = "Checks that passed", "問題のなかった項目";
    APPENDIX = "Appendix: evidence and technical details", "付録: 根拠と技術情報";
    APPENDIX_WHY = "For the engineer: where each finding was read in the export's files.", "担当エンジニア向けの情報です。各結果の根拠となったデータの、エクスポート内の位置を示します。";
    FOUND = "What was found", "確認結果";
    STEPS = "What to do", "対応方法";
    ORG = "CRM organization", "Zoho CRMの組織";
    ORG_ID = "CRM organization ID", "Zoho CRMの組織ID";
    PORTAL = "Desk portal", "Zoho Deskのポータル";
    PORTAL_ID = "Desk organization ID", "Zoho Deskの組織ID";
    AUDITED_AT = "Audited at", "診断日時";
    EXPORT = "Export", "エクスポート";
    UNKNOWN = "not in the export", "エクスポートに含まれていません";
    TOOL = "Tool", "ツール";
    RULES_HASH = "Rules (SHA-256)", "ルールのハッシュ値(SHA-256)";
    WAIVERS = "Waivers applied", "適用した免除";
    NO_WAIVERS = "none", "なし";
    WAIVER_UNMATCHED = "matched no finding", "該当する結果がありません";
    FILE = "File", "ファイル";
    POINTER = "Pointer", "データの位置";
    NOT_LOCATED = "not located", "位置を特定できません";
    CLIPPED = "characters not shown", "文字を省略しました";
    /// `{0}`: the part (`desk.tickets`).
    PART_NOT_LOADED = "{0}, which this check needs, could not be read from the export, so the check did not run. Fix the cause and export {0} again.", "この確認に必要なデータ({0})をエクスポートから読み込めなかったため、確認できませんでした。原因を解消してから、再度エクスポートしてください。";
    /// `{0}`: the part (`desk.tickets`).
    SAVED_API_ERROR = "The export holds an error the Zoho API returned instead of {0}. Fix the cause (e.g. the token's scopes) and export it again.", "エクスポートには、データ({0})の代わりに、Zoho APIが返したエラーが保存されています。原因(アクセストークンの権限など)を解消してから、再度エクスポートしてください。";
    /// `{0}`: the parts (`crm.contacts, desk.tickets`).
    TRUNCATED = "These lists were exported only in part: {0}. The checks judged the records exported; export every page and audit again to check them all.", "次の一覧は途中までしかエクスポートされていません: {0}。確認の対象は、エクスポートされたレコードのみです。すべてのページをエクスポートしてから、再度診断してください。";
    TECHNICAL = "Technical detail", "技術情報";
    // `diff`: a column head, a word for how a check moved, the summary line.
    DIFF_TITLE = "diff", "比較結果";
    DIFF_CHANGE = "change", "変化";
    DIFF_FAQ = "FAQ", "FAQ";
    DIFF_RULE = "rule", "ルール";
    DIFF_CHECK = "check", "確認項目";
    DIFF_BEFORE = "before", "変更前";
    DIFF_AFTER = "after", "変更後";
    DIFF_WORSE = "worse", "悪化";
    DIFF_BETTER = "better", "改善";
    DIFF_CHANGED = "changed", "変化あり";
    DIFF_SAME = "same", "変化なし";
    /// `{0}` worse, `{1}` better, `{2}` changed, `{3}` unchanged.
    DIFF_SUMMARY = "{0} worse, {1} better, {2} changed, {3} unchanged", "悪化 {0}件、改善 {1}件、変化あり {2}件、変化なし {3}件";
    // `diff`, finding by finding (by fingerprint): a heading, column heads, kinds, summary.
    DIFF_FINDINGS = "Findings by identity", "結果ごとの比較";
    DIFF_KIND = "finding", "比較";
    DIFF_STATUS = "status", "結果";
    DIFF_ENTITIES = "entities", "対象のデータ";
    DIFF_NEW = "new", "新規";
    DIFF_FIXED = "fixed", "解消";
    DIFF_PERSISTING = "persisting", "継続";
    DIFF_STATUS_CHANGED = "status changed", "結果が変化";
    /// `{0}` new, `{1}` fixed, `{2}` persisting, `{3}` status changes.
    DIFF_FINDINGS_SUMMARY = "{0} new, {1} fixed, {2} persisting, {3} status changes", "新規 {0}件、解消 {1}件、継続 {2}件、結果の変化 {3}件";
    /// `{0}`: the path given; `{1}`: how many exports it holds.
    DIFF_NOT_ONE = "{0}: holds {1} exports; diff compares one export with one export", "{0}: エクスポートが {1}件含まれています。比較できるのは、1つのエクスポート同士です。";
    RULE_BROKE = "The check itself broke; the audit of this item is not valid. Tell the engineer who runs the audit.", "確認の処理自体でエラーが発生したため、この項目の結果は無効です。診断を実施した担当者にお知らせください。";
}

/// The word for a status in human formats.
pub fn status(s: Status) -> W {
    match s {
        Status::Pass => PASS,
        Status::Warn => WARN,
        Status::Fail => FAIL,
        Status::Skip => SKIP,
        Status::Error => ERROR,
    }
}

/// The word for a severity in human formats.
pub fn severity(s: Severity) -> W {
    match s {
        Severity::Critical => SEVERITY_CRITICAL,
        Severity::High => SEVERITY_HIGH,
        Severity::Medium => SEVERITY_MEDIUM,
        Severity::Low => SEVERITY_LOW,
        Severity::Info => SEVERITY_INFO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Latin words a Japanese text may hold: product names and abbreviations Zoho Japan
    /// writes in Latin letters.
    pub(crate) const LATIN_OK: &[&str] = &[
        "Zoho", "CRM", "Desk", "FAQ", "ID", "SHA", "JSON", "API", "One", "Plus", "URL",
    ];

    #[test]
    fn every_word_has_a_native_japanese_text() {
        for (name, w) in ALL {
            assert!(!w.en.trim().is_empty(), "{name}: no English text");
            assert!(!w.ja.trim().is_empty(), "{name}: no Japanese text");
            for word in
                w.ja.split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|s| !s.is_empty())
            {
                assert!(
                    LATIN_OK.contains(&word),
                    "{name}: `{word}` in the Japanese text {:?} is not Japanese",
                    w.ja
                );
            }
            if w.en != "FAQ" {
                assert_ne!(w.en, w.ja, "{name}: the Japanese text is the English one");
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
