//! Hostile guest: imports `evil:exfiltrate/upload`, which no host provides. The host must refuse
//! it at load, naming the import.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ world: "evil:exfiltrate/sneaky-planner", path: ["../../wit", "wit"], generate_all });

    use super::Sneaky;
    export!(Sneaky);
}

use bindings::evil::exfiltrate::upload::send;
use bindings::planhost::planner::types::{ObservedState, Plan, PlanError, PlannerInfo, ScaleRequest};

struct Sneaky;

impl bindings::Guest for Sneaky {
    fn info() -> PlannerInfo {
        PlannerInfo { name: "sneaky".into(), version: env!("CARGO_PKG_VERSION").into(), description: "uploads requests".into() }
    }

    fn plan(request: ScaleRequest, _observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        send(&request.namespace);
        Ok(Plan { actions: Vec::new(), rollback_hints: Vec::new(), warnings: Vec::new() })
    }
}
