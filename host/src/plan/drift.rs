//! Drift: how the live state differs from the state a plan was made against. A plan whose
//! state has drifted is stale, and executing it would act on assumptions that no longer hold.

use std::collections::HashMap;

use super::model::{HpaSpec, ObservedState, ObservedWorkload, Resources};

/// Every difference between `planned` (the plan's snapshot) and `live`, one line each, for the
/// workloads of `planned`. Empty when nothing changed.
pub fn drift(planned: &ObservedState, live: &ObservedState) -> Vec<String> {
    let mut changes = Vec::new();
    if planned.namespace != live.namespace {
        changes.push(format!("namespace was {:?} when planned, is {:?} now", planned.namespace, live.namespace));
        return changes;
    }
    let live: HashMap<&str, &ObservedWorkload> = live.workloads.iter().map(|workload| (workload.name.as_str(), workload)).collect();
    for before in &planned.workloads {
        let Some(now) = live.get(before.name.as_str()) else {
            changes.push(format!("{} {}: existed when planned, is gone now", before.kind, before.name));
            continue;
        };
        compare_workload(before, now, &mut changes);
    }
    changes
}

fn compare_workload(before: &ObservedWorkload, now: &ObservedWorkload, changes: &mut Vec<String>) {
    let subject = format!("{} {}", before.kind, before.name);
    let mut changed = |field: &str, was: String, is: String| {
        if was != is {
            changes.push(format!("{subject}: {field} was {was} when planned, is {is} now"));
        }
    };
    changed("kind", before.kind.to_string(), now.kind.to_string());
    changed("replicas", before.replicas.to_string(), now.replicas.to_string());
    for (what, was, is) in [("request", &before.requests, &now.requests), ("limit", &before.limits, &now.limits)] {
        changed(&format!("cpu {what}"), cpu(was), cpu(is));
        changed(&format!("memory {what}"), memory(was), memory(is));
    }
    changed("autoscaler", hpa(before.hpa.as_ref()), hpa(now.hpa.as_ref()));
}

fn cpu(resources: &Resources) -> String {
    resources.cpu.map_or_else(|| "not set".to_string(), |cpu| cpu.to_string())
}

fn memory(resources: &Resources) -> String {
    resources.memory.map_or_else(|| "not set".to_string(), |memory| memory.to_string())
}

fn hpa(hpa: Option<&HpaSpec>) -> String {
    hpa.map_or_else(
        || "none".to_string(),
        |hpa| format!("{}–{} at {}% CPU", hpa.min_replicas, hpa.max_replicas, hpa.cpu_utilization),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::WorkloadKind;
    use crate::plan::quantity::CpuMillis;

    fn state(replicas: u32, cpu: Option<u64>, hpa: Option<HpaSpec>) -> ObservedState {
        ObservedState {
            namespace: "assistant".into(),
            workloads: vec![ObservedWorkload {
                kind: WorkloadKind::Deployment,
                name: "web".into(),
                replicas,
                requests: Resources { cpu: cpu.map(CpuMillis), memory: None },
                limits: Resources::default(),
                hpa,
            }],
        }
    }

    #[test]
    fn the_same_state_has_no_drift() {
        assert_eq!(drift(&state(2, Some(500), None), &state(2, Some(500), None)), Vec::<String>::new());
    }

    #[test]
    fn every_changed_field_is_named() {
        let hpa = HpaSpec { min_replicas: 2, max_replicas: 6, cpu_utilization: 70 };
        assert_eq!(
            drift(&state(2, Some(500), None), &state(5, None, Some(hpa))),
            [
                "Deployment web: replicas was 2 when planned, is 5 now",
                "Deployment web: cpu request was 500m when planned, is not set now",
                "Deployment web: autoscaler was none when planned, is 2–6 at 70% CPU now",
            ]
        );
        let gone = ObservedState { namespace: "assistant".into(), workloads: Vec::new() };
        assert_eq!(drift(&state(2, None, None), &gone), ["Deployment web: existed when planned, is gone now"]);
    }
}
