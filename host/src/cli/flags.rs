//! Parsers for the flag values of the original scripts: `--workload=Deployment:web:6`,
//! `--hpa=min:4,max:12,cpu:65`, `--req=web:cpu=500m,mem=1Gi`. Each error says what is wrong
//! and what the value should look like; clap adds the flag's name.

use std::time::Duration;

use crate::plan::model::{HpaSpec, ResourceSetting, Resources, WorkloadKind, WorkloadTarget};
use crate::plan::quantity::{CpuMillis, MemoryBytes};

/// `KIND:NAME:REPLICAS`, for example `Deployment:web:6`.
pub fn workload(value: &str) -> Result<WorkloadTarget, String> {
    let shape = "expected KIND:NAME:REPLICAS, for example Deployment:web:6";
    let mut parts = value.split(':');
    let (Some(kind), Some(name), Some(replicas), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(shape.to_string());
    };
    let kind = match kind.to_ascii_lowercase().as_str() {
        "deployment" => WorkloadKind::Deployment,
        "statefulset" => WorkloadKind::StatefulSet,
        _ => return Err(format!("unknown kind {kind:?}: use Deployment or StatefulSet")),
    };
    if name.is_empty() {
        return Err(format!("the workload name is empty; {shape}"));
    }
    let replicas = replicas
        .parse()
        .map_err(|_| format!("replicas {replicas:?} is not a whole number from 0 to {}", u32::MAX))?;
    Ok(WorkloadTarget { kind, name: name.to_string(), replicas })
}

/// `KIND:NAME` (or `KIND:NAME:REPLICAS`, whose replicas are ignored): a workload to read.
pub fn workload_ref(value: &str) -> Result<WorkloadTarget, String> {
    let with_replicas = if value.matches(':').count() == 1 { format!("{value}:0") } else { value.to_string() };
    workload(&with_replicas).map_err(|error| error.replace("KIND:NAME:REPLICAS, for example Deployment:web:6", "KIND:NAME, for example Deployment:web"))
}

/// `min:N,max:N,cpu:N`, for example `min:4,max:12,cpu:65`. All three are required.
pub fn hpa(value: &str) -> Result<HpaSpec, String> {
    let shape = "expected min:N,max:N,cpu:N, for example min:4,max:12,cpu:65";
    let (mut min, mut max, mut cpu) = (None, None, None);
    for pair in value.split(',') {
        let Some((key, number)) = pair.split_once(':') else {
            return Err(format!("{pair:?} is not KEY:N; {shape}"));
        };
        let slot = match key.trim() {
            "min" => &mut min,
            "max" => &mut max,
            "cpu" => &mut cpu,
            other => return Err(format!("unknown key {other:?}; {shape}")),
        };
        if slot.is_some() {
            return Err(format!("{key} is given twice"));
        }
        let number: u32 = number.trim().parse().map_err(|_| format!("{key}: {number:?} is not a whole number"))?;
        *slot = Some(number);
    }
    match (min, max, cpu) {
        (Some(min_replicas), Some(max_replicas), Some(cpu_utilization)) => {
            Ok(HpaSpec { min_replicas, max_replicas, cpu_utilization })
        }
        _ => Err(format!("min, max and cpu are all required; {shape}")),
    }
}

/// `NAME:cpu=Q,mem=Q`, for example `web:cpu=500m,mem=1Gi` (`memory=` is taken for `mem=`).
pub fn resources(value: &str) -> Result<ResourceSetting, String> {
    let shape = "expected NAME:cpu=QUANTITY,mem=QUANTITY, for example web:cpu=500m,mem=1Gi";
    let Some((workload, list)) = value.split_once(':') else {
        return Err(shape.to_string());
    };
    if workload.is_empty() {
        return Err(format!("the workload name is empty; {shape}"));
    }
    let mut resources = Resources::default();
    for pair in list.split(',') {
        let Some((key, quantity)) = pair.split_once('=') else {
            return Err(format!("{pair:?} is not KEY=QUANTITY; {shape}"));
        };
        match key.trim() {
            "cpu" if resources.cpu.is_none() => {
                resources.cpu = Some(CpuMillis::parse(quantity).map_err(|error| format!("cpu: {error}"))?);
            }
            "mem" | "memory" if resources.memory.is_none() => {
                resources.memory = Some(MemoryBytes::parse(quantity).map_err(|error| format!("mem: {error}"))?);
            }
            "cpu" | "mem" | "memory" => return Err(format!("{key} is given twice")),
            other => return Err(format!("unknown resource {other:?}: use cpu and mem")),
        }
    }
    Ok(ResourceSetting { workload: workload.to_string(), resources })
}

/// A target names folders (`.artifacts/infra-scale/<target>`), so it must be a DNS-1123 label:
/// no separators, no `..`, nothing a path could escape with.
pub fn target(value: &str) -> Result<String, String> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if valid {
        Ok(value.to_string())
    } else {
        Err("a target must be 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit (for example prod)".to_string())
    }
}

/// A duration such as `5s`, `500ms` or `1m`.
pub fn duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value).map_err(|error| format!("{error} (examples: 5s, 500ms, 1m)"))
}

/// A memory size such as `64Mi` or `1Gi`.
pub fn memory_size(value: &str) -> Result<usize, String> {
    let bytes = MemoryBytes::parse(value).map_err(|error| error.to_string())?;
    usize::try_from(bytes.0).map_err(|_| format!("{value} is larger than this machine can address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_original_flags() {
        assert_eq!(
            workload("Deployment:web:6"),
            Ok(WorkloadTarget { kind: WorkloadKind::Deployment, name: "web".into(), replicas: 6 })
        );
        assert_eq!(workload("statefulset:db:1").map(|w| w.kind), Ok(WorkloadKind::StatefulSet));
        assert_eq!(hpa("min:4,max:12,cpu:65"), Ok(HpaSpec { min_replicas: 4, max_replicas: 12, cpu_utilization: 65 }));
        assert_eq!(
            resources("web:cpu=500m,mem=1Gi"),
            Ok(ResourceSetting {
                workload: "web".into(),
                resources: Resources { cpu: Some(CpuMillis(500)), memory: Some(MemoryBytes(1 << 30)) }
            })
        );
        assert_eq!(resources("web:memory=2G").map(|r| r.resources.memory), Ok(Some(MemoryBytes(2_000_000_000))));
    }

    #[test]
    fn refuses_malformed_values() {
        assert!(workload("Deployment:web").unwrap_err().contains("KIND:NAME:REPLICAS"));
        assert!(workload("Pod:web:1").unwrap_err().contains("unknown kind \"Pod\""));
        assert!(workload("Deployment:web:-1").unwrap_err().contains("not a whole number"));
        assert!(workload("Deployment::1").unwrap_err().contains("name is empty"));
        assert!(hpa("min:4,max:12").unwrap_err().contains("all required"));
        assert!(hpa("min:4,max:12,cpu:65,min:3").unwrap_err().contains("given twice"));
        assert!(hpa("min:4,max:x,cpu:65").unwrap_err().contains("not a whole number"));
        assert!(hpa("floor:4").unwrap_err().contains("unknown key"));
        assert!(resources("web:cpu=lots").unwrap_err().contains("not a Kubernetes quantity"));
        assert!(resources("web:gpu=1").unwrap_err().contains("unknown resource"));
        assert!(resources("cpu=1").unwrap_err().contains("NAME:cpu="));
        assert!(target("../../etc").is_err());
        assert!(target("Prod").is_err());
        assert_eq!(target("prod"), Ok("prod".to_string()));
    }
}
