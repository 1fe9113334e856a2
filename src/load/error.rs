//! Why an export, a file of it, or one part of it could not be read, typed until the
//! edge: `LoadError` stops the export (with the file, line and column it happened at),
//! `Failure` stops one part (a rule needing it reports `error`). `Display` is the English
//! text; `text(lang)` says the same in the reader's language.

use super::raw::Origin;
use crate::bilingual::Lang;
use std::fmt;

/// What to pass on the command line, said when an input cannot be used.
const USAGE: &str = "give a bundle directory, an export .json file or a directory of exports";
const USAGE_JA: &str = "バンドルのフォルダー、エクスポートの .json ファイル、またはエクスポートをまとめたフォルダーを指定してください。";

/// Why an export (or a file in it) could not be read. `Display` gives
/// `file:line:column: message` (line and column when known), then what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or the command-line path) it happened in, as the user would write it.
    pub file: String,
    /// 1-based line in `file`; `None` when the error has no particular place.
    pub line: Option<usize>,
    /// 1-based column in `line` (set only with `line`).
    pub column: Option<usize>,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// What went wrong, with the data each message names. Texts with an `io` field carry the
/// system's own words (`std::io::Error`), which stay as the system wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// A directory where a JSON file is expected.
    IsDirectory,
    /// A named pipe, socket or device where a JSON file is expected (never read).
    NotRegularFile,
    /// A file of the export cannot be read.
    CannotReadFile {
        /// The system's own words.
        io: String,
    },
    /// A directory of the export cannot be listed.
    CannotReadDir {
        /// The system's own words.
        io: String,
    },
    /// The file is UTF-16, not UTF-8 (it starts with a byte-order mark or a zero byte).
    Utf16,
    /// The file is not valid UTF-8.
    NotUtf8 {
        /// The first byte that is not valid UTF-8.
        byte: u8,
    },
    /// The file ends inside a value; `what` is the parser's own words.
    CutShort {
        /// The parser's own words.
        what: String,
    },
    /// More text after the one JSON value a file may hold.
    Trailing,
    /// Nested deeper than 128 levels, which no Zoho API response is.
    TooDeep,
    /// An id past 2^53 written as a number; `what` is the loader's whole message.
    InexactId {
        /// The loader's whole message (it names the id and what to do).
        what: String,
    },
    /// Any other syntax error; `what` is the parser's own words.
    InvalidJson {
        /// The parser's own words.
        what: String,
    },
    /// A symbolic link inside the export to a file outside it (not followed).
    LinkOutsideExport {
        /// Where the link points.
        target: String,
    },
    /// A single-file export with no content.
    EmptySingleFile,
    /// A single-file export whose value is not an object.
    SingleNotObject {
        /// The JSON type found instead, as `Value::type_name` names it (`"an array"`).
        found: &'static str,
    },
    /// No key crm, desk or integration; `response_key` a key giving away one saved response.
    NotAnExport {
        /// A key of the file that marks it as one saved API response (`users`, `data`), if any.
        response_key: Option<&'static str>,
    },
    /// A command-line path that does not exist.
    NoSuchInput,
    /// A command-line path whose metadata cannot be read.
    CannotReadInput {
        /// The system's own words.
        io: String,
    },
    /// A command-line path that is neither a directory nor a `.json` file.
    NotJsonOrDir,
    /// A command-line directory that is no bundle and holds no export.
    HoldsNoExport,
    /// An entry of a directory of exports that cannot be read.
    CannotReadInBatch {
        /// The system's own words.
        io: String,
    },
    /// A symbolic link in a directory of exports to something outside it (not followed).
    LinkOutsideBatch {
        /// Where the link points.
        target: String,
    },
    /// A symbolic link in a directory of exports that cannot be followed (it points nowhere,
    /// or to what cannot be read).
    CannotFollowLink {
        /// The system's own words.
        io: String,
    },
}

impl LoadError {
    /// An error in `file` at no particular place.
    pub fn new(file: &str, kind: LoadErrorKind) -> LoadError {
        LoadError {
            file: file.to_string(),
            line: None,
            column: None,
            kind,
        }
    }

    /// An error at `line` and `column` of `file`.
    pub fn at(file: &str, line: usize, column: usize, kind: LoadErrorKind) -> LoadError {
        LoadError {
            line: Some(line),
            column: Some(column),
            ..LoadError::new(file, kind)
        }
    }

    /// The message without the place, in English.
    pub fn message(&self) -> String {
        self.kind.text(Lang::En)
    }

    /// `file:line:column: message` in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let mut out = self.file.clone();
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                out.push_str(&format!(":{col}"));
            }
        }
        out.push_str(": ");
        out.push_str(&self.kind.text(lang));
        out
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for LoadError {}

impl LoadErrorKind {
    /// The message, without the place, in `lang`.
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per kind, each in two languages"
    )]
    pub fn text(&self, lang: Lang) -> String {
        use LoadErrorKind as K;
        let ja = lang == Lang::Ja;
        match self {
            K::IsDirectory if ja => "JSONファイルがあるべき場所がフォルダーになっています。フォルダーの名前を変更するか、APIのレスポンスをこの名前で保存してください。".into(),
            K::IsDirectory => "is a directory, but a JSON file is expected here; rename the directory or save the API response under this name".into(),
            K::NotRegularFile if ja => "通常のファイルではない(名前付きパイプ、ソケット、デバイスなど)ため、読み込んでいません。エクスポートには保存したAPIのレスポンスだけを置き、保存したファイルに置き換えてください。".into(),
            K::NotRegularFile => "is not a regular file (a named pipe, socket or device), so it was not read; an export holds only saved API responses: replace it with the saved file".into(),
            K::CannotReadFile { io } if ja => format!("ファイルを読み込めません(システムからの情報: {io})。ファイルが存在すること、読み取りの権限があることをご確認ください。"),
            K::CannotReadFile { io } => format!("cannot read the file ({io}); check that it exists and that you may read it"),
            K::CannotReadDir { io } if ja => format!("フォルダーを読み込めません(システムからの情報: {io})。フォルダーが存在すること、読み取りの権限があることをご確認ください。"),
            K::CannotReadDir { io } => format!("cannot read the directory ({io}); check that it exists and that you may read it"),
            K::Utf16 if ja => "ファイルの文字コードがUTF-8ではなくUTF-16になっています(Windows PowerShellの `>` で保存した場合など)。`curl -o` または `Out-File -Encoding utf8` でAPIのレスポンスを保存し直してください。".into(),
            K::Utf16 => "the file is UTF-16 text (as Windows PowerShell's `>` writes it), not UTF-8; save the API response again with `curl -o` or `Out-File -Encoding utf8`".into(),
            K::NotUtf8 { byte } if ja => format!("ファイルが正しいUTF-8のテキストではありません(バイト 0x{byte:02X})。Zoho APIはUTF-8で応答するため、レスポンスの文字コードが変換されたか、ファイルが破損しています。変更せずに保存し直してください。"),
            K::NotUtf8 { byte } => format!("the file is not valid UTF-8 text (byte 0x{byte:02X}); the Zoho APIs answer in UTF-8, so the response was re-encoded or damaged: save it again, unchanged"),
            K::CutShort { what } if ja => format!("JSONの形式が正しくありません。ファイルが{}の途中で終わっています。ダウンロードの中断などでファイルが途中で切れています。APIのレスポンスを保存し直してください。", cut_in_ja(what)),
            K::CutShort { what } => format!("invalid JSON: the file ends in the middle of a value ({what}); it was cut short, e.g. by an interrupted download: save the API response again"),
            K::Trailing if ja => "JSONの形式が正しくありません。JSONの値の後にさらにテキストが続いています(1つのファイルに2つのレスポンスやログが含まれていませんか)。1つのファイルには1つのレスポンスだけを保存してください。".into(),
            K::Trailing => "invalid JSON: more text follows the end of the JSON value (two responses or a log line in one file?); keep exactly one response per file".into(),
            K::TooDeep if ja => "JSONの形式が正しくありません。Zoho APIのレスポンスではありえない、128階層を超える入れ子になっています。APIのレスポンスを保存し直してください。".into(),
            K::TooDeep => "invalid JSON: nested more than 128 levels deep, which no Zoho API response is; save the API response again".into(),
            K::InexactId { .. } if ja => "IDの値が大きすぎるか小数・指数の形で書かれているため、正確に読み込めません。IDは数値として扱うと桁が失われるため、引用符で囲んだ文字列として記載するか、APIのレスポンスを保存し直してください。".into(),
            K::InexactId { what } => what.clone(),
            K::InvalidJson { what } if ja => format!("JSONの形式が正しくありません{}。ファイルが破損しているか、手作業で編集されています。APIのレスポンスを保存し直してください。", syntax_ja(what).map(|w| format!("({w})")).unwrap_or_default()),
            K::InvalidJson { what } => format!("invalid JSON: {what} (the file is damaged or was edited by hand; save the API response again)"),
            K::LinkOutsideExport { target } if ja => format!("エクスポートの外にある {target} へのリンクのため、読み込んでいません。リンクではなく、ファイル自体をエクスポートにコピーしてください。"),
            K::LinkOutsideExport { target } => format!("is a link to {target}, outside the export, so it was not read; copy the file into the export instead of linking to it"),
            K::EmptySingleFile if ja => "ファイルが空です。1ファイル形式のエクスポートは、crm、desk、integration のキーを持つJSONオブジェクトです(export-format.md をご参照ください)。".into(),
            K::EmptySingleFile => "the file is empty; a single-file export is a JSON object with the keys crm, desk and integration (see export-format.md)".into(),
            K::SingleNotObject { found } if ja => format!("crm、desk、integration のキーを持つJSONオブジェクトが必要ですが、{}でした。1ファイル形式については export-format.md をご参照ください。", type_ja(found)),
            K::SingleNotObject { found } => format!("expected a JSON object with the keys crm, desk and integration, found {found}; see export-format.md for the single-file form"),
            K::NotAnExport { response_key } if ja => {
                let hint = match response_key {
                    Some(k) => format!("保存したAPIのレスポンス1つのように見えます(キー `{k}`)。バンドルのフォルダーに置く(例: crm/users.json)か、{{\"crm\": {{\"users\": ...}}}} のように包んでください。"),
                    None => "1ファイル形式については export-format.md をご参照ください。".to_string(),
                };
                format!("crm、desk、integration のいずれのキーもないため、エクスポートではありません。{hint}")
            }
            K::NotAnExport { response_key } => {
                let hint = match response_key {
                    Some(k) => format!("it looks like one saved API response (key `{k}`): put it into a bundle directory (e.g. as crm/users.json) or wrap it, e.g. {{\"crm\": {{\"users\": ...}}}}"),
                    None => "see export-format.md for the single-file form".to_string(),
                };
                format!("has none of the keys crm, desk and integration, so it is not an export; {hint}")
            }
            K::NoSuchInput if ja => format!("ファイルまたはフォルダーが見つかりません。{USAGE_JA}"),
            K::NoSuchInput => format!("no such file or directory; {USAGE}"),
            K::CannotReadInput { io } if ja => format!("読み込めません(システムからの情報: {io})。{USAGE_JA}"),
            K::CannotReadInput { io } => format!("cannot read it ({io}); {USAGE}"),
            K::NotJsonOrDir if ja => format!(".json ファイルでもフォルダーでもありません。{USAGE_JA}"),
            K::NotJsonOrDir => format!("is not a .json file or a directory; {USAGE}"),
            K::HoldsNoExport if ja => format!("エクスポートが含まれていません(crm/、desk/、integration.json のいずれかを持つバンドルのフォルダーも、.json ファイルもありません)。{USAGE_JA}"),
            K::HoldsNoExport => format!("holds no export: no bundle directory (one with crm/, desk/ or integration.json) and no .json file; {USAGE}"),
            K::CannotReadInBatch { io } if ja => format!("読み込めません(システムからの情報: {io})。存在すること、読み取りの権限があることをご確認ください。"),
            K::CannotReadInBatch { io } => format!("cannot read it ({io}); check that it exists and that you may read it"),
            K::LinkOutsideBatch { target } if ja => format!("エクスポートをまとめたフォルダーの外にある {target} へのリンクのため、診断していません。リンクではなく、エクスポート自体をフォルダーにコピーしてください。"),
            K::LinkOutsideBatch { target } => format!("is a link to {target}, outside the directory of exports, so it was not audited; copy the export into the directory instead of linking to it"),
            K::CannotFollowLink { io } if ja => format!("リンク先をたどれません(システムからの情報: {io})。リンクを修正するか削除してください。"),
            K::CannotFollowLink { io } => format!("cannot follow this link ({io}); fix or remove it"),
        }
    }
}

/// Why one part of an export cannot be used (`Document.failed`, `meta.failed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A saved API error body instead of data; `detail` is the API's message, clipped.
    ApiError {
        /// The page holding the error body.
        at: Origin,
        /// The API's `errorCode` (Desk) or `code` (CRM), clipped; `(none)` if it is no scalar.
        code: String,
        /// The API's message, clipped; `None` when the body has none.
        detail: Option<String>,
        /// The part to export again (`crm.users`).
        part: String,
    },
    /// A page that is neither an array nor a response holding one under `envelope`.
    NotAList {
        /// The page.
        at: Origin,
        /// The key the part's API response holds its records under (`users`, `data`).
        envelope: &'static str,
        /// The part to export again.
        part: String,
        /// The JSON type found instead (`Value::type_name`).
        found: &'static str,
    },
    /// The envelope key holds something other than an array.
    EnvelopeNotAnArray {
        /// The page and its envelope key.
        at: Origin,
        /// The part to export again.
        part: String,
        /// The JSON type found under the envelope key.
        found: &'static str,
    },
    /// Another part's response saved in this part's place.
    WrongResponse {
        /// The page.
        at: Origin,
        /// The envelope key of the response found (another part's).
        other: &'static str,
        /// The envelope key this part's response has.
        envelope: &'static str,
        /// The part to export again.
        part: String,
    },
    /// `crm.org` saved as an array whose first element is not the org object.
    OrgFirstNotObject {
        /// The page.
        at: Origin,
        /// The JSON type of the first element.
        found: &'static str,
    },
    /// `crm.org` is neither an object nor an array holding one.
    OrgNotObject {
        /// The page.
        at: Origin,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// The integration settings (`integration.json`) are not an object.
    IntegrationNotObject {
        /// The file (or key) holding them.
        at: Origin,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// A top-level section (`crm`, `desk`) of a single-file export is no object.
    SectionNotObject {
        /// The file and the section's key.
        at: Origin,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// `crm.fields` / `crm.related_lists` of a single-file export is no object.
    ModulesNotObject {
        /// The file and the key (`crm.fields`).
        at: Origin,
        /// The JSON type found instead.
        found: &'static str,
    },
}

impl Failure {
    /// The reason in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        use Failure as F;
        let ja = lang == Lang::Ja;
        let at = |o: &Origin| o.text(lang);
        match self {
            F::ApiError {
                at: o,
                code,
                detail,
                part,
            } if ja => {
                let detail = detail
                    .as_ref()
                    .map(|d| format!("、メッセージ「{d}」"))
                    .unwrap_or_default();
                format!(
                    "{}: データではなく、APIが返したエラー(コード {code}{detail})が保存されています。原因を解消してから、{part} を再度エクスポートしてください。",
                    at(o)
                )
            }
            F::ApiError {
                at: o,
                code,
                detail,
                part,
            } => {
                let detail = detail
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                format!(
                    "{}: holds a saved API error, code {code}{detail}, not data; fix the cause and export {part} again",
                    at(o)
                )
            }
            F::NotAList {
                at: o,
                envelope,
                part,
                found,
            } if ja => format!(
                "{}: 配列(または `{envelope}` の下に配列を持つAPIのレスポンス)が必要ですが、{}でした。{part} を再度エクスポートしてください。",
                at(o),
                type_ja(found)
            ),
            F::NotAList {
                at: o,
                envelope,
                part,
                found,
            } => format!(
                "{}: expected an array (or the API response holding one under `{envelope}`), found {found}; export {part} again",
                at(o)
            ),
            F::EnvelopeNotAnArray { at: o, part, found } if ja => format!(
                "{}: 配列が必要ですが、{}でした。{part} を再度エクスポートしてください。",
                at(o),
                type_ja(found)
            ),
            F::EnvelopeNotAnArray { at: o, part, found } => format!(
                "{}: expected an array, found {found}; export {part} again",
                at(o)
            ),
            F::WrongResponse {
                at: o,
                other,
                envelope,
                part,
            } if ja => format!(
                "{}: `{envelope}` のレスポンスがあるべき場所に、`{other}` のレスポンスが保存されています(別のAPIのレスポンスを保存しています)。{part} を再度エクスポートしてください。",
                at(o)
            ),
            F::WrongResponse {
                at: o,
                other,
                envelope,
                part,
            } => format!(
                "{}: holds a `{other}` response where a `{envelope}` response is expected (the wrong API response was saved here); export {part} again",
                at(o)
            ),
            F::OrgFirstNotObject { at: o, found } if ja => format!(
                "{}: 最初の要素として組織のオブジェクトが必要ですが、{}でした。crm.org を再度エクスポートしてください。",
                at(o),
                type_ja(found)
            ),
            F::OrgFirstNotObject { at: o, found } => format!(
                "{}: expected the org object as the first element, found {found}; export crm.org again",
                at(o)
            ),
            F::OrgNotObject { at: o, found } if ja => format!(
                "{}: オブジェクト(またはそれを持つ配列)が必要ですが、{}でした。crm.org を再度エクスポートしてください。",
                at(o),
                type_ja(found)
            ),
            F::OrgNotObject { at: o, found } => format!(
                "{}: expected an object (or an array holding one), found {found}; export crm.org again",
                at(o)
            ),
            F::IntegrationNotObject { at: o, found } if ja => format!(
                "{}: オブジェクトが必要ですが、{}でした(export-format.md の integration.json をご参照ください)。ファイルを修正してください。",
                at(o),
                type_ja(found)
            ),
            F::IntegrationNotObject { at: o, found } => format!(
                "{}: expected an object (see integration.json in export-format.md), found {found}; fix the file",
                at(o)
            ),
            F::SectionNotObject { at: o, found } if ja => format!(
                "{}: オブジェクトが必要ですが、{}でした。ファイルを修正してください。",
                at(o),
                type_ja(found)
            ),
            F::SectionNotObject { at: o, found } => {
                format!("{}: expected an object, found {found}; fix the file", at(o))
            }
            F::ModulesNotObject { at: o, found } if ja => format!(
                "{}: 各モジュールのAPI名とそのレスポンスを対応づけるオブジェクトが必要ですが、{}でした。ファイルを修正してください。",
                at(o),
                type_ja(found)
            ),
            F::ModulesNotObject { at: o, found } => format!(
                "{}: expected an object mapping each module's api_name to its response, found {found}; fix the file",
                at(o)
            ),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Where a file cut short ends, in Japanese, from `serde_json`'s words for it ("EOF while
/// parsing a list").
fn cut_in_ja(what: &str) -> &'static str {
    match what.strip_prefix("EOF while parsing ") {
        Some("a list") => "配列",
        Some("an object") => "オブジェクト",
        Some("a string") => "文字列",
        _ => "値",
    }
}

/// `serde_json`'s words for a syntax error (its `ErrorCode` messages), in Japanese; `None`
/// for words it may add later, which a Japanese reader is then not shown (the place, line
/// and column, still is).
fn syntax_ja(what: &str) -> Option<&'static str> {
    Some(match what {
        "expected `:`" => "キーの後に「:」がありません",
        "expected `,` or `]`" => "配列の要素の後に「,」または「]」がありません",
        "expected `,` or `}`" => "オブジェクトの項目の後に「,」または「}」がありません",
        "expected ident" => "true、false、null のいずれかが正しく書かれていません",
        "expected value" => "値があるべき位置に値がありません",
        "expected `\"`" => "キーの始まりに「\"」がありません",
        "invalid escape" => "文字列の「\\」の後に使えない文字があります",
        "invalid number" => "数値の書き方が正しくありません",
        "number out of range" => "数値が大きすぎます",
        "invalid unicode code point" | "lone leading surrogate in hex escape" => {
            "文字列の「\\u」で書かれた文字が正しくありません"
        }
        "unexpected end of hex escape" => "文字列の「\\u」の後の4桁の16進数が途中で終わっています",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "文字列の中に改行やタブなどの制御文字がそのまま含まれています"
        }
        "key must be a string" => "キーが「\"」で囲まれた文字列になっていません",
        "trailing comma" => "最後の要素の後に余分な「,」があります",
        _ => return None,
    })
}

/// A JSON type as `Value::type_name` names it, in Japanese.
pub(crate) fn type_ja(name: &str) -> &str {
    match name {
        "a boolean" => "真偽値",
        "a number" => "数値",
        "a string" => "文字列",
        "an array" => "配列",
        "an object" => "オブジェクト",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_text_is_the_place_then_the_message_and_japanese_keeps_the_place() {
        let e = LoadError::at(
            "desk/agents.json",
            66,
            24,
            LoadErrorKind::InvalidJson {
                what: "expected `,` or `}`".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "desk/agents.json:66:24: invalid JSON: expected `,` or `}` (the file is damaged or \
             was edited by hand; save the API response again)"
        );
        assert!(
            e.text(Lang::Ja)
                .starts_with("desk/agents.json:66:24: JSONの形式が正しくありません"),
            "{}",
            e.text(Lang::Ja)
        );
        let e = LoadError::new("x", LoadErrorKind::NoSuchInput);
        assert_eq!(
            e.to_string(),
            "x: no such file or directory; give a bundle directory, an export .json file or a \
             directory of exports"
        );
    }

    #[test]
    fn a_saved_api_error_reads_the_same_in_english_and_names_code_and_message_in_japanese() {
        let f = Failure::ApiError {
            at: Origin::key("x.json", "crm.users"),
            code: "INVALID_TOKEN".into(),
            detail: Some("invalid oauth token".into()),
            part: "crm.users".into(),
        };
        assert_eq!(
            f.to_string(),
            "x.json, key `crm.users`: holds a saved API error, code INVALID_TOKEN (invalid oauth \
             token), not data; fix the cause and export crm.users again"
        );
        assert_eq!(
            f.text(Lang::Ja),
            "x.json のキー `crm.users`: データではなく、APIが返したエラー(コード INVALID_TOKEN、\
             メッセージ「invalid oauth token」)が保存されています。原因を解消してから、crm.users \
             を再度エクスポートしてください。"
        );
    }
}
