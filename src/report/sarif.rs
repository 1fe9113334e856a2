//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
//! Each rule's metadata is in `tool.driver.rules`; each finding that is not a pass is a
//! result (`fail`/`error` -> error, `warn` -> warning, `skip` -> note) located at the
//! file, line and column of its first evidence inside the export. Waived findings carry
//! a `suppressions` entry with the waiver's reason.

use super::Context;
use crate::locate::FileLocation;
use crate::severity::Severity;
use crate::status::Status;
use serde::Serialize;

/// The SARIF 2.1.0 schema the log names in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log with one run.
#[derive(Serialize)]
pub struct Log<'a> {
    /// `$schema`: always `SCHEMA`.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// The SARIF version: always `2.1.0`.
    pub version: &'static str,
    /// The one run of crmdesk-audit.
    pub runs: [Run<'a>; 1],
}

/// The run: the tool with its rules, the results, and how columns are counted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    /// crmdesk-audit and the descriptors of the rules that ran.
    pub tool: Tool<'a>,
    /// Every finding that is not a pass, and every export that could not be loaded.
    pub results: Vec<SarifResult<'a>>,
    /// Columns count characters, as the locator (and editors) do.
    pub column_kind: &'static str,
}

/// `tool`: its `driver`.
#[derive(Serialize)]
pub struct Tool<'a> {
    /// crmdesk-audit itself.
    pub driver: Driver<'a>,
}

/// `tool.driver`: name, version and the rules' descriptors.
#[derive(Serialize)]
pub struct Driver<'a> {
    /// Always `crmdesk-audit`.
    pub name: &'static str,
    /// The crmdesk-audit version (`CARGO_PKG_VERSION`).
    pub version: &'static str,
    /// One descriptor per rule of the catalogue, in catalogue order (`ruleIndex` counts in it).
    pub rules: Vec<Descriptor<'a>>,
}

/// A rule's descriptor; a rule that does not compile has only its id as description.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor<'a> {
    /// The rule id.
    pub id: &'a str,
    /// The rule id again (SARIF wants a name; the id is the rule's name).
    pub name: &'a str,
    /// The rule's title, in the report's language (the id for a rule that did not compile).
    pub short_description: Message<'a>,
    /// The rule's description, in the report's language; absent when it did not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Message<'a>>,
    /// Each check's remedy; absent when the rule did not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
    /// FAQ number and check names; absent when the rule did not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<RuleProperties<'a>>,
}

/// A SARIF message (or description): its `text`.
#[derive(Serialize)]
pub struct Message<'a> {
    /// The text, in the report's language.
    pub text: &'a str,
}

/// A rule's help: each check's remedy, as text and as a markdown list.
#[derive(Serialize)]
pub struct Help {
    /// One `check: remedy` line per check.
    pub text: String,
    /// The same lines as a markdown list.
    pub markdown: String,
}

/// A rule's properties: its FAQ number (0 beyond the FAQ) and its checks.
#[derive(Serialize)]
pub struct RuleProperties<'a> {
    /// The FAQ item the rule checks; 0 for a rule beyond the FAQ.
    pub faq: u32,
    /// The names of the rule's checks, sorted.
    pub checks: Vec<&'a str>,
}

/// A result: a finding that is not a pass, or an export that could not be loaded (which
/// has no fingerprints, properties or rule index).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    /// The rule id; `load` for an export that could not be loaded.
    pub rule_id: &'a str,
    /// `error` for fail and error, `warning` for warn, `note` for skip.
    pub level: &'static str,
    /// The finding's message followed by its remedy, or the loader's message.
    pub message: OwnedMessage,
    /// The place of the first evidence that has one, else the export itself at line 1.
    pub locations: [Location; 1],
    /// The finding's fingerprint; absent for an export that could not be loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_fingerprints: Option<Fingerprints<'a>>,
    /// What the finding is about; absent for an export that could not be loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<ResultProperties<'a>>,
    /// With `--baseline`: `unchanged` or `new`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<&'static str>,
    /// The index of the rule's descriptor in `tool.driver.rules`; absent for a load error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// A waiver in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<[Suppression; 1]>,
}

/// A message whose text is made for the report.
#[derive(Serialize)]
pub struct OwnedMessage {
    /// The text, in the report's language.
    pub text: String,
}

/// `partialFingerprints`: the finding's fingerprint.
#[derive(Serialize)]
pub struct Fingerprints<'a> {
    /// The finding's fingerprint (`Finding::fingerprint`), under the key `crmdeskFinding/v2`.
    #[serde(rename = "crmdeskFinding/v2")]
    pub finding: &'a str,
}

/// A finding's properties: its check, status, severity, export, evidence and entities.
#[derive(Serialize)]
pub struct ResultProperties<'a> {
    /// The check's name.
    pub check: &'a str,
    /// The finding's own status (before waivers and baseline).
    pub status: Status,
    /// The check's severity (META).
    pub severity: Severity,
    /// The export's path as given on the command line.
    pub export: &'a str,
    /// JSON Pointers into the loaded document.
    pub evidence: &'a [String],
    /// Entity keys of the records the evidence is about.
    pub entities: &'a [String],
}

/// A waiver as a SARIF suppression.
#[derive(Serialize)]
pub struct Suppression {
    /// Always `external`: the waiver lives outside the audited files.
    pub kind: &'static str,
    /// The waiver's reason, owner and last day.
    pub justification: String,
}

/// A location: a physical one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and the place in it.
    pub physical_location: PhysicalLocation,
}

/// A file (as a relative URI) and a place in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The place in the file.
    pub region: Region,
}

/// `artifactLocation`: the file's URI.
#[derive(Serialize)]
pub struct ArtifactLocation {
    /// The file's path as given, with forward slashes, without a leading `./`, spaces as `%20`.
    pub uri: String,
}

/// `region`: line and column, 1-based.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    pub start_line: usize,
    /// 1-based column, in characters (`columnKind` `unicodeCodePoints`).
    pub start_column: usize,
}

/// The SARIF log, pretty-printed, with a final line break.
pub fn render(cx: &Context) -> String {
    let lang = cx.lang;
    let rules: Vec<&crate::rules::Rule> = cx.catalogue.rules.iter().collect();
    let descriptors: Vec<Descriptor> = rules
        .iter()
        .map(|r| match &r.compiled {
            Ok(c) => {
                let remedies: Vec<String> = c
                    .meta
                    .checks
                    .iter()
                    .map(|(name, ch)| format!("{name}: {}", ch.remedy.get(lang)))
                    .collect();
                Descriptor {
                    id: &r.id,
                    name: &r.id,
                    short_description: Message {
                        text: c.meta.title.get(lang),
                    },
                    full_description: Some(Message {
                        text: c.meta.description.get(lang),
                    }),
                    help: Some(Help {
                        text: remedies.join("\n"),
                        markdown: remedies
                            .iter()
                            .map(|r| format!("- {r}"))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    }),
                    properties: Some(RuleProperties {
                        faq: c.meta.faq,
                        checks: c.meta.checks.keys().map(String::as_str).collect(),
                    }),
                }
            }
            Err(_) => Descriptor {
                id: &r.id,
                name: &r.id,
                short_description: Message { text: &r.id },
                full_description: None,
                help: None,
                properties: None,
            },
        })
        .collect();

    let mut results = Vec::new();
    for o in cx.outcomes {
        match &o.result {
            Err(e) => results.push(SarifResult {
                rule_id: "load",
                level: "error",
                message: OwnedMessage { text: e.text(lang) },
                locations: [location(&o.path, Some(&FileLocation::of_error(e)))],
                partial_fingerprints: None,
                properties: None,
                baseline_state: None,
                rule_index: None,
                suppressions: None,
            }),
            Ok(a) => {
                for r in &a.results {
                    let index = rules.iter().position(|x| x.id == r.rule);
                    for f in &r.findings {
                        let level = match f.status {
                            Status::Fail | Status::Error => "error",
                            Status::Warn => "warning",
                            Status::Skip => "note",
                            Status::Pass => continue,
                        };
                        results.push(SarifResult {
                            rule_id: &r.rule,
                            level,
                            message: OwnedMessage {
                                text: super::message_and_remedy(f, lang),
                            },
                            locations: [location(&o.path, cx.location(&o.path, f))],
                            partial_fingerprints: Some(Fingerprints {
                                finding: &f.fingerprint,
                            }),
                            properties: Some(ResultProperties {
                                check: &f.check,
                                status: f.status,
                                severity: f.severity,
                                export: &o.path,
                                evidence: &f.evidence,
                                entities: &f.entities,
                            }),
                            baseline_state: f
                                .baseline
                                .map(|b| if b.unchanged { "unchanged" } else { "new" }),
                            rule_index: index,
                            suppressions: f.waiver.as_ref().filter(|w| !w.expired).map(|w| {
                                [Suppression {
                                    kind: "external",
                                    justification: format!(
                                        "{} (owner {}, until {})",
                                        w.reason, w.owner, w.expires
                                    ),
                                }]
                            }),
                        });
                    }
                }
            }
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "crmdesk-audit",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// A physical location: where the evidence sits, else the export itself at line 1.
fn location(export: &str, at: Option<&FileLocation>) -> Location {
    let (file, line, column) = at.map_or((export, 1, 1), |p| (p.file.as_str(), p.line, p.column));
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region: Region {
                start_line: line.max(1),
                start_column: column.max(1),
            },
        },
    }
}

/// A relative URI with forward slashes (what code scanning matches against the repository).
fn uri(path: &str) -> String {
    path.trim_start_matches("./")
        .replace('\\', "/")
        .replace(' ', "%20")
}
