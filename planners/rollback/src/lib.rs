//! The `rollback` planner: given an executed plan and the live state, the actions that put back
//! what the plan changed.
//!
//! With the plan's "before" state it restores exactly: replicas and resources to their recorded
//! values, an autoscaler that did not exist removed, one that existed restored to its recorded
//! spec. A plan written by the old scripts has no before state; then, like the original, it
//! rolls back the rollout of every workload the plan scaled or resized, and hands the plan's
//! saved manifests back to the host to re-apply.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        world: "rollback-planner",
        path: "../../wit",
        additional_derives: [PartialEq, Eq],
    });

    use super::Rollback;
    export!(Rollback);
}

use std::collections::BTreeMap;

use bindings::planhost::planner::host_log::log;
use bindings::planhost::planner::types::{
    Action, ApplyHpa, ExecutedPlan, InvalidRequest, LogLevel, ObservedState, ObservedWorkload, Plan, PlanError,
    PlannerInfo, RequestField, Resources, RollbackHint, RolloutUndo, ScaleWorkload, UpdateResources, WorkloadRef,
};

/// The component's export.
struct Rollback;

impl bindings::Guest for Rollback {
    fn info() -> PlannerInfo {
        PlannerInfo {
            name: "rollback".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "restores the state a plan was made against".to_string(),
        }
    }

    fn plan_rollback(executed: ExecutedPlan, current: ObservedState) -> Result<Plan, PlanError> {
        let outcome = plan_rollback(&executed, &current);
        if let Ok(plan) = &outcome {
            log(LogLevel::Debug, &format!("{} actions restore {}", plan.actions.len(), executed.target));
        }
        outcome
    }
}

fn invalid(workload: Option<&str>, message: String) -> PlanError {
    PlanError::InvalidRequest(InvalidRequest { field: RequestField::Observed, workload: workload.map(str::to_string), message })
}

/// The workloads the plan's actions touched, each once, in the order the plan first touched them.
fn touched(actions: &[Action]) -> Vec<&WorkloadRef> {
    let mut seen: Vec<&WorkloadRef> = Vec::new();
    for action in actions {
        let workload = workload_of(action);
        if !seen.contains(&workload) {
            seen.push(workload);
        }
    }
    seen
}

fn workload_of(action: &Action) -> &WorkloadRef {
    match action {
        Action::ScaleWorkload(scale) => &scale.workload,
        Action::UpdateResources(update) => &update.workload,
        Action::ApplyHpa(apply) => &apply.workload,
        Action::DeleteHpa(workload) => workload,
        Action::RolloutUndo(undo) => &undo.workload,
    }
}

/// The actions that restore `executed.before` for every workload the plan touched, in the order
/// they run (resources, replicas, autoscalers); or the legacy fallback without a before state.
pub fn plan_rollback(executed: &ExecutedPlan, current: &ObservedState) -> Result<Plan, PlanError> {
    if current.namespace != executed.namespace {
        return Err(invalid(
            None,
            format!("the current state is of namespace {:?}, the plan of {:?}", current.namespace, executed.namespace),
        ));
    }
    let Some(before) = &executed.before else { return Ok(legacy_rollback(executed)) };
    let before_by_name: BTreeMap<&str, &ObservedWorkload> = before.workloads.iter().map(|w| (w.name.as_str(), w)).collect();
    let now_by_name: BTreeMap<&str, &ObservedWorkload> = current.workloads.iter().map(|w| (w.name.as_str(), w)).collect();

    let (mut resources, mut replicas, mut hpas, mut warnings) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for workload in touched(&executed.actions) {
        let name = workload.name.as_str();
        let was = before_by_name
            .get(name)
            .ok_or_else(|| invalid(Some(name), format!("the plan's before state has no {name}")))?;
        let now = now_by_name.get(name).ok_or_else(|| invalid(Some(name), format!("{name} no longer exists; it cannot be restored")))?;

        let restore = |was: &Resources, now: &Resources| Resources {
            cpu_millis: was.cpu_millis.filter(|value| now.cpu_millis != Some(*value)),
            memory_bytes: was.memory_bytes.filter(|value| now.memory_bytes != Some(*value)),
        };
        // A value that was not set before cannot be unset by an update; undoing the rollout can.
        let unset = |was: &Resources, now: &Resources| {
            (was.cpu_millis.is_none() && now.cpu_millis.is_some()) || (was.memory_bytes.is_none() && now.memory_bytes.is_some())
        };
        if unset(&was.requests, &now.requests) || unset(&was.limits, &now.limits) {
            warnings.push(format!("{name}: a request or limit was not set before the plan; undoing the rollout instead"));
            resources.push(Action::RolloutUndo(RolloutUndo { workload: workload.clone(), to_revision: None }));
        } else {
            let (requests, limits) = (restore(&was.requests, &now.requests), restore(&was.limits, &now.limits));
            let is_set = |resources: &Resources| resources.cpu_millis.is_some() || resources.memory_bytes.is_some();
            if is_set(&requests) || is_set(&limits) {
                resources.push(Action::UpdateResources(UpdateResources { workload: workload.clone(), requests, limits }));
            }
        }
        if now.replicas != was.replicas {
            replicas.push(Action::ScaleWorkload(ScaleWorkload { workload: workload.clone(), replicas: was.replicas }));
        }
        match (was.hpa, now.hpa) {
            (None, Some(_)) => hpas.push(Action::DeleteHpa(workload.clone())),
            (Some(spec), now_hpa) if now_hpa != Some(spec) => {
                hpas.push(Action::ApplyHpa(ApplyHpa { workload: workload.clone(), spec }));
            }
            _ => {}
        }
    }
    resources.extend(replicas);
    resources.extend(hpas);
    Ok(Plan { actions: resources, rollback_hints: Vec::new(), warnings })
}

/// The original system's rollback: undo the rollout of every workload the plan scaled or
/// resized, and re-apply the manifests the plan saved.
fn legacy_rollback(executed: &ExecutedPlan) -> Plan {
    let resized: Vec<Action> =
        executed.actions.iter().filter(|action| matches!(action, Action::ScaleWorkload(_) | Action::UpdateResources(_))).cloned().collect();
    let actions = touched(&resized)
        .into_iter()
        .map(|workload| Action::RolloutUndo(RolloutUndo { workload: workload.clone(), to_revision: None }))
        .collect();
    let manifests = executed.rollback_hints.iter().filter(|hint| matches!(hint, RollbackHint::ApplyManifest(_))).cloned().collect();
    Plan {
        actions,
        rollback_hints: manifests,
        warnings: vec!["the plan records no before state: rolling back rollouts and re-applying saved manifests, as the original scripts did".to_string()],
    }
}

#[cfg(test)]
mod tests;
