//! An example planner for plugin authors, and the proof in the tests that `--planner` really
//! runs the file it is given: it ignores the requested replicas and pins every workload to
//! three, which no shipped planner would do.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        world: "scale-planner",
        path: "../../wit",
    });

    use super::FixedReplicas;
    export!(FixedReplicas);
}

use bindings::planhost::planner::host_log::log;
use bindings::planhost::planner::types::{
    Action, LogLevel, ObservedState, Plan, PlanError, PlannerInfo, ScaleRequest, ScaleWorkload, WorkloadRef,
};

/// The replica count every workload gets.
const PINNED_REPLICAS: u32 = 3;

struct FixedReplicas;

impl bindings::Guest for FixedReplicas {
    fn info() -> PlannerInfo {
        PlannerInfo {
            name: "fixed-replicas".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "pins every workload to three replicas".to_string(),
        }
    }

    fn plan(request: ScaleRequest, _observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        log(LogLevel::Info, "pinning every workload to three replicas");
        let actions = request
            .workloads
            .iter()
            .map(|workload| {
                Action::ScaleWorkload(ScaleWorkload {
                    workload: WorkloadRef {
                        namespace: request.namespace.clone(),
                        kind: workload.kind,
                        name: workload.name.clone(),
                    },
                    replicas: PINNED_REPLICAS,
                })
            })
            .collect();
        Ok(Plan {
            actions,
            rollback_hints: Vec::new(),
            warnings: vec![format!("fixed-replicas: every workload pinned to {PINNED_REPLICAS} replicas")],
        })
    }
}

