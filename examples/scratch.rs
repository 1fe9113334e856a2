use crmdesk_audit::doc::{Document, Value};
use crmdesk_audit::engine::{build, Limits, node::Node};
use crmdesk_audit::rules::{rule::{Rule, Origin}, run::run};
fn main() {
    let limits = Limits { timeout: std::time::Duration::from_secs(2), ..Limits::default() };
    let engine = build(&limits);
    let root = Value::from_json(&serde_json::json!({"crm": {"users": [{"id": "1", "email": "A@x.com", "status": "active"}, {"id": "2", "status": "inactive"}]}, "integration": {"crm": {"sync": {"status": " Paused "}}}}));
    let doc = Document { source: "x".into(), root: root.clone(), present: vec![], failed: Default::default(), notes: vec![] };
    let droot = Node::root(&root);
    let src = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let rule = Rule::compile(&engine, "scratch", Origin::Builtin, &src);
    let t = std::time::Instant::now();
    let r = std::thread::Builder::new().stack_size(64<<20).spawn(move || run(&engine, &limits, &rule, &doc, &droot)).unwrap().join().unwrap();
    println!("{:?} in {:?}", r.status, t.elapsed());
    for f in &r.findings { println!("  {} {} {} {:?}", f.check, f.status, f.message.en, f.evidence); }
    println!("output: {}", r.output);
}
