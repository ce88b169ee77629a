//! The shipped rollback planner through the library: it restores a plan's before state, falls
//! back to the original system's rollback for plans without one, and stays inside the mandate.
//! (`planhost rollback`, which feeds it the live state and applies its answer, is issue #5.)

use planhost::limits::Limits;
use planhost::plan::model::{
    Action, ExecutedPlan, HpaSpec, ObservedState, ObservedWorkload, Resources, RollbackHint, ScaleRequest, WorkloadKind, WorkloadRef,
    WorkloadTarget,
};
use planhost::plan::quantity::CpuMillis;
use planhost::planner::{LoadError, PlanFailure, PlannerSource, Runtime, ShippedPlanner};

const HPA: HpaSpec = HpaSpec { min_replicas: 2, max_replicas: 6, cpu_utilization: 70 };

fn web() -> WorkloadRef {
    WorkloadRef { namespace: "assistant".into(), kind: WorkloadKind::Deployment, name: "web".into() }
}

fn request() -> ScaleRequest {
    ScaleRequest {
        target: "prod".into(),
        namespace: "assistant".into(),
        workloads: vec![WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".into(), replicas: 4 }],
        requests: Vec::new(),
        limits: Vec::new(),
        hpa: Some(HPA),
    }
}

fn state(replicas: u32, cpu: u64, hpa: Option<HpaSpec>) -> ObservedState {
    ObservedState {
        namespace: "assistant".into(),
        workloads: vec![ObservedWorkload {
            kind: WorkloadKind::Deployment,
            name: "web".into(),
            replicas,
            requests: Resources { cpu: Some(CpuMillis(cpu)), memory: None },
            limits: Resources::default(),
            hpa,
        }],
    }
}

fn executed(before: Option<ObservedState>) -> ExecutedPlan {
    ExecutedPlan {
        target: "prod".into(),
        namespace: "assistant".into(),
        actions: vec![
            Action::UpdateResources { workload: web(), requests: Resources { cpu: Some(CpuMillis(500)), memory: None }, limits: Resources::default() },
            Action::ScaleWorkload { workload: web(), replicas: 4 },
            Action::ApplyHpa { workload: web(), hpa: HPA },
        ],
        rollback_hints: vec![RollbackHint::ApplyManifest { apply_manifest: "previous-hpa-web.yaml".into() }],
        before,
    }
}

fn runtime() -> Runtime {
    Runtime::new(Limits::default(), None).expect("a runtime")
}

fn shipped(name: &str) -> PlannerSource {
    PlannerSource::Shipped(ShippedPlanner::named(name).expect("a shipped planner"))
}

#[test]
fn restores_the_before_state_of_everything_the_plan_touched() {
    let runtime = runtime();
    let planner = runtime.load_rollback(&shipped("rollback")).expect("the rollback planner loads");
    assert_eq!(planner.record().name, "rollback");
    let plan = planner.plan_rollback(&runtime, &request(), &executed(Some(state(2, 300, None))), &state(4, 500, Some(HPA))).unwrap();
    assert_eq!(
        plan.actions,
        [
            Action::UpdateResources { workload: web(), requests: Resources { cpu: Some(CpuMillis(300)), memory: None }, limits: Resources::default() },
            Action::ScaleWorkload { workload: web(), replicas: 2 },
            Action::DeleteHpa { workload: web() },
        ]
    );
}

#[test]
fn a_plan_without_before_state_falls_back_to_rollout_undo_and_saved_manifests() {
    let runtime = runtime();
    let planner = runtime.load_rollback(&shipped("rollback")).unwrap();
    let plan = planner.plan_rollback(&runtime, &request(), &executed(None), &state(4, 500, Some(HPA))).unwrap();
    assert_eq!(plan.actions, [Action::RolloutUndo { workload: web(), to_revision: None }]);
    assert_eq!(plan.rollback_hints, [RollbackHint::ApplyManifest { apply_manifest: "previous-hpa-web.yaml".into() }]);
}

#[test]
fn a_rollback_planner_is_held_to_the_plan_mandate_and_its_own_world() {
    let runtime = runtime();
    let planner = runtime.load_rollback(&shipped("rollback")).unwrap();
    let mut other = request();
    other.namespace = "elsewhere".into();
    let failure = planner.plan_rollback(&runtime, &other, &executed(None), &state(4, 500, None)).unwrap_err();
    assert!(matches!(failure, PlanFailure::Refused { .. }), "{failure}");

    let Err(error) = runtime.load_rollback(&shipped("k8s-scale")) else { panic!("a scale planner loaded as a rollback planner") };
    assert!(matches!(error, LoadError::Link { world: "rollback-planner", .. }), "{error}");
    let Err(error) = runtime.load(&shipped("rollback")) else { panic!("a rollback planner loaded as a scale planner") };
    assert!(error.to_string().contains("does not fit the scale-planner world"), "{error}");
}
