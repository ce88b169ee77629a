//! The hostile guest suite through the binary: every attack ends in its own clear error that
//! names the planner and what it broke, with exit code 3 and nothing written.

mod support;

use std::time::Duration;

use planhost::limits::Limits;
use planhost::plan::model::{ScaleRequest, WorkloadKind, WorkloadTarget};
use planhost::plan::validate::PlanViolation;
use planhost::planner::{CallError, CompileCache, PlanFailure, PlannerSource, Runtime, ShippedPlanner};
use rstest::rstest;
use serde_yaml_ng::Value;
use support::{Sandbox, compile_cache_dir, guest};

fn run_hostile(sandbox: &Sandbox, planner: &str, target: &str, flags: &[&str]) -> std::process::Output {
    sandbox
        .planhost()
        .args(["scale", "--namespace=assistant", "--workload=Deployment:web:2"])
        .arg(format!("--target={target}"))
        .arg(format!("--planner={}", guest(planner).display()))
        .args(flags)
        .output()
        .expect("planhost runs")
}

#[rstest]
#[case::endless_loop_stopped_by_the_deadline("endless-loop", &["--timeout=300ms", "--fuel=1000000000000"], "ran past its time limit of 300ms")]
#[case::endless_loop_stopped_by_fuel("endless-loop", &["--fuel=5000000"], "ran out of fuel: it used all 5000000 units")]
#[case::memory_bomb("memory-bomb", &[], "tried to grow its memory to")]
#[case::deep_recursion("deep-recursion", &[], "overflowed its stack")]
#[case::waits_for_a_frozen_clock("clock-stall", &["--timeout=300ms"], "ran past its time limit of 300ms")]
#[case::sleeps_in_a_host_call("sleeps-an-hour", &["--timeout=300ms"], "ran past its time limit of 300ms")]
#[case::a_million_actions("million-actions", &["--memory-limit=1Gi"], "returned 1000000 actions, more than the limit of 10000")]
#[case::more_actions_than_max_actions("honest", &["--max-actions=0"], "returned 1 actions, more than the limit of 0")]
#[case::a_100_mib_string("huge-warning", &["--memory-limit=1Gi"], "returned a warning of 104857600 bytes, more than the limit of 4096")]
#[case::another_namespace("other-namespace", &[], "action 1 (scale_workload Deployment kube-system/web) is outside the request's namespace \"assistant\"")]
#[case::a_workload_not_in_the_request("unnamed-workload", &[], "action 1 (scale_workload Deployment assistant/payments) names a workload the request does not name")]
#[case::replicas_above_the_ceiling("replicas-above-ceiling", &[], "action 1 (scale_workload Deployment assistant/web) asks for 1000000 replicas, above the ceiling of 1000")]
#[case::absurd_quantities("absurd-quantity", &[], "action 1 (update_resources Deployment assistant/web) sets a cpu request of 18446744073709551615m, outside 1m..1024")]
#[case::a_hint_escaping_the_plan_folder("escaping-hint", &[], "rollback hint 1 (apply_manifest) names \"../../../etc/kubernetes/admin.yaml\", which is not a plain file name")]
fn hostile_planners_are_stopped_with_their_own_error(#[case] attack: &str, #[case] flags: &[&str], #[case] expected: &str) {
    let sandbox = Sandbox::new();
    let started = std::time::Instant::now();
    let output = run_hostile(&sandbox, "hostile", attack, flags);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let error = stderr.lines().find(|line| line.starts_with("error:")).unwrap_or_else(|| panic!("no error line: {stderr}"));
    let planner = guest("hostile").display().to_string();
    assert!(error.contains(&format!("planner {planner} ")), "{error} does not name the planner");
    assert!(error.contains(expected), "{error}\ndoes not say\n{expected}");
    assert!(output.stdout.is_empty());
    assert!(sandbox.files().is_empty(), "files were written: {:?}", sandbox.files());
    // A wall-time limit holds even where the planner waits inside the host.
    if flags.contains(&"--timeout=300ms") {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
    }
}

#[rstest]
#[case::wasi_sockets("imports-sockets", "wasi:sockets/")]
#[case::an_unknown_interface("imports-unknown-interface", "evil:exfiltrate/upload")]
fn a_planner_importing_what_the_host_does_not_give_is_refused_at_load(#[case] planner: &str, #[case] import: &str) {
    let sandbox = Sandbox::new();
    let output = run_hostile(&sandbox, planner, "prod", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let error = stderr.lines().find(|line| line.starts_with("error:")).unwrap();
    assert!(error.contains("does not fit the scale-planner world"), "{error}");
    assert!(error.contains(import), "{error} does not name {import}");
    assert!(sandbox.files().is_empty());
}

#[test]
fn a_planner_snooping_on_its_host_gets_nothing_of_the_host() {
    let sandbox = Sandbox::new();
    let output = run_hostile(&sandbox, "hostile", "snoops-on-host", &["--out=out"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plan: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(sandbox.path().join("out/plan.yaml")).unwrap()).unwrap();
    let warnings: Vec<&str> = plan["warnings"].as_sequence().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let said = |prefix: &str| warnings.iter().find(|w| w.starts_with(prefix)).copied().unwrap_or_else(|| panic!("no {prefix} in {warnings:?}"));
    assert!(said("passwd: ").starts_with("passwd: error"), "{warnings:?}");
    assert!(said("root listing: ").starts_with("root listing: error"), "{warnings:?}");
    assert!(said("current folder: ").starts_with("current folder: error"), "{warnings:?}");
    assert!(said("HOME: ").starts_with("HOME: error"), "{warnings:?}");
    assert_eq!(said("environment: "), "environment: 0 variables");
    assert_eq!(said("arguments: "), "arguments: 0");
    assert_eq!(said("wall clock: "), "wall clock: got 0s");
    assert_eq!(said("monotonic clock moved: "), "monotonic clock moved: false");
}

#[test]
fn a_planner_flooding_the_log_is_cut_short_and_cleaned() {
    let sandbox = Sandbox::new();
    let output = run_hostile(&sandbox, "hostile", "rude-log", &["--out=out"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let planner_lines = stderr.lines().filter(|line| line.contains("spam spam")).count();
    assert_eq!(planner_lines, 100, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "a terminal escape reached standard error");
    assert!(stderr.contains("dropped=9900"), "{stderr}");
    assert!(stderr.lines().all(|line| line.len() < 1200 + 200), "a log line was not cut");
}

fn request(target: &str) -> ScaleRequest {
    ScaleRequest {
        target: target.to_string(),
        namespace: "assistant".to_string(),
        workloads: vec![WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".to_string(), replicas: 2 }],
        requests: Vec::new(),
        limits: Vec::new(),
        hpa: None,
    }
}

/// Through the library: after each attack the same runtime, and the same loaded component,
/// plan again; nothing of the attack survives into the next call (a fresh instance, a fresh
/// deadline, fresh fuel).
#[test]
fn after_every_attack_the_same_runtime_plans_again() {
    let limits = Limits { timeout: Duration::from_millis(300), fuel: 1_000_000_000_000, ..Limits::default() };
    let cache = CompileCache::open(&compile_cache_dir()).expect("the test compile cache");
    let runtime = Runtime::new(limits, Some(cache)).expect("a runtime");
    let hostile = runtime.load(&PlannerSource::File(guest("hostile"))).expect("the hostile planner loads");
    let shipped = runtime.load(&PlannerSource::Shipped(ShippedPlanner::named("k8s-scale").unwrap())).expect("k8s-scale loads");

    type Expected = fn(&PlanFailure) -> bool;
    let attacks: [(&str, Expected); 7] = [
        ("endless-loop", |failure| matches!(failure, PlanFailure::Call(CallError::Timeout { .. }))),
        ("sleeps-an-hour", |failure| matches!(failure, PlanFailure::Call(CallError::Timeout { .. }))),
        ("memory-bomb", |failure| matches!(failure, PlanFailure::Call(CallError::Memory { limit, .. }) if *limit == 64 << 20)),
        ("deep-recursion", |failure| matches!(failure, PlanFailure::Call(CallError::StackOverflow { .. }))),
        ("other-namespace", |failure| matches!(failure, PlanFailure::Refused { violation: PlanViolation::Action { .. }, .. })),
        ("huge-warning", |failure| matches!(failure, PlanFailure::Call(CallError::Memory { .. }))),
        ("million-actions", |failure| matches!(failure, PlanFailure::Call(CallError::Memory { .. }))),
    ];
    for (attack, expected) in attacks {
        let failure = hostile.plan(&runtime, &request(attack), None).expect_err(attack);
        assert!(expected(&failure), "{attack}: {failure}");

        let honest = hostile.plan(&runtime, &request("honest"), None).unwrap_or_else(|error| panic!("after {attack}: {error}"));
        assert_eq!(honest.actions.len(), 1, "after {attack}");
        let shipped_plan = shipped.plan(&runtime, &request("prod"), None).unwrap_or_else(|error| panic!("after {attack}: {error}"));
        assert_eq!(shipped_plan.actions.len(), 1, "after {attack}");
    }
}

#[test]
fn a_planner_refusing_with_a_flood_of_text_is_cut_short_and_cleaned() {
    let sandbox = Sandbox::new();
    let output = run_hostile(&sandbox, "hostile", "long-refusal", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let error = stderr.lines().find(|line| line.starts_with("error: --workload: ")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(error.len() < 4096 + 512, "an error line of {} bytes", error.len());
    assert!(error.contains('…'), "{error}");
    assert!(!stderr.contains('\u{1b}'), "a terminal escape reached standard error");
}
