//! `planhost scale`: request → observed state → planner → checks → `plan.yaml` + `SUMMARY.md`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::artifacts::{self, Artifacts, ArtifactsError};
use crate::cli::ScaleArgs;
use crate::plan::document::{API_VERSION, DocumentError, ObservedSnapshot, PlanMetadata, ScalePlanDocument, sha256_hex};
use crate::effects::cluster::{self, Cluster, ClusterError};
use crate::effects::github::{GitHubError, PlanForReview, Published};
use crate::plan::model::{ObservedState, ScaleRequest};
use crate::plan::summary;
use crate::planner::{LoadError, PlanFailure, PlannerSource, Runtime, RuntimeError, ShippedPlanner};

use super::ExitStatus;

/// Why `planhost scale` stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    /// `--apply` could not propose the plan on GitHub.
    #[error("--apply: the plan is written to {dir}, but it could not be proposed on GitHub")]
    GitHub {
        /// Where the plan's files are.
        dir: PathBuf,
        /// Why.
        #[source]
        source: GitHubError,
    },
    /// `--apply` lacks what GitHub needs; nothing was planned.
    #[error("--apply")]
    GitHubConfig(#[source] GitHubError),
    /// A workload asks for more replicas than the host allows.
    #[error("--workload {name}: {replicas} replicas is above the ceiling of {ceiling}")]
    ReplicaCeiling {
        /// The workload.
        name: String,
        /// Replicas asked for.
        replicas: u32,
        /// The ceiling.
        ceiling: u32,
    },
    /// `SOURCE_DATE_EPOCH` is not a whole number of seconds.
    #[error("SOURCE_DATE_EPOCH={0:?} is not a whole number of seconds since 1970-01-01")]
    SourceDateEpoch(String),
    /// The `--observed` file is unusable.
    #[error("--observed")]
    Observed(#[source] DocumentError),
    /// The cluster could not be read.
    #[error(transparent)]
    Cluster(ClusterError),
    /// The async executor for the cluster client could not start.
    #[error("cannot start the async executor")]
    Executor(#[source] std::io::Error),
    /// The engine could not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The `--planner` file is unreadable or not a component.
    #[error("--planner")]
    PlannerFile(#[source] LoadError),
    /// The planner imports what the host does not give, lacks an export, or failed when asked
    /// who it is.
    #[error(transparent)]
    Planner(LoadError),
    /// No plan came back.
    #[error(transparent)]
    Plan(#[from] PlanFailure),
    /// The artifacts could not be written.
    #[error(transparent)]
    Artifacts(#[from] ArtifactsError),
}

impl ScaleError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            ScaleError::GitHubConfig(_) => ExitStatus::BadInput,
            ScaleError::GitHub { source, .. } if source.is_config() => ExitStatus::BadInput,
            ScaleError::GitHub { .. } => ExitStatus::GitHubFailed,
            ScaleError::ReplicaCeiling { .. }
            | ScaleError::SourceDateEpoch(_)
            | ScaleError::Observed(_)
            | ScaleError::Plan(PlanFailure::InvalidRequest { .. }) => ExitStatus::BadInput,
            ScaleError::PlannerFile(_) => ExitStatus::BadInput,
            ScaleError::Planner(_) => ExitStatus::PlannerFailed,
            ScaleError::Plan(_) => ExitStatus::PlannerFailed,
            ScaleError::Runtime(RuntimeError::Cache(_)) => ExitStatus::BadInput,
            ScaleError::Cluster(error) if error.is_config() => ExitStatus::BadInput,
            ScaleError::Cluster(_) => ExitStatus::ClusterFailed,
            ScaleError::Executor(_) => ExitStatus::Failure,
            ScaleError::Runtime(_) | ScaleError::Artifacts(_) => ExitStatus::Failure,
        }
    }
}

/// What a dry run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOutcome {
    /// The files written.
    pub artifacts: Artifacts,
    /// sha256 of `plan.yaml`, in hex.
    pub plan_digest: String,
    /// With `--apply`: the pull request the plan is proposed in.
    pub proposed: Option<Published>,
}

impl ScaleOutcome {
    /// The `key=value` lines other tools parse, as the original scripts printed them: a dry
    /// run ends `succeeded`; an apply ends with the pull request and `awaiting_approval`.
    pub fn contract_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("artifacts_dir={}", self.artifacts.dir.display()),
            format!("plan_yaml={}", self.artifacts.plan_yaml.display()),
            format!("summary_md={}", self.artifacts.summary_md.display()),
        ];
        match &self.proposed {
            Some(pull_request) => lines.extend([format!("outputs_uri={}", pull_request.url), "awaiting_approval".to_string()]),
            None => lines.push("succeeded".to_string()),
        }
        lines
    }
}

/// Everything `scale` needs from outside its flags.
pub struct ScaleContext<'a> {
    /// The planner runtime.
    pub runtime: &'a Runtime,
    /// The time to record, normally from [`planning_time`].
    pub now: SystemTime,
}

/// The time a plan records: `SOURCE_DATE_EPOCH` when set (reproducible builds' convention),
/// else the clock.
pub fn planning_time() -> Result<SystemTime, ScaleError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => {
            let seconds: u64 = text.trim().parse().map_err(|_| ScaleError::SourceDateEpoch(text.clone()))?;
            Ok(UNIX_EPOCH + Duration::from_secs(seconds))
        }
        Err(_) => Ok(SystemTime::now()),
    }
}

/// Plans and writes the artifacts of a dry run.
pub fn run(args: &ScaleArgs, context: &ScaleContext<'_>) -> Result<ScaleOutcome, ScaleError> {
    // Everything --apply needs is checked before anything is planned or written.
    let github = args.apply.then(|| super::github_config(&args.github)).transpose().map_err(ScaleError::GitHubConfig)?;
    let request = ScaleRequest {
        target: args.target.clone(),
        namespace: args.namespace.clone(),
        workloads: args.workloads.clone(),
        requests: args.requests.clone(),
        limits: args.container_limits.clone(),
        hpa: args.hpa,
    };
    let ceiling = context.runtime.limits().max_replicas;
    if let Some(workload) = request.workloads.iter().find(|workload| workload.replicas > ceiling) {
        return Err(ScaleError::ReplicaCeiling { name: workload.name.clone(), replicas: workload.replicas, ceiling });
    }
    let observed = observed_state(args, &request)?;

    let source = planner_source(&args.planner);
    let planner = context.runtime.load(&source).map_err(|error| match error {
        LoadError::Read { .. } | LoadError::NotAComponent { .. } => ScaleError::PlannerFile(error),
        LoadError::Link { .. } | LoadError::Info { .. } => ScaleError::Planner(error),
    })?;
    let plan = planner.plan(context.runtime, &request, observed.as_ref())?;
    tracing::info!(
        planner = %planner.record().name,
        actions = plan.actions.len(),
        warnings = plan.warnings.len(),
        "planned {} for {}", request.namespace, request.target
    );
    for warning in &plan.warnings {
        tracing::warn!(planner = %planner.record().name, "{warning}");
    }

    let document = ScalePlanDocument {
        api_version: API_VERSION.to_string(),
        kind: ScalePlanDocument::KIND.to_string(),
        metadata: PlanMetadata {
            target: request.target.clone(),
            namespace: request.namespace.clone(),
            generated_at: humantime::format_rfc3339_seconds(context.now).to_string(),
        },
        planner: planner.record().clone(),
        observed: observed.clone(),
        actions: plan.actions,
        rollback_hints: plan.rollback_hints,
        warnings: plan.warnings,
        request,
    };
    let plan_yaml = document.to_yaml();
    let plan_digest = sha256_hex(plan_yaml.as_bytes());
    let summary_md = summary::render(&document, &plan_digest);
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => default_artifacts_dir(&document, &plan_digest),
    };
    let artifacts = artifacts::write(&dir, &plan_yaml, &summary_md)?;
    tracing::info!(plan_digest = %plan_digest, dir = %artifacts.dir.display(), "wrote plan artifacts");
    let proposed = match github {
        Some(config) => {
            let plan = PlanForReview { document: &document, plan_yaml: &plan_yaml, summary_md: &summary_md };
            let published = super::with_github(&config, async |github| github.publish_plan(&plan).await)
                .map_err(|source| ScaleError::GitHub { dir: artifacts.dir.clone(), source })?;
            tracing::info!(number = published.number, committed = published.committed, "the plan awaits approval at {}", published.url);
            Some(published)
        }
        None => None,
    };
    Ok(ScaleOutcome { artifacts, plan_digest, proposed })
}

/// The state to plan against: the `--observed` file; else the cluster, when one is configured
/// and `--offline` is not given; else none (the planner then plans every requested value).
fn observed_state(args: &ScaleArgs, request: &ScaleRequest) -> Result<Option<ObservedState>, ScaleError> {
    if let Some(path) = &args.observed {
        return Ok(Some(ObservedSnapshot::read(path).map_err(ScaleError::Observed)?.state));
    }
    let config = super::cluster_config(&args.cluster);
    if args.offline || !config.is_configured() {
        tracing::info!("planning without observed state: no --observed file and {}", if args.offline { "--offline" } else { "no cluster configured" });
        return Ok(None);
    }
    let live = super::block_on(async {
        let cluster = Cluster::connect(&config).await?;
        cluster.observe(&request.namespace, &request.workloads).await
    })
    .map_err(ScaleError::Executor)?
    .map_err(ScaleError::Cluster)?;
    Ok(Some(cluster::observed_state(&request.namespace, &live)))
}

/// `--planner`: a shipped planner's name, else a file.
pub(super) fn planner_source(planner: &str) -> PlannerSource {
    match ShippedPlanner::named(planner) {
        Some(shipped) => PlannerSource::Shipped(shipped),
        None => PlannerSource::File(PathBuf::from(planner)),
    }
}

/// `.artifacts/infra-scale/<target>/<time>-<digest>`: one folder per run, and the same plan made
/// at the same second lands in the same folder with the same bytes.
fn default_artifacts_dir(document: &ScalePlanDocument, plan_digest: &str) -> PathBuf {
    let time: String = document.metadata.generated_at.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    Path::new(".artifacts")
        .join("infra-scale")
        .join(&document.metadata.target)
        .join(format!("{time}-{}", &plan_digest[..12]))
}
