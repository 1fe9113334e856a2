//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
//! Each rule's metadata is in `tool.driver.rules`; each finding that is not a pass is a
//! result (`fail`/`error` -> error, `warn` -> warning, `skip` -> note) located at the
//! file, line and column of its first evidence inside the export. Waived findings carry
//! a `suppressions` entry with the waiver's reason.

use super::{Context, Place};
use crate::severity::Severity;
use crate::status::Status;
use serde::Serialize;

/// The SARIF 2.1.0 schema the log names in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log with one run.
#[derive(Serialize)]
pub struct Log<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: [Run<'a>; 1],
}

/// The run: the tool with its rules, the results, and how columns are counted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Tool<'a>,
    pub results: Vec<SarifResult<'a>>,
    /// Columns count characters, as the locator (and editors) do.
    pub column_kind: &'static str,
}

/// `tool`: its `driver`.
#[derive(Serialize)]
pub struct Tool<'a> {
    pub driver: Driver<'a>,
}

/// `tool.driver`: name, version and the rules' descriptors.
#[derive(Serialize)]
pub struct Driver<'a> {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: Vec<Descriptor<'a>>,
}

/// A rule's descriptor; a rule that does not compile has only its id as description.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub short_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<RuleProperties<'a>>,
}

/// A SARIF message (or description): its `text`.
#[derive(Serialize)]
pub struct Message<'a> {
    pub text: &'a str,
}

/// A rule's help: each check's remedy, as text and as a markdown list.
#[derive(Serialize)]
pub struct Help {
    pub text: String,
    pub markdown: String,
}

/// A rule's properties: its FAQ number (0 beyond the FAQ) and its checks.
#[derive(Serialize)]
pub struct RuleProperties<'a> {
    pub faq: u32,
    pub checks: Vec<&'a str>,
}

/// A result: a finding that is not a pass, or an export that could not be loaded (which
/// has no fingerprints, properties or rule index).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    pub rule_id: &'a str,
    pub level: &'static str,
    pub message: OwnedMessage,
    pub locations: [Location; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_fingerprints: Option<Fingerprints<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<ResultProperties<'a>>,
    /// With `--baseline`: `unchanged` or `new`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// A waiver in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<[Suppression; 1]>,
}

/// A message whose text is made for the report.
#[derive(Serialize)]
pub struct OwnedMessage {
    pub text: String,
}

/// `partialFingerprints`: the finding's fingerprint.
#[derive(Serialize)]
pub struct Fingerprints<'a> {
    #[serde(rename = "crmdeskFinding/v2")]
    pub finding: &'a str,
}

/// A finding's properties: its check, status, severity, export, evidence and entities.
#[derive(Serialize)]
pub struct ResultProperties<'a> {
    pub check: &'a str,
    pub status: Status,
    pub severity: Severity,
    pub export: &'a str,
    pub evidence: &'a [String],
    pub entities: &'a [String],
}

/// A waiver as a SARIF suppression.
#[derive(Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub justification: String,
}

/// A location: a physical one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

/// A file (as a relative URI) and a place in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

/// `artifactLocation`: the file's URI.
#[derive(Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

/// `region`: line and column, 1-based.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
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
                locations: [location(&o.path, Some(&Place::of_error(e)))],
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
                            locations: [location(&o.path, cx.place(&o.path, f))],
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

/// A physical location: the evidence's place, else the export itself at line 1.
fn location(export: &str, place: Option<&Place>) -> Location {
    let (file, line, column) =
        place.map_or((export, 1, 1), |p| (p.file.as_str(), p.line, p.column));
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
