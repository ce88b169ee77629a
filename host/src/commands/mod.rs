//! The work behind each subcommand. Commands print nothing: they return the contract lines,
//! and the binary prints them.

pub mod scale;

use crate::cli::{Cli, Command};
use crate::planner::{CacheError, CompileCache, Runtime, RuntimeError, SHIPPED};

/// The documented exit statuses of `planhost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Done; the contract lines say how it ended.
    Success = 0,
    /// An unexpected failure: writing artifacts, starting the engine.
    Failure = 1,
    /// Bad input: a flag, a file, a planner file that is not a component, or a request the
    /// planner refused.
    BadInput = 2,
    /// The planner failed: it imports what the host does not give, trapped, broke a limit, or
    /// returned a plan the host refuses.
    PlannerFailed = 3,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// `scale` failed.
    #[error(transparent)]
    Scale(#[from] scale::ScaleError),
    /// The compile cache given with `--cache-dir` cannot be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl CommandError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            CommandError::Scale(error) => error.exit_status(),
            CommandError::Cache(_) => ExitStatus::BadInput,
        }
    }
}

/// Runs the command `cli` names and returns the lines for standard output.
pub fn run(cli: &Cli) -> Result<Vec<String>, CommandError> {
    match &cli.command {
        Command::Scale(args) => {
            let runtime = Runtime::new(args.sandbox.limits(), compile_cache(cli)?).map_err(scale::ScaleError::from)?;
            let now = scale::planning_time()?;
            let outcome = scale::run(args, &scale::ScaleContext { runtime: &runtime, now })?;
            Ok(outcome.contract_lines())
        }
        Command::Planners => Ok(SHIPPED.iter().map(|planner| format!("{}\t{}", planner.name, planner.description)).collect()),
    }
}

/// The compile cache the flags ask for: none with `--no-cache`; `--cache-dir` must be usable;
/// the default place is used when it can be, and skipped (with a note) when it cannot.
fn compile_cache(cli: &Cli) -> Result<Option<CompileCache>, CacheError> {
    if cli.no_cache {
        return Ok(None);
    }
    if let Some(dir) = &cli.cache_dir {
        return CompileCache::open(dir).map(Some);
    }
    let Some(dir) = CompileCache::default_dir() else {
        tracing::debug!("no cache directory (neither XDG_CACHE_HOME nor HOME is set); compiling every run");
        return Ok(None);
    };
    match CompileCache::open(&dir) {
        Ok(cache) => Ok(Some(cache)),
        Err(error) => {
            tracing::warn!(%error, "compiling every run");
            Ok(None)
        }
    }
}

impl From<RuntimeError> for CommandError {
    fn from(error: RuntimeError) -> Self {
        CommandError::Scale(error.into())
    }
}
