#![allow(dead_code, reason = "each fuzz target uses one of these checks")]

//! The properties the fuzz targets check, shared with the corpus replay that runs in CI
//! (`tests/fuzz_corpus.rs`): each takes arbitrary bytes and panics on a broken property.

use planhost::cli::flags;
use planhost::plan::document::ScalePlanDocument;
use planhost::plan::legacy::read_any_plan;
use planhost::plan::quantity::{CpuMillis, MemoryBytes};
use planhost::plan::summary;

/// The flag parsers never panic, and what they accept is written back and read again unchanged.
pub fn flags(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match selector % 6 {
        0 => {
            if let Ok(workload) = flags::workload(text) {
                let written = format!("{}:{}:{}", workload.kind, workload.name, workload.replicas);
                assert_eq!(flags::workload(&written), Ok(workload), "{text:?} → {written:?}");
            }
        }
        1 => {
            if let Ok(hpa) = flags::hpa(text) {
                let written = format!("min:{},max:{},cpu:{}", hpa.min_replicas, hpa.max_replicas, hpa.cpu_utilization);
                assert_eq!(flags::hpa(&written), Ok(hpa), "{text:?} → {written:?}");
            }
        }
        2 => {
            if let Ok(setting) = flags::resources(text) {
                let mut pairs = Vec::new();
                if let Some(cpu) = setting.resources.cpu {
                    pairs.push(format!("cpu={cpu}"));
                }
                if let Some(memory) = setting.resources.memory {
                    pairs.push(format!("mem={memory}"));
                }
                let written = format!("{}:{}", setting.workload, pairs.join(","));
                assert_eq!(flags::resources(&written), Ok(setting), "{text:?} → {written:?}");
            }
        }
        3 => {
            if let Ok(target) = flags::target(text) {
                assert!(!target.contains(['/', '.', '\\']), "{target:?} could leave the artifacts folder");
            }
        }
        4 => {
            let _ = flags::duration(text);
        }
        _ => {
            let _ = flags::memory_size(text);
        }
    }
}

/// Quantities never panic, and an accepted one survives being written in Kubernetes notation.
pub fn quantity(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cpu) = CpuMillis::parse(text) {
        assert_eq!(CpuMillis::parse(&cpu.to_string()), Ok(cpu), "{text:?}");
    }
    if let Ok(memory) = MemoryBytes::parse(text) {
        assert_eq!(MemoryBytes::parse(&memory.to_string()), Ok(memory), "{text:?}");
    }
}

/// Reading `plan.yaml` (planhost's format or the original scripts') never panics, and an
/// accepted plan is written and read back unchanged and can be summarised.
pub fn plan_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(plan) = read_any_plan(text, "fuzz") {
        let written = plan.to_yaml();
        let again = ScalePlanDocument::from_yaml(&written, "fuzz").unwrap_or_else(|error| panic!("{error}: {written}"));
        assert_eq!(again, plan);
        let _ = summary::render(&plan, "0");
    }
}
