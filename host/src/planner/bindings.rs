//! The generated bindings of the `scale-planner` world, and the conversions between its types
//! and the host's plan model. Only this module knows the WIT types.

wasmtime::component::bindgen!({
    world: "scale-planner",
    path: "../wit",
    // Calls into the planner are async so that a wall-time limit also cuts short a planner that
    // waits inside a host call (a WASI sleep), where epoch interruption cannot reach.
    exports: { default: async },
});

/// The `rollback-planner` world, sharing the types and the log import generated above.
pub mod rollback {
    wasmtime::component::bindgen!({
        world: "rollback-planner",
        path: "../wit",
        exports: { default: async },
        with: {
            "planhost:planner/types": super::planhost::planner::types,
            "planhost:planner/host-log": super::planhost::planner::host_log,
        },
    });
}

use planhost::planner::types as wit;

use crate::plan::model;
use crate::plan::quantity::{CpuMillis, MemoryBytes};

pub use planhost::planner::host_log::Host as HostLog;
pub use planhost::planner::types::{LogLevel, RequestField};

impl From<model::WorkloadKind> for wit::WorkloadKind {
    fn from(kind: model::WorkloadKind) -> Self {
        match kind {
            model::WorkloadKind::Deployment => wit::WorkloadKind::Deployment,
            model::WorkloadKind::StatefulSet => wit::WorkloadKind::StatefulSet,
        }
    }
}

impl From<wit::WorkloadKind> for model::WorkloadKind {
    fn from(kind: wit::WorkloadKind) -> Self {
        match kind {
            wit::WorkloadKind::Deployment => model::WorkloadKind::Deployment,
            wit::WorkloadKind::StatefulSet => model::WorkloadKind::StatefulSet,
        }
    }
}

impl From<&model::Resources> for wit::Resources {
    fn from(resources: &model::Resources) -> Self {
        wit::Resources {
            cpu_millis: resources.cpu.map(|cpu| cpu.0),
            memory_bytes: resources.memory.map(|memory| memory.0),
        }
    }
}

impl From<wit::Resources> for model::Resources {
    fn from(resources: wit::Resources) -> Self {
        model::Resources { cpu: resources.cpu_millis.map(CpuMillis), memory: resources.memory_bytes.map(MemoryBytes) }
    }
}

impl From<model::HpaSpec> for wit::HpaSpec {
    fn from(hpa: model::HpaSpec) -> Self {
        wit::HpaSpec { min_replicas: hpa.min_replicas, max_replicas: hpa.max_replicas, cpu_utilization: hpa.cpu_utilization }
    }
}

impl From<wit::HpaSpec> for model::HpaSpec {
    fn from(hpa: wit::HpaSpec) -> Self {
        model::HpaSpec { min_replicas: hpa.min_replicas, max_replicas: hpa.max_replicas, cpu_utilization: hpa.cpu_utilization }
    }
}

impl From<&model::ScaleRequest> for wit::ScaleRequest {
    fn from(request: &model::ScaleRequest) -> Self {
        let settings = |settings: &[model::ResourceSetting]| {
            settings
                .iter()
                .map(|setting| wit::ResourceSetting { workload: setting.workload.clone(), resources: (&setting.resources).into() })
                .collect()
        };
        wit::ScaleRequest {
            target: request.target.clone(),
            namespace: request.namespace.clone(),
            workloads: request
                .workloads
                .iter()
                .map(|workload| wit::WorkloadTarget {
                    kind: workload.kind.into(),
                    name: workload.name.clone(),
                    replicas: workload.replicas,
                })
                .collect(),
            requests: settings(&request.requests),
            limits: settings(&request.limits),
            hpa: request.hpa.map(Into::into),
        }
    }
}

impl From<&model::ObservedState> for wit::ObservedState {
    fn from(state: &model::ObservedState) -> Self {
        wit::ObservedState {
            namespace: state.namespace.clone(),
            workloads: state
                .workloads
                .iter()
                .map(|workload| wit::ObservedWorkload {
                    kind: workload.kind.into(),
                    name: workload.name.clone(),
                    replicas: workload.replicas,
                    requests: (&workload.requests).into(),
                    limits: (&workload.limits).into(),
                    hpa: workload.hpa.map(Into::into),
                })
                .collect(),
        }
    }
}

impl From<wit::WorkloadRef> for model::WorkloadRef {
    fn from(workload: wit::WorkloadRef) -> Self {
        model::WorkloadRef { namespace: workload.namespace, kind: workload.kind.into(), name: workload.name }
    }
}

impl From<wit::Action> for model::Action {
    fn from(action: wit::Action) -> Self {
        match action {
            wit::Action::ScaleWorkload(scale) => {
                model::Action::ScaleWorkload { workload: scale.workload.into(), replicas: scale.replicas }
            }
            wit::Action::UpdateResources(update) => model::Action::UpdateResources {
                workload: update.workload.into(),
                requests: update.requests.into(),
                limits: update.limits.into(),
            },
            wit::Action::ApplyHpa(apply) => model::Action::ApplyHpa { workload: apply.workload.into(), hpa: apply.spec.into() },
            wit::Action::DeleteHpa(workload) => model::Action::DeleteHpa { workload: workload.into() },
            wit::Action::RolloutUndo(undo) => {
                model::Action::RolloutUndo { workload: undo.workload.into(), to_revision: undo.to_revision }
            }
        }
    }
}

impl From<wit::RollbackHint> for model::RollbackHint {
    fn from(hint: wit::RollbackHint) -> Self {
        match hint {
            wit::RollbackHint::Restore(action) => model::RollbackHint::Restore { restore: action.into() },
            wit::RollbackHint::ApplyManifest(file) => model::RollbackHint::ApplyManifest { apply_manifest: file },
        }
    }
}

impl From<wit::Plan> for model::Plan {
    fn from(plan: wit::Plan) -> Self {
        model::Plan {
            actions: plan.actions.into_iter().map(Into::into).collect(),
            rollback_hints: plan.rollback_hints.into_iter().map(Into::into).collect(),
            warnings: plan.warnings,
        }
    }
}

impl From<&model::WorkloadRef> for wit::WorkloadRef {
    fn from(workload: &model::WorkloadRef) -> Self {
        wit::WorkloadRef { namespace: workload.namespace.clone(), kind: workload.kind.into(), name: workload.name.clone() }
    }
}

impl From<&model::Action> for wit::Action {
    fn from(action: &model::Action) -> Self {
        match action {
            model::Action::ScaleWorkload { workload, replicas } => {
                wit::Action::ScaleWorkload(wit::ScaleWorkload { workload: workload.into(), replicas: *replicas })
            }
            model::Action::UpdateResources { workload, requests, limits } => wit::Action::UpdateResources(wit::UpdateResources {
                workload: workload.into(),
                requests: requests.into(),
                limits: limits.into(),
            }),
            model::Action::ApplyHpa { workload, hpa } => wit::Action::ApplyHpa(wit::ApplyHpa { workload: workload.into(), spec: (*hpa).into() }),
            model::Action::DeleteHpa { workload } => wit::Action::DeleteHpa(workload.into()),
            model::Action::RolloutUndo { workload, to_revision } => {
                wit::Action::RolloutUndo(wit::RolloutUndo { workload: workload.into(), to_revision: *to_revision })
            }
        }
    }
}

impl From<&model::RollbackHint> for wit::RollbackHint {
    fn from(hint: &model::RollbackHint) -> Self {
        match hint {
            model::RollbackHint::Restore { restore } => wit::RollbackHint::Restore(restore.into()),
            model::RollbackHint::ApplyManifest { apply_manifest } => wit::RollbackHint::ApplyManifest(apply_manifest.clone()),
        }
    }
}

impl From<&model::ExecutedPlan> for wit::ExecutedPlan {
    fn from(executed: &model::ExecutedPlan) -> Self {
        wit::ExecutedPlan {
            target: executed.target.clone(),
            namespace: executed.namespace.clone(),
            actions: executed.actions.iter().map(Into::into).collect(),
            rollback_hints: executed.rollback_hints.iter().map(Into::into).collect(),
            before: executed.before.as_ref().map(Into::into),
        }
    }
}
