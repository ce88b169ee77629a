//! The cluster: reads workloads and their autoscalers, and applies plan actions with server-side
//! apply under one field manager. Planners never see any of this, nor the credentials.
//!
//! HorizontalPodAutoscalers are spoken at `autoscaling/v2` where the server offers it, else at
//! `autoscaling/v2beta2` (clusters before 1.23); both carry the fields planhost uses in the same
//! places, so they are handled as dynamic objects of the discovered version.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, Config};
use serde_json::{Value, json};

use crate::plan::model::{Action, HpaSpec, ObservedState, ObservedWorkload, Resources, WorkloadKind, WorkloadRef, WorkloadTarget};
use crate::plan::quantity::{CpuMillis, MemoryBytes};

/// The field manager every change is applied under.
pub const FIELD_MANAGER: &str = "planhost";

/// How often a rollout's progress is read while waiting.
const WAIT_POLL: Duration = Duration::from_millis(500);

/// Why a cluster operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No usable kubeconfig or in-cluster configuration.
    #[error("cannot configure the Kubernetes client: {0}")]
    Config(String),
    /// A request to the API server failed.
    #[error("{doing}")]
    Api {
        /// What planhost was doing.
        doing: String,
        /// What the client or server said.
        #[source]
        source: kube::Error,
    },
    /// A workload the request names does not exist.
    #[error("{kind} {namespace}/{name} does not exist in the cluster")]
    NotFound {
        /// Its kind.
        kind: WorkloadKind,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Another field manager owns a field the action sets.
    #[error("{doing}: another field manager owns a field this sets ({message}); rerun with --force-conflicts to take it over")]
    Conflict {
        /// What planhost was doing.
        doing: String,
        /// The server's account of the conflict.
        message: String,
    },
    /// The object does not have the shape planhost needs.
    #[error("{0}")]
    Shape(String),
    /// A rollout did not reach its generation in time.
    #[error("{workload}: the rollout did not observe generation {generation} within {timeout:?}")]
    WaitTimeout {
        /// The workload.
        workload: String,
        /// The generation waited for.
        generation: i64,
        /// How long planhost waited.
        timeout: Duration,
    },
}

impl ClusterError {
    /// True when the client could not be configured (the caller's setup, not the cluster).
    pub fn is_config(&self) -> bool {
        matches!(self, ClusterError::Config(_))
    }
}

/// A live workload: its observed state and the container its resources are read from and
/// written to (the one named like the workload, else the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveWorkload {
    /// What the planner is shown.
    pub observed: ObservedWorkload,
    /// The container that carries the workload's requests and limits.
    pub container: String,
}

/// A connection to one cluster.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    hpa: ApiResource,
}

/// Where the cluster's credentials come from.
#[derive(Debug, Clone, Default)]
pub struct ClusterConfig<'a> {
    /// A kubeconfig file; else the usual rules (`KUBECONFIG`, `~/.kube/config`, in-cluster).
    pub kubeconfig: Option<&'a Path>,
    /// A context of the kubeconfig; else its current context.
    pub context: Option<&'a str>,
}

impl ClusterConfig<'_> {
    /// True when some cluster configuration exists: a file named, `KUBECONFIG`, `~/.kube/config`,
    /// or the in-cluster service account.
    pub fn is_configured(&self) -> bool {
        self.kubeconfig.is_some()
            || std::env::var_os("KUBECONFIG").is_some_and(|value| !value.is_empty())
            || std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
            || std::env::var_os("HOME").is_some_and(|home| Path::new(&home).join(".kube/config").is_file())
    }
}

impl Cluster {
    /// Connects, and discovers which autoscaling version the server speaks.
    pub async fn connect(config: &ClusterConfig<'_>) -> Result<Self, ClusterError> {
        let options = KubeConfigOptions { context: config.context.map(str::to_string), ..KubeConfigOptions::default() };
        let client_config = match config.kubeconfig {
            Some(path) => {
                let kubeconfig = Kubeconfig::read_from(path)
                    .map_err(|error| ClusterError::Config(format!("--kubeconfig {}: {error}", path.display())))?;
                Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(|error| error.to_string())
            }
            None if config.context.is_some() => Config::from_kubeconfig(&options).await.map_err(|error| error.to_string()),
            None => Config::infer().await.map_err(|error| error.to_string()),
        }
        .map_err(ClusterError::Config)?;
        let client = Client::try_from(client_config).map_err(|source| ClusterError::Api { doing: "creating the Kubernetes client".into(), source })?;
        let hpa = discover_hpa(&client).await?;
        tracing::debug!(version = %hpa.api_version, "autoscaling version");
        Ok(Cluster { client, hpa })
    }

    /// Reads each named workload of `namespace` and its autoscaler; a missing one is an error.
    pub async fn observe(&self, namespace: &str, workloads: &[WorkloadTarget]) -> Result<Vec<LiveWorkload>, ClusterError> {
        let live = self.observe_existing(namespace, workloads).await?;
        // `live` keeps the order of `workloads`, so the first gap is the first missing one.
        let missing = workloads.iter().zip(live.iter().map(Some).chain(std::iter::repeat(None))).find(|(wanted, found)| {
            found.is_none_or(|found| found.observed.name != wanted.name)
        });
        match missing {
            Some((wanted, _)) => Err(ClusterError::NotFound { kind: wanted.kind, namespace: namespace.to_string(), name: wanted.name.clone() }),
            None => Ok(live),
        }
    }

    /// Reads those of the named workloads that exist, and their autoscalers.
    pub async fn observe_existing(&self, namespace: &str, workloads: &[WorkloadTarget]) -> Result<Vec<LiveWorkload>, ClusterError> {
        let mut live = Vec::with_capacity(workloads.len());
        for WorkloadTarget { kind, name, .. } in workloads {
            let Some((replicas, template)) = self.read_workload(namespace, *kind, name).await? else { continue };
            let container = pick_container(&template, name)
                .ok_or_else(|| ClusterError::Shape(format!("{kind} {namespace}/{name} has no containers")))?;
            let (requests, limits) = resources_of(container, kind, namespace, name)?;
            let hpa = self.read_hpa(namespace, name).await?;
            live.push(LiveWorkload {
                observed: ObservedWorkload { kind: *kind, name: name.clone(), replicas, requests, limits, hpa },
                container: container.name.clone(),
            });
        }
        Ok(live)
    }

    /// Applies one action. Conflicts with another field manager are reported unless `force`.
    pub async fn apply(&self, action: &Action, container: &str, force: bool) -> Result<(), ClusterError> {
        let workload = action.workload();
        let doing = format!("{} {workload}", action.name());
        // Server-side apply creates what is missing, but a plan only changes workloads that exist.
        if matches!(action, Action::ScaleWorkload { .. } | Action::UpdateResources { .. })
            && self.read_workload(&workload.namespace, workload.kind, &workload.name).await?.is_none()
        {
            return Err(ClusterError::NotFound { kind: workload.kind, namespace: workload.namespace.clone(), name: workload.name.clone() });
        }
        let mut params = PatchParams::apply(FIELD_MANAGER);
        if force {
            params = params.force();
        }
        let outcome = match action {
            Action::ScaleWorkload { replicas, .. } => {
                self.apply_workload(workload, &params, json!({ "spec": { "replicas": replicas } })).await
            }
            Action::UpdateResources { requests, limits, .. } => {
                let mut resources = serde_json::Map::new();
                for (key, wanted) in [("requests", requests), ("limits", limits)] {
                    if !wanted.is_empty() {
                        resources.insert(key.to_string(), resource_list(wanted));
                    }
                }
                let spec = json!({ "template": { "spec": { "containers": [ { "name": container, "resources": resources } ] } } });
                self.apply_workload(workload, &params, json!({ "spec": spec })).await
            }
            Action::ApplyHpa { hpa, .. } => {
                let api = self.hpa_api(&workload.namespace);
                let manifest = hpa_manifest(&self.hpa, workload, hpa);
                api.patch(&workload.name, &params, &Patch::Apply(&manifest)).await.map(drop)
            }
            Action::DeleteHpa { .. } => {
                let api = self.hpa_api(&workload.namespace);
                match api.delete(&workload.name, &DeleteParams::default()).await {
                    Err(kube::Error::Api(response)) if response.code == 404 => Ok(()),
                    other => other.map(drop),
                }
            }
            Action::RolloutUndo { to_revision, .. } => return self.rollout_undo(workload, *to_revision).await,
        };
        outcome.map_err(|source| match source {
            kube::Error::Api(response) if response.code == 409 => ClusterError::Conflict { doing, message: response.message },
            source => ClusterError::Api { doing, source },
        })
    }

    /// Re-applies a saved autoscaler manifest (a rollback hint) under the field manager, in
    /// `namespace`. Only HorizontalPodAutoscalers of the workloads `allowed` are accepted.
    pub async fn apply_manifest(&self, manifest: &Value, namespace: &str, allowed: &[&str], force: bool) -> Result<(), ClusterError> {
        let field = |name: &str| manifest.pointer(name).and_then(Value::as_str).unwrap_or_default();
        let (api_version, kind, name) = (field("/apiVersion"), field("/kind"), field("/metadata/name"));
        let version = api_version.strip_prefix("autoscaling/");
        let (Some(version), "HorizontalPodAutoscaler") = (version, kind) else {
            return Err(ClusterError::Shape(format!(
                "a saved manifest may only be an autoscaling HorizontalPodAutoscaler, not {kind:?} of {api_version:?}"
            )));
        };
        if !allowed.contains(&name) {
            return Err(ClusterError::Shape(format!("the saved manifest names autoscaler {name:?}, which is not one of the plan's workloads")));
        }
        let mut manifest = manifest.clone();
        merge(&mut manifest, json!({ "metadata": { "namespace": namespace } }));
        let gvk = GroupVersionKind::gvk("autoscaling", version, "HorizontalPodAutoscaler");
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), namespace, &ApiResource::from_gvk_with_plural(&gvk, "horizontalpodautoscalers"));
        let mut params = PatchParams::apply(FIELD_MANAGER);
        if force {
            params = params.force();
        }
        let doing = format!("applying the saved autoscaler {namespace}/{name}");
        api.patch(name, &params, &Patch::Apply(&manifest)).await.map(drop).map_err(|source| match source {
            kube::Error::Api(response) if response.code == 409 => ClusterError::Conflict { doing, message: response.message },
            source => ClusterError::Api { doing, source },
        })
    }

    /// `kubectl rollout undo` for a Deployment: puts back the pod template of the ReplicaSet of
    /// `to_revision`, else of the newest revision before the current one.
    async fn rollout_undo(&self, workload: &WorkloadRef, to_revision: Option<u64>) -> Result<(), ClusterError> {
        const REVISION: &str = "deployment.kubernetes.io/revision";
        let doing = format!("rolling back {workload}");
        if workload.kind != WorkloadKind::Deployment {
            return Err(ClusterError::Shape(format!("{doing}: rolling back a StatefulSet's revision is not supported yet; restore its values instead")));
        }
        let api_error = |source| ClusterError::Api { doing: doing.clone(), source };
        let deployments = Api::<Deployment>::namespaced(self.client.clone(), &workload.namespace);
        let deployment = deployments.get_opt(&workload.name).await.map_err(api_error)?.ok_or_else(|| ClusterError::NotFound {
            kind: workload.kind,
            namespace: workload.namespace.clone(),
            name: workload.name.clone(),
        })?;
        let revision_of = |metadata: &ObjectMeta| metadata.annotations.as_ref().and_then(|notes| notes.get(REVISION)).and_then(|text| text.parse::<u64>().ok());
        let current = revision_of(&deployment.metadata).unwrap_or(0);
        let owner = deployment.metadata.uid.clone().unwrap_or_default();
        let replica_sets = Api::<ReplicaSet>::namespaced(self.client.clone(), &workload.namespace).list(&ListParams::default()).await.map_err(api_error)?;
        let mut revisions: Vec<(u64, ReplicaSet)> = replica_sets
            .items
            .into_iter()
            .filter(|set| set.metadata.owner_references.iter().flatten().any(|reference| reference.uid == owner))
            .filter_map(|set| revision_of(&set.metadata).map(|revision| (revision, set)))
            .collect();
        revisions.sort_by_key(|(revision, _)| *revision);
        let target = match to_revision {
            Some(wanted) => revisions.into_iter().find(|(revision, _)| *revision == wanted),
            None => revisions.into_iter().rev().find(|(revision, _)| *revision < current),
        };
        let Some((revision, set)) = target else {
            return Err(ClusterError::Shape(format!("{doing}: no earlier revision to roll back to (current revision {current})")));
        };
        let mut template = set.spec.template.ok_or_else(|| ClusterError::Shape(format!("{doing}: revision {revision} has no pod template")))?;
        if let Some(labels) = template.metadata.as_mut().and_then(|metadata| metadata.labels.as_mut()) {
            labels.remove("pod-template-hash");
        }
        // A merge patch replaces the containers list whole, so the old requests and limits come
        // back exactly.
        let patch = json!({ "spec": { "template": template } });
        deployments.patch(&workload.name, &PatchParams::default(), &Patch::Merge(&patch)).await.map_err(api_error)?;
        tracing::debug!(%workload, revision, "rolled back");
        Ok(())
    }

    /// Waits until the workload's controller has observed its latest generation.
    pub async fn wait_for_rollout(&self, workload: &WorkloadRef, timeout: Duration) -> Result<(), ClusterError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let (generation, observed) = self.generations(workload).await?;
            if observed >= generation {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ClusterError::WaitTimeout { workload: workload.to_string(), generation, timeout });
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }

    async fn generations(&self, workload: &WorkloadRef) -> Result<(i64, i64), ClusterError> {
        let view = self
            .view(&workload.namespace, workload.kind, &workload.name)
            .await
            .map_err(|source| ClusterError::Api { doing: format!("reading the rollout of {workload}"), source })?
            .ok_or_else(|| ClusterError::NotFound { kind: workload.kind, namespace: workload.namespace.clone(), name: workload.name.clone() })?;
        Ok((view.generation, view.observed_generation))
    }

    /// What planhost reads of a Deployment or a StatefulSet, or `None` when it does not exist.
    async fn view(&self, namespace: &str, kind: WorkloadKind, name: &str) -> Result<Option<WorkloadView>, kube::Error> {
        Ok(match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(self.client.clone(), namespace).get_opt(name).await?.map(|object| {
                WorkloadView::new(object.spec.replicas, object.spec.template, &object.metadata, object.status.and_then(|status| status.observed_generation))
            }),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(self.client.clone(), namespace).get_opt(name).await?.map(|object| {
                WorkloadView::new(object.spec.replicas, object.spec.template, &object.metadata, object.status.and_then(|status| status.observed_generation))
            }),
        })
    }

    async fn apply_workload(&self, workload: &WorkloadRef, params: &PatchParams, body: Value) -> Result<(), kube::Error> {
        let (api_version, kind) = ("apps/v1", workload.kind.to_string());
        let mut manifest = json!({ "apiVersion": api_version, "kind": kind, "metadata": { "name": workload.name } });
        merge(&mut manifest, body);
        match workload.kind {
            WorkloadKind::Deployment => {
                Api::<Deployment>::namespaced(self.client.clone(), &workload.namespace)
                    .patch(&workload.name, params, &Patch::Apply(&manifest))
                    .await
                    .map(drop)
            }
            WorkloadKind::StatefulSet => {
                Api::<StatefulSet>::namespaced(self.client.clone(), &workload.namespace)
                    .patch(&workload.name, params, &Patch::Apply(&manifest))
                    .await
                    .map(drop)
            }
        }
    }

    /// A workload's replicas and pod template, or `None` when it does not exist.
    async fn read_workload(&self, namespace: &str, kind: WorkloadKind, name: &str) -> Result<Option<(u32, PodTemplateSpec)>, ClusterError> {
        let doing = format!("reading {kind} {namespace}/{name}");
        let Some(view) = self.view(namespace, kind, name).await.map_err(|source| ClusterError::Api { doing: doing.clone(), source })? else {
            return Ok(None);
        };
        // The API server defaults an unset replica count to one.
        let replicas = u32::try_from(view.replicas.unwrap_or(1)).map_err(|_| ClusterError::Shape(format!("{doing}: negative replicas")))?;
        Ok(Some((replicas, view.template)))
    }

    async fn read_hpa(&self, namespace: &str, name: &str) -> Result<Option<HpaSpec>, ClusterError> {
        let doing = format!("reading HorizontalPodAutoscaler {namespace}/{name}");
        let object = self.hpa_api(namespace).get_opt(name).await.map_err(|source| ClusterError::Api { doing: doing.clone(), source })?;
        object.map(|object| hpa_of(&object.data).ok_or_else(|| ClusterError::Shape(format!("{doing}: unexpected shape")))).transpose()
    }

    fn hpa_api(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), namespace, &self.hpa)
    }
}

/// The parts of a Deployment or StatefulSet planhost reads.
struct WorkloadView {
    replicas: Option<i32>,
    template: PodTemplateSpec,
    generation: i64,
    observed_generation: i64,
}

impl WorkloadView {
    fn new(replicas: Option<i32>, template: PodTemplateSpec, metadata: &ObjectMeta, observed_generation: Option<i64>) -> Self {
        WorkloadView { replicas, template, generation: metadata.generation.unwrap_or(0), observed_generation: observed_generation.unwrap_or(0) }
    }
}

/// `autoscaling/v2` where served, else `autoscaling/v2beta2`.
async fn discover_hpa(client: &Client) -> Result<ApiResource, ClusterError> {
    let groups = client
        .list_api_groups()
        .await
        .map_err(|source| ClusterError::Api { doing: "discovering the API groups".into(), source })?;
    let versions: Vec<String> = groups
        .groups
        .iter()
        .filter(|group| group.name == "autoscaling")
        .flat_map(|group| group.versions.iter().map(|version| version.version.clone()))
        .collect();
    let version = ["v2", "v2beta2"]
        .into_iter()
        .find(|wanted| versions.iter().any(|served| served == wanted))
        .ok_or_else(|| ClusterError::Shape(format!("the cluster serves autoscaling at {versions:?}, neither v2 nor v2beta2")))?;
    let gvk = GroupVersionKind::gvk("autoscaling", version, "HorizontalPodAutoscaler");
    Ok(ApiResource::from_gvk_with_plural(&gvk, "horizontalpodautoscalers"))
}

fn pick_container<'a>(template: &'a PodTemplateSpec, workload: &str) -> Option<&'a Container> {
    let containers = &template.spec.as_ref()?.containers;
    containers.iter().find(|container| container.name == workload).or(containers.first())
}

fn resources_of(container: &Container, kind: &WorkloadKind, namespace: &str, name: &str) -> Result<(Resources, Resources), ClusterError> {
    let empty = ResourceRequirements::default();
    let requirements = container.resources.as_ref().unwrap_or(&empty);
    let read = |list: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>| -> Result<Resources, ClusterError> {
        let value = |key: &str| list.as_ref().and_then(|list| list.get(key)).map(|quantity| quantity.0.clone());
        let bad = |key: &str, error: String| ClusterError::Shape(format!("{kind} {namespace}/{name}: {key} {error}"));
        Ok(Resources {
            cpu: value("cpu").map(|text| CpuMillis::parse(&text).map_err(|error| bad("cpu", error.to_string()))).transpose()?,
            memory: value("memory").map(|text| MemoryBytes::parse(&text).map_err(|error| bad("memory", error.to_string()))).transpose()?,
        })
    };
    Ok((read(&requirements.requests)?, read(&requirements.limits)?))
}

fn resource_list(resources: &Resources) -> Value {
    let mut list = serde_json::Map::new();
    if let Some(cpu) = resources.cpu {
        list.insert("cpu".into(), Value::String(cpu.to_string()));
    }
    if let Some(memory) = resources.memory {
        list.insert("memory".into(), Value::String(memory.to_string()));
    }
    Value::Object(list)
}

fn hpa_manifest(resource: &ApiResource, workload: &WorkloadRef, hpa: &HpaSpec) -> Value {
    json!({
        "apiVersion": resource.api_version,
        "kind": "HorizontalPodAutoscaler",
        "metadata": { "name": workload.name, "namespace": workload.namespace },
        "spec": {
            "scaleTargetRef": { "apiVersion": "apps/v1", "kind": workload.kind.to_string(), "name": workload.name },
            "minReplicas": hpa.min_replicas,
            "maxReplicas": hpa.max_replicas,
            "metrics": [{
                "type": "Resource",
                "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": hpa.cpu_utilization } }
            }]
        }
    })
}

/// The bounds and CPU target of an autoscaler object (the same fields at v2 and v2beta2).
fn hpa_of(object: &Value) -> Option<HpaSpec> {
    let spec = object.get("spec")?;
    let number = |value: &Value| value.as_u64().and_then(|number| u32::try_from(number).ok());
    let min_replicas = spec.get("minReplicas").map_or(Some(1), number)?;
    let max_replicas = number(spec.get("maxReplicas")?)?;
    let cpu_utilization = match spec.get("metrics").and_then(Value::as_array) {
        // Without metrics the controller targets 80% CPU.
        None => 80,
        Some(metrics) => metrics
            .iter()
            .filter(|metric| metric.get("type").and_then(Value::as_str) == Some("Resource"))
            .filter_map(|metric| metric.get("resource"))
            .find(|resource| resource.get("name").and_then(Value::as_str) == Some("cpu"))
            .and_then(|resource| resource.pointer("/target/averageUtilization"))
            .and_then(number)
            .unwrap_or(0),
    };
    Some(HpaSpec { min_replicas, max_replicas, cpu_utilization })
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                merge(into.entry(key).or_insert(Value::Null), value);
            }
        }
        (into, from) => *into = from,
    }
}

/// The observed state of `namespace` from live workloads.
pub fn observed_state(namespace: &str, live: &[LiveWorkload]) -> ObservedState {
    ObservedState { namespace: namespace.to_string(), workloads: live.iter().map(|workload| workload.observed.clone()).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_autoscaler_bounds_at_either_version() {
        let object = json!({ "spec": { "maxReplicas": 6, "minReplicas": 2, "metrics": [
            { "type": "Resource", "resource": { "name": "memory", "target": { "type": "Utilization", "averageUtilization": 90 } } },
            { "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 70 } } }
        ] } });
        assert_eq!(hpa_of(&object), Some(HpaSpec { min_replicas: 2, max_replicas: 6, cpu_utilization: 70 }));
        assert_eq!(hpa_of(&json!({ "spec": { "maxReplicas": 3 } })), Some(HpaSpec { min_replicas: 1, max_replicas: 3, cpu_utilization: 80 }));
        assert_eq!(hpa_of(&json!({ "spec": {} })), None);
    }

    #[test]
    fn merges_patches_into_the_manifest_head() {
        let mut manifest = json!({ "apiVersion": "apps/v1", "metadata": { "name": "web" } });
        merge(&mut manifest, json!({ "metadata": { "namespace": "a" }, "spec": { "replicas": 3 } }));
        assert_eq!(manifest, json!({ "apiVersion": "apps/v1", "metadata": { "name": "web", "namespace": "a" }, "spec": { "replicas": 3 } }));
    }
}
