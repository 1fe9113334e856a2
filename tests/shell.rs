//! `completions` and `man` come from the parser's own definitions: the bash script parses,
//! every shell gets a script naming the commands, and the manual page renders.

mod common;

use common::run;

#[test]
fn the_bash_completion_parses_and_knows_every_command_and_flag() {
    let r = run(&["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for word in [
        "audit",
        "rules",
        "query",
        "diff",
        "collect",
        "--fail-on",
        "--max-memory",
        "--format",
    ] {
        assert!(r.stdout.contains(word), "no {word} in the bash completion");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("c.bash");
    std::fs::write(&path, &r.stdout).expect("write");
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash is needed to check the completion script (.ci/install-deps)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("collect"), "{shell}");
    }
    assert_eq!(
        run(&["completions", "tcsh"]).code,
        2,
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_manual_page_renders_with_its_commands() {
    let r = run(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH crmdesk-audit"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains(".SH NAME") && r.stdout.contains(".SH SUBCOMMANDS"));
    // Rendered as a reader sees it, where the machine has a formatter.
    let dir = tempfile::tempdir().expect("tmp");
    let page = dir.path().join("crmdesk-audit.1");
    std::fs::write(&page, &r.stdout).expect("write");
    if let Ok(out) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-P-cbou"])
        .arg(&page)
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("NAME") && text.contains("crmdesk-audit-audit"),
            "{text}"
        );
    }
}
