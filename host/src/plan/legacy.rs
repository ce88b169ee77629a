//! Plans written by the original scripts, read so that they can be rolled back.
//!
//! That format has no `apiVersion`: `target`, `namespace`, `actions` (each with `action` or
//! `type`, a workload `kind` and `name`, and its values) and `rollback_hints` as `kubectl`
//! strings. A hint is parsed into data, never run, and only three shapes are known:
//! `kubectl rollout undo KIND/NAME`, `kubectl apply -f FILE` and
//! `kubectl scale KIND/NAME --replicas=N` (each with an optional `-n NS`/`--namespace NS`).
//! Anything else is refused, not guessed.

use serde::Deserialize;

use super::document::{API_VERSION, DocumentError, PlanMetadata, ScalePlanDocument};
use super::model::{Action, HpaSpec, PlannerRecord, Resources, RollbackHint, ScaleRequest, WorkloadKind, WorkloadRef, WorkloadTarget};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyPlan {
    target: String,
    namespace: String,
    actions: Vec<LegacyAction>,
    #[serde(default, alias = "rollbackHints")]
    rollback_hints: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyAction {
    #[serde(alias = "type")]
    action: String,
    #[serde(default = "deployment")]
    kind: WorkloadKind,
    name: String,
    #[serde(default)]
    replicas: Option<u32>,
    #[serde(default)]
    requests: Option<Resources>,
    #[serde(default)]
    limits: Option<Resources>,
    #[serde(default)]
    hpa: Option<LegacyHpa>,
}

fn deployment() -> WorkloadKind {
    WorkloadKind::Deployment
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyHpa {
    #[serde(alias = "minReplicas")]
    min: u32,
    #[serde(alias = "maxReplicas")]
    max: u32,
    #[serde(alias = "cpuUtilization")]
    cpu: u32,
}

/// Reads `text` as a planhost plan, or, when it has no `apiVersion`, as an original one.
pub fn read_any_plan(text: &str, origin: &str) -> Result<ScalePlanDocument, DocumentError> {
    let has_api_version = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
        .map(|value| value.get("apiVersion").is_some())
        .unwrap_or(true);
    if has_api_version {
        return ScalePlanDocument::from_yaml(text, origin);
    }
    let parse_error = |source| DocumentError::Parse { path: origin.to_string(), kind: "original-format plan", source };
    let legacy: LegacyPlan = serde_yaml_ng::from_str(text).map_err(parse_error)?;
    convert(legacy, origin)
}

fn convert(legacy: LegacyPlan, origin: &str) -> Result<ScalePlanDocument, DocumentError> {
    let namespace = legacy.namespace;
    let invalid = |reason: String| DocumentError::Legacy { path: origin.to_string(), reason };
    let mut workloads: Vec<WorkloadTarget> = Vec::new();
    let mut actions = Vec::new();
    for (index, action) in legacy.actions.into_iter().enumerate() {
        let workload = WorkloadRef { namespace: namespace.clone(), kind: action.kind, name: action.name.clone() };
        let missing = |field: &str| invalid(format!("action {} ({}) has no {field}", index + 1, action.action));
        let converted = match action.action.as_str() {
            "scale_workload" => Action::ScaleWorkload { workload, replicas: action.replicas.ok_or_else(|| missing("replicas"))? },
            "update_resources" => Action::UpdateResources {
                workload,
                requests: action.requests.unwrap_or_default(),
                limits: action.limits.unwrap_or_default(),
            },
            "apply_hpa" => {
                let hpa = action.hpa.ok_or_else(|| missing("hpa"))?;
                Action::ApplyHpa { workload, hpa: HpaSpec { min_replicas: hpa.min, max_replicas: hpa.max, cpu_utilization: hpa.cpu } }
            }
            other => return Err(invalid(format!("action {} is {other:?}, not scale_workload, update_resources or apply_hpa", index + 1))),
        };
        match workloads.iter_mut().find(|known| known.name == action.name) {
            Some(known) if known.kind != action.kind => {
                return Err(invalid(format!("{} is named both as a {} and as a {}", action.name, known.kind, action.kind)));
            }
            Some(known) => known.replicas = action.replicas.unwrap_or(known.replicas),
            None => workloads.push(WorkloadTarget { kind: action.kind, name: action.name, replicas: action.replicas.unwrap_or(0) }),
        }
        actions.push(converted);
    }
    let rollback_hints = legacy
        .rollback_hints
        .iter()
        .enumerate()
        .map(|(index, hint)| parse_hint(hint, &namespace).map_err(|reason| invalid(format!("rollback hint {} ({hint:?}) {reason}", index + 1))))
        .collect::<Result<_, _>>()?;
    Ok(ScalePlanDocument {
        api_version: API_VERSION.to_string(),
        kind: ScalePlanDocument::KIND.to_string(),
        metadata: PlanMetadata { target: legacy.target.clone(), namespace: namespace.clone(), generated_at: String::new() },
        planner: PlannerRecord { name: "original scripts".to_string(), version: String::new(), sha256: String::new() },
        request: ScaleRequest { target: legacy.target, namespace, workloads, requests: Vec::new(), limits: Vec::new(), hpa: None },
        observed: None,
        actions,
        rollback_hints,
        warnings: Vec::new(),
    })
}

/// One of the three known hint shapes, as data.
fn parse_hint(hint: &str, namespace: &str) -> Result<RollbackHint, String> {
    const SHAPES: &str = "is not one of the known shapes (kubectl rollout undo KIND/NAME, kubectl apply -f FILE, \
                          kubectl scale KIND/NAME --replicas=N); it is refused, not run";
    let mut words: Vec<&str> = hint.split_whitespace().collect();
    if words.first() != Some(&"kubectl") {
        return Err(SHAPES.to_string());
    }
    words.remove(0);
    // Take the namespace flag out, wherever it stands; it must be the plan's.
    let mut rest = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let named = match word {
            "-n" | "--namespace" => words.next(),
            _ => word.strip_prefix("--namespace=").or_else(|| word.strip_prefix("-n=")),
        };
        match named {
            Some(named) if named != namespace => return Err(format!("acts in namespace {named:?}, not the plan's {namespace:?}")),
            Some(_) => {}
            None if matches!(word, "-n" | "--namespace") => return Err(SHAPES.to_string()),
            None => rest.push(word),
        }
    }
    let workload = |object: &str| -> Result<WorkloadRef, String> {
        let (kind, name) = object.split_once('/').ok_or_else(|| SHAPES.to_string())?;
        let kind = match kind {
            "deployment" | "deployments" | "deploy" => WorkloadKind::Deployment,
            "statefulset" | "statefulsets" | "sts" => WorkloadKind::StatefulSet,
            _ => return Err(SHAPES.to_string()),
        };
        Ok(WorkloadRef { namespace: namespace.to_string(), kind, name: name.to_string() })
    };
    match rest.as_slice() {
        ["rollout", "undo", object] => Ok(RollbackHint::Restore { restore: Action::RolloutUndo { workload: workload(object)?, to_revision: None } }),
        ["rollout", "undo", object, revision] if revision.starts_with("--to-revision=") => {
            let revision = revision.trim_start_matches("--to-revision=").parse().map_err(|_| SHAPES.to_string())?;
            Ok(RollbackHint::Restore { restore: Action::RolloutUndo { workload: workload(object)?, to_revision: Some(revision) } })
        }
        ["apply", "-f", file] => Ok(RollbackHint::ApplyManifest { apply_manifest: (*file).to_string() }),
        ["scale", object, replicas] if replicas.starts_with("--replicas=") => {
            let replicas = replicas.trim_start_matches("--replicas=").parse().map_err(|_| SHAPES.to_string())?;
            Ok(RollbackHint::Restore { restore: Action::ScaleWorkload { workload: workload(object)?, replicas } })
        }
        _ => Err(SHAPES.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "\
target: prod
namespace: assistant
actions:
  - type: scale_workload
    kind: Deployment
    name: web
    replicas: 6
  - type: update_resources
    kind: Deployment
    name: web
    requests: {cpu: 500m, memory: 1Gi}
    limits: {cpu: '1', memory: 2Gi}
  - type: apply_hpa
    kind: Deployment
    name: web
    hpa: {min: 4, max: 12, cpu: 65}
rollback_hints:
  - kubectl rollout undo deployment/web -n assistant
  - kubectl -n assistant scale deployment/web --replicas=3
  - kubectl apply -f previous-hpa.yaml
";

    #[test]
    fn reads_the_original_format() {
        let plan = read_any_plan(ORIGINAL, "plan.yaml").unwrap();
        assert_eq!(plan.actions.len(), 3);
        assert_eq!(plan.request.workloads, [WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".into(), replicas: 6 }]);
        assert!(plan.observed.is_none());
        assert_eq!(
            plan.rollback_hints[2],
            RollbackHint::ApplyManifest { apply_manifest: "previous-hpa.yaml".into() }
        );
        assert!(matches!(&plan.rollback_hints[1], RollbackHint::Restore { restore: Action::ScaleWorkload { replicas: 3, .. } }));
    }

    #[test]
    fn refuses_hints_of_unknown_shape_or_another_namespace() {
        for hint in ["kubectl delete namespace assistant", "rm -rf /", "kubectl rollout undo deployment/web -n kube-system", "kubectl apply -f a.yaml; curl evil"] {
            let text = ORIGINAL.replace("kubectl apply -f previous-hpa.yaml", hint);
            let error = read_any_plan(&text, "plan.yaml").unwrap_err().to_string();
            assert!(error.contains("rollback hint 3"), "{hint}: {error}");
        }
    }
}
