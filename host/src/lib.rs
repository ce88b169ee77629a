//! planhost: loads sandboxed WebAssembly planner components through a WIT interface and owns
//! every side effect itself.
//!
//! The direction of calls is one way: [`cli`] → [`commands`] → ([`planner`] runtime | effects)
//! → [`plan`]. The runtime never calls an effect.

// An error ends the command, and a subcommand's arguments are parsed once: their size costs
// nothing that matters.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

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
