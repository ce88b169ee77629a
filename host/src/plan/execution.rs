//! The record of one execution of a plan: what was applied, in order, and what failed.

use serde::{Deserialize, Serialize};

use super::document::API_VERSION;
use super::model::Action;

/// `execution-<time>.yaml`, written beside the plan after every execution, whole or partial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutionRecord {
    /// Always [`API_VERSION`].
    pub api_version: String,
    /// Always `ExecutionRecord`.
    pub kind: String,
    /// The plan file executed.
    pub plan: String,
    /// sha256 of the plan file, in hex.
    pub plan_sha256: String,
    /// RFC 3339 time the execution started.
    pub started_at: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The actions applied, in the order they were applied.
    pub applied: Vec<Action>,
    /// The action that failed, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<FailedAction>,
}

/// The action an execution stopped at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailedAction {
    /// The action.
    pub action: Action,
    /// The error, with its causes.
    pub error: String,
}

impl ExecutionRecord {
    /// The document's kind.
    pub const KIND: &'static str = "ExecutionRecord";

    /// A record of an execution that has applied nothing yet.
    pub fn new(plan: String, plan_sha256: String, started_at: String) -> Self {
        ExecutionRecord {
            api_version: API_VERSION.to_string(),
            kind: Self::KIND.to_string(),
            plan,
            plan_sha256,
            started_at,
            status: "running".to_string(),
            applied: Vec::new(),
            failed: None,
        }
    }

    /// The YAML text.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("an execution record always serialises")
    }
}
