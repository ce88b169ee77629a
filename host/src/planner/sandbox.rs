//! What a planner's store holds: a WASI context with no ambient authority, a memory limiter
//! that remembers why it refused, and the rate-limited log the planner may write to.

use std::time::Duration;

use wasmtime::ResourceLimiter;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::bindings::{HostLog, LogLevel};
use crate::limits::Limits;

/// How much of a planner's standard error is kept (a panic message lands there).
const STDERR_CAPACITY: usize = 16 * 1024;
/// The longest log line kept; the rest of a line is cut.
const LOG_LINE_BYTES: usize = 1024;

/// The data of one planner's store.
pub struct GuestState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: MemoryLimiter,
    log: GuestLog,
    stderr: MemoryOutputPipe,
}

impl GuestState {
    /// A fresh state for one call of `planner` under `limits`.
    pub fn new(planner: &str, limits: &Limits) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        // No preopened directory, no environment, no arguments, no network, a clock that never
        // moves and randomness that is the same every run: a planner is a pure function.
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .secure_random(wasmtime_wasi::Deterministic::new(vec![4, 2]))
            .insecure_random(wasmtime_wasi::Deterministic::new(vec![4, 2]))
            .insecure_random_seed(0)
            .build();
        GuestState {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter { memory_bytes: limits.memory_bytes, refused_growth: None },
            log: GuestLog { planner: planner.to_string(), lines_left: limits.max_log_lines, dropped: 0 },
            stderr,
        }
    }

    /// What the planner wrote to standard error (a panic message, say), lossily decoded, without
    /// control characters, and without the Rust runtime's advice about backtraces.
    pub fn stderr(&self) -> String {
        let text = printable(&String::from_utf8_lossy(&self.stderr.contents()));
        let lines: Vec<&str> = text.lines().filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE")).collect();
        lines.join(" ").trim().to_string()
    }

    /// Says how many log lines were dropped, once the call is over.
    pub fn finish_log(&self) {
        if self.log.dropped > 0 {
            tracing::warn!(planner = %self.log.planner, dropped = self.log.dropped, "planner wrote more log lines than allowed; the rest were dropped");
        }
    }
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Links the WASI interfaces an ordinary Rust guest imports (I/O streams, clocks, random, CLI,
/// filesystem), all backed by a [`GuestState`] that grants nothing, and leaves out networking
/// entirely: a planner that imports `wasi:sockets` is refused when it is loaded.
pub fn add_wasi_without_network(linker: &mut Linker<GuestState>) -> wasmtime::Result<()> {
    use wasmtime_wasi::cli::{WasiCli, WasiCliView as _};
    use wasmtime_wasi::filesystem::{WasiFilesystem, WasiFilesystemView as _};
    use wasmtime_wasi::p2::bindings::{cli, filesystem, random};
    use wasmtime_wasi::random::WasiRandom;

    // I/O streams and polls, the two clocks, `random` and standard I/O.
    wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(linker)?;
    let l = linker;
    random::insecure::add_to_linker::<GuestState, WasiRandom>(l, |state| state.wasi.random())?;
    random::insecure_seed::add_to_linker::<GuestState, WasiRandom>(l, |state| state.wasi.random())?;
    cli::exit::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::environment::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::terminal_input::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::terminal_output::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::terminal_stdin::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::terminal_stdout::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    cli::terminal_stderr::add_to_linker::<GuestState, WasiCli>(l, GuestState::cli)?;
    filesystem::types::add_to_linker::<GuestState, WasiFilesystem>(l, GuestState::filesystem)?;
    filesystem::preopens::add_to_linker::<GuestState, WasiFilesystem>(l, GuestState::filesystem)?;
    Ok(())
}

/// The `types` interface has no functions, but the bindings still ask for its host side.
impl super::bindings::planhost::planner::types::Host for GuestState {}

impl HostLog for GuestState {
    fn log(&mut self, level: LogLevel, message: String) {
        self.log.write(level, &message);
    }
}

/// A planner's log: each line cleaned and cut, and only so many per call.
struct GuestLog {
    planner: String,
    lines_left: usize,
    dropped: usize,
}

impl GuestLog {
    fn write(&mut self, level: LogLevel, message: &str) {
        if self.lines_left == 0 {
            self.dropped += 1;
            return;
        }
        self.lines_left -= 1;
        let line = super::bounded(message, LOG_LINE_BYTES);
        let planner = self.planner.as_str();
        match level {
            LogLevel::Debug => tracing::debug!(planner, "{line}"),
            LogLevel::Info => tracing::info!(planner, "{line}"),
            LogLevel::Warn => tracing::warn!(planner, "{line}"),
        }
    }
}

/// `text` with control characters (terminal escapes among them) replaced, newlines kept.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { '\u{fffd}' } else { c }).collect()
}

/// Refuses memory growth past the limit, and remembers that it did so the error can say why.
pub struct MemoryLimiter {
    memory_bytes: usize,
    /// The size a refused growth asked for.
    pub refused_growth: Option<usize>,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.refused_growth = Some(desired);
            // A trap rather than a failed `memory.grow`: the planner cannot go on half-allocated.
            return Err(wasmtime::format_err!("memory limit of {} bytes reached", self.memory_bytes));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

/// A clock that always reads zero: a planner cannot measure time, so it cannot leak it or wait.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}
