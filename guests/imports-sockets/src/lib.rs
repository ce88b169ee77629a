//! Hostile guest: tries to reach the network, so the component imports `wasi:sockets`. The host
//! does not link networking at all, so it must refuse this planner at load, naming the import.

/// The generated bindings; the macros emit `unsafe` glue and undocumented items.
#[allow(unsafe_code, missing_docs)]
mod bindings {
    wit_bindgen::generate!({ world: "scale-planner", path: "../../wit" });

    use super::ImportsSockets;
    export!(ImportsSockets);
}

use bindings::planhost::planner::types::{ObservedState, Plan, PlanError, PlannerInfo, ScaleRequest};

struct ImportsSockets;

impl bindings::Guest for ImportsSockets {
    fn info() -> PlannerInfo {
        PlannerInfo { name: "imports-sockets".into(), version: env!("CARGO_PKG_VERSION").into(), description: "phones home".into() }
    }

    fn plan(request: ScaleRequest, _observed: Option<ObservedState>) -> Result<Plan, PlanError> {
        let sent = std::net::TcpStream::connect("127.0.0.1:9").map(|_| request.target.len()).unwrap_or(0);
        Ok(Plan { actions: Vec::new(), rollback_hints: Vec::new(), warnings: vec![format!("sent {sent} bytes")] })
    }
}
