//! The versioned YAML documents planhost writes and reads: `plan.yaml` (kind `ScalePlan`) and
//! the observed-state snapshot (kind `ObservedState`).

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Action, ObservedState, PlannerRecord, RollbackHint, ScaleRequest};

/// The `apiVersion` of every document this version of planhost writes.
pub const API_VERSION: &str = "planhost/v1alpha1";

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not fit the document's schema.
    #[error("{path} is not a valid {kind} document")]
    Parse {
        /// The file.
        path: String,
        /// The kind expected.
        kind: &'static str,
        /// What the parser said.
        #[source]
        source: serde_yaml_ng::Error,
    },
    /// A plan of the original scripts' format that cannot be read safely.
    #[error("{path} (an original-format plan): {reason}")]
    Legacy {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The document is of another kind or version.
    #[error("{path} has apiVersion {api_version:?} and kind {kind:?}; expected apiVersion {API_VERSION:?} and kind {expected:?}")]
    WrongKind {
        /// The file.
        path: String,
        /// The `apiVersion` found.
        api_version: String,
        /// The `kind` found.
        kind: String,
        /// The kind expected.
        expected: &'static str,
    },
}

/// The header every document starts with.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeHeader {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
}

/// `plan.yaml`: a plan with everything needed to review, execute and undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalePlanDocument {
    /// Always [`API_VERSION`].
    pub api_version: String,
    /// Always `ScalePlan`.
    pub kind: String,
    /// Target, namespace and time.
    pub metadata: PlanMetadata,
    /// The planner that made the plan.
    pub planner: PlannerRecord,
    /// What was asked.
    pub request: ScaleRequest,
    /// The state the plan was made against, if it was known.
    pub observed: Option<ObservedState>,
    /// The changes, in the order they run.
    pub actions: Vec<Action>,
    /// How to undo them.
    pub rollback_hints: Vec<RollbackHint>,
    /// What a reviewer should know.
    pub warnings: Vec<String>,
}

/// Where and when a plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanMetadata {
    /// The environment (`prod`, `staging`).
    pub target: String,
    /// The namespace the plan touches.
    pub namespace: String,
    /// RFC 3339 time of planning (from `SOURCE_DATE_EPOCH` when set).
    pub generated_at: String,
}

impl ScalePlanDocument {
    /// The document's kind.
    pub const KIND: &'static str = "ScalePlan";

    /// The YAML text; the same document always gives the same bytes.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(self).expect("a plan document always serialises")
    }

    /// Reads a plan from YAML text; `origin` names it in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, DocumentError> {
        from_yaml(text, origin, Self::KIND)
    }
}

/// The observed-state snapshot file that `--observed` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedSnapshot {
    /// Always [`API_VERSION`].
    pub api_version: String,
    /// Always `ObservedState`.
    pub kind: String,
    /// The state.
    #[serde(flatten)]
    pub state: ObservedState,
}

impl ObservedSnapshot {
    /// The document's kind.
    pub const KIND: &'static str = "ObservedState";

    /// Reads a snapshot file.
    pub fn read(path: &Path) -> Result<Self, DocumentError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DocumentError::Read { path: origin.clone(), source })?;
        from_yaml(&text, &origin, Self::KIND)
    }
}

/// Checks the header first, so that a document of another kind gets a clear error rather than
/// a complaint about its fields.
fn from_yaml<T: for<'de> Deserialize<'de>>(text: &str, origin: &str, expected: &'static str) -> Result<T, DocumentError> {
    let parse_error = |source| DocumentError::Parse { path: origin.to_string(), kind: expected, source };
    let header: TypeHeader = serde_yaml_ng::from_str(text).map_err(parse_error)?;
    if header.api_version != API_VERSION || header.kind != expected {
        return Err(DocumentError::WrongKind {
            path: origin.to_string(),
            api_version: header.api_version,
            kind: header.kind,
            expected,
        });
    }
    serde_yaml_ng::from_str(text).map_err(parse_error)
}

/// The sha256 of `bytes` in lower-case hex: how planhost names a component or a plan.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
