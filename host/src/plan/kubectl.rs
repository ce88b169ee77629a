//! The `kubectl` commands a person would type for each action: shown to reviewers, never run.

use super::model::{Action, Resources, RollbackHint};

/// The `kubectl` command equivalent to `action`.
pub fn action_command(action: &Action) -> String {
    let workload = action.workload();
    let namespace = &workload.namespace;
    let object = format!("{}/{}", workload.kind.kubectl_resource(), workload.name);
    match action {
        Action::ScaleWorkload { replicas, .. } => {
            format!("kubectl -n {namespace} scale {object} --replicas={replicas}")
        }
        Action::UpdateResources { requests, limits, .. } => {
            let mut command = format!("kubectl -n {namespace} set resources {object}");
            for (flag, resources) in [("--requests", requests), ("--limits", limits)] {
                if !resources.is_empty() {
                    command.push_str(&format!(" {flag}={}", resource_list(resources)));
                }
            }
            command
        }
        Action::ApplyHpa { hpa, .. } => format!(
            "kubectl -n {namespace} autoscale {object} --min={} --max={} --cpu-percent={}",
            hpa.min_replicas, hpa.max_replicas, hpa.cpu_utilization
        ),
        Action::DeleteHpa { workload } => {
            format!("kubectl -n {namespace} delete hpa {}", workload.name)
        }
        Action::RolloutUndo { to_revision, .. } => match to_revision {
            Some(revision) => format!("kubectl -n {namespace} rollout undo {object} --to-revision={revision}"),
            None => format!("kubectl -n {namespace} rollout undo {object}"),
        },
    }
}

/// The `kubectl` command a rollback hint stands for, in `namespace`.
pub fn hint_command(hint: &RollbackHint, namespace: &str) -> String {
    match hint {
        RollbackHint::Restore { restore } => action_command(restore),
        RollbackHint::ApplyManifest { apply_manifest } => format!("kubectl -n {namespace} apply -f {apply_manifest}"),
    }
}

/// `cpu=300m,memory=512Mi`, as `kubectl set resources` takes it.
fn resource_list(resources: &Resources) -> String {
    let cpu = resources.cpu.map(|cpu| format!("cpu={cpu}"));
    let memory = resources.memory.map(|memory| format!("memory={memory}"));
    [cpu, memory].into_iter().flatten().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::{HpaSpec, WorkloadKind, WorkloadRef};
    use crate::plan::quantity::{CpuMillis, MemoryBytes};

    fn web() -> WorkloadRef {
        WorkloadRef { namespace: "prod".into(), kind: WorkloadKind::Deployment, name: "web".into() }
    }

    #[test]
    fn commands_read_like_kubectl() {
        let resources = Action::UpdateResources {
            workload: web(),
            requests: Resources { cpu: Some(CpuMillis(500)), memory: Some(MemoryBytes(1 << 30)) },
            limits: Resources { cpu: Some(CpuMillis(1000)), memory: None },
        };
        assert_eq!(
            action_command(&resources),
            "kubectl -n prod set resources deployment/web --requests=cpu=500m,memory=1Gi --limits=cpu=1"
        );
        let hpa = Action::ApplyHpa { workload: web(), hpa: HpaSpec { min_replicas: 4, max_replicas: 12, cpu_utilization: 65 } };
        assert_eq!(action_command(&hpa), "kubectl -n prod autoscale deployment/web --min=4 --max=12 --cpu-percent=65");
        let undo = RollbackHint::Restore { restore: Action::RolloutUndo { workload: web(), to_revision: Some(3) } };
        assert_eq!(hint_command(&undo, "prod"), "kubectl -n prod rollout undo deployment/web --to-revision=3");
        let manifest = RollbackHint::ApplyManifest { apply_manifest: "previous-hpa-web.yaml".into() };
        assert_eq!(hint_command(&manifest, "prod"), "kubectl -n prod apply -f previous-hpa-web.yaml");
    }
}
