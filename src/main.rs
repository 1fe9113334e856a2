//! The binary: everything lives in the library; `main` only maps the run to an exit status.

fn main() -> std::process::ExitCode {
    crmdesk_audit::cli::main()
}
