//! The command line: parsing only. `commands` does the work.

pub mod flags;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::limits::Limits;
use crate::plan::model::{HpaSpec, ResourceSetting, WorkloadTarget};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (the contract lines on standard output say which)
  1  an unexpected failure: writing artifacts, the engine
  2  bad input: a flag, a file, a planner file that is not a component, or a request the
     planner refused
  3  the planner failed: it imports what the host does not give, trapped, broke a limit, or
     returned a plan the host refuses
  4  GitHub: no answer, an error answer after retries, or a rate limit longer than planhost
     waits (a missing GH_OWNER, GH_REPO or GITHUB_TOKEN, a refused token or a missing token
     permission is bad input: 2)
  5  the cluster: unreachable, a workload missing, a stale plan refused, a field-manager
     conflict, or an action that failed (what was applied is recorded and printed)";

/// Runs sandboxed WebAssembly planners and owns every side effect itself.
#[derive(Debug, Parser)]
#[command(name = "planhost", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Where compiled planners are kept [default: $XDG_CACHE_HOME/planhost or ~/.cache/planhost].
    #[arg(long, global = true, env = "PLANHOST_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile planners every run instead of keeping them in the cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// How much to log on standard error: error, warn, info, debug or trace.
    #[arg(long, global = true, env = "PLANHOST_LOG", default_value = "info", value_name = "LEVEL")]
    pub log_level: tracing::Level,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan scaling for workloads of one namespace: replicas, requests and limits, HPA.
    #[command(after_help = EXIT_CODES)]
    Scale(ScaleArgs),
    /// Write a snapshot of the live state of workloads (an ObservedState file).
    #[command(after_help = EXIT_CODES)]
    Observe(ObserveArgs),
    /// Apply a plan to the cluster: refuses a stale plan, applies in order, stops at the first failure.
    #[command(after_help = EXIT_CODES)]
    Execute(ExecuteArgs),
    /// Undo an executed plan: preview (the default) or apply the actions that restore its before state.
    #[command(after_help = EXIT_CODES)]
    Rollback(RollbackArgs),
    /// List the planners built into this binary.
    Planners,
}

/// `planhost rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The executed plan to undo (a plan.yaml written by `planhost scale`).
    #[arg(long, value_name = "FILE", required_unless_present = "pr", conflicts_with = "pr")]
    pub plan: Option<PathBuf>,
    /// Print one `preview:` line per action, in the order it would run, and change nothing (the default).
    #[arg(long, conflicts_with = "execute")]
    pub dry_run: bool,
    /// Apply the rollback.
    #[arg(long)]
    pub execute: bool,
    /// Apply the plan of this pull request, only if it carries the `rollback-plan` label added
    /// after its head commit, and its plan file is the one it proposed; else print `skipped`.
    #[arg(long, value_name = "N", requires = "execute")]
    pub pr: Option<u64>,
    /// Take over fields that another field manager owns, instead of stopping.
    #[arg(long)]
    pub force_conflicts: bool,
    /// A shipped rollback planner's name or the path of a rollback-planner component.
    #[arg(long, default_value = "rollback", value_name = "NAME|FILE")]
    pub planner: String,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// The repository of --pr.
    #[command(flatten)]
    pub github: GitHubArgs,
    /// Limits on the planner.
    #[command(flatten)]
    pub sandbox: LimitArgs,
}

/// Which cluster to talk to; by default the usual kubeconfig rules (`KUBECONFIG`,
/// `~/.kube/config`, in-cluster).
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// A kubeconfig file to use instead of the usual rules.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use instead of its current one.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// The repository that `scale --apply` proposes plans in and `--pr` reads them from. The token
/// is read from `GITHUB_TOKEN` only: a flag's value would show in the process list.
#[derive(Debug, Args)]
#[command(next_help_heading = "GitHub")]
pub struct GitHubArgs {
    /// The repository's owner.
    #[arg(long = "github-owner", env = "GH_OWNER", value_name = "OWNER")]
    pub github_owner: Option<String>,
    /// The repository's name.
    #[arg(long = "github-repo", env = "GH_REPO", value_name = "REPO")]
    pub github_repo: Option<String>,
    /// The API's address: GitHub Enterprise's (https://HOST/api/v3) or a test server's.
    #[arg(long = "github-api-url", env = "GITHUB_API_URL", default_value = "https://api.github.com", value_name = "URL")]
    pub github_api_url: String,
    /// How long one attempt of one GitHub request may take.
    #[arg(long = "github-timeout", env = "PLANHOST_GITHUB_TIMEOUT", default_value = "30s", value_name = "DURATION", value_parser = flags::duration)]
    pub github_timeout: Duration,
}

/// `planhost observe`.
#[derive(Debug, Args)]
pub struct ObserveArgs {
    /// The namespace of the workloads.
    #[arg(long)]
    pub namespace: String,
    /// A workload to read: KIND:NAME (Deployment:web); KIND:NAME:REPLICAS is taken too. Repeat for more.
    #[arg(long = "workload", required = true, value_name = "KIND:NAME", value_parser = flags::workload_ref)]
    pub workloads: Vec<WorkloadTarget>,
    /// The file to write.
    #[arg(long, default_value = "observed.yaml", value_name = "FILE")]
    pub out: PathBuf,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// `planhost execute`.
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    /// The plan to apply (a plan.yaml written by `planhost scale`).
    #[arg(long, value_name = "FILE", required_unless_present = "pr", conflicts_with = "pr")]
    pub plan: Option<PathBuf>,
    /// Apply the plan of this pull request, only if it carries the `execute-plan` label added
    /// after its head commit, and its plan file is the one it proposed; else print `skipped`.
    /// The result is posted on the pull request.
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// Apply even when the live state no longer matches the state the plan was made against.
    #[arg(long)]
    pub allow_stale: bool,
    /// Take over fields that another field manager owns, instead of stopping.
    #[arg(long)]
    pub force_conflicts: bool,
    /// After each change to a workload, wait until its controller has observed it.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits for each rollout.
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = flags::duration)]
    pub wait_timeout: Duration,
    /// The cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// The repository of --pr.
    #[command(flatten)]
    pub github: GitHubArgs,
}

/// `planhost scale`: the flags of the original k8s scale planner.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The environment planned for (prod, staging); names the artifact folder.
    #[arg(long, value_parser = flags::target)]
    pub target: String,
    /// The one namespace the plan may touch.
    #[arg(long)]
    pub namespace: String,
    /// A workload and its replicas: KIND:NAME:REPLICAS (Deployment:web:6). Repeat for more.
    #[arg(long = "workload", required = true, value_name = "KIND:NAME:REPLICAS", value_parser = flags::workload)]
    pub workloads: Vec<WorkloadTarget>,
    /// An autoscaler for every workload: min:N,max:N,cpu:PERCENT.
    #[arg(long, value_name = "min:N,max:N,cpu:N", value_parser = flags::hpa)]
    pub hpa: Option<HpaSpec>,
    /// Container requests of a workload: NAME:cpu=500m,mem=1Gi. Repeat per workload.
    #[arg(long = "req", value_name = "NAME:cpu=Q,mem=Q", value_parser = flags::resources)]
    pub requests: Vec<ResourceSetting>,
    /// Container limits of a workload: NAME:cpu=1,mem=2Gi. Repeat per workload.
    #[arg(long = "lim", value_name = "NAME:cpu=Q,mem=Q", value_parser = flags::resources)]
    pub container_limits: Vec<ResourceSetting>,
    /// Write the plan and its summary and change nothing else (the default).
    #[arg(long, conflicts_with = "apply")]
    pub dry_run: bool,
    /// Propose the plan for approval: commit it on the target's branch and open (or update) a
    /// draft pull request labelled `needs-approval`. Needs GH_OWNER, GH_REPO and GITHUB_TOKEN.
    #[arg(long)]
    pub apply: bool,
    /// Plan against this snapshot of the live state (an ObservedState YAML file) instead of
    /// reading the cluster.
    #[arg(long, value_name = "FILE")]
    pub observed: Option<PathBuf>,
    /// Write the artifacts here [default: .artifacts/infra-scale/TARGET/RUN].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Plan without reading the cluster, even when one is configured.
    #[arg(long, conflicts_with = "observed")]
    pub offline: bool,
    /// The cluster the observed state is read from (when neither --observed nor --offline is given).
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// The repository of --apply.
    #[command(flatten)]
    pub github: GitHubArgs,
    /// A shipped planner's name or the path of a planner component (.wasm).
    #[arg(long, default_value = "k8s-scale", value_name = "NAME|FILE")]
    pub planner: String,
    /// Limits on the planner.
    #[command(flatten)]
    pub sandbox: LimitArgs,
}

/// Overrides of the limits a planner runs under; the defaults suit untrusted code.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Fuel (about one unit per WebAssembly instruction) for one planner call [default: 2000000000].
    #[arg(long, env = "PLANHOST_FUEL", value_name = "UNITS")]
    pub fuel: Option<u64>,
    /// Wall time for one planner call, such as 5s or 500ms [default: 5s].
    #[arg(long, env = "PLANHOST_TIMEOUT", value_name = "DURATION", value_parser = flags::duration)]
    pub timeout: Option<Duration>,
    /// Memory a planner may grow to, such as 64Mi [default: 64Mi].
    #[arg(long, env = "PLANHOST_MEMORY_LIMIT", value_name = "SIZE", value_parser = flags::memory_size)]
    pub memory_limit: Option<usize>,
    /// Actions (and, separately, rollback hints) a plan may hold [default: 10000].
    #[arg(long, env = "PLANHOST_MAX_ACTIONS", value_name = "N")]
    pub max_actions: Option<usize>,
}

impl LimitArgs {
    /// The default limits with these overrides.
    pub fn limits(&self) -> Limits {
        let defaults = Limits::default();
        Limits {
            fuel: self.fuel.unwrap_or(defaults.fuel),
            timeout: self.timeout.unwrap_or(defaults.timeout),
            memory_bytes: self.memory_limit.unwrap_or(defaults.memory_bytes),
            max_actions: self.max_actions.unwrap_or(defaults.max_actions),
            ..defaults
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_well_formed() {
        // clap checks ids, flags and conflicts only when a command is built: build them all.
        super::Cli::command().debug_assert();
    }
}
