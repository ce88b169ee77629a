//! What every end-to-end test shares: the binary in an isolated folder, the guest components
//! (built once per test run), and a compile cache shared by the run.

#![allow(dead_code, missing_docs)]

#[path = "../../host/build/components.rs"]
mod components;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

/// Every guest crate under `guests/`; all are built by the first test that needs one.
const GUESTS: &[&str] = &["fixed-replicas", "panicking-planner", "hostile", "imports-sockets", "imports-unknown-interface"];

/// The staging profile of the original scripts.
pub const STAGING_PROFILE: &[&str] = &[
    "scale",
    "--target=staging",
    "--namespace=assistant-staging",
    "--workload=Deployment:web:2",
    "--workload=Deployment:api:2",
    "--hpa=min:2,max:6,cpu:70",
    "--req=web:cpu=300m,mem=512Mi",
    "--lim=web:cpu=700m,mem=1Gi",
    "--req=api:cpu=300m,mem=512Mi",
    "--lim=api:cpu=700m,mem=1Gi",
];

/// The host's crate folder, for paths to shared test data.
pub fn data(name: &str) -> PathBuf {
    workspace().join("tests").join("data").join(name)
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the host crate sits in the workspace")
}

/// `<target>/`, found from the binary under test (`<target>/<profile>/planhost`).
fn target_dir() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_planhost"));
    binary.ancestors().nth(2).expect("the binary sits in <target>/<profile>").to_path_buf()
}

/// The path of a guest component, building every guest on first use in this process. Cargo
/// makes the later builds (other test processes) no-ops.
pub fn guest(name: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<PathBuf>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        components::build_components(workspace(), &target_dir().join("guest-components"), GUESTS)
            .unwrap_or_else(|error| panic!("{error}"))
    });
    let index = GUESTS.iter().position(|guest| *guest == name).unwrap_or_else(|| panic!("no guest named {name}"));
    built[index].clone()
}

/// The compile cache the whole test run shares (entries are keyed by content, so sharing is safe).
pub fn compile_cache_dir() -> PathBuf {
    target_dir().join("test-compile-cache")
}

/// A folder of its own for one test: the binary runs there.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `planhost` in this folder, with the run's shared compile cache and a fixed clock.
    pub fn planhost(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_planhost"));
        command
            .current_dir(self.path())
            .env("PLANHOST_CACHE_DIR", compile_cache_dir())
            .env("SOURCE_DATE_EPOCH", "1764000000")
            // No cluster unless a test names one: no KUBECONFIG, and a home without ~/.kube.
            .env("HOME", self.path())
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("PLANHOST_LOG")
            .env_remove("PLANHOST_FUEL")
            .env_remove("PLANHOST_TIMEOUT")
            .env_remove("PLANHOST_MEMORY_LIMIT")
            .env_remove("PLANHOST_MAX_ACTIONS")
            // No GitHub unless a test names one (GitHub's runners set GITHUB_API_URL).
            .env_remove("GH_OWNER")
            .env_remove("GH_REPO")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_API_URL")
            .env_remove("PLANHOST_GITHUB_TIMEOUT");
        command
    }

    /// Every file under the folder, relative, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut files = Vec::new();
        let mut pending = vec![self.path().to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("a readable folder") {
                let path = entry.expect("a folder entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path.strip_prefix(self.path()).expect("below the sandbox").display().to_string());
                }
            }
        }
        files.sort();
        files
    }
}

/// The standard output of a successful run as `key=value` pairs, and the final status line.
pub fn contract(stdout: &[u8]) -> (Vec<(String, String)>, String) {
    let text = String::from_utf8(stdout.to_vec()).expect("standard output is UTF-8");
    let mut lines: Vec<&str> = text.lines().collect();
    let status = lines.pop().expect("a status line").to_string();
    let pairs = lines
        .iter()
        .map(|line| {
            let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("not key=value: {line:?}"));
            (key.to_string(), value.to_string())
        })
        .collect();
    (pairs, status)
}

/// The kubeconfig of the test control plane that `scripts/test` starts. A cluster test without
/// a cluster fails here, loudly: it never passes by skipping.
pub fn test_kubeconfig() -> PathBuf {
    let path = std::env::var_os("PLANHOST_TEST_KUBECONFIG").map(PathBuf::from).unwrap_or_else(|| {
        panic!(
            "PLANHOST_TEST_KUBECONFIG is not set: the cluster tests need the test control plane. \
             Run every test with `scripts/test`, or start one with `scripts/k8s-test-cluster start DIR` \
             and set PLANHOST_TEST_KUBECONFIG=DIR/kubeconfig"
        )
    });
    assert!(path.is_file(), "PLANHOST_TEST_KUBECONFIG={} is not a file", path.display());
    path
}

/// A namespace of its own for one cluster test, deleted when dropped.
pub struct TestNamespace {
    pub name: String,
}

impl TestNamespace {
    pub fn new(test: &str) -> Self {
        let name = format!("t-{test}-{}", std::process::id());
        kubectl(&["create", "namespace", &name]);
        TestNamespace { name }
    }

    /// `kubectl -n <namespace> ARGS`, which must succeed; its standard output.
    pub fn kubectl(&self, args: &[&str]) -> String {
        let mut full = vec!["-n", self.name.as_str()];
        full.extend_from_slice(args);
        kubectl(&full)
    }

    /// Applies a manifest the way a person would (`kubectl apply`).
    pub fn apply(&self, manifest: &str) {
        kubectl_with_input(&["-n", &self.name, "apply", "-f", "-"], manifest);
    }

    /// The object as JSON.
    pub fn get(&self, object: &str) -> serde_json::Value {
        serde_json::from_str(&self.kubectl(&["get", object, "-o", "json"])).expect("kubectl prints JSON")
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(test_kubeconfig())
            .args(["delete", "namespace", &self.name, "--wait=false"])
            .output();
    }
}

/// `kubectl ARGS` against the test cluster, which must succeed; its standard output.
pub fn kubectl(args: &[&str]) -> String {
    kubectl_with_input(args, "")
}

fn kubectl_with_input(args: &[&str], input: &str) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(test_kubeconfig())
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child.stdin.take().expect("a stdin pipe").write_all(input.as_bytes()).expect("kubectl reads its input");
    let output = child.wait_with_output().expect("kubectl finishes");
    assert!(output.status.success(), "kubectl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("kubectl prints UTF-8")
}

/// A Deployment (or, with `kind` StatefulSet, a StatefulSet) with one container named like it.
pub fn workload_manifest(kind: &str, name: &str, replicas: u32, resources: &str) -> String {
    let service = if kind == "StatefulSet" { format!("\n  serviceName: {name}") } else { String::new() };
    format!(
        "apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
spec:
  replicas: {replicas}{service}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: {name}
          image: registry.invalid/{name}:1
          resources: {resources}
"
    )
}
