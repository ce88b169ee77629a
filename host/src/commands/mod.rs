//! The work behind each subcommand. Each writes its contract lines to the writer it is given
//! (standard output in the binary) as the work happens; errors go back to the binary.

pub mod execute;
pub mod gated;
pub mod observe;
pub mod rollback;
pub mod scale;

use std::future::Future;
use std::io::Write;

use crate::cli::{Cli, ClusterArgs, Command, GitHubArgs};
use crate::effects::cluster::ClusterConfig;
use crate::effects::github::{GitHub, GitHubConfig, GitHubError};
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
    /// GitHub: no answer, an error answer after retries, or a rate limit longer than planhost
    /// waits.
    GitHubFailed = 4,
    /// The cluster: unreachable, a workload missing, a stale plan refused, a field-manager
    /// conflict, or an action that failed.
    ClusterFailed = 5,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// `scale` failed.
    #[error(transparent)]
    Scale(#[from] scale::ScaleError),
    /// `observe` failed.
    #[error(transparent)]
    Observe(#[from] observe::ObserveError),
    /// `execute` failed.
    #[error(transparent)]
    Execute(#[from] execute::ExecuteError),
    /// `rollback` failed.
    #[error(transparent)]
    Rollback(#[from] rollback::RollbackError),
    /// The compile cache given with `--cache-dir` cannot be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// Standard output is gone.
    #[error("cannot write to standard output")]
    Output(#[from] std::io::Error),
}

impl CommandError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            CommandError::Scale(error) => error.exit_status(),
            CommandError::Observe(error) => error.exit_status(),
            CommandError::Execute(error) => error.exit_status(),
            CommandError::Rollback(error) => error.exit_status(),
            CommandError::Cache(_) => ExitStatus::BadInput,
            CommandError::Output(_) => ExitStatus::Failure,
        }
    }
}

/// Runs the command `cli` names, writing its contract lines to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), CommandError> {
    match &cli.command {
        Command::Scale(args) => {
            let runtime = Runtime::new(args.sandbox.limits(), compile_cache(cli)?).map_err(scale::ScaleError::from)?;
            let now = scale::planning_time()?;
            let outcome = scale::run(args, &scale::ScaleContext { runtime: &runtime, now })?;
            for line in outcome.contract_lines() {
                writeln!(out, "{line}")?;
            }
        }
        Command::Observe(args) => observe::run(args, out)?,
        Command::Execute(args) => execute::run(args, out)?,
        Command::Rollback(args) => {
            let runtime = Runtime::new(args.sandbox.limits(), compile_cache(cli)?).map_err(scale::ScaleError::from)?;
            rollback::run(args, &runtime, out)?;
        }
        Command::Planners => {
            for planner in SHIPPED {
                writeln!(out, "{}\t{}\t{}", planner.name, planner.world, planner.description)?;
            }
        }
    }
    Ok(())
}

/// The cluster that `--kubeconfig` and `--context` name.
fn cluster_config(args: &ClusterArgs) -> ClusterConfig<'_> {
    ClusterConfig { kubeconfig: args.kubeconfig.as_deref(), context: args.context.as_deref() }
}

/// The repository `args` and `GITHUB_TOKEN` name; each missing piece is named.
fn github_config(args: &GitHubArgs) -> Result<GitHubConfig, GitHubError> {
    let given = |value: Option<&str>, variable: &'static str| match value.map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value.to_string()),
        _ => Err(GitHubError::Variable { variable, problem: "is not set" }),
    };
    let token = std::env::var("GITHUB_TOKEN").ok();
    Ok(GitHubConfig {
        owner: given(args.github_owner.as_deref(), "GH_OWNER")?,
        repo: given(args.github_repo.as_deref(), "GH_REPO")?,
        token: given(token.as_deref(), "GITHUB_TOKEN")?,
        api_url: args.github_api_url.clone(),
        timeout: args.github_timeout,
        retries: 3,
        max_rate_limit_wait: std::time::Duration::from_secs(120),
    })
}

/// Runs `work` with a client for `config` on a fresh runtime: like the cluster client, the
/// GitHub client's connections belong to the runtime that made them.
fn with_github<T>(config: &GitHubConfig, work: impl AsyncFnOnce(&GitHub) -> Result<T, GitHubError>) -> Result<T, GitHubError> {
    block_on(async {
        // octocrab spawns its request queue onto the runtime it is built in.
        let github = GitHub::new(config.clone())?;
        work(&github).await
    })
    .map_err(|source| GitHubError::Runtime { source })?
}

/// Everything a command writes to standard output, kept to be posted on a pull request too.
struct Transcript<'a> {
    out: &'a mut dyn Write,
    text: Vec<u8>,
}

impl<'a> Transcript<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        Transcript { out, text: Vec::new() }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

impl Write for Transcript<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.text.extend_from_slice(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Names one gated run, so that its comment can be found if the answer to posting it is lost.
fn run_id(head: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos());
    format!("{}-{}-{nanos}", &head[..head.len().min(12)], std::process::id())
}

/// `error` and every cause after it, on one line: how planhost prints and records errors.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Runs `work` to completion on a fresh single-threaded runtime (the cluster client is async).
fn block_on<T>(work: impl Future<Output = T>) -> std::io::Result<T> {
    let executor = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(executor.block_on(work))
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
