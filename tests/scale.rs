//! End-to-end tests of `planhost scale` against the real shipped and guest components.

mod support;

use rstest::rstest;
use serde_yaml_ng::Value;
use support::{STAGING_PROFILE, Sandbox, contract, guest};

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn actions_named<'a>(plan: &'a Value, name: &str) -> Vec<&'a Value> {
    plan["actions"].as_sequence().expect("actions").iter().filter(|action| action["action"] == name).collect()
}

#[test]
fn staging_profile_dry_run_writes_the_plan_and_prints_the_contract() {
    let sandbox = Sandbox::new();
    let output = sandbox.planhost().args(STAGING_PROFILE).assert().success().get_output().clone();
    let (pairs, status) = contract(&output.stdout);
    assert_eq!(status, "succeeded");
    let keys: Vec<&str> = pairs.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["artifacts_dir", "plan_yaml", "summary_md"]);
    let dir = sandbox.path().join(&pairs[0].1);
    assert!(pairs[0].1.starts_with(".artifacts/infra-scale/staging/20251124T160000Z-"), "{}", pairs[0].1);
    assert_eq!(sandbox.path().join(&pairs[1].1), dir.join("plan.yaml"));
    assert_eq!(sandbox.path().join(&pairs[2].1), dir.join("SUMMARY.md"));

    let plan_text = read(&dir.join("plan.yaml"));
    let plan: Value = serde_yaml_ng::from_str(&plan_text).expect("plan.yaml is YAML");
    assert_eq!(plan["apiVersion"], "planhost/v1alpha1");
    assert_eq!(plan["kind"], "ScalePlan");
    assert_eq!(plan["metadata"]["target"], "staging");
    assert_eq!(plan["metadata"]["namespace"], "assistant-staging");
    assert_eq!(plan["metadata"]["generatedAt"], "2025-11-24T16:00:00Z");
    assert_eq!(plan["planner"]["name"], "k8s-scale");
    assert_eq!(plan["planner"]["version"], "0.1.0");
    assert_eq!(plan["planner"]["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(plan["actions"].as_sequence().map(Vec::len), Some(6));

    let scales = actions_named(&plan, "scale_workload");
    assert_eq!(scales.len(), 2);
    for (action, name) in scales.iter().zip(["web", "api"]) {
        assert_eq!(action["name"], name);
        assert_eq!(action["kind"], "Deployment");
        assert_eq!(action["namespace"], "assistant-staging");
        assert_eq!(action["replicas"], 2);
    }
    let resources = actions_named(&plan, "update_resources");
    assert_eq!(resources.len(), 2);
    for action in &resources {
        assert_eq!(action["requests"]["cpu"], "300m");
        assert_eq!(action["requests"]["memory"], "512Mi");
        assert_eq!(action["limits"]["cpu"], "700m");
        assert_eq!(action["limits"]["memory"], "1Gi");
    }
    let hpas = actions_named(&plan, "apply_hpa");
    assert_eq!(hpas.len(), 2);
    for action in &hpas {
        assert_eq!(action["hpa"]["minReplicas"], 2);
        assert_eq!(action["hpa"]["maxReplicas"], 6);
        assert_eq!(action["hpa"]["cpuUtilization"], 70);
    }
    // Without observed state the hints are the original system's: undo the rollout, re-apply
    // the saved HPA.
    let hints = plan["rollbackHints"].as_sequence().expect("rollback hints");
    assert!(hints.iter().any(|hint| hint["restore"]["action"] == "rollout_undo" && hint["restore"]["name"] == "web"));
    assert!(hints.iter().any(|hint| hint["applyManifest"] == "previous-hpa-api.yaml"));

    let summary = read(&dir.join("SUMMARY.md"));
    let digest = dir.file_name().unwrap().to_str().unwrap().rsplit('-').next().unwrap().to_string();
    assert!(summary.starts_with("# Scale plan: `staging` in namespace `assistant-staging`"), "{summary}");
    assert!(summary.contains("### Deployment `web`"), "{summary}");
    assert!(summary.contains("### Deployment `api`"), "{summary}");
    assert!(summary.contains("| replicas | unknown | **2** |"), "{summary}");
    assert!(summary.contains("| cpu limit | unknown | **700m** |"), "{summary}");
    assert!(summary.contains("| autoscaler | unknown | **2–6 replicas at 70% CPU** |"), "{summary}");
    assert!(summary.contains("kubectl -n assistant-staging scale deployment/web --replicas=2"), "{summary}");
    assert!(summary.contains("kubectl -n assistant-staging autoscale deployment/api --min=2 --max=6 --cpu-percent=70"), "{summary}");
    assert!(summary.contains("kubectl -n assistant-staging rollout undo deployment/web"), "{summary}");
    assert!(summary.contains(&format!("`sha256:{}`", plan["planner"]["sha256"].as_str().unwrap())), "{summary}");
    assert!(summary.contains(&format!("plan digest | `sha256:{digest}")), "{summary}");

    // Logs go to standard error, never to the contract.
    assert!(String::from_utf8_lossy(&output.stderr).contains("wrote plan artifacts"));

    // The same inputs give the same bytes, run after run.
    let second = Sandbox::new();
    let again = second.planhost().args(STAGING_PROFILE).assert().success().get_output().clone();
    let (again_pairs, _) = contract(&again.stdout);
    assert_eq!(again_pairs, pairs);
    assert_eq!(read(&second.path().join(&again_pairs[1].1)), plan_text);
    assert_eq!(read(&second.path().join(&again_pairs[2].1)), summary);
}

#[test]
fn out_folder_and_observed_state_plan_only_what_changes() {
    let sandbox = Sandbox::new();
    let observed = support::data("observed-staging.yaml");
    let output = sandbox
        .planhost()
        .args(STAGING_PROFILE)
        .arg(format!("--observed={}", observed.display()))
        .arg("--out=plan-out")
        .assert()
        .success()
        .get_output()
        .clone();
    let (pairs, status) = contract(&output.stdout);
    assert_eq!(status, "succeeded");
    assert_eq!(pairs[0], ("artifacts_dir".to_string(), "plan-out".to_string()));
    assert_eq!(sandbox.files(), ["plan-out/SUMMARY.md", "plan-out/plan.yaml"]);

    let plan: Value = serde_yaml_ng::from_str(&read(&sandbox.path().join("plan-out/plan.yaml"))).unwrap();
    assert_eq!(plan["observed"]["workloads"][1]["replicas"], 3);
    let actions = plan["actions"].as_sequence().unwrap();
    let summary: Vec<String> = actions
        .iter()
        .map(|action| format!("{} {}", action["action"].as_str().unwrap(), action["name"].as_str().unwrap()))
        .collect();
    // web: only its cpu limit differs; api: replicas, resources and the HPA all change.
    assert_eq!(summary, ["update_resources web", "update_resources api", "scale_workload api", "apply_hpa api"]);
    assert_eq!(actions[0]["limits"]["cpu"], "700m");
    assert!(actions[0]["requests"].is_null() && actions[0]["limits"]["memory"].is_null(), "{:?}", actions[0]);

    // The hints restore the observed values, last change first.
    let hints = plan["rollbackHints"].as_sequence().unwrap();
    assert_eq!(hints[0]["restore"]["action"], "delete_hpa");
    assert_eq!(hints[0]["restore"]["name"], "api");
    assert_eq!(hints[1]["restore"]["action"], "update_resources");
    assert_eq!(hints[1]["restore"]["requests"]["cpu"], "250m");
    assert_eq!(hints[1]["restore"]["limits"]["memory"], "512Mi");
    assert_eq!(hints[2]["restore"]["action"], "scale_workload");
    assert_eq!(hints[2]["restore"]["replicas"], 3);
    assert_eq!(hints[3]["restore"]["name"], "web");
    assert_eq!(hints[3]["restore"]["limits"]["cpu"], "500m");

    let summary = read(&sandbox.path().join("plan-out/SUMMARY.md"));
    assert!(summary.contains("| replicas | 3 | **2** |"), "{summary}");
    assert!(summary.contains("| replicas | 2 | 2 |"), "{summary}");
    assert!(summary.contains("| autoscaler | none | **2–6 replicas at 70% CPU** |"), "{summary}");
    assert!(summary.contains("kubectl -n assistant-staging delete hpa api"), "{summary}");
}

#[test]
fn a_planner_file_given_with_planner_is_the_one_that_runs() {
    let sandbox = Sandbox::new();
    let component = guest("fixed-replicas");
    let output = sandbox
        .planhost()
        .args(STAGING_PROFILE)
        .arg(format!("--planner={}", component.display()))
        .arg("--out=out")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(contract(&output.stdout).1, "succeeded");
    let plan: Value = serde_yaml_ng::from_str(&read(&sandbox.path().join("out/plan.yaml"))).unwrap();
    assert_eq!(plan["planner"]["name"], "fixed-replicas");
    let actions = plan["actions"].as_sequence().unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.iter().all(|action| action["action"] == "scale_workload" && action["replicas"] == 3));
    assert_eq!(plan["warnings"][0], "fixed-replicas: every workload pinned to 3 replicas");
    // Its log line reached standard error through the host's log import.
    assert!(String::from_utf8_lossy(&output.stderr).contains("pinning every workload to three replicas"));
}

#[test]
fn the_second_run_loads_the_compiled_planner_from_the_cache() {
    let sandbox = Sandbox::new();
    let cache = sandbox.path().join("cache");
    let run = |sandbox: &Sandbox| {
        let output = sandbox
            .planhost()
            .env("PLANHOST_CACHE_DIR", &cache)
            .args(STAGING_PROFILE)
            .args(["--out=out", "--log-level=debug"])
            .assert()
            .success()
            .get_output()
            .clone();
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let first = run(&sandbox);
    assert!(!first.contains("loaded compiled component from cache"), "{first}");
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let name = entries[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.ends_with(".cwasm"), "{name}");
    let written = std::fs::metadata(&entries[0]).unwrap().modified().unwrap();

    let second = run(&sandbox);
    assert!(second.contains("loaded compiled component from cache"), "{second}");
    assert_eq!(std::fs::metadata(&entries[0]).unwrap().modified().unwrap(), written);
}

/// A minimal core WebAssembly module: valid WebAssembly, but not a component.
const CORE_MODULE: &[u8] = b"\0asm\x01\0\0\0";

#[rstest]
#[case::workload_without_replicas(&["--workload=Deployment:web"], "--workload", "KIND:NAME:REPLICAS")]
#[case::unknown_kind(&["--workload=Pod:web:2"], "--workload", "unknown kind \"Pod\"")]
#[case::bad_quantity(&["--workload=Deployment:web:2", "--req=web:cpu=lots"], "--req", "not a Kubernetes quantity")]
#[case::bad_memory_suffix(&["--workload=Deployment:web:2", "--lim=web:mem=1GB"], "--lim", "unknown suffix \"GB\"")]
#[case::limit_below_request(
    &["--workload=Deployment:web:2", "--req=web:cpu=500m", "--lim=web:cpu=200m"],
    "--lim",
    "cpu limit 200m is below its request 500m"
)]
#[case::hpa_min_above_max(&["--workload=Deployment:web:2", "--hpa=min:8,max:4,cpu:70"], "--hpa", "min 8 is greater than max 4")]
#[case::hpa_cpu_above_100(&["--workload=Deployment:web:2", "--hpa=min:1,max:4,cpu:170"], "--hpa", "cpu 170% must be between 1 and 100")]
#[case::req_for_undeclared_workload(
    &["--workload=Deployment:web:2", "--req=db:cpu=1"],
    "--req",
    "\"db\", which the request does not declare"
)]
#[case::name_not_dns_1123(&["--workload=Deployment:Web_1:2"], "--workload", "DNS-1123")]
#[case::target_escaping_the_artifacts_folder(&["--workload=Deployment:web:2", "--target=../../etc"], "--target", "lower-case letters")]
#[case::replicas_above_the_ceiling(&["--workload=Deployment:web:5000"], "--workload web", "above the ceiling of 1000")]
#[case::missing_planner_file(&["--workload=Deployment:web:2", "--planner=missing.wasm"], "--planner", "cannot read planner file missing.wasm")]
#[case::text_as_planner(&["--workload=Deployment:web:2", "--planner=notes.txt"], "--planner", "notes.txt is not a WebAssembly component")]
#[case::core_module_as_planner(&["--workload=Deployment:web:2", "--planner=core.wasm"], "--planner", "core.wasm is not a WebAssembly component")]
#[case::observed_of_another_kind(&["--workload=Deployment:web:2", "--observed=notes.txt"], "--observed", "notes.txt")]
#[case::apply_without_a_repository(&["--workload=Deployment:web:2", "--apply"], "--apply", "GH_OWNER is not set")]
fn bad_input_is_refused_with_exit_code_2_and_nothing_written(#[case] flags: &[&str], #[case] culprit: &str, #[case] message: &str) {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path().join("notes.txt"), "apiVersion: v1\nkind: Note\n").unwrap();
    std::fs::write(sandbox.path().join("core.wasm"), CORE_MODULE).unwrap();
    let before = sandbox.files();
    let mut command = sandbox.planhost();
    command.args(["scale", "--namespace=assistant"]);
    if !flags.iter().any(|flag| flag.starts_with("--target")) {
        command.arg("--target=prod");
    }
    let output = command.args(flags).assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error_line = stderr.lines().find(|line| line.starts_with("error:")).unwrap_or_else(|| panic!("no error line in {stderr}"));
    assert!(error_line.contains(culprit), "{error_line:?} does not name {culprit}");
    assert!(error_line.contains(message), "{error_line:?} does not say {message:?}");
    assert!(output.stdout.is_empty(), "standard output: {}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(sandbox.files(), before, "files were written");
}

#[rstest]
#[case::panic(&["--planner=PANICKING"], "planner PANICKING crashed", "deliberate panic while planning prod")]
#[case::fuel(&["--fuel=10000"], "planner k8s-scale ran out of fuel: it used all 10000 units", "--fuel")]
#[case::memory(&["--memory-limit=64Ki"], "planner k8s-scale tried to grow its memory", "past the limit of 65536 bytes")]
fn a_planner_that_traps_or_breaks_a_limit_exits_3_and_writes_nothing(
    #[case] flags: &[&str],
    #[case] expected: &str,
    #[case] also: &str,
) {
    let sandbox = Sandbox::new();
    let panicking = guest("panicking-planner").display().to_string();
    let flags: Vec<String> = flags.iter().map(|flag| flag.replace("PANICKING", &panicking)).collect();
    let output = sandbox
        .planhost()
        .args(["scale", "--target=prod", "--namespace=assistant", "--workload=Deployment:web:2"])
        .args(&flags)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = expected.replace("PANICKING", &panicking);
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains(also), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(sandbox.files().is_empty(), "files were written: {:?}", sandbox.files());
}

#[test]
fn planners_lists_the_shipped_planners() {
    let output = Sandbox::new().planhost().arg("planners").assert().success().get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let names: Vec<String> = stdout.lines().map(|line| line.split('\t').take(2).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(names, ["k8s-scale scale-planner", "rollback rollback-planner"]);
}
