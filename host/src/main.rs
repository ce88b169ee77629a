//! The `planhost` binary: parses the command line, runs the command, prints the contract lines
//! on standard output, and prints any error, with its whole chain, once on standard error.

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
    match commands::run(&cli) {
        Ok(lines) => {
            let mut stdout = std::io::stdout().lock();
            for line in lines {
                if writeln!(stdout, "{line}").is_err() {
                    return ExitCode::from(ExitStatus::Failure as u8);
                }
            }
            ExitCode::from(ExitStatus::Success as u8)
        }
        Err(error) => {
            let mut message = format!("error: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::from(error.exit_status() as u8)
        }
    }
}
