//! `SUMMARY.md`: the plan as a reviewer reads it in a pull request.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::document::ScalePlanDocument;
use super::kubectl;
use super::model::{Action, HpaSpec, ObservedWorkload, WorkloadTarget};

/// Renders the summary of `plan`, whose `plan.yaml` has the sha256 `plan_digest` (hex).
pub fn render(plan: &ScalePlanDocument, plan_digest: &str) -> String {
    let mut out = String::new();
    let meta = &plan.metadata;
    let planner = &plan.planner;
    let observed_from = if plan.observed.is_some() { "observed state" } else { "no observed state (every requested value is planned)" };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# Scale plan: `{}` in namespace `{}`\n", meta.target, meta.namespace);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| planner | `{}` {} |", planner.name, planner.version);
    let _ = writeln!(out, "| planner digest | `sha256:{}` |", planner.sha256);
    let _ = writeln!(out, "| plan digest | `sha256:{plan_digest}` (plan.yaml) |");
    let _ = writeln!(out, "| planned at | {} |", meta.generated_at);
    let _ = writeln!(out, "| planned against | {observed_from} |");
    let _ = writeln!(out, "| actions | {} |\n", plan.actions.len());

    let _ = writeln!(out, "## Workloads\n");
    // Indexed once: a plan may hold thousands of workloads.
    let observed: HashMap<&str, &ObservedWorkload> = plan
        .observed
        .iter()
        .flat_map(|observed| &observed.workloads)
        .map(|workload| (workload.name.as_str(), workload))
        .collect();
    let mut actions: HashMap<&str, Vec<&Action>> = HashMap::new();
    for action in &plan.actions {
        actions.entry(action.workload().name.as_str()).or_default().push(action);
    }
    for target in &plan.request.workloads {
        let name = target.name.as_str();
        render_workload(&mut out, target, observed.get(name).copied(), actions.get(name).map_or(&[][..], Vec::as_slice));
    }

    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "## Warnings\n");
        for warning in &plan.warnings {
            let _ = writeln!(out, "- {warning}");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Equivalent kubectl commands\n");
    if plan.actions.is_empty() {
        let _ = writeln!(out, "Nothing to change: the observed state already matches the request.\n");
    } else {
        let _ = writeln!(out, "```sh");
        for action in &plan.actions {
            let _ = writeln!(out, "{}", kubectl::action_command(action));
        }
        let _ = writeln!(out, "```\n");
    }

    let _ = writeln!(out, "## Rollback\n");
    if plan.rollback_hints.is_empty() {
        let _ = writeln!(out, "Nothing to undo.");
    } else {
        let _ = writeln!(out, "In this order:\n\n```sh");
        for hint in &plan.rollback_hints {
            let _ = writeln!(out, "{}", kubectl::hint_command(hint, &meta.namespace));
        }
        let _ = writeln!(out, "```");
    }
    out
}

/// One workload's table: every field before and after, changed values in bold.
fn render_workload(out: &mut String, target: &WorkloadTarget, before: Option<&ObservedWorkload>, actions: &[&Action]) {
    let mut rows: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
    let observed = |value: Option<String>| before.map(|_| value.unwrap_or_else(|| "not set".to_string()));
    let mut replicas = (observed(before.map(|b| b.replicas.to_string())), None);
    let mut cpu_request = (observed(before.and_then(|b| b.requests.cpu).map(|q| q.to_string())), None);
    let mut memory_request = (observed(before.and_then(|b| b.requests.memory).map(|q| q.to_string())), None);
    let mut cpu_limit = (observed(before.and_then(|b| b.limits.cpu).map(|q| q.to_string())), None);
    let mut memory_limit = (observed(before.and_then(|b| b.limits.memory).map(|q| q.to_string())), None);
    let hpa_before = before.map(|before| describe_hpa(before.hpa.as_ref()));
    let mut hpa = (hpa_before, None);
    let mut undo = false;

    for action in actions {
        match action {
            Action::ScaleWorkload { replicas: wanted, .. } => replicas.1 = Some(wanted.to_string()),
            Action::UpdateResources { requests, limits, .. } => {
                cpu_request.1 = requests.cpu.map(|q| q.to_string()).or(cpu_request.1);
                memory_request.1 = requests.memory.map(|q| q.to_string()).or(memory_request.1);
                cpu_limit.1 = limits.cpu.map(|q| q.to_string()).or(cpu_limit.1);
                memory_limit.1 = limits.memory.map(|q| q.to_string()).or(memory_limit.1);
            }
            Action::ApplyHpa { hpa: spec, .. } => hpa.1 = Some(describe_hpa(Some(spec))),
            Action::DeleteHpa { .. } => hpa.1 = Some(describe_hpa(None)),
            Action::RolloutUndo { .. } => undo = true,
        }
    }
    rows.push(("replicas", replicas.0, replicas.1));
    rows.push(("cpu request", cpu_request.0, cpu_request.1));
    rows.push(("memory request", memory_request.0, memory_request.1));
    rows.push(("cpu limit", cpu_limit.0, cpu_limit.1));
    rows.push(("memory limit", memory_limit.0, memory_limit.1));
    rows.push(("autoscaler", hpa.0, hpa.1));

    let _ = writeln!(out, "### {} `{}`\n", target.kind, target.name);
    let _ = writeln!(out, "| | before | after |\n|---|---|---|");
    for (field, was, wanted) in rows {
        let was_text = was.clone().unwrap_or_else(|| "unknown".to_string());
        let after = match wanted {
            Some(wanted) if Some(&wanted) != was.as_ref() => format!("**{wanted}**"),
            _ => was_text.clone(),
        };
        let _ = writeln!(out, "| {field} | {was_text} | {after} |");
    }
    if undo {
        let _ = writeln!(out, "\nThe plan rolls this workload back to an earlier revision.");
    }
    out.push('\n');
}

fn describe_hpa(hpa: Option<&HpaSpec>) -> String {
    match hpa {
        Some(hpa) => format!("{}–{} replicas at {}% CPU", hpa.min_replicas, hpa.max_replicas, hpa.cpu_utilization),
        None => "none".to_string(),
    }
}
