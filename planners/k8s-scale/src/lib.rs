//! The `k8s-scale` planner: turns a scale request (replicas, requests and limits, an HPA) and the
//! observed state into the actions that get there, and the hints that undo them.
//!
//! It trusts nothing the host checked: a hand-made request reaches it too, so every rule is
//! checked here again. It never calls the host but for one log line per plan.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({
        world: "scale-planner",
        path: "../../wit",
    additional_derives: [PartialEq, Eq],
    });

    use super::K8sScale;
    export!(K8sScale);
}

mod names;
mod quantity;

use std::collections::{BTreeMap, BTreeSet};

use bindings::planhost::planner::host_log::log;
/// The WIT types, for callers of the native [`plan`] (the host's benchmark).
pub use bindings::planhost::planner::types;

use types::{
    Action, ApplyHpa, HpaSpec, InvalidRequest, LogLevel, ObservedState, ObservedWorkload, Plan, PlanError,
    PlannerInfo, RequestField, ResourceSetting, Resources, RollbackHint, RolloutUndo, ScaleRequest,
    ScaleWorkload, UpdateResources, WorkloadKind, WorkloadRef,
};

/// The component's export.
struct K8sScale;

impl bindings::Guest for K8sScale {
    fn info() -> PlannerInfo {
        info()
    }

    fn plan(request: ScaleRequest, observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        let outcome = plan(&request, observed.as_ref());
        if let Ok(plan) = &outcome {
            log(
                LogLevel::Debug,
                &format!("planned {} actions for {}", plan.actions.len(), request.target),
            );
        }
        outcome
    }
}

/// Who this planner is.
pub fn info() -> PlannerInfo {
    PlannerInfo {
        name: "k8s-scale".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        description: "Scales Deployments and StatefulSets: replicas, requests and limits, HPA"
            .to_string(),
    }
}

/// Plans `request` against `observed`, or against nothing when the state is unknown.
///
/// With an observed state only what changes becomes an action, and the hints restore the
/// observed values. Actions come in the order they should run: resources, replicas, HPAs.
pub fn plan(request: &ScaleRequest, observed: Option<&ObservedState>) -> Result<Plan, PlanError> {
    let settings = check_request(request)?;
    let observed = match observed {
        Some(state) => Some(match_observed(request, state)?),
        None => None,
    };

    let mut plan = Plan { actions: Vec::new(), rollback_hints: Vec::new(), warnings: Vec::new() };
    let mut resource_actions = Vec::new();
    let mut scale_actions = Vec::new();
    let mut hpa_actions = Vec::new();
    let mut hints = Vec::new();

    for (index, target) in request.workloads.iter().enumerate() {
        let workload = WorkloadRef {
            namespace: request.namespace.clone(),
            kind: target.kind,
            name: target.name.clone(),
        };
        let wanted_requests = settings.requests.get(target.name.as_str()).copied();
        let wanted_limits = settings.limits.get(target.name.as_str()).copied();
        let before = observed.as_ref().map(|workloads| workloads[index]);
        check_effective_resources(&target.name, wanted_requests, wanted_limits, before)?;

        match before {
            Some(before) => {
                if before.replicas != target.replicas {
                    scale_actions.push(Action::ScaleWorkload(ScaleWorkload {
                        workload: workload.clone(),
                        replicas: target.replicas,
                    }));
                    hints.push(RollbackHint::Restore(Action::ScaleWorkload(ScaleWorkload {
                        workload: workload.clone(),
                        replicas: before.replicas,
                    })));
                }
                let requests = changed(wanted_requests, &before.requests);
                let limits = changed(wanted_limits, &before.limits);
                if is_set(&requests) || is_set(&limits) {
                    hints.push(restore_resources(&workload, &requests, &limits, before));
                    resource_actions.push(Action::UpdateResources(UpdateResources {
                        workload: workload.clone(),
                        requests,
                        limits,
                    }));
                }
                if let Some(spec) = request.hpa.filter(|spec| before.hpa != Some(*spec)) {
                    hpa_actions.push(Action::ApplyHpa(ApplyHpa { workload: workload.clone(), spec }));
                    hints.push(RollbackHint::Restore(match before.hpa {
                        Some(old) => Action::ApplyHpa(ApplyHpa { workload: workload.clone(), spec: old }),
                        None => Action::DeleteHpa(workload.clone()),
                    }));
                }
            }
            None => {
                scale_actions.push(Action::ScaleWorkload(ScaleWorkload {
                    workload: workload.clone(),
                    replicas: target.replicas,
                }));
                let requests = wanted_requests.copied().unwrap_or(UNSET);
                let limits = wanted_limits.copied().unwrap_or(UNSET);
                if is_set(&requests) || is_set(&limits) {
                    resource_actions.push(Action::UpdateResources(UpdateResources {
                        workload: workload.clone(),
                        requests,
                        limits,
                    }));
                }
                // The original system's hints: undo the rollout, re-apply the saved HPA.
                hints.push(RollbackHint::Restore(Action::RolloutUndo(RolloutUndo {
                    workload: workload.clone(),
                    to_revision: None,
                })));
                if let Some(spec) = request.hpa {
                    hpa_actions.push(Action::ApplyHpa(ApplyHpa { workload: workload.clone(), spec }));
                    hints.push(RollbackHint::ApplyManifest(format!("previous-hpa-{}.yaml", target.name)));
                }
            }
        }

        let hpa_after = request.hpa.or(before.and_then(|before| before.hpa));
        if let Some(hpa) = hpa_after
            && !(hpa.min_replicas..=hpa.max_replicas).contains(&target.replicas)
        {
            plan.warnings.push(format!(
                "{}: {} replicas is outside the HPA range {}..{}; the autoscaler will move it into the range",
                target.name, target.replicas, hpa.min_replicas, hpa.max_replicas
            ));
        }
    }

    if observed.is_none() {
        plan.warnings.push(
            "planned without observed state: every requested value is an action, and the rollback \
             hints fall back to `rollout undo` (which does not restore replica counts) and saved \
             HPA manifests"
                .to_string(),
        );
    }
    plan.actions.extend(resource_actions);
    plan.actions.extend(scale_actions);
    plan.actions.extend(hpa_actions);
    // Undo in the reverse order of doing.
    hints.reverse();
    plan.rollback_hints = hints;
    Ok(plan)
}

const UNSET: Resources = Resources { cpu_millis: None, memory_bytes: None };

fn is_set(resources: &Resources) -> bool {
    resources.cpu_millis.is_some() || resources.memory_bytes.is_some()
}

/// The requests and limits of a checked request, by workload name. B-trees rather than hash
/// maps: a plan of 10,000 workloads needs an index, and a B-tree needs no random seed.
struct Settings<'a> {
    requests: BTreeMap<&'a str, &'a Resources>,
    limits: BTreeMap<&'a str, &'a Resources>,
}

/// The wanted values that differ from the observed ones; the rest stay `None`.
fn changed(wanted: Option<&Resources>, observed: &Resources) -> Resources {
    let Some(wanted) = wanted else { return UNSET };
    Resources {
        cpu_millis: wanted.cpu_millis.filter(|cpu| observed.cpu_millis != Some(*cpu)),
        memory_bytes: wanted.memory_bytes.filter(|memory| observed.memory_bytes != Some(*memory)),
    }
}

/// The hint that restores the resources an update changes.
///
/// A field that was not set before cannot be put back by an update (whose `none` means "leave
/// it"), but the change made a new pod template revision, so undoing the rollout restores it.
fn restore_resources(
    workload: &WorkloadRef,
    requests: &Resources,
    limits: &Resources,
    before: &ObservedWorkload,
) -> RollbackHint {
    let restore = |changed: Option<u64>, was: Option<u64>| changed.map(|_| was);
    let old_requests = (
        restore(requests.cpu_millis, before.requests.cpu_millis),
        restore(requests.memory_bytes, before.requests.memory_bytes),
    );
    let old_limits = (
        restore(limits.cpu_millis, before.limits.cpu_millis),
        restore(limits.memory_bytes, before.limits.memory_bytes),
    );
    let fields = [old_requests.0, old_requests.1, old_limits.0, old_limits.1];
    if fields.contains(&Some(None)) {
        return RollbackHint::Restore(Action::RolloutUndo(RolloutUndo {
            workload: workload.clone(),
            to_revision: None,
        }));
    }
    RollbackHint::Restore(Action::UpdateResources(UpdateResources {
        workload: workload.clone(),
        requests: Resources { cpu_millis: old_requests.0.flatten(), memory_bytes: old_requests.1.flatten() },
        limits: Resources { cpu_millis: old_limits.0.flatten(), memory_bytes: old_limits.1.flatten() },
    }))
}

fn invalid(field: RequestField, workload: Option<&str>, message: String) -> PlanError {
    PlanError::InvalidRequest(InvalidRequest { field, workload: workload.map(str::to_string), message })
}

/// Checks the request on its own, before any observed state is looked at, and indexes its
/// resource settings.
fn check_request(request: &ScaleRequest) -> Result<Settings<'_>, PlanError> {
    if let Err(why) = names::check_label(&request.target) {
        return Err(invalid(RequestField::Target, None, format!("target {:?} {why}", request.target)));
    }
    if let Err(why) = names::check_label(&request.namespace) {
        return Err(invalid(
            RequestField::Namespace,
            None,
            format!("namespace {:?} {why}", request.namespace),
        ));
    }
    if request.workloads.is_empty() {
        return Err(invalid(RequestField::Workload, None, "no workload to plan for".to_string()));
    }
    let mut declared = BTreeSet::new();
    for workload in &request.workloads {
        let name = workload.name.as_str();
        if let Err(why) = names::check_subdomain(name) {
            return Err(invalid(RequestField::Workload, Some(name), format!("workload name {name:?} {why}")));
        }
        if !declared.insert(name) {
            return Err(invalid(
                RequestField::Workload,
                Some(name),
                format!("workload {name} is declared twice"),
            ));
        }
    }
    let settings = Settings {
        requests: check_settings(&request.requests, &declared, RequestField::Requests)?,
        limits: check_settings(&request.limits, &declared, RequestField::Limits)?,
    };
    if let Some(hpa) = &request.hpa {
        check_hpa(hpa)?;
    }
    Ok(settings)
}

fn check_settings<'a>(
    settings: &'a [ResourceSetting],
    declared: &BTreeSet<&str>,
    field: RequestField,
) -> Result<BTreeMap<&'a str, &'a Resources>, PlanError> {
    let what = if field == RequestField::Requests { "requests" } else { "limits" };
    let mut by_workload = BTreeMap::new();
    for setting in settings {
        let name = setting.workload.as_str();
        if !declared.contains(name) {
            return Err(invalid(
                field,
                Some(name),
                format!("{what} name workload {name:?}, which the request does not declare"),
            ));
        }
        if by_workload.insert(name, &setting.resources).is_some() {
            return Err(invalid(field, Some(name), format!("{what} for {name} are given twice")));
        }
        if !is_set(&setting.resources) {
            return Err(invalid(field, Some(name), format!("{what} for {name} set neither cpu nor memory")));
        }
        if setting.resources.cpu_millis == Some(0) || setting.resources.memory_bytes == Some(0) {
            return Err(invalid(field, Some(name), format!("{what} for {name} must be greater than zero")));
        }
    }
    Ok(by_workload)
}

fn check_hpa(hpa: &HpaSpec) -> Result<(), PlanError> {
    let problem = if hpa.min_replicas < 1 {
        Some(format!("min {} must be at least 1", hpa.min_replicas))
    } else if hpa.min_replicas > hpa.max_replicas {
        Some(format!("min {} is greater than max {}", hpa.min_replicas, hpa.max_replicas))
    } else if !(1..=100).contains(&hpa.cpu_utilization) {
        Some(format!("cpu {}% must be between 1 and 100", hpa.cpu_utilization))
    } else {
        None
    };
    match problem {
        Some(message) => Err(invalid(RequestField::Hpa, None, message)),
        None => Ok(()),
    }
}

/// Limits must not fall below requests once the plan is applied: what the plan sets, and what
/// it leaves as observed.
fn check_effective_resources(
    workload: &str,
    requests: Option<&Resources>,
    limits: Option<&Resources>,
    before: Option<&ObservedWorkload>,
) -> Result<(), PlanError> {
    let effective = |wanted: Option<&Resources>, observed: Option<&Resources>, pick: fn(&Resources) -> Option<u64>| {
        wanted.and_then(pick).or_else(|| observed.and_then(pick))
    };
    let observed_requests = before.map(|before| &before.requests);
    let observed_limits = before.map(|before| &before.limits);
    type Pick = fn(&Resources) -> Option<u64>;
    type Format = fn(u64) -> String;
    let pairs: [(&str, Pick, Format); 2] = [
        ("cpu", |r| r.cpu_millis, quantity::cpu),
        ("memory", |r| r.memory_bytes, quantity::memory),
    ];
    for (resource, pick, format) in pairs {
        let request = effective(requests, observed_requests, pick);
        let limit = effective(limits, observed_limits, pick);
        if let (Some(request), Some(limit)) = (request, limit)
            && limit < request
        {
            let field = if limits.and_then(pick).is_some() { RequestField::Limits } else { RequestField::Requests };
            return Err(invalid(
                field,
                Some(workload),
                format!(
                    "{workload}: {resource} limit {} is below its request {}",
                    format(limit),
                    format(request)
                ),
            ));
        }
    }
    Ok(())
}

/// Pairs every requested workload with its observed state, in request order.
fn match_observed<'a>(
    request: &ScaleRequest,
    observed: &'a ObservedState,
) -> Result<Vec<&'a ObservedWorkload>, PlanError> {
    if observed.namespace != request.namespace {
        return Err(invalid(
            RequestField::Observed,
            None,
            format!(
                "the observed state is of namespace {:?}, the request of {:?}",
                observed.namespace, request.namespace
            ),
        ));
    }
    let by_name: BTreeMap<&str, &ObservedWorkload> =
        observed.workloads.iter().map(|workload| (workload.name.as_str(), workload)).collect();
    request
        .workloads
        .iter()
        .map(|target| {
            let found = by_name.get(target.name.as_str()).copied();
            match found {
                Some(workload) if workload.kind == target.kind => Ok(workload),
                Some(workload) => Err(invalid(
                    RequestField::Observed,
                    Some(&target.name),
                    format!(
                        "{} is a {} in the observed state, but the request says {}",
                        target.name,
                        kind_name(workload.kind),
                        kind_name(target.kind)
                    ),
                )),
                None => Err(invalid(
                    RequestField::Observed,
                    Some(&target.name),
                    format!("{} {} is not in the observed state", kind_name(target.kind), target.name),
                )),
            }
        })
        .collect()
}

fn kind_name(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Deployment => "Deployment",
        WorkloadKind::StatefulSet => "StatefulSet",
    }
}

#[cfg(test)]
mod tests;
