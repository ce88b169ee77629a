//! The planners built from `planners/` by the build script and embedded in the binary, so that
//! planhost works with nothing else on disk.

/// A planner that ships inside the binary.
#[derive(Debug)]
pub struct ShippedPlanner {
    /// The name `--planner` knows it by.
    pub name: &'static str,
    /// The WIT world it implements.
    pub world: &'static str,
    /// What it plans.
    pub description: &'static str,
    /// The component.
    pub wasm: &'static [u8],
}

/// Every shipped planner.
pub static SHIPPED: &[ShippedPlanner] = &[
    ShippedPlanner {
        name: "k8s-scale",
        world: "scale-planner",
        description: "scales Deployments and StatefulSets: replicas, requests and limits, HPA",
        wasm: include_bytes!(env!("PLANHOST_K8S_SCALE_WASM")),
    },
    ShippedPlanner {
        name: "rollback",
        world: "rollback-planner",
        description: "restores the state a plan was made against, or falls back to rollout undo",
        wasm: include_bytes!(env!("PLANHOST_ROLLBACK_WASM")),
    },
];

impl ShippedPlanner {
    /// The shipped planner of this name.
    pub fn named(name: &str) -> Option<&'static ShippedPlanner> {
        SHIPPED.iter().find(|planner| planner.name == name)
    }
}
