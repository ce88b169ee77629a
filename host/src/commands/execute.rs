//! `planhost execute`: plan file → live state → stale check → ordered server-side apply.
//!
//! Nothing is retried blindly: the first failure stops the run, and the record says exactly
//! which actions were applied and how to undo them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cli::ExecuteArgs;
use crate::effects::cluster::{Cluster, ClusterError, observed_state};
use crate::effects::github::EXECUTE_LABEL;
use crate::plan::document::{DocumentError, ScalePlanDocument, sha256_hex};
use crate::plan::drift::drift;
use crate::plan::execution::{ExecutionRecord, FailedAction};
use crate::plan::kubectl;
use crate::plan::model::{Action, RollbackHint};

use super::ExitStatus;
use super::gated::{self, GatedError};

/// Why `planhost execute` stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The plan file is unusable.
    #[error("--plan")]
    Plan(#[source] DocumentError),
    /// The cluster could not be reached or read.
    #[error(transparent)]
    Cluster(ClusterError),
    /// The live state changed since the plan was made.
    #[error(
        "the plan is stale: the cluster changed since it was made:\n  {}\nre-plan against the cluster, or pass --allow-stale to apply it anyway",
        .changes.join("\n  ")
    )]
    Stale {
        /// What changed, one line each.
        changes: Vec<String>,
    },
    /// The plan carries no observed state to compare with.
    #[error(
        "the plan records no observed state, so planhost cannot tell whether the cluster changed since it was made; \
         re-plan against the cluster, or pass --allow-stale"
    )]
    NoObservedState,
    /// An action failed; those before it were applied.
    #[error("{}", describe_failure(.applied, .total, .record, .undo, .action))]
    ActionFailed {
        /// The action that failed, as `update_resources Deployment ns/api`.
        action: String,
        /// How many actions were applied.
        applied: usize,
        /// How many the plan has.
        total: usize,
        /// The execution record.
        record: PathBuf,
        /// The commands that undo what was applied.
        undo: Vec<String>,
        /// Why the action failed.
        #[source]
        source: ClusterError,
    },
    /// The execution record could not be written.
    #[error("cannot write the execution record {path}")]
    Record {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The `--pr` gate could not be checked, or the result could not be posted.
    #[error(transparent)]
    PullRequest(#[from] GatedError),
    /// Standard output is gone.
    #[error("cannot write to standard output")]
    Output(#[source] std::io::Error),
}

fn describe_failure(applied: &usize, total: &usize, record: &Path, undo: &[String], action: &str) -> String {
    let undo = if undo.is_empty() { "nothing to undo".to_string() } else { format!("to undo them: {}", undo.join("; ")) };
    format!("stopped after {applied} of {total} actions were applied (recorded in {}); {undo}; {action} failed", record.display())
}

impl ExecuteError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            ExecuteError::Plan(_) => ExitStatus::BadInput,
            ExecuteError::Cluster(error) if error.is_config() => ExitStatus::BadInput,
            ExecuteError::Record { .. } | ExecuteError::Output(_) => ExitStatus::Failure,
            ExecuteError::PullRequest(error) => error.exit_status(),
            _ => ExitStatus::ClusterFailed,
        }
    }
}

/// Applies the plan `args` names (`--plan`, or the plan of pull request `--pr` once its gate
/// releases it), printing one `applied: …` line per action, then `succeeded`.
pub fn run(args: &ExecuteArgs, out: &mut dyn Write) -> Result<(), ExecuteError> {
    match (&args.plan, args.pr) {
        (_, Some(number)) => run_pull_request(args, number, out),
        (Some(plan), None) => run_file(args, plan, out),
        (None, None) => unreachable!("clap requires --plan or --pr"),
    }
}

fn run_pull_request(args: &ExecuteArgs, number: u64, out: &mut dyn Write) -> Result<(), ExecuteError> {
    gated::run_released(&args.github, number, EXECUTE_LABEL, "execute", out, |_, released, out| run_file(args, &released.plan, out))
}

fn run_file(args: &ExecuteArgs, path: &Path, out: &mut dyn Write) -> Result<(), ExecuteError> {
    let text = std::fs::read_to_string(path).map_err(|source| ExecuteError::Plan(DocumentError::Read { path: path.display().to_string(), source }))?;
    let plan = ScalePlanDocument::from_yaml(&text, &path.display().to_string()).map_err(ExecuteError::Plan)?;
    super::block_on(execute(args, path, &plan, &text, out)).map_err(ExecuteError::Output)?
}

async fn execute(args: &ExecuteArgs, path: &Path, plan: &ScalePlanDocument, text: &str, out: &mut dyn Write) -> Result<(), ExecuteError> {
    let cluster = Cluster::connect(&super::cluster_config(&args.cluster)).await.map_err(ExecuteError::Cluster)?;
    let namespace = &plan.metadata.namespace;
    // A workload gone since planning is drift, reported by the stale check below.
    let live = cluster.observe_existing(namespace, &plan.request.workloads).await.map_err(ExecuteError::Cluster)?;

    match &plan.observed {
        Some(planned) => {
            let changes = drift(planned, &observed_state(namespace, &live));
            if !changes.is_empty() {
                if !args.allow_stale {
                    return Err(ExecuteError::Stale { changes });
                }
                tracing::warn!(changes = changes.len(), "applying a stale plan (--allow-stale): {}", changes.join("; "));
            }
        }
        None if !args.allow_stale => return Err(ExecuteError::NoObservedState),
        None => tracing::warn!("applying a plan without observed state (--allow-stale)"),
    }

    let mut record = ExecutionRecord::new(
        path.display().to_string(),
        sha256_hex(text.as_bytes()),
        humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    );
    let record_path = record_path(path);
    let containers: HashMap<&str, &str> =
        live.iter().map(|workload| (workload.observed.name.as_str(), workload.container.as_str())).collect();
    for action in in_execution_order(&plan.actions) {
        let name = action.workload().name.as_str();
        let container = containers.get(name).copied().unwrap_or(name);
        let mut outcome = cluster.apply(action, container, args.force_conflicts).await;
        if outcome.is_ok() && args.wait && matches!(action, Action::ScaleWorkload { .. } | Action::UpdateResources { .. }) {
            outcome = cluster.wait_for_rollout(action.workload(), args.wait_timeout).await;
        }
        if let Err(source) = outcome {
            record.status = "failed".to_string();
            record.failed = Some(FailedAction { action: action.clone(), error: super::error_chain(&source) });
            write_record(&record_path, &record)?;
            let undo = undo_commands(plan, &record.applied);
            return Err(ExecuteError::ActionFailed {
                action: format!("{} {}", action.name(), action.workload()),
                applied: record.applied.len(),
                total: plan.actions.len(),
                record: record_path,
                undo,
                source,
            });
        }
        writeln!(out, "applied: {}", kubectl::action_command(action)).map_err(ExecuteError::Output)?;
        record.applied.push(action.clone());
    }
    record.status = "succeeded".to_string();
    write_record(&record_path, &record)?;
    tracing::info!(record = %record_path.display(), applied = record.applied.len(), "plan executed");
    writeln!(out, "succeeded").map_err(ExecuteError::Output)
}

/// Resources first (a new pod template), then replicas, then autoscalers; what undoes comes last.
fn in_execution_order(actions: &[Action]) -> Vec<&Action> {
    let rank = |action: &Action| match action {
        Action::UpdateResources { .. } => 0,
        Action::ScaleWorkload { .. } => 1,
        Action::ApplyHpa { .. } => 2,
        Action::DeleteHpa { .. } => 3,
        Action::RolloutUndo { .. } => 4,
    };
    let mut ordered: Vec<&Action> = actions.iter().collect();
    ordered.sort_by_key(|action| rank(action));
    ordered
}

/// The plan's rollback hints that undo one of the `applied` actions, as commands.
fn undo_commands(plan: &ScalePlanDocument, applied: &[Action]) -> Vec<String> {
    plan.rollback_hints
        .iter()
        .filter(|hint| applied.iter().any(|action| undoes(hint, action)))
        .map(|hint| kubectl::hint_command(hint, &plan.metadata.namespace))
        .collect()
}

/// Whether `hint` reverses `action`: the same workload, and a restoring action of the matching
/// kind (a rollout undo reverses replicas and resources), or the saved manifest of its HPA.
fn undoes(hint: &RollbackHint, action: &Action) -> bool {
    match hint {
        RollbackHint::Restore { restore } => {
            restore.workload() == action.workload()
                && matches!(
                    (action, restore),
                    (Action::ScaleWorkload { .. }, Action::ScaleWorkload { .. } | Action::RolloutUndo { .. })
                        | (Action::UpdateResources { .. }, Action::UpdateResources { .. } | Action::RolloutUndo { .. })
                        | (Action::ApplyHpa { .. }, Action::ApplyHpa { .. } | Action::DeleteHpa { .. })
                )
        }
        RollbackHint::ApplyManifest { apply_manifest } => {
            matches!(action, Action::ApplyHpa { workload, .. } if apply_manifest.trim_end_matches(".yaml").ends_with(&format!("-{}", workload.name)))
        }
    }
}

/// `execution-<time>.yaml` beside the plan file.
fn record_path(plan: &Path) -> PathBuf {
    let time: String = humantime::format_rfc3339_micros(SystemTime::now()).to_string().chars().filter(char::is_ascii_alphanumeric).collect();
    plan.parent().unwrap_or(Path::new(".")).join(format!("execution-{time}.yaml"))
}

fn write_record(path: &Path, record: &ExecutionRecord) -> Result<(), ExecuteError> {
    std::fs::write(path, record.to_yaml()).map_err(|source| ExecuteError::Record { path: path.to_path_buf(), source })
}
