//! Hostile guest: panics while planning. The host must report the planner's panic message as
//! its error (exit code 3) and write nothing.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ world: "scale-planner", path: "../../wit" });

    use super::PanickingPlanner;
    export!(PanickingPlanner);
}

use bindings::planhost::planner::types::{ObservedState, Plan, PlanError, PlannerInfo, ScaleRequest};

struct PanickingPlanner;

impl bindings::Guest for PanickingPlanner {
    fn info() -> PlannerInfo {
        PlannerInfo {
            name: "panicking-planner".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "panics while planning".to_string(),
        }
    }

    fn plan(request: ScaleRequest, _observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        panic!("deliberate panic while planning {}", request.target);
    }
}
