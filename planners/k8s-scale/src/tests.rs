//! The planner's rules, run natively on hand-made requests (which skip every host check).

use super::*;
use types::WorkloadTarget;

fn request() -> ScaleRequest {
    ScaleRequest {
        target: "prod".into(),
        namespace: "assistant".into(),
        workloads: vec![WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".into(), replicas: 4 }],
        requests: vec![ResourceSetting { workload: "web".into(), resources: cpu_memory(Some(500), Some(1 << 30)) }],
        limits: vec![ResourceSetting { workload: "web".into(), resources: cpu_memory(Some(1000), None) }],
        hpa: Some(HpaSpec { min_replicas: 2, max_replicas: 8, cpu_utilization: 65 }),
    }
}

fn cpu_memory(cpu_millis: Option<u64>, memory_bytes: Option<u64>) -> Resources {
    Resources { cpu_millis, memory_bytes }
}

fn observed(replicas: u32, requests: Resources, limits: Resources, hpa: Option<HpaSpec>) -> ObservedState {
    ObservedState {
        namespace: "assistant".into(),
        workloads: vec![ObservedWorkload { kind: WorkloadKind::Deployment, name: "web".into(), replicas, requests, limits, hpa }],
    }
}

fn refusal(request: &ScaleRequest, observed: Option<&ObservedState>) -> InvalidRequest {
    match super::plan(request, observed) {
        Err(PlanError::InvalidRequest(invalid)) => invalid,
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[test]
fn without_observed_state_every_value_is_an_action_in_execution_order() {
    let plan = super::plan(&request(), None).unwrap();
    let names: Vec<&str> = plan
        .actions
        .iter()
        .map(|action| match action {
            Action::UpdateResources(_) => "update_resources",
            Action::ScaleWorkload(_) => "scale_workload",
            Action::ApplyHpa(_) => "apply_hpa",
            _ => "other",
        })
        .collect();
    assert_eq!(names, ["update_resources", "scale_workload", "apply_hpa"]);
    assert_eq!(
        plan.rollback_hints,
        [
            RollbackHint::ApplyManifest("previous-hpa-web.yaml".into()),
            RollbackHint::Restore(Action::RolloutUndo(RolloutUndo {
                workload: WorkloadRef { namespace: "assistant".into(), kind: WorkloadKind::Deployment, name: "web".into() },
                to_revision: None,
            })),
        ]
    );
    assert!(plan.warnings.iter().any(|warning| warning.starts_with("planned without observed state")));
}

#[test]
fn an_observed_state_that_already_matches_gives_an_empty_plan() {
    let state = observed(4, cpu_memory(Some(500), Some(1 << 30)), cpu_memory(Some(1000), Some(2 << 30)), request().hpa);
    let plan = super::plan(&request(), Some(&state)).unwrap();
    assert_eq!(plan.actions, []);
    assert_eq!(plan.rollback_hints, []);
    assert_eq!(plan.warnings, Vec::<String>::new());
}

#[test]
fn a_field_that_was_not_set_is_restored_by_undoing_the_rollout() {
    let state = observed(4, cpu_memory(None, Some(1 << 30)), cpu_memory(Some(1000), None), request().hpa);
    let plan = super::plan(&request(), Some(&state)).unwrap();
    assert_eq!(plan.actions.len(), 1);
    assert!(matches!(&plan.actions[0], Action::UpdateResources(update) if update.requests == cpu_memory(Some(500), None) && update.limits == cpu_memory(None, None)));
    assert!(matches!(&plan.rollback_hints[..], [RollbackHint::Restore(Action::RolloutUndo(_))]));
}

#[test]
fn an_existing_hpa_is_restored_and_a_new_one_removed() {
    let old = HpaSpec { min_replicas: 1, max_replicas: 3, cpu_utilization: 80 };
    let state = observed(4, cpu_memory(Some(500), Some(1 << 30)), cpu_memory(Some(1000), None), Some(old));
    let plan = super::plan(&request(), Some(&state)).unwrap();
    assert!(matches!(&plan.rollback_hints[..], [RollbackHint::Restore(Action::ApplyHpa(apply))] if apply.spec == old));

    let state = observed(4, cpu_memory(Some(500), Some(1 << 30)), cpu_memory(Some(1000), None), None);
    let plan = super::plan(&request(), Some(&state)).unwrap();
    assert!(matches!(&plan.rollback_hints[..], [RollbackHint::Restore(Action::DeleteHpa(workload))] if workload.name == "web"));
}

#[test]
fn a_limit_below_the_observed_request_is_refused() {
    let mut request = request();
    request.requests.clear();
    let state = observed(4, cpu_memory(Some(2000), None), cpu_memory(None, None), None);
    let invalid = refusal(&request, Some(&state));
    assert_eq!(invalid.field, RequestField::Limits);
    assert_eq!(invalid.message, "web: cpu limit 1 is below its request 2");
}

#[test]
fn replicas_outside_the_hpa_range_are_a_warning() {
    let mut request = request();
    request.workloads[0].replicas = 12;
    let plan = super::plan(&request, None).unwrap();
    assert!(plan.warnings.iter().any(|warning| warning.contains("12 replicas is outside the HPA range 2..8")), "{:?}", plan.warnings);
}

#[test]
fn hand_made_requests_that_skip_the_host_checks_are_refused() {
    type Change = fn(&mut ScaleRequest);
    let cases: [(&str, Change, RequestField, &str); 8] = [
        ("target", |r| r.target = "../etc".into(), RequestField::Target, "DNS-1123"),
        ("namespace", |r| r.namespace = String::new(), RequestField::Namespace, "is empty"),
        ("no workload", |r| r.workloads.clear(), RequestField::Workload, "no workload"),
        ("twice", |r| r.workloads.push(r.workloads[0].clone()), RequestField::Workload, "declared twice"),
        ("hpa min 0", |r| r.hpa = Some(HpaSpec { min_replicas: 0, max_replicas: 1, cpu_utilization: 50 }), RequestField::Hpa, "at least 1"),
        ("zero request", |r| r.requests[0].resources.cpu_millis = Some(0), RequestField::Requests, "greater than zero"),
        ("empty limit", |r| r.limits[0].resources = cpu_memory(None, None), RequestField::Limits, "neither cpu nor memory"),
        ("undeclared", |r| r.limits[0].workload = "db".into(), RequestField::Limits, "does not declare"),
    ];
    for (case, change, field, message) in cases {
        let mut request = request();
        change(&mut request);
        let invalid = refusal(&request, None);
        assert_eq!(invalid.field, field, "{case}");
        assert!(invalid.message.contains(message), "{case}: {}", invalid.message);
    }
}

#[test]
fn an_observed_state_that_does_not_fit_the_request_is_refused() {
    let mut state = observed(4, cpu_memory(None, None), cpu_memory(None, None), None);
    state.workloads[0].kind = WorkloadKind::StatefulSet;
    assert!(refusal(&request(), Some(&state)).message.contains("is a StatefulSet in the observed state"));
    state.workloads.clear();
    assert_eq!(refusal(&request(), Some(&state)).message, "Deployment web is not in the observed state");
    state.namespace = "other".into();
    assert_eq!(refusal(&request(), Some(&state)).field, RequestField::Observed);
}
