//! The plan model, its YAML documents, its summary and the host's checks of it.

pub mod document;
pub mod drift;
pub mod execution;
pub mod kubectl;
pub mod legacy;
pub mod model;
pub mod pull_request;
pub mod quantity;
pub mod summary;
pub mod validate;
