//! planhost against a real Kubernetes control plane (v1.20: no `autoscaling/v2`, so
//! autoscalers are spoken at `v2beta2`). Run by `scripts/test`, which starts the control plane;
//! without it these tests fail loudly.

mod support;

use serde_yaml_ng::Value;
use support::{Sandbox, TestNamespace, contract, test_kubeconfig, workload_manifest};

const WEB_RESOURCES: &str = "{requests: {cpu: 300m, memory: 512Mi}, limits: {cpu: 500m, memory: 1Gi}}";

/// `planhost` in `sandbox` pointed at the test cluster.
fn planhost(sandbox: &Sandbox) -> assert_cmd::Command {
    let mut command = sandbox.planhost();
    command.arg("--log-level=warn").env("KUBECONFIG", test_kubeconfig());
    command
}

/// Plans `flags` against the live state of `namespace` into `out`; the plan file's path.
fn plan(sandbox: &Sandbox, namespace: &TestNamespace, out: &str, flags: &[&str]) -> std::path::PathBuf {
    let output = planhost(sandbox)
        .args(["scale", "--target=prod", &format!("--namespace={}", namespace.name), &format!("--out={out}")])
        .args(flags)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(contract(&output.stdout).1, "succeeded");
    sandbox.path().join(out).join("plan.yaml")
}

fn read_plan(path: &std::path::Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn execute(sandbox: &Sandbox, plan: &std::path::Path, flags: &[&str]) -> std::process::Output {
    planhost(sandbox).arg("execute").arg(format!("--plan={}", plan.display())).args(flags).output().expect("planhost runs")
}

fn stdout_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect()
}

fn execution_records(sandbox: &Sandbox, out: &str) -> Vec<Value> {
    let mut records: Vec<_> = std::fs::read_dir(sandbox.path().join(out))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with("execution-"))
        .collect();
    records.sort();
    records.iter().map(|path| read_plan(path)).collect()
}

#[test]
fn scale_plans_against_the_live_state_and_only_what_changed_becomes_an_action() {
    let namespace = TestNamespace::new("live");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    namespace.apply(&workload_manifest("Deployment", "api", 3, "{}"));
    let sandbox = Sandbox::new();
    let plan_file = plan(
        &sandbox,
        &namespace,
        "out",
        &["--workload=Deployment:web:2", "--workload=Deployment:api:2", "--req=web:cpu=300m,mem=512Mi", "--lim=web:cpu=700m,mem=1Gi"],
    );
    let plan = read_plan(&plan_file);
    let web = &plan["observed"]["workloads"][0];
    assert_eq!(web["replicas"], 2);
    assert_eq!(web["requests"]["cpu"], "300m");
    assert_eq!(web["limits"]["memory"], "1Gi");
    assert!(web["hpa"].is_null());
    assert_eq!(plan["observed"]["workloads"][1]["replicas"], 3);
    let actions: Vec<String> = plan["actions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|action| format!("{} {}", action["action"].as_str().unwrap(), action["name"].as_str().unwrap()))
        .collect();
    // web's replicas, requests and memory limit already match: only its cpu limit changes.
    assert_eq!(actions, ["update_resources web", "scale_workload api"]);
    assert_eq!(plan["actions"][0]["limits"]["cpu"], "700m");
    assert!(plan["actions"][0]["requests"].is_null());
}

#[test]
fn a_workload_missing_from_the_cluster_is_named() {
    let namespace = TestNamespace::new("missing");
    let sandbox = Sandbox::new();
    let output = planhost(&sandbox)
        .args(["scale", "--target=prod", &format!("--namespace={}", namespace.name), "--workload=Deployment:ghost:2"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("Deployment {}/ghost does not exist in the cluster", namespace.name)), "{stderr}");
    assert!(sandbox.files().is_empty(), "{:?}", sandbox.files());
}

#[test]
fn observe_writes_a_snapshot_that_scale_plans_from_offline() {
    let namespace = TestNamespace::new("observe");
    namespace.apply(&workload_manifest("StatefulSet", "db", 1, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let output = planhost(&sandbox)
        .args(["observe", &format!("--namespace={}", namespace.name), "--workload=StatefulSet:db", "--out=snapshot.yaml"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_lines(&output), ["observed_yaml=snapshot.yaml", "succeeded"]);
    let snapshot = read_plan(&sandbox.path().join("snapshot.yaml"));
    assert_eq!(snapshot["kind"], "ObservedState");
    assert_eq!(snapshot["workloads"][0]["kind"], "StatefulSet");
    assert_eq!(snapshot["workloads"][0]["requests"]["memory"], "512Mi");

    let output = sandbox
        .planhost()
        .args(["scale", "--target=prod", &format!("--namespace={}", namespace.name), "--workload=StatefulSet:db:3"])
        .args(["--observed=snapshot.yaml", "--out=offline"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(contract(&output.stdout).1, "succeeded");
    let plan = read_plan(&sandbox.path().join("offline/plan.yaml"));
    assert_eq!(plan["actions"].as_sequence().unwrap().len(), 1);
    assert_eq!(plan["actions"][0]["replicas"], 3);
}

#[test]
fn execute_applies_deployments_and_a_statefulset_then_creates_and_updates_the_hpa() {
    let namespace = TestNamespace::new("execute");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    namespace.apply(&workload_manifest("StatefulSet", "db", 1, "{}"));
    let sandbox = Sandbox::new();
    let plan_file = plan(
        &sandbox,
        &namespace,
        "first",
        &[
            "--workload=Deployment:web:4",
            "--workload=StatefulSet:db:2",
            "--hpa=min:2,max:6,cpu:70",
            "--req=web:cpu=400m,mem=768Mi",
            "--lim=web:cpu=1,mem=2Gi",
            "--req=db:cpu=250m",
        ],
    );
    // kubectl created these objects and owns their fields: taking them over is explicit.
    let output = execute(&sandbox, &plan_file, &["--force-conflicts", "--wait", "--wait-timeout=60s"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let ns = &namespace.name;
    assert_eq!(
        stdout_lines(&output),
        [
            format!("applied: kubectl -n {ns} set resources deployment/web --requests=cpu=400m,memory=768Mi --limits=cpu=1,memory=2Gi"),
            format!("applied: kubectl -n {ns} set resources statefulset/db --requests=cpu=250m"),
            format!("applied: kubectl -n {ns} scale deployment/web --replicas=4"),
            format!("applied: kubectl -n {ns} scale statefulset/db --replicas=2"),
            format!("applied: kubectl -n {ns} autoscale deployment/web --min=2 --max=6 --cpu-percent=70"),
            format!("applied: kubectl -n {ns} autoscale statefulset/db --min=2 --max=6 --cpu-percent=70"),
            "succeeded".to_string(),
        ]
    );

    let web = namespace.get("deployment/web");
    assert_eq!(web["spec"]["replicas"], 4);
    let resources = &web["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(resources["requests"]["cpu"], "400m");
    assert_eq!(resources["requests"]["memory"], "768Mi");
    assert_eq!(resources["limits"]["cpu"], "1");
    assert_eq!(resources["limits"]["memory"], "2Gi");
    assert!(web["status"]["observedGeneration"].as_i64() >= web["metadata"]["generation"].as_i64());
    let db = namespace.get("statefulset/db");
    assert_eq!(db["spec"]["replicas"], 2);
    assert_eq!(db["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"], "250m");
    let hpa = namespace.get("horizontalpodautoscalers.v2beta2.autoscaling/web");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2beta2");
    assert_eq!(hpa["spec"]["minReplicas"], 2);
    assert_eq!(hpa["spec"]["maxReplicas"], 6);
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 70);
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");

    let records = execution_records(&sandbox, "first");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["status"], "succeeded");
    assert_eq!(records[0]["applied"].as_sequence().unwrap().len(), 6);

    // Second round: only the autoscalers change, and planhost now owns every field it sets.
    let plan_file = plan(&sandbox, &namespace, "second", &["--workload=Deployment:web:4", "--workload=StatefulSet:db:2", "--hpa=min:3,max:9,cpu:60"]);
    let actions = read_plan(&plan_file)["actions"].as_sequence().unwrap().len();
    assert_eq!(actions, 2);
    let output = execute(&sandbox, &plan_file, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let hpa = namespace.get("horizontalpodautoscalers.v2beta2.autoscaling/web");
    assert_eq!(hpa["spec"]["minReplicas"], 3);
    assert_eq!(hpa["spec"]["maxReplicas"], 9);
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 60);
}

#[test]
fn a_stale_plan_is_refused_showing_what_changed() {
    let namespace = TestNamespace::new("stale");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let plan_file = plan(&sandbox, &namespace, "out", &["--workload=Deployment:web:4", "--lim=web:cpu=800m"]);
    namespace.kubectl(&["scale", "deployment/web", "--replicas=5"]);

    let output = execute(&sandbox, &plan_file, &["--force-conflicts"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("the plan is stale"), "{stderr}");
    assert!(stderr.contains("Deployment web: replicas was 2 when planned, is 5 now"), "{stderr}");
    assert!(stderr.contains("--allow-stale"), "{stderr}");
    assert!(output.stdout.is_empty());
    let web = namespace.get("deployment/web");
    assert_eq!(web["spec"]["replicas"], 5, "a refused plan changed the cluster");
    assert_eq!(web["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"], "500m");

    let output = execute(&sandbox, &plan_file, &["--force-conflicts", "--allow-stale"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 4);
}

#[test]
fn a_failure_in_the_middle_records_exactly_what_was_applied() {
    let namespace = TestNamespace::new("partial");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    namespace.apply(&workload_manifest("Deployment", "api", 2, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let plan_file = plan(
        &sandbox,
        &namespace,
        "out",
        &["--workload=Deployment:web:3", "--workload=Deployment:api:3", "--lim=web:cpu=900m", "--lim=api:cpu=900m", "--hpa=min:1,max:5,cpu:50"],
    );
    // api is deleted after planning; --allow-stale lets the run start anyway, and it stops at
    // api's first action (the order is web's resources, api's resources, replicas, HPAs).
    namespace.kubectl(&["delete", "deployment/api"]);

    let output = execute(&sandbox, &plan_file, &["--force-conflicts", "--allow-stale"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("stopped after 1 of 6 actions were applied"), "{stderr}");
    assert!(stderr.contains(&format!("update_resources Deployment {}/api failed", namespace.name)), "{stderr}");
    let ns = &namespace.name;
    assert!(stderr.contains(&format!("to undo them: kubectl -n {ns} set resources deployment/web --limits=cpu=500m;")), "{stderr}");
    assert!(!stderr.contains("--replicas=2"), "a hint for an action never applied was offered: {stderr}");
    assert_eq!(
        stdout_lines(&output),
        [format!("applied: kubectl -n {ns} set resources deployment/web --limits=cpu=900m")]
    );

    let records = execution_records(&sandbox, "out");
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["status"], "failed");
    let applied = record["applied"].as_sequence().unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0]["action"], "update_resources");
    assert_eq!(applied[0]["name"], "web");
    assert_eq!(record["failed"]["action"]["name"], "api");
    assert!(record["failed"]["error"].as_str().unwrap().contains("does not exist in the cluster"), "{:?}", record["failed"]);

    let web = namespace.get("deployment/web");
    assert_eq!(web["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"], "900m");
    assert_eq!(web["spec"]["replicas"], 2, "an action after the failure was applied");
}

#[test]
fn a_field_owned_by_another_manager_is_reported_not_forced() {
    let namespace = TestNamespace::new("conflict");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let plan_file = plan(&sandbox, &namespace, "out", &["--workload=Deployment:web:6"]);

    let output = execute(&sandbox, &plan_file, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("another field manager owns a field this sets"), "{stderr}");
    assert!(stderr.contains(".spec.replicas"), "{stderr}");
    assert!(stderr.contains("--force-conflicts"), "{stderr}");
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 2);

    let output = execute(&sandbox, &plan_file, &["--force-conflicts"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 6);
}

fn rollback(sandbox: &Sandbox, plan: &std::path::Path, flags: &[&str]) -> std::process::Output {
    planhost(sandbox).arg("rollback").arg(format!("--plan={}", plan.display())).args(flags).output().expect("planhost runs")
}

#[test]
fn rollback_returns_every_field_to_the_recorded_values() {
    let namespace = TestNamespace::new("rollback");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    namespace.apply(&workload_manifest("Deployment", "api", 2, WEB_RESOURCES));
    namespace.kubectl(&["autoscale", "deployment/api", "--min=1", "--max=4", "--cpu-percent=80"]);
    let sandbox = Sandbox::new();
    let plan_file = plan(
        &sandbox,
        &namespace,
        "out",
        &["--workload=Deployment:web:4", "--workload=Deployment:api:3", "--req=web:cpu=400m,mem=768Mi", "--lim=web:cpu=1,mem=2Gi", "--hpa=min:3,max:9,cpu:60"],
    );
    let output = execute(&sandbox, &plan_file, &["--force-conflicts"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let ns = &namespace.name;
    let preview = rollback(&sandbox, &plan_file, &[]);
    assert!(preview.status.success(), "{}", String::from_utf8_lossy(&preview.stderr));
    assert_eq!(
        stdout_lines(&preview),
        [
            format!("preview: kubectl -n {ns} set resources deployment/web --requests=cpu=300m,memory=512Mi --limits=cpu=500m,memory=1Gi"),
            format!("preview: kubectl -n {ns} scale deployment/web --replicas=2"),
            format!("preview: kubectl -n {ns} scale deployment/api --replicas=2"),
            format!("preview: kubectl -n {ns} delete hpa web"),
            format!("preview: kubectl -n {ns} autoscale deployment/api --min=1 --max=4 --cpu-percent=80"),
        ]
    );
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 4, "the preview changed the cluster");

    // On v1.20, kubectl's client-side apply still claims the container's requests after the
    // forced execution, so undoing them takes them over explicitly too.
    let output = rollback(&sandbox, &plan_file, &["--execute", "--force-conflicts"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines[5], "succeeded");

    let web = namespace.get("deployment/web");
    assert_eq!(web["spec"]["replicas"], 2);
    let resources = &web["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(resources["requests"]["cpu"], "300m");
    assert_eq!(resources["requests"]["memory"], "512Mi");
    assert_eq!(resources["limits"]["cpu"], "500m");
    assert_eq!(resources["limits"]["memory"], "1Gi");
    assert_eq!(namespace.get("deployment/api")["spec"]["replicas"], 2);
    let hpas = namespace.kubectl(&["get", "horizontalpodautoscalers.v2beta2.autoscaling", "-o", "name"]);
    assert_eq!(hpas.trim(), "horizontalpodautoscaler.autoscaling/api", "web's autoscaler, new with the plan, is gone");
    let api_hpa = namespace.get("horizontalpodautoscalers.v2beta2.autoscaling/api");
    assert_eq!(api_hpa["spec"]["minReplicas"], 1);
    assert_eq!(api_hpa["spec"]["maxReplicas"], 4);
    assert_eq!(api_hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
}

#[test]
fn a_plan_without_before_state_is_rolled_back_by_undoing_the_rollout() {
    let namespace = TestNamespace::new("legacy");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let plan_file = plan(&sandbox, &namespace, "out", &["--offline", "--workload=Deployment:web:2", "--req=web:cpu=450m,mem=600Mi"]);
    assert!(read_plan(&plan_file)["observed"].is_null());
    let output = execute(&sandbox, &plan_file, &["--allow-stale", "--force-conflicts", "--wait", "--wait-timeout=60s"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let changed = namespace.get("deployment/web");
    assert_eq!(changed["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"], "450m");

    let preview = rollback(&sandbox, &plan_file, &[]);
    assert_eq!(stdout_lines(&preview), [format!("preview: kubectl -n {} rollout undo deployment/web", namespace.name)]);
    let output = rollback(&sandbox, &plan_file, &["--execute"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let web = namespace.get("deployment/web");
    let resources = &web["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(resources["requests"]["cpu"], "300m", "the previous ReplicaSet's template is back: {resources}");
    assert_eq!(resources["requests"]["memory"], "512Mi");
    assert_eq!(resources["limits"]["cpu"], "500m");
}

#[test]
fn rollback_hints_are_data_inside_the_plan_folder() {
    let namespace = TestNamespace::new("hints");
    namespace.apply(&workload_manifest("Deployment", "web", 2, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    // Without before state the plan's autoscaler hint is a saved manifest: previous-hpa-web.yaml.
    let plan_file = plan(&sandbox, &namespace, "out", &["--offline", "--workload=Deployment:web:2", "--hpa=min:2,max:4,cpu:70"]);
    let plan_text = std::fs::read_to_string(&plan_file).unwrap();
    let refused = |sandbox: &Sandbox, plan: &std::path::Path, expected: &str| {
        let output = rollback(sandbox, plan, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(output.stdout.is_empty());
    };
    refused(&sandbox, &plan_file, "rollback hint \"previous-hpa-web.yaml\": it must name a readable YAML file inside the plan's folder");

    std::fs::write(sandbox.path().join("secret.yaml"), "kind: Secret\n").unwrap();
    std::fs::write(&plan_file, plan_text.replace("applyManifest: previous-hpa-web.yaml", "applyManifest: ../secret.yaml")).unwrap();
    refused(&sandbox, &plan_file, "--plan: rollback hint 1 names \"../secret.yaml\", which is not a plain file name");
    std::fs::write(&plan_file, plan_text.replace("applyManifest: previous-hpa-web.yaml", "applyManifest: /etc/passwd")).unwrap();
    refused(&sandbox, &plan_file, "--plan: rollback hint 1 names \"/etc/passwd\", which is not a plain file name");
    std::fs::write(&plan_file, &plan_text).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", sandbox.path().join("out/previous-hpa-web.yaml")).unwrap();
    // A symlink inside the folder that leads out of it is refused by cap-std.
    refused(&sandbox, &plan_file, "rollback hint \"previous-hpa-web.yaml\": it must name a readable YAML file inside the plan's folder");

    // A hint of no known shape (the old scripts' shell strings) is refused, never run.
    std::fs::write(&plan_file, plan_text.replace("- applyManifest: previous-hpa-web.yaml", "- kubectl delete namespace kube-system")).unwrap();
    refused(&sandbox, &plan_file, "is not a valid ScalePlan document");
}

#[test]
fn a_plan_written_by_hand_in_the_original_format_is_read_and_previewed() {
    let namespace = TestNamespace::new("original");
    namespace.apply(&workload_manifest("Deployment", "web", 6, WEB_RESOURCES));
    let sandbox = Sandbox::new();
    let ns = &namespace.name;
    let folder = sandbox.path().join("ops/plans/infra-scale/prod");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("plan.yaml"),
        format!(
            "target: prod
namespace: {ns}
actions:
  - type: scale_workload
    kind: Deployment
    name: web
    replicas: 6
  - type: update_resources
    kind: Deployment
    name: web
    requests: {{cpu: 500m, memory: 1Gi}}
    limits: {{cpu: '1', memory: 2Gi}}
  - type: apply_hpa
    kind: Deployment
    name: web
    hpa: {{min: 4, max: 12, cpu: 65}}
rollback_hints:
  - kubectl rollout undo deployment/web -n {ns}
  - kubectl -n {ns} scale deployment/web --replicas=2
  - kubectl apply -f previous-hpa.yaml
"
        ),
    )
    .unwrap();
    std::fs::write(
        folder.join("previous-hpa.yaml"),
        "apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
",
    )
    .unwrap();
    let output = rollback(&sandbox, &folder.join("plan.yaml"), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout_lines(&output),
        [format!("preview: kubectl -n {ns} rollout undo deployment/web"), format!("preview: kubectl -n {ns} apply -f previous-hpa.yaml")]
    );

    let output = rollback(&sandbox, &folder.join("plan.yaml"), &["--execute"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The deployment has one revision only, so there is nothing to undo: a clear error, exit 5.
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("no earlier revision to roll back to"), "{stderr}");
}
