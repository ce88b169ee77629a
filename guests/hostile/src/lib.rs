//! A planner written to attack its host, for the sandbox tests. The request's target names the
//! attack, so one component carries them all:
//!
//! | target | attack |
//! |---|---|
//! | `endless-loop` | computes forever |
//! | `memory-bomb` | grows its memory without bound |
//! | `deep-recursion` | recurses until the stack is gone |
//! | `clock-stall` | waits for a clock to move |
//! | `sleeps-an-hour` | sleeps in a host call |
//! | `snoops-on-host` | reads files, the environment, arguments and clocks; reports what it got |
//! | `million-actions` | returns a million actions |
//! | `huge-warning` | returns a 100 MiB string |
//! | `other-namespace`, `unnamed-workload`, `replicas-above-ceiling`, `absurd-quantity`, `escaping-hint` | returns actions outside its mandate |
//! | `rude-log` | floods the log with terminal escapes |
//! | `long-refusal` | refuses the request with a 1 MiB message full of terminal escapes |
//!
//! Networking is the `imports-sockets` guest's: a component that imports it is refused at load.
//! Any other target gets an honest one-action plan, so a test can show the host still works.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ world: "scale-planner", path: "../../wit" });

    use super::Hostile;
    export!(Hostile);
}

use std::hint::black_box;

use bindings::planhost::planner::host_log::log;
use bindings::planhost::planner::types::{
    Action, InvalidRequest, LogLevel, ObservedState, Plan, PlanError, PlannerInfo, RequestField, Resources, RollbackHint,
    ScaleRequest, ScaleWorkload, UpdateResources, WorkloadKind, WorkloadRef,
};

struct Hostile;

impl bindings::Guest for Hostile {
    fn info() -> PlannerInfo {
        PlannerInfo {
            name: "hostile".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "attacks its host".to_string(),
        }
    }

    fn plan(request: ScaleRequest, _observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        let first = request.workloads.first().map_or("web", |workload| workload.name.as_str());
        let workload = |namespace: &str, name: &str| WorkloadRef {
            namespace: namespace.to_string(),
            kind: WorkloadKind::Deployment,
            name: name.to_string(),
        };
        let own = workload(&request.namespace, first);
        let scale = |workload: WorkloadRef, replicas| Action::ScaleWorkload(ScaleWorkload { workload, replicas });
        let plan = |actions: Vec<Action>, warnings: Vec<String>| Ok(Plan { actions, rollback_hints: Vec::new(), warnings });

        match request.target.as_str() {
            "endless-loop" => {
                let mut counter = 0u64;
                loop {
                    counter = black_box(counter.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(black_box(vec![1u8; 1 << 20]));
                }
            }
            "deep-recursion" => plan(vec![scale(own, recurse(black_box(1)))], Vec::new()),
            "clock-stall" => {
                let start = std::time::Instant::now();
                while start.elapsed() < std::time::Duration::from_secs(1) {
                    black_box(());
                }
                plan(vec![scale(own, 1)], vec!["the clock moved".to_string()])
            }
            "sleeps-an-hour" => {
                std::thread::sleep(std::time::Duration::from_secs(3600));
                plan(vec![scale(own, 1)], vec!["slept an hour".to_string()])
            }
            "snoops-on-host" => plan(vec![scale(own, 1)], snoop()),
            "million-actions" => plan((0..1_000_000).map(|_| scale(own.clone(), 1)).collect(), Vec::new()),
            "huge-warning" => plan(vec![scale(own, 1)], vec!["x".repeat(100 << 20)]),
            "other-namespace" => plan(vec![scale(workload("kube-system", first), 1)], Vec::new()),
            "unnamed-workload" => plan(vec![scale(workload(&request.namespace, "payments"), 1)], Vec::new()),
            "replicas-above-ceiling" => plan(vec![scale(own, 1_000_000)], Vec::new()),
            "absurd-quantity" => plan(
                vec![Action::UpdateResources(UpdateResources {
                    workload: own,
                    requests: Resources { cpu_millis: Some(u64::MAX), memory_bytes: Some(0) },
                    limits: Resources { cpu_millis: None, memory_bytes: None },
                })],
                Vec::new(),
            ),
            "escaping-hint" => Ok(Plan {
                actions: vec![scale(own, 1)],
                rollback_hints: vec![RollbackHint::ApplyManifest("../../../etc/kubernetes/admin.yaml".to_string())],
                warnings: Vec::new(),
            }),
            "long-refusal" => Err(PlanError::InvalidRequest(InvalidRequest {
                field: RequestField::Workload,
                workload: None,
                message: "\u{1b}[2J".repeat(1 << 18),
            })),
            "rude-log" => {
                for line in 0..10_000 {
                    log(LogLevel::Warn, &format!("\u{1b}[2J\u{1b}[31mline {line}: {}", "spam ".repeat(1000)));
                }
                plan(vec![scale(own, 1)], Vec::new())
            }
            _ => plan(vec![scale(own, 1)], Vec::new()),
        }
    }
}

/// Recursion the optimiser cannot turn into a loop: every frame adds after the call returns.
#[allow(unconditional_recursion, reason = "exhausting the stack is the attack")]
fn recurse(depth: u32) -> u32 {
    let frame = black_box([depth; 16]);
    recurse(black_box(depth + 1)).wrapping_add(frame[depth as usize % 16])
}

/// Tries every way a planner could read its host, and says what each gave.
fn snoop() -> Vec<String> {
    let outcome = |result: Result<String, String>| match result {
        Ok(value) => format!("got {value}"),
        Err(error) => format!("error {error}"),
    };
    let passwd = std::fs::read_to_string("/etc/passwd").map(|text| format!("{} bytes", text.len())).map_err(|e| e.to_string());
    let root = std::fs::read_dir("/").map(|entries| format!("{} entries", entries.count())).map_err(|e| e.to_string());
    let dot = std::fs::read_dir(".").map(|entries| format!("{} entries", entries.count())).map_err(|e| e.to_string());
    let home = std::env::var("HOME").map_err(|e| e.to_string());
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|since| format!("{}s", since.as_secs()));
    let monotonic_start = std::time::Instant::now();
    let spin: u64 = (0..100_000u64).map(black_box).sum();
    vec![
        format!("passwd: {}", outcome(passwd)),
        format!("root listing: {}", outcome(root)),
        format!("current folder: {}", outcome(dot)),
        format!("HOME: {}", outcome(home)),
        format!("environment: {} variables", std::env::vars().count()),
        format!("arguments: {}", std::env::args().count()),
        format!("wall clock: {}", outcome(wall.map_err(|e| e.to_string()))),
        format!("monotonic clock moved: {}", monotonic_start.elapsed().as_nanos() > 0 && black_box(spin) > 0),
    ]
}
