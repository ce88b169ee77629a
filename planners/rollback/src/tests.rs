//! The rollback rules, run natively.

use super::*;
use bindings::planhost::planner::types::{HpaSpec, WorkloadKind};

fn web() -> WorkloadRef {
    WorkloadRef { namespace: "assistant".into(), kind: WorkloadKind::Deployment, name: "web".into() }
}

fn resources(cpu_millis: Option<u64>, memory_bytes: Option<u64>) -> Resources {
    Resources { cpu_millis, memory_bytes }
}

fn state(replicas: u32, requests: Resources, hpa: Option<HpaSpec>) -> ObservedState {
    ObservedState {
        namespace: "assistant".into(),
        workloads: vec![ObservedWorkload { kind: WorkloadKind::Deployment, name: "web".into(), replicas, requests, limits: resources(None, None), hpa }],
    }
}

const HPA: HpaSpec = HpaSpec { min_replicas: 2, max_replicas: 6, cpu_utilization: 70 };

fn executed(before: Option<ObservedState>) -> ExecutedPlan {
    ExecutedPlan {
        target: "prod".into(),
        namespace: "assistant".into(),
        actions: vec![
            Action::UpdateResources(UpdateResources { workload: web(), requests: resources(Some(500), None), limits: resources(None, None) }),
            Action::ScaleWorkload(ScaleWorkload { workload: web(), replicas: 4 }),
            Action::ApplyHpa(ApplyHpa { workload: web(), spec: HPA }),
        ],
        rollback_hints: vec![RollbackHint::ApplyManifest("previous-hpa-web.yaml".into())],
        before,
    }
}

#[test]
fn restores_every_recorded_value_and_removes_a_new_hpa() {
    let before = state(2, resources(Some(300), Some(1 << 30)), None);
    let after = state(4, resources(Some(500), Some(1 << 30)), Some(HPA));
    let plan = plan_rollback(&executed(Some(before)), &after).unwrap();
    assert_eq!(
        plan.actions,
        [
            Action::UpdateResources(UpdateResources { workload: web(), requests: resources(Some(300), None), limits: resources(None, None) }),
            Action::ScaleWorkload(ScaleWorkload { workload: web(), replicas: 2 }),
            Action::DeleteHpa(web()),
        ]
    );
    assert_eq!(plan.rollback_hints, []);
}

#[test]
fn restores_an_hpa_that_existed_and_leaves_what_already_matches() {
    let old = HpaSpec { min_replicas: 1, max_replicas: 3, cpu_utilization: 80 };
    let before = state(4, resources(Some(500), None), Some(old));
    let after = state(4, resources(Some(500), None), Some(HPA));
    let plan = plan_rollback(&executed(Some(before)), &after).unwrap();
    assert_eq!(plan.actions, [Action::ApplyHpa(ApplyHpa { workload: web(), spec: old })]);
}

#[test]
fn a_value_that_was_unset_is_restored_by_undoing_the_rollout() {
    let before = state(4, resources(None, None), None);
    let after = state(4, resources(Some(500), None), None);
    let plan = plan_rollback(&executed(Some(before)), &after).unwrap();
    assert_eq!(plan.actions, [Action::RolloutUndo(RolloutUndo { workload: web(), to_revision: None })]);
    assert_eq!(plan.warnings.len(), 1);
}

#[test]
fn without_a_before_state_it_falls_back_like_the_original() {
    let plan = plan_rollback(&executed(None), &state(4, resources(Some(500), None), Some(HPA))).unwrap();
    assert_eq!(plan.actions, [Action::RolloutUndo(RolloutUndo { workload: web(), to_revision: None })]);
    assert_eq!(plan.rollback_hints, [RollbackHint::ApplyManifest("previous-hpa-web.yaml".into())]);
}

#[test]
fn a_workload_that_is_gone_or_another_namespace_is_refused() {
    let before = state(2, resources(None, None), None);
    let gone = ObservedState { namespace: "assistant".into(), workloads: Vec::new() };
    assert!(matches!(plan_rollback(&executed(Some(before.clone())), &gone), Err(PlanError::InvalidRequest(invalid)) if invalid.message.contains("no longer exists")));
    let elsewhere = ObservedState { namespace: "other".into(), workloads: Vec::new() };
    assert!(matches!(plan_rollback(&executed(Some(before)), &elsewhere), Err(PlanError::InvalidRequest(_))));
}
