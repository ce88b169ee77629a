//! The host's check of what a planner returned: a plan may touch only the request's namespace
//! and workloads, within sane bounds. A plan that breaks a rule is refused whole.

use std::collections::HashMap;

use super::model::{Action, HpaSpec, Plan, Resources, RollbackHint, ScaleRequest, WorkloadKind, WorkloadRef};
use crate::limits::Limits;

/// The most CPU one container may be given: 1024 cores.
const MAX_CPU_MILLIS: u64 = 1024 * 1000;
/// The most memory one container may be given: 16 TiB.
const MAX_MEMORY_BYTES: u64 = 16 << 40;

/// A rule the returned plan breaks, naming the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanViolation {
    /// More actions, hints or warnings than allowed.
    #[error("returned {count} {what}, more than the limit of {limit}")]
    TooMany {
        /// `actions`, `rollback hints` or `warnings`.
        what: &'static str,
        /// How many were returned.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A string longer than allowed.
    #[error("returned a {what} of {bytes} bytes, more than the limit of {limit}")]
    TextTooLong {
        /// What the string is.
        what: &'static str,
        /// Its length.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// One action or hint is outside the planner's mandate.
    #[error("{position} ({action}) {reason}")]
    Action {
        /// `action 2` or `rollback hint 1` (counting from 1).
        position: String,
        /// The action's name and workload.
        action: String,
        /// What is wrong.
        reason: String,
    },
}

/// Checks `plan` against the `request` it answers and the output `limits`.
pub fn validate(plan: &Plan, request: &ScaleRequest, limits: &Limits) -> Result<(), PlanViolation> {
    for (what, count) in [
        ("actions", plan.actions.len()),
        ("rollback hints", plan.rollback_hints.len()),
        ("warnings", plan.warnings.len()),
    ] {
        let limit = if what == "warnings" { limits.max_warnings } else { limits.max_actions };
        if count > limit {
            return Err(PlanViolation::TooMany { what, count, limit });
        }
    }
    if let Some(warning) = plan.warnings.iter().find(|warning| warning.len() > limits.max_text_bytes) {
        return Err(PlanViolation::TextTooLong { what: "warning", bytes: warning.len(), limit: limits.max_text_bytes });
    }

    let mandate = Mandate {
        namespace: &request.namespace,
        workloads: request.workloads.iter().map(|target| (target.name.as_str(), target.kind)).collect(),
        limits,
    };
    // Where each (action name, workload) pair was first seen, to refuse repeats.
    let mut seen: HashMap<(&str, &WorkloadRef), usize> = HashMap::with_capacity(plan.actions.len());
    for (index, action) in plan.actions.iter().enumerate() {
        let position = || format!("action {}", index + 1);
        mandate.check(action).map_err(|reason| violation(position(), action, reason))?;
        if let Some(earlier) = seen.insert((action.name(), action.workload()), index) {
            let reason = format!("repeats action {} on the same workload", earlier + 1);
            return Err(violation(position(), action, reason));
        }
    }
    for (index, hint) in plan.rollback_hints.iter().enumerate() {
        let position = format!("rollback hint {}", index + 1);
        match hint {
            RollbackHint::Restore { restore } => {
                mandate.check(restore).map_err(|reason| violation(position, restore, reason))?;
            }
            RollbackHint::ApplyManifest { apply_manifest } => {
                if let Err(reason) = check_manifest_name(apply_manifest, limits) {
                    return Err(PlanViolation::Action { position, action: "apply_manifest".to_string(), reason });
                }
            }
        }
    }
    Ok(())
}

fn violation(position: String, action: &Action, reason: String) -> PlanViolation {
    PlanViolation::Action { position, action: format!("{} {}", action.name(), action.workload()), reason }
}

/// What a planner may touch: the request's namespace and workloads, within the limits.
struct Mandate<'a> {
    namespace: &'a str,
    /// The request's workloads by name.
    workloads: HashMap<&'a str, WorkloadKind>,
    limits: &'a Limits,
}

impl Mandate<'_> {
    fn check(&self, action: &Action) -> Result<(), String> {
        let workload = action.workload();
        if workload.namespace != self.namespace {
            return Err(format!("is outside the request's namespace {:?}", self.namespace));
        }
        match self.workloads.get(workload.name.as_str()) {
            None => return Err("names a workload the request does not name".to_string()),
            Some(kind) if *kind != workload.kind => {
                return Err(format!("names a {} that the request names as a {kind}", workload.kind));
            }
            Some(_) => {}
        }
        check_bounds(action, self.limits)
    }
}

fn check_bounds(action: &Action, limits: &Limits) -> Result<(), String> {
    match action {
        Action::ScaleWorkload { replicas, .. } if *replicas > limits.max_replicas => {
            Err(format!("asks for {replicas} replicas, above the ceiling of {}", limits.max_replicas))
        }
        Action::UpdateResources { requests, limits: container_limits, .. } => {
            if requests.is_empty() && container_limits.is_empty() {
                return Err("changes nothing".to_string());
            }
            check_resources("request", requests)?;
            check_resources("limit", container_limits)
        }
        Action::ApplyHpa { hpa, .. } => check_hpa(hpa, limits),
        Action::RolloutUndo { to_revision: Some(0), .. } => Err("asks for revision 0, which does not exist".to_string()),
        _ => Ok(()),
    }
}

fn check_resources(what: &str, resources: &Resources) -> Result<(), String> {
    if let Some(cpu) = resources.cpu
        && !(1..=MAX_CPU_MILLIS).contains(&cpu.0)
    {
        return Err(format!("sets a cpu {what} of {cpu}, outside 1m..1024"));
    }
    if let Some(memory) = resources.memory
        && !(1..=MAX_MEMORY_BYTES).contains(&memory.0)
    {
        return Err(format!("sets a memory {what} of {memory}, outside 1..16Ti"));
    }
    Ok(())
}

fn check_hpa(hpa: &HpaSpec, limits: &Limits) -> Result<(), String> {
    if hpa.min_replicas < 1 || hpa.min_replicas > hpa.max_replicas || hpa.max_replicas > limits.max_replicas {
        return Err(format!(
            "sets replicas {}..{}, outside 1..{} or with min above max",
            hpa.min_replicas, hpa.max_replicas, limits.max_replicas
        ));
    }
    if !(1..=100).contains(&hpa.cpu_utilization) {
        return Err(format!("sets a cpu target of {}%, outside 1..100", hpa.cpu_utilization));
    }
    Ok(())
}

/// A manifest a hint names must be a plain file name: it is opened inside the plan's directory.
pub fn check_manifest_name(name: &str, limits: &Limits) -> Result<(), String> {
    let plain = name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
    if name.is_empty() || name.len() > limits.max_text_bytes.min(255) || !plain || name.starts_with('.') {
        return Err(format!("names {name:?}, which is not a plain file name inside the plan's directory"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::WorkloadTarget;
    use crate::plan::quantity::CpuMillis;

    fn request() -> ScaleRequest {
        ScaleRequest {
            target: "prod".into(),
            namespace: "assistant".into(),
            workloads: vec![WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".into(), replicas: 3 }],
            requests: vec![],
            limits: vec![],
            hpa: None,
        }
    }

    fn web(namespace: &str, kind: WorkloadKind, name: &str) -> WorkloadRef {
        WorkloadRef { namespace: namespace.into(), kind, name: name.into() }
    }

    fn refusal(actions: Vec<Action>) -> String {
        let plan = Plan { actions, ..Plan::default() };
        validate(&plan, &request(), &Limits::default()).unwrap_err().to_string()
    }

    #[test]
    fn accepts_actions_within_the_mandate() {
        let plan = Plan {
            actions: vec![Action::ScaleWorkload { workload: web("assistant", WorkloadKind::Deployment, "web"), replicas: 4 }],
            rollback_hints: vec![RollbackHint::ApplyManifest { apply_manifest: "previous-hpa-web.yaml".into() }],
            warnings: vec![],
        };
        assert_eq!(validate(&plan, &request(), &Limits::default()), Ok(()));
    }

    #[test]
    fn refuses_actions_outside_the_mandate() {
        let scale = |namespace: &str, kind, name: &str, replicas| Action::ScaleWorkload { workload: web(namespace, kind, name), replicas };
        assert_eq!(
            refusal(vec![scale("kube-system", WorkloadKind::Deployment, "web", 1)]),
            "action 1 (scale_workload Deployment kube-system/web) is outside the request's namespace \"assistant\""
        );
        assert_eq!(
            refusal(vec![scale("assistant", WorkloadKind::Deployment, "db", 1)]),
            "action 1 (scale_workload Deployment assistant/db) names a workload the request does not name"
        );
        assert!(refusal(vec![scale("assistant", WorkloadKind::StatefulSet, "web", 1)]).contains("names a StatefulSet"));
        assert!(refusal(vec![scale("assistant", WorkloadKind::Deployment, "web", 1_000_000)]).contains("above the ceiling of 1000"));
        let update = Action::UpdateResources {
            workload: web("assistant", WorkloadKind::Deployment, "web"),
            requests: Resources { cpu: Some(CpuMillis(u64::MAX)), memory: None },
            limits: Resources::default(),
        };
        assert!(refusal(vec![update]).contains("outside 1m..1024"));
        let twice = scale("assistant", WorkloadKind::Deployment, "web", 2);
        assert!(refusal(vec![twice.clone(), twice]).starts_with("action 2 (scale_workload Deployment assistant/web) repeats action 1"));
    }

    #[test]
    fn refuses_manifest_hints_that_leave_the_plan_directory() {
        for name in ["../secret.yaml", "/etc/passwd", ".hidden", "a/b.yaml", ""] {
            let plan = Plan { rollback_hints: vec![RollbackHint::ApplyManifest { apply_manifest: name.into() }], ..Plan::default() };
            let error = validate(&plan, &request(), &Limits::default()).unwrap_err();
            assert!(error.to_string().contains("not a plain file name"), "{name}: {error}");
        }
    }
}
