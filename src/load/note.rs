//! `Note`: something the loader learned that is not an error (a file it ignored, a list
//! cut short, a record kept once), with the data it names. Rules see the English text
//! (`meta.notes`); reports say it in the reader's language (`text(lang)`).

use super::LoadError;
use super::error::type_ja;
use super::raw::Origin;
use crate::bilingual::Lang;
use std::fmt;

/// Which setting named a Desk portal that is not among `desk.organizations`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortalNamedBy {
    /// `manifest.json`'s `desk.org_id`.
    Manifest,
    /// `integration.desk.org_id`.
    Integration,
}

/// One note of the loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Both `<stem>.json` and the page directory `<stem>/` exist; the file is read.
    ShadowedPageDir { file: String, dir: String },
    /// A page directory without a page file: the part counts as not exported.
    EmptyPageDir { dir: String, part: String },
    /// A file in a page directory that is no `*.json` page.
    NotAPageFile { file: String },
    /// A file or directory of a bundle that the export format does not know.
    UnknownFile { file: String },
    /// A key of a single-file export that the export format does not know.
    UnknownKey { file: String, key: String },
    /// The manifest is blank.
    ManifestEmpty { at: Origin },
    /// The manifest is no object.
    ManifestNotObject { at: Origin, found: &'static str },
    /// The manifest could not be read.
    ManifestUnreadable { error: LoadError },
    /// The manifest lists a path leading out of the export.
    ManifestPathOutside { rel: String },
    /// A file the manifest lists is gone.
    ManifestFileMissing { file: String },
    /// A file the manifest lists cannot be read; `io` is the system's words.
    ManifestCannotCheck { file: String, io: String },
    /// A file differs from the sha256 `collect` recorded.
    ManifestEdited { file: String },
    /// The manifest marks a part incomplete, with its reason when it gives one.
    ManifestIncomplete {
        /// The part the manifest marks incomplete.
        part: String,
        /// The manifest's reason; `None` when it gives none.
        reason: Option<String>,
    },
    /// The last page of a CRM list says `more_records: true`.
    MoreRecords {
        /// The last page.
        at: Origin,
        /// The list part (`crm.users`).
        part: String,
        /// How many records of the part were read.
        records: usize,
    },
    /// Records repeating an id read earlier in the same list, kept once.
    Repeated {
        /// Where the first repeat was read.
        at: Origin,
        /// The list part.
        part: String,
        /// How many records repeated an earlier id (each dropped, the first read kept).
        count: usize,
        /// The first few repeated ids.
        shown: Vec<String>,
    },
    /// The org response is empty.
    OrgEmpty { at: Origin },
    /// A setting names a Desk portal that was not exported.
    PortalNotFound {
        /// Which setting names it.
        by: PortalNamedBy,
        /// The portal's org id as the setting gives it.
        id: String,
        /// How many portals `desk.organizations` holds.
        exported: usize,
    },
    /// Several portals, none the default: `desk.organization` is not chosen.
    PortalNotChosen { ids: Vec<String>, count: usize },
}

impl Note {
    /// The note in `lang`.
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per kind, each in two languages"
    )]
    pub fn text(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        match self {
            Note::ShadowedPageDir { file, dir } if ja => format!(
                "{file} を読み込み、ページのフォルダー {dir} は読み込んでいません(両方があるため、ファイルを優先しています)。"
            ),
            Note::ShadowedPageDir { file, dir } => format!(
                "read {file} and ignored the page directory {dir} (both exist; the file wins)"
            ),
            Note::EmptyPageDir { dir, part } if ja => format!(
                "{dir} にページのファイル(*.json)がないため、{part} はエクスポートされていないものとして扱っています。"
            ),
            Note::EmptyPageDir { dir, part } => {
                format!("{dir} holds no *.json page file, so {part} counts as not exported")
            }
            Note::NotAPageFile { file } if ja => {
                format!("{file} はページのファイル(*.json)ではないため、読み込んでいません。")
            }
            Note::NotAPageFile { file } => format!("ignored {file}: not a *.json page file"),
            Note::UnknownFile { file } if ja => format!(
                "{file} はエクスポートの形式に含まれないため、読み込んでいません(export-format.md をご参照ください)。"
            ),
            Note::UnknownFile { file } => {
                format!("ignored {file}: not part of the export format (see export-format.md)")
            }
            Note::UnknownKey { file, key } if ja => format!(
                "{file}: キー `{key}` はエクスポートの形式に含まれないため、読み込んでいません(export-format.md をご参照ください)。"
            ),
            Note::UnknownKey { file, key } => format!(
                "{file}: ignored key `{key}`: not part of the export format (see export-format.md)"
            ),
            Note::ManifestEmpty { at } if ja => format!(
                "{} が空のため、使用していません(このファイルは `collect` が作成します)。",
                at.text(lang)
            ),
            Note::ManifestEmpty { at } => {
                format!("{at} is empty, so it was ignored (it is written by `collect`)")
            }
            Note::ManifestNotObject { at, found } if ja => format!(
                "{} がオブジェクトではなく{}のため、使用していません(このファイルは `collect` が作成します)。",
                at.text(lang),
                type_ja(found)
            ),
            Note::ManifestNotObject { at, found } => format!(
                "{at} holds {found}, not an object, so it was ignored (it is written by `collect`)"
            ),
            Note::ManifestUnreadable { error } if ja => format!(
                "{} manifest.json は使用せずに診断しています。",
                error.text(lang)
            ),
            Note::ManifestUnreadable { error } => {
                format!("{error}; manifest.json was ignored (the export is audited without it)")
            }
            Note::ManifestPathOutside { rel } if ja => format!(
                "manifest.json に記載の {rel} はエクスポート内のパスではないため、確認していません。"
            ),
            Note::ManifestPathOutside { rel } => format!(
                "manifest.json lists {rel}, which is not a path inside the export; not checked"
            ),
            Note::ManifestFileMissing { file } if ja => format!(
                "{file} は manifest.json に記載されていますが、エクスポートにありません(収集後に削除されましたか)。"
            ),
            Note::ManifestFileMissing { file } => format!(
                "{file} is listed in manifest.json but is not in the export (removed after collection?)"
            ),
            Note::ManifestCannotCheck { file, io } if ja => format!(
                "{file}: SHA-256を確認するために読み込めませんでした(システムからの情報: {io})。"
            ),
            Note::ManifestCannotCheck { file, io } => {
                format!("{file}: cannot read it to check its sha256 ({io})")
            }
            Note::ManifestEdited { file } if ja => format!(
                "{file} は `collect` が保存した時点のファイルと異なります(manifest.json のSHA-256と一致しません)。収集後に編集されたため、現在の内容で診断しています。"
            ),
            Note::ManifestEdited { file } => format!(
                "{file} differs from the file `collect` saved (sha256 in manifest.json): it was edited after collection and is audited as it is now"
            ),
            Note::ManifestIncomplete { part, reason } if ja => {
                let why = reason
                    .as_ref()
                    .map_or_else(|| "理由の記載なし".to_string(), |r| format!("理由: {r}"));
                format!(
                    "manifest.json では {part} が途中までとされています({why})。エクスポートされたレコードのみを確認しています。"
                )
            }
            Note::ManifestIncomplete { part, reason } => {
                let why = reason.as_deref().unwrap_or("no reason given");
                format!(
                    "manifest.json marks {part} incomplete ({why}); rules judge only the records that were exported"
                )
            }
            Note::MoreRecords { at, records, .. } if ja => format!(
                "{} のデータの続きがあります(more_records: true)。エクスポートされた {records} 件のみを確認しています。すべてのページをエクスポートしてください。",
                at.text(lang)
            ),
            Note::MoreRecords { at, part, records } => format!(
                "{at}: the last page of {part} says more_records: true, so the export stopped before the end of the list ({records} records read); rules judge only the records that were exported. Export every page to check them all"
            ),
            Note::Repeated {
                at,
                part,
                count,
                shown,
            } => {
                let more = count.saturating_sub(shown.len());
                let ids = shown.join(", ");
                if ja {
                    let more = if more > 0 {
                        format!(" ほか {more} 件")
                    } else {
                        String::new()
                    };
                    format!(
                        "{}: {part} の {count} 件のレコードは、同じ一覧の前のページで読み込んだIDと重複しているため(ページの重なり)、1件として扱っています: ID {ids}{more}",
                        at.text(Lang::Ja)
                    )
                } else {
                    let more = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    format!(
                        "{at}: {count} record(s) of {part} repeat an id read earlier in the same list (overlapping pages) and were kept once: id {ids}{more}"
                    )
                }
            }
            Note::OrgEmpty { at } if ja => format!(
                "{}: 組織のレスポンスが空のため、crm.org はないものとして扱っています。",
                at.text(lang)
            ),
            Note::OrgEmpty { at } => {
                format!("{at}: the org response is empty, so crm.org is absent")
            }
            Note::PortalNotFound { by, id, exported } if ja => {
                let by = match by {
                    PortalNamedBy::Manifest => "manifest.json の desk.org_id",
                    PortalNamedBy::Integration => "integration.json の desk.org_id",
                };
                format!(
                    "{by} は {id} ですが、desk.organizations(エクスポート {exported} 件)にこのIDの組織がありません。desk.organization は、次の優先順位の方法で選んでいます(export-format.md)。Deskのファイルをどのポータルからエクスポートしたかをご確認ください。"
                )
            }
            Note::PortalNotFound { by, id, exported } => {
                let by = match by {
                    PortalNamedBy::Manifest => "manifest.json's desk.org_id",
                    PortalNamedBy::Integration => "integration.desk.org_id",
                };
                format!(
                    "{by} is {id}, but desk.organizations holds no organization with that id ({exported} exported); desk.organization is chosen by the next rule (export-format.md): check which portal the Desk files came from"
                )
            }
            Note::PortalNotChosen { ids, count } if ja => format!(
                "desk.organizations には {count} 件のポータル({})があり、いずれも isDefault ではないため、desk.organization を選べません。Deskのファイルをエクスポートしたポータルを、integration.json の desk.org_id に記載してください。",
                ids.join(", ")
            ),
            Note::PortalNotChosen { ids, count } => format!(
                "desk.organizations holds {count} portals ({}) and none is marked isDefault, so desk.organization is not chosen; record the portal the Desk files were exported from as desk.org_id in integration.json",
                ids.join(", ")
            ),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_cut_short_reads_as_before_in_english_and_naturally_in_japanese() {
        let n = Note::MoreRecords {
            at: Origin::file("crm/contacts/page-002.json"),
            part: "crm.contacts".into(),
            records: 200,
        };
        assert_eq!(
            n.to_string(),
            "crm/contacts/page-002.json: the last page of crm.contacts says more_records: true, so \
             the export stopped before the end of the list (200 records read); rules judge only \
             the records that were exported. Export every page to check them all"
        );
        assert_eq!(
            n.text(Lang::Ja),
            "crm/contacts/page-002.json のデータの続きがあります(more_records: true)。\
             エクスポートされた 200 件のみを確認しています。すべてのページをエクスポートしてください。"
        );
    }

    #[test]
    fn repeated_ids_show_five_and_count_the_rest() {
        let n = Note::Repeated {
            at: Origin::file("t/page-2.json"),
            part: "desk.tickets".into(),
            count: 7,
            shown: ["1", "2", "3", "4", "5"].map(String::from).to_vec(),
        };
        assert_eq!(
            n.to_string(),
            "t/page-2.json: 7 record(s) of desk.tickets repeat an id read earlier in the same list \
             (overlapping pages) and were kept once: id 1, 2, 3, 4, 5 and 2 more"
        );
        assert!(n.text(Lang::Ja).ends_with("ID 1, 2, 3, 4, 5 ほか 2 件"));
    }
}
