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
            .env_remove("PLANHOST_MAX_ACTIONS");
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
