//! The `planhost` binary: parses the command line, runs the command, prints the contract lines
//! on standard output, and prints any error, with its whole chain, once on standard error.

#![allow(clippy::result_large_err, reason = "an error ends the process")]

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Parser as _;
use planhost::cli::Cli;
use planhost::commands::{self, ExitStatus};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(cli.log_level)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let mut stdout = std::io::stdout().lock();
    let outcome = commands::run(&cli, &mut stdout).and_then(|()| stdout.flush().map_err(Into::into));
    match outcome {
        Ok(()) => ExitCode::from(ExitStatus::Success as u8),
        Err(error) => {
            eprintln!("error: {}", commands::error_chain(&error));
            ExitCode::from(error.exit_status() as u8)
        }
    }
}
