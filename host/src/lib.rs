//! planhost: loads sandboxed WebAssembly planner components through a WIT interface and owns
//! every side effect itself.
//!
//! The direction of calls is one way: [`cli`] → [`commands`] → ([`planner`] runtime | effects)
//! → [`plan`]. The runtime never calls an effect.

pub mod artifacts;
pub mod cli;
#[cfg(feature = "host")]
pub mod commands;
#[cfg(feature = "host")]
pub mod effects;
pub mod limits;
pub mod plan;
#[cfg(feature = "host")]
pub mod planner;
