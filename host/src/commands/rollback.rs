//! `planhost rollback`: executed plan + live state → rollback planner → preview or apply.
//!
//! Rollback hints are data. A hint naming a saved manifest is opened inside the plan's folder
//! only (`cap-std`: no `..`, no absolute path, no symlink out), and nothing is handed to a shell.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::RollbackArgs;
use crate::effects::cluster::{Cluster, ClusterError, observed_state};
use crate::effects::github::ROLLBACK_LABEL;
use crate::plan::document::DocumentError;
use crate::plan::kubectl;
use crate::plan::legacy::read_any_plan;
use crate::plan::model::{ExecutedPlan, RollbackHint};
use crate::plan::validate::check_manifest_name;
use crate::planner::{LoadError, PlanFailure, Runtime};

use super::ExitStatus;
use super::gated::{self, GatedError};

/// Why `planhost rollback` stopped.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    /// The plan file is unusable.
    #[error("--plan")]
    Plan(#[source] DocumentError),
    /// A hint's manifest cannot be read inside the plan's folder.
    #[error("rollback hint {file:?}: it must name a readable YAML file inside the plan's folder {dir}")]
    Manifest {
        /// The file the hint names.
        file: String,
        /// The plan's folder.
        dir: PathBuf,
        /// Why it was refused.
        #[source]
        source: std::io::Error,
    },
    /// The rollback planner could not be loaded.
    #[error("--planner")]
    Load(#[source] LoadError),
    /// The rollback planner gave no usable plan.
    #[error(transparent)]
    Planner(#[from] PlanFailure),
    /// A hint of the plan names a manifest outside the plan's folder.
    #[error("--plan: rollback hint {position} {reason}")]
    Hint {
        /// Which hint, counting from 1.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// The cluster could not be reached or read.
    #[error(transparent)]
    Cluster(ClusterError),
    /// A rollback action failed; those before it were applied.
    #[error("stopped after {applied} rollback actions were applied")]
    Applying {
        /// How many rollback actions were applied.
        applied: usize,
        /// What failed.
        #[source]
        source: ClusterError,
    },
    /// The `--pr` gate could not be checked, or the result could not be posted.
    #[error(transparent)]
    PullRequest(#[from] GatedError),
    /// Standard output is gone.
    #[error("cannot write to standard output")]
    Output(#[from] std::io::Error),
}

impl RollbackError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            RollbackError::Plan(_) | RollbackError::Hint { .. } | RollbackError::Manifest { .. } | RollbackError::Load(_) => {
                ExitStatus::BadInput
            }
            RollbackError::Planner(PlanFailure::InvalidRequest { .. }) => ExitStatus::BadInput,
            RollbackError::Planner(_) => ExitStatus::PlannerFailed,
            RollbackError::Cluster(source) if source.is_config() => ExitStatus::BadInput,
            RollbackError::Cluster(_) | RollbackError::Applying { .. } => ExitStatus::ClusterFailed,
            RollbackError::Output(_) => ExitStatus::Failure,
            RollbackError::PullRequest(error) => error.exit_status(),
        }
    }
}

/// Previews or applies the rollback of the plan `args` names (`--plan`, or with `--execute` the
/// plan of pull request `--pr` once its gate releases it).
pub fn run(args: &RollbackArgs, runtime: &Runtime, out: &mut dyn Write) -> Result<(), RollbackError> {
    match (&args.plan, args.pr) {
        (_, Some(number)) => run_pull_request(args, runtime, number, out),
        (Some(plan), None) => {
            let text = std::fs::read_to_string(plan).map_err(|source| RollbackError::Plan(DocumentError::Read { path: plan.display().to_string(), source }))?;
            run_file(args, runtime, plan, &text, out)
        }
        (None, None) => unreachable!("clap requires --plan or --pr"),
    }
}

fn run_pull_request(args: &RollbackArgs, runtime: &Runtime, number: u64, out: &mut dyn Write) -> Result<(), RollbackError> {
    gated::run_released(&args.github, number, ROLLBACK_LABEL, "rollback", out, |config, released, out| {
        // The manifests the plan's hints name are read from the same commit, beside the plan.
        let plan = read_any_plan(&released.approval.plan_yaml, &released.plan.display().to_string()).map_err(RollbackError::Plan)?;
        gated::fetch_beside(config, released, &manifest_names(&plan.rollback_hints, runtime)?)?;
        run_file(args, runtime, &released.plan, &released.approval.plan_yaml, out)
    })
}

/// The saved manifests that `hints` name, each checked to be a plain file name.
fn manifest_names(hints: &[RollbackHint], runtime: &Runtime) -> Result<Vec<String>, RollbackError> {
    let mut names = Vec::new();
    for (index, hint) in hints.iter().enumerate() {
        if let RollbackHint::ApplyManifest { apply_manifest } = hint {
            check_manifest_name(apply_manifest, runtime.limits()).map_err(|reason| RollbackError::Hint { position: index + 1, reason })?;
            names.push(apply_manifest.clone());
        }
    }
    Ok(names)
}

fn run_file(args: &RollbackArgs, runtime: &Runtime, path: &Path, text: &str, out: &mut dyn Write) -> Result<(), RollbackError> {
    let plan = read_any_plan(text, &path.display().to_string()).map_err(RollbackError::Plan)?;
    manifest_names(&plan.rollback_hints, runtime)?;
    let plan_dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let namespace = plan.metadata.namespace.as_str();

    let source = super::scale::planner_source(&args.planner);
    let planner = runtime.load_rollback(&source).map_err(RollbackError::Load)?;
    let config = super::cluster_config(&args.cluster);
    // Each async stretch connects anew: a client does not outlive the runtime that made it, and
    // the planner runs on the sandbox's own executor in between.
    let live = super::block_on(async {
        let cluster = Cluster::connect(&config).await?;
        cluster.observe_existing(namespace, &plan.request.workloads).await
    })?
    .map_err(RollbackError::Cluster)?;
    let current = observed_state(namespace, &live);
    let containers: HashMap<&str, &str> = live.iter().map(|workload| (workload.observed.name.as_str(), workload.container.as_str())).collect();

    let executed = ExecutedPlan {
        target: plan.metadata.target.clone(),
        namespace: namespace.to_string(),
        actions: plan.actions.clone(),
        rollback_hints: plan.rollback_hints.clone(),
        before: plan.observed.clone(),
    };
    let rollback = planner.plan_rollback(runtime, &plan.request, &executed, &current)?;
    for warning in &rollback.warnings {
        tracing::warn!(planner = %planner.record().name, "{warning}");
    }
    // Every saved manifest is read (and so checked) before anything is shown or applied.
    let mut manifests = Vec::new();
    for hint in &rollback.rollback_hints {
        if let RollbackHint::ApplyManifest { apply_manifest } = hint {
            manifests.push((hint, read_manifest(plan_dir, apply_manifest)?));
        }
    }

    if !args.execute {
        for action in &rollback.actions {
            writeln!(out, "preview: {}", kubectl::action_command(action))?;
        }
        for (hint, _) in &manifests {
            writeln!(out, "preview: {}", kubectl::hint_command(hint, namespace))?;
        }
        return Ok(());
    }

    let workloads: Vec<&str> = plan.request.workloads.iter().map(|workload| workload.name.as_str()).collect();
    let mut applied = 0;
    super::block_on(async {
        let cluster = Cluster::connect(&config).await.map_err(RollbackError::Cluster)?;
        let failed = |applied| move |source| RollbackError::Applying { applied, source };
        for action in &rollback.actions {
            let name = action.workload().name.as_str();
            let container = containers.get(name).copied().unwrap_or(name);
            cluster.apply(action, container, args.force_conflicts).await.map_err(failed(applied))?;
            writeln!(out, "applied: {}", kubectl::action_command(action))?;
            applied += 1;
        }
        for (hint, manifest) in &manifests {
            cluster.apply_manifest(manifest, namespace, &workloads, args.force_conflicts).await.map_err(failed(applied))?;
            writeln!(out, "applied: {}", kubectl::hint_command(hint, namespace))?;
            applied += 1;
        }
        writeln!(out, "succeeded")?;
        Ok(())
    })?
}

/// Reads a saved manifest that a hint names, inside `dir` only.
fn read_manifest(dir: &Path, file: &str) -> Result<Value, RollbackError> {
    let refused = |source| RollbackError::Manifest { file: file.to_string(), dir: dir.to_path_buf(), source };
    let folder = cap_std::fs::Dir::open_ambient_dir(dir, cap_std::ambient_authority()).map_err(refused)?;
    let text = folder.read_to_string(file).map_err(refused)?;
    serde_yaml_ng::from_str(&text).map_err(|error| refused(std::io::Error::new(std::io::ErrorKind::InvalidData, error)))
}
