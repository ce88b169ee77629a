//! The plan model as the host keeps it: requests, observed state, actions and hints, with
//! quantities in Kubernetes notation when written out.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::quantity::{CpuMillis, MemoryBytes};

/// The kinds of workload a plan may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkloadKind {
    /// `apps/v1` Deployment.
    Deployment,
    /// `apps/v1` StatefulSet.
    StatefulSet,
}

impl WorkloadKind {
    /// The resource name `kubectl` takes (`deployment/web`).
    pub fn kubectl_resource(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
        })
    }
}

/// One workload in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkloadRef {
    /// Namespace of the workload.
    pub namespace: String,
    /// Deployment or StatefulSet.
    pub kind: WorkloadKind,
    /// Name of the workload.
    pub name: String,
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// CPU and memory; a missing one is left as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// CPU, in millicores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuMillis>,
    /// Memory, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryBytes>,
}

impl Resources {
    /// True when neither resource is given.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }
}

/// A HorizontalPodAutoscaler's bounds and CPU target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaSpec {
    /// Lower bound of replicas.
    pub min_replicas: u32,
    /// Upper bound of replicas.
    pub max_replicas: u32,
    /// Target average CPU utilisation, percent of the request.
    pub cpu_utilization: u32,
}

/// A workload named on the command line, with its desired replicas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadTarget {
    /// Deployment or StatefulSet.
    pub kind: WorkloadKind,
    /// Name of the workload.
    pub name: String,
    /// Desired replica count.
    pub replicas: u32,
}

/// Requests or limits for one named workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSetting {
    /// The workload these apply to.
    pub workload: String,
    /// The values wanted.
    #[serde(flatten)]
    pub resources: Resources,
}

/// A scale request: the flags of `planhost scale`, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleRequest {
    /// Name of the environment (`prod`, `staging`); names the artifact folders.
    pub target: String,
    /// The one namespace the plan may touch.
    pub namespace: String,
    /// Workloads to plan for.
    pub workloads: Vec<WorkloadTarget>,
    /// Wanted container requests, per workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<ResourceSetting>,
    /// Wanted container limits, per workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<ResourceSetting>,
    /// An autoscaler for every workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa: Option<HpaSpec>,
}

/// The live state of one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedWorkload {
    /// Deployment or StatefulSet.
    pub kind: WorkloadKind,
    /// Name of the workload.
    pub name: String,
    /// Current replica count (`spec.replicas`).
    pub replicas: u32,
    /// Current container requests.
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub requests: Resources,
    /// Current container limits.
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub limits: Resources,
    /// The workload's autoscaler, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa: Option<HpaSpec>,
}

/// The live state of a namespace, as far as a request's workloads go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedState {
    /// The namespace observed.
    pub namespace: String,
    /// The workloads observed.
    pub workloads: Vec<ObservedWorkload>,
}

/// One change to the cluster, named as in the original system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Set the replica count.
    ScaleWorkload {
        /// The workload.
        #[serde(flatten)]
        workload: WorkloadRef,
        /// The new replica count.
        replicas: u32,
    },
    /// Set container requests and limits; missing values stay.
    UpdateResources {
        /// The workload.
        #[serde(flatten)]
        workload: WorkloadRef,
        /// New requests.
        #[serde(default, skip_serializing_if = "Resources::is_empty")]
        requests: Resources,
        /// New limits.
        #[serde(default, skip_serializing_if = "Resources::is_empty")]
        limits: Resources,
    },
    /// Create or update the workload's HorizontalPodAutoscaler.
    ApplyHpa {
        /// The workload (the autoscaler carries its name).
        #[serde(flatten)]
        workload: WorkloadRef,
        /// The autoscaler wanted.
        hpa: HpaSpec,
    },
    /// Remove the workload's HorizontalPodAutoscaler.
    DeleteHpa {
        /// The workload.
        #[serde(flatten)]
        workload: WorkloadRef,
    },
    /// Roll back to an earlier revision (the previous one when none is given).
    RolloutUndo {
        /// The workload.
        #[serde(flatten)]
        workload: WorkloadRef,
        /// The revision to return to.
        #[serde(default, skip_serializing_if = "Option::is_none", rename = "toRevision")]
        to_revision: Option<u64>,
    },
}

impl Action {
    /// The workload this action changes.
    pub fn workload(&self) -> &WorkloadRef {
        match self {
            Action::ScaleWorkload { workload, .. }
            | Action::UpdateResources { workload, .. }
            | Action::ApplyHpa { workload, .. }
            | Action::DeleteHpa { workload }
            | Action::RolloutUndo { workload, .. } => workload,
        }
    }

    /// The action's name in plans and logs (`scale_workload`).
    pub fn name(&self) -> &'static str {
        match self {
            Action::ScaleWorkload { .. } => "scale_workload",
            Action::UpdateResources { .. } => "update_resources",
            Action::ApplyHpa { .. } => "apply_hpa",
            Action::DeleteHpa { .. } => "delete_hpa",
            Action::RolloutUndo { .. } => "rollout_undo",
        }
    }
}

/// How to reverse part of a plan: data, never shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RollbackHint {
    /// Apply this action.
    Restore {
        /// The action that restores the earlier state.
        restore: Action,
    },
    /// Re-apply a manifest saved beside the plan (a file name inside the plan's directory).
    ApplyManifest {
        /// The file name.
        #[serde(rename = "applyManifest")]
        apply_manifest: String,
    },
}

/// What a planner returned, once the host has checked it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The changes, in the order they run.
    pub actions: Vec<Action>,
    /// How to undo them, in the order that undoes them.
    pub rollback_hints: Vec<RollbackHint>,
    /// What a reviewer should know.
    pub warnings: Vec<String>,
}

/// A plan that ran, as a rollback planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutedPlan {
    /// The plan's target.
    pub target: String,
    /// The plan's namespace.
    pub namespace: String,
    /// The actions it applied.
    pub actions: Vec<Action>,
    /// Its rollback hints.
    pub rollback_hints: Vec<RollbackHint>,
    /// The state before it ran; `None` for plans written by the old scripts.
    pub before: Option<ObservedState>,
}

/// Who planned, for the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerRecord {
    /// The planner's own name.
    pub name: String,
    /// The planner's own version.
    pub version: String,
    /// sha256 of the component's bytes, in hex.
    pub sha256: String,
}
