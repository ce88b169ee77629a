//! `planhost observe`: reads workloads and their autoscalers and writes an ObservedState file,
//! the snapshot that `planhost scale --observed` plans against offline.

use std::io::Write;

use crate::cli::ObserveArgs;
use crate::effects::cluster::{Cluster, ClusterError, observed_state};
use crate::plan::document::{API_VERSION, ObservedSnapshot};

use super::ExitStatus;

/// Why `planhost observe` stopped.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// The cluster could not be reached or read.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The snapshot could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl ObserveError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            ObserveError::Cluster(error) if error.is_config() => ExitStatus::BadInput,
            ObserveError::Cluster(_) => ExitStatus::ClusterFailed,
            ObserveError::Write { .. } => ExitStatus::Failure,
        }
    }
}

/// Writes the snapshot and prints `observed_yaml=FILE`, then `succeeded`.
pub fn run(args: &ObserveArgs, out: &mut dyn Write) -> Result<(), ObserveError> {
    let write_error = |source| ObserveError::Write { path: args.out.display().to_string(), source };
    let config = super::cluster_config(&args.cluster);
    let state = super::block_on(async {
        let cluster = Cluster::connect(&config).await?;
        let live = cluster.observe(&args.namespace, &args.workloads).await?;
        Ok::<_, ClusterError>(observed_state(&args.namespace, &live))
    })
    .map_err(write_error)??;
    let snapshot = ObservedSnapshot { api_version: API_VERSION.to_string(), kind: ObservedSnapshot::KIND.to_string(), state };
    let yaml = serde_yaml_ng::to_string(&snapshot).expect("a snapshot always serialises");
    std::fs::write(&args.out, yaml).map_err(write_error)?;
    writeln!(out, "observed_yaml={}", args.out.display()).map_err(write_error)?;
    writeln!(out, "succeeded").map_err(write_error)
}
