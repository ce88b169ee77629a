//! The side effects the host owns. Planners never call these; commands do.

pub mod cluster;
pub mod github;
