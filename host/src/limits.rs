//! The limits an untrusted planner runs under, in one place: CPU, wall time, memory, output.

use std::time::Duration;

/// Every bound the host puts on one planner call and on what it returns.
///
/// The defaults are safe for code the caller does not trust; each can be overridden per
/// invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// WebAssembly fuel (about one unit per instruction) for one call.
    pub fuel: u64,
    /// Wall time for one call, enforced with epoch interruption.
    pub timeout: Duration,
    /// Linear memory the planner may grow to, in bytes.
    pub memory_bytes: usize,
    /// Actions, and separately rollback hints, a plan may hold.
    pub max_actions: usize,
    /// Bytes in any one string a planner returns (a warning, a file name, a message).
    pub max_text_bytes: usize,
    /// Warnings a plan may carry.
    pub max_warnings: usize,
    /// Highest replica count a request or an action may name.
    pub max_replicas: u32,
    /// Log lines one call may write before the rest are dropped.
    pub max_log_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 2_000_000_000,
            timeout: Duration::from_secs(5),
            memory_bytes: 64 << 20,
            max_actions: 10_000,
            max_text_bytes: 4096,
            max_warnings: 1000,
            max_replicas: 1000,
            max_log_lines: 100,
        }
    }
}
