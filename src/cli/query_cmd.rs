//! `query <PATH> <EXPR>`: evaluate Rhai against a loaded export with the rules' own
//! engine, helpers and limits, and print the result as JSON (secrets were redacted at load).

use super::CliError;
use super::args::QueryArgs;
use crate::bilingual::Lang;
use crate::engine::{self, node::Node};
use crate::load::{self, ExportKind, ExportSource, LoadOptions};
use crate::rules::run::on_rule_thread;
use rhai::{Dynamic, Scope};
use serde_json::Value;

/// Runs `query`: the value as JSON on stdout.
pub fn run(q: &QueryArgs) -> Result<u8, CliError> {
    let limits = super::limits(&q.limits)?;
    let audit_time = super::audit_time(q.now.as_deref())?;
    let kind = if q.path.is_dir() {
        ExportKind::Bundle
    } else {
        ExportKind::SingleFile
    };
    let source = ExportSource {
        path: q.path.clone(),
        display: q.path.display().to_string(),
        kind,
    };
    // `query` has no `--lang`: the load error is said in English.
    let doc = load::load(&source, &LoadOptions { audit_time }).map_err(|error| CliError::Load {
        error,
        lang: Lang::En,
    })?;
    let engine = engine::build(&limits);
    let result = on_rule_thread(|| {
        let mut scope = Scope::new();
        scope.push("doc", Node::root(&doc.root));
        engine::eval_bounded(&engine, &limits, &mut scope, &q.expr)
    })?;
    let json = to_json(&result);
    super::emit(
        None,
        &(serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"),
    )?;
    Ok(super::SUCCESS)
}

/// A rule-side value as JSON: document nodes as the JSON they hold, sets as sorted arrays.
pub fn to_json(d: &Dynamic) -> Value {
    if d.is_unit() {
        return Value::Null;
    }
    if let Some(n) = d.read_lock::<Node>() {
        return n.to_value().to_json();
    }
    if let Some(s) = d.read_lock::<engine::helpers::sets::KeySet>() {
        return s.sorted_texts().into_iter().map(Value::from).collect();
    }
    if let Some(ix) = d.read_lock::<engine::helpers::lists::Index>() {
        return ix
            .counts()
            .into_iter()
            .map(|(k, n)| (k, Value::from(n)))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    if let Some(a) = d.read_lock::<rhai::Array>() {
        return a.iter().map(to_json).collect();
    }
    if let Some(m) = d.read_lock::<rhai::Map>() {
        return m
            .iter()
            .map(|(k, v)| (k.to_string(), to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    if let Ok(b) = d.as_bool() {
        return Value::from(b);
    }
    if let Ok(i) = d.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = d.as_float() {
        return Value::from(f);
    }
    Value::from(d.to_string())
}
