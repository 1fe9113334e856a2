//! `completions SHELL` and `man`: shell completions and the manual page, generated from the
//! same clap definitions as the parser, so they never disagree with it.

use super::CliError;
use super::args::{Cli, CompletionsArgs};
use clap::CommandFactory;

/// Writes the completions for `a.shell` to stdout.
pub fn completions(a: &CompletionsArgs) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "crmdesk-audit", &mut out);
    super::emit(None, &String::from_utf8_lossy(&out))?;
    Ok(super::SUCCESS)
}

/// Writes the manual page (roff) to stdout.
pub fn man() -> Result<u8, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(CliError::Manual)?;
    super::emit(None, &String::from_utf8_lossy(&out))?;
    Ok(super::SUCCESS)
}
