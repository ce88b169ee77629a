//! What a planner call costs, from a warm compile cache to a 10,000-workload plan.
//!
//! - `load_from_cache`: `Runtime::load` of the shipped k8s-scale planner with its compiled
//!   artifact already in the on-disk cache: deserialise, link, and one `info` call.
//! - `instantiate`: `info` on a loaded planner: a fresh store and instance and one trivial call.
//! - `plan_call/wasm/N`: `plan` through the sandbox for N Deployments, each with replicas,
//!   requests, limits and an HPA that all differ from the observed state (three actions and three
//!   hints per workload). This includes converting to and from the WIT types and the host's
//!   validation of the returned plan.
//! - `plan_call/native/N`: the same planner logic compiled natively, on the same inputs in the
//!   WIT types, so `wasm / native` is the price of the sandbox.
//!
//! Run with `cargo bench -p planhost --bench planner`; `cargo test -p planhost --bench planner`
//! runs each benchmark once as a smoke test.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use k8s_scale::types as wit;
use planhost::limits::Limits;
use planhost::plan::model::{
    HpaSpec, ObservedState, ObservedWorkload, ResourceSetting, Resources, ScaleRequest, WorkloadKind, WorkloadTarget,
};
use planhost::plan::quantity::{CpuMillis, MemoryBytes};
use planhost::planner::{CompileCache, PlannerSource, Runtime, ShippedPlanner};

const NAMESPACE: &str = "bench";
const TARGET: &str = "bench";
const SIZES: [usize; 2] = [2, 10_000];
/// From this many workloads on, one call is thousands of times a small one: fewer, flat samples
/// keep the whole run to a few minutes on 2 cores.
const LARGE: usize = 1_000;

/// Every value one workload has and wants, so the host and native inputs are the same data.
struct Workload {
    name: String,
    replicas: u32,
    observed_replicas: u32,
    requests: (u64, u64),
    observed_requests: (u64, u64),
    limits: (u64, u64),
    observed_limits: (u64, u64),
    observed_hpa: Option<(u32, u32, u32)>,
}

const HPA: (u32, u32, u32) = (2, 10, 70);

/// `count` workloads in which every wanted value differs from the observed one, so the planner
/// emits all three actions (resources, replicas, HPA) and three hints for each.
fn workloads(count: usize) -> Vec<Workload> {
    (0..count)
        .map(|index| {
            let step = u64::try_from(index % 8).expect("small");
            let replicas = HPA.0 + u32::try_from(index % 9).expect("small");
            Workload {
                name: format!("web-{index:05}"),
                // Inside the HPA range, or every workload would also add a warning.
                replicas,
                observed_replicas: replicas + 1,
                requests: (250 + 50 * step, (256 + 64 * step) << 20),
                observed_requests: (100, 128 << 20),
                limits: (1000 + 100 * step, (1024 + 128 * step) << 20),
                observed_limits: (500, 512 << 20),
                // Half restore an older HPA, half delete the new one: both hint kinds.
                observed_hpa: (index % 2 == 0).then_some((1, 5, 80)),
            }
        })
        .collect()
}

fn host_inputs(workloads: &[Workload]) -> (ScaleRequest, ObservedState) {
    let resources = |(cpu, memory): (u64, u64)| Resources { cpu: Some(CpuMillis(cpu)), memory: Some(MemoryBytes(memory)) };
    let hpa = |(min_replicas, max_replicas, cpu_utilization): (u32, u32, u32)| HpaSpec { min_replicas, max_replicas, cpu_utilization };
    let request = ScaleRequest {
        target: TARGET.to_string(),
        namespace: NAMESPACE.to_string(),
        workloads: workloads
            .iter()
            .map(|w| WorkloadTarget { kind: WorkloadKind::Deployment, name: w.name.clone(), replicas: w.replicas })
            .collect(),
        requests: workloads.iter().map(|w| ResourceSetting { workload: w.name.clone(), resources: resources(w.requests) }).collect(),
        limits: workloads.iter().map(|w| ResourceSetting { workload: w.name.clone(), resources: resources(w.limits) }).collect(),
        hpa: Some(hpa(HPA)),
    };
    let observed = ObservedState {
        namespace: NAMESPACE.to_string(),
        workloads: workloads
            .iter()
            .map(|w| ObservedWorkload {
                kind: WorkloadKind::Deployment,
                name: w.name.clone(),
                replicas: w.observed_replicas,
                requests: resources(w.observed_requests),
                limits: resources(w.observed_limits),
                hpa: w.observed_hpa.map(hpa),
            })
            .collect(),
    };
    (request, observed)
}

fn native_inputs(workloads: &[Workload]) -> (wit::ScaleRequest, wit::ObservedState) {
    let resources = |(cpu, memory): (u64, u64)| wit::Resources { cpu_millis: Some(cpu), memory_bytes: Some(memory) };
    let hpa = |(min_replicas, max_replicas, cpu_utilization): (u32, u32, u32)| wit::HpaSpec { min_replicas, max_replicas, cpu_utilization };
    let request = wit::ScaleRequest {
        target: TARGET.to_string(),
        namespace: NAMESPACE.to_string(),
        workloads: workloads
            .iter()
            .map(|w| wit::WorkloadTarget { kind: wit::WorkloadKind::Deployment, name: w.name.clone(), replicas: w.replicas })
            .collect(),
        requests: workloads
            .iter()
            .map(|w| wit::ResourceSetting { workload: w.name.clone(), resources: resources(w.requests) })
            .collect(),
        limits: workloads
            .iter()
            .map(|w| wit::ResourceSetting { workload: w.name.clone(), resources: resources(w.limits) })
            .collect(),
        hpa: Some(hpa(HPA)),
    };
    let observed = wit::ObservedState {
        namespace: NAMESPACE.to_string(),
        workloads: workloads
            .iter()
            .map(|w| wit::ObservedWorkload {
                kind: wit::WorkloadKind::Deployment,
                name: w.name.clone(),
                replicas: w.observed_replicas,
                requests: resources(w.observed_requests),
                limits: resources(w.observed_limits),
                hpa: w.observed_hpa.map(hpa),
            })
            .collect(),
    };
    (request, observed)
}

fn limits() -> Limits {
    // Generous enough that the 10,000-workload plan (30,000 actions) is measured, not refused.
    Limits {
        max_actions: 100_000,
        max_replicas: 100_000,
        fuel: u64::MAX / 2,
        timeout: Duration::from_secs(120),
        memory_bytes: 512 << 20,
        ..Limits::default()
    }
}

fn planner(criterion: &mut Criterion) {
    let cache_dir = tempfile::tempdir().expect("a temporary directory");
    let cache = CompileCache::open(cache_dir.path()).expect("a private cache directory");
    let runtime = Runtime::new(limits(), Some(cache)).expect("a runtime");
    let source = PlannerSource::Shipped(ShippedPlanner::named("k8s-scale").expect("k8s-scale ships"));

    // The first load compiles and fills the cache; every measured load reads it back.
    let component = runtime.load(&source).expect("the shipped planner loads");
    let cached = std::fs::read_dir(cache_dir.path())
        .expect("the cache directory")
        .filter_map(Result::ok)
        .any(|entry| entry.path().extension().is_some_and(|ext| ext == "cwasm"));
    assert!(cached, "no compiled component in the cache: load_from_cache would measure compilation");

    criterion.bench_function("load_from_cache", |b| b.iter(|| runtime.load(black_box(&source)).expect("load")));
    criterion.bench_function("instantiate", |b| b.iter(|| component.info(&runtime).expect("info")));

    let mut group = criterion.benchmark_group("plan_call");
    for size in SIZES {
        let workloads = workloads(size);
        let (request, observed) = host_inputs(&workloads);
        let (native_request, native_observed) = native_inputs(&workloads);

        let actions = 3 * size;
        group.throughput(Throughput::Elements(u64::try_from(size).expect("fits")));
        if size >= LARGE {
            group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(20));
            group.sampling_mode(SamplingMode::Flat);
        }
        // Each call's plan is checked (a length compare, lost in the noise) rather than one call
        // beforehand: test mode then runs the 10,000 case once, not twice, and a limit or a planner
        // change that cuts the plan short still fails the bench instead of timing an error.
        group.bench_with_input(BenchmarkId::new("wasm", size), &(&request, &observed), |b, (request, observed)| {
            b.iter(|| {
                let plan = component.plan(&runtime, black_box(request), Some(black_box(observed))).expect("wasm plan");
                assert_eq!(plan.actions.len(), actions, "wasm: three actions per workload");
                plan
            })
        });
        group.bench_with_input(BenchmarkId::new("native", size), &(&native_request, &native_observed), |b, (request, observed)| {
            b.iter(|| {
                let plan = k8s_scale::plan(black_box(request), Some(black_box(observed))).expect("native plan");
                assert_eq!(plan.actions.len(), actions, "native: three actions per workload");
                plan
            })
        });
    }
    group.finish();
}

fn main() {
    // criterion_group! would add an undocumented `pub fn`, which the workspace's missing_docs
    // lint flags; this is what it and criterion_main! expand to.
    let mut criterion = Criterion::default().configure_from_args();
    planner(&mut criterion);
    criterion.final_summary();
}
