//! The planner runtime: loads planner components and calls them in a sandbox.
//!
//! Each call gets a fresh store and instance (nothing leaks between calls, and a trapped
//! instance is never entered again), fuel and an epoch deadline for CPU and wall time, and a
//! memory limit. What comes back is checked against the request before anyone sees it. The
//! runtime never calls an effect.

mod bindings;
mod cache;
mod sandbox;
mod shipped;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, InstancePre, Linker};
use wasmtime::{Config, Engine, Store, Trap};

use crate::limits::Limits;
use crate::plan::document::sha256_hex;
use crate::plan::model::{ExecutedPlan, ObservedState, Plan, PlannerRecord, ScaleRequest};
use crate::plan::validate::{PlanViolation, validate};
use bindings::rollback::RollbackPlannerPre;
use bindings::{PlanError, RequestField, ScalePlanner, ScalePlannerPre};
pub use cache::{CacheError, CompileCache};
use sandbox::{GuestState, printable};
pub use shipped::{SHIPPED, ShippedPlanner};

/// How often the epoch advances; the wall-time limit is counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A boxed error from wasmtime, whose own error type is not a `std::error::Error`.
pub type WasmtimeError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The WebAssembly engine refused its configuration.
    #[error("cannot configure the WebAssembly engine")]
    Engine(#[source] WasmtimeError),
    /// The compile cache cannot be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Why a planner could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read planner file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a component (a core module, or not WebAssembly at all).
    #[error(
        "planner file {planner} is not a WebAssembly component; build it for wasm32-wasip2 \
         (cargo build --target wasm32-wasip2) or wrap a core module with `wasm-tools component new`"
    )]
    NotAComponent {
        /// The file.
        planner: String,
        /// What the compiler said.
        #[source]
        source: WasmtimeError,
    },
    /// The component needs something the host does not give, or lacks the planner exports.
    #[error("planner {planner} does not fit the {world} world (planhost:planner@0.1.0)")]
    Link {
        /// The planner.
        planner: String,
        /// The world it was loaded as.
        world: &'static str,
        /// What the linker said, naming the import or export.
        #[source]
        source: WasmtimeError,
    },
    /// The planner failed while saying who it is.
    #[error("planner {planner} failed to report its name and version")]
    Info {
        /// The planner.
        planner: String,
        /// How the call failed.
        #[source]
        source: CallError,
    },
}

/// How a call into a planner failed. Each names the planner and the limit it broke.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The planner used all its fuel.
    #[error("planner {planner} ran out of fuel: it used all {fuel} units (raise with --fuel)")]
    Fuel {
        /// The planner.
        planner: String,
        /// The fuel it had.
        fuel: u64,
    },
    /// The planner ran past its wall-time limit.
    #[error("planner {planner} ran past its time limit of {timeout:?} (raise with --timeout)")]
    Timeout {
        /// The planner.
        planner: String,
        /// The limit.
        timeout: Duration,
    },
    /// The planner tried to grow its memory past the limit.
    #[error("planner {planner} tried to grow its memory to {wanted} bytes, past the limit of {limit} bytes (raise with --memory-limit)")]
    Memory {
        /// The planner.
        planner: String,
        /// The size asked for.
        wanted: usize,
        /// The limit.
        limit: usize,
    },
    /// The planner exhausted its stack (deep or endless recursion).
    #[error("planner {planner} overflowed its stack")]
    StackOverflow {
        /// The planner.
        planner: String,
    },
    /// The planner trapped (a panic, an `unreachable`, a bad memory access).
    #[error("planner {planner} crashed ({trap}){}", stderr_suffix(.stderr))]
    Trap {
        /// The planner.
        planner: String,
        /// The trap.
        trap: String,
        /// What it wrote to standard error (a panic message).
        stderr: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() { String::new() } else { format!("; it wrote: {stderr}") }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanFailure {
    /// The planner judged the request wrong; the caller can fix it.
    #[error("{flag}: {message} (refused by planner {planner})")]
    InvalidRequest {
        /// The planner.
        planner: String,
        /// The flag (or part of the request) at fault.
        flag: &'static str,
        /// The planner's message.
        message: String,
    },
    /// The planner cannot plan this.
    #[error("planner {planner} cannot plan this request: {message}")]
    Unsupported {
        /// The planner.
        planner: String,
        /// The planner's message.
        message: String,
    },
    /// The call broke a limit or trapped.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The returned plan breaks the host's rules.
    #[error("planner {planner} returned a plan the host refuses")]
    Refused {
        /// The planner.
        planner: String,
        /// The rule broken.
        #[source]
        violation: PlanViolation,
    },
}

/// Where a planner comes from.
#[derive(Debug, Clone)]
pub enum PlannerSource {
    /// One of the planners built into this binary.
    Shipped(&'static ShippedPlanner),
    /// A component file.
    File(PathBuf),
}

/// The engine, the linker and the limits that every planner call shares.
pub struct Runtime {
    engine: Engine,
    linker: Linker<GuestState>,
    cache: Option<CompileCache>,
    limits: Limits,
    ticker: EpochTicker,
    executor: tokio::runtime::Runtime,
}

impl Runtime {
    /// A runtime with these limits; compiled components are kept in `cache` when given.
    pub fn new(limits: Limits, cache: Option<CompileCache>) -> Result<Self, RuntimeError> {
        let engine_error = |error: wasmtime::Error| RuntimeError::Engine(error.into_boxed_dyn_error());
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true).wasm_component_model(true);
        let engine = Engine::new(&config).map_err(engine_error)?;
        let mut linker = Linker::new(&engine);
        // WASI is linked so that ordinary Rust guests load, but the context given to each store
        // grants nothing: no files, environment, arguments or moving clock; no network at all.
        sandbox::add_wasi_without_network(&mut linker).map_err(engine_error)?;
        ScalePlanner::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state).map_err(engine_error)?;
        let ticker = EpochTicker::start(engine.clone());
        let executor = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|error| RuntimeError::Engine(Box::new(error)))?;
        Ok(Runtime { engine, linker, cache, limits, ticker, executor })
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Loads a scale planner: compiles it (or takes it from the cache), links it, and asks who
    /// it is.
    pub fn load(&self, source: &PlannerSource) -> Result<ScalePlannerComponent, LoadError> {
        let (sandboxed, instance_pre) = self.prepare(source, "scale-planner")?;
        let pre = ScalePlannerPre::new(instance_pre).map_err(sandboxed.link_error("scale-planner"))?;
        let mut planner = ScalePlannerComponent { sandboxed, pre };
        let info = planner.info(self);
        planner.sandboxed.record_info(info)?;
        Ok(planner)
    }

    /// Loads a rollback planner, as [`Runtime::load`] does a scale planner.
    pub fn load_rollback(&self, source: &PlannerSource) -> Result<RollbackPlannerComponent, LoadError> {
        let (sandboxed, instance_pre) = self.prepare(source, "rollback-planner")?;
        let pre = RollbackPlannerPre::new(instance_pre).map_err(sandboxed.link_error("rollback-planner"))?;
        let mut planner = RollbackPlannerComponent { sandboxed, pre };
        let info = planner.info(self);
        planner.sandboxed.record_info(info)?;
        Ok(planner)
    }

    /// Reads, compiles (or takes from the cache) and links a component of `world`.
    fn prepare(&self, source: &PlannerSource, world: &'static str) -> Result<(Sandboxed, InstancePre<GuestState>), LoadError> {
        let (label, bytes) = match source {
            PlannerSource::Shipped(planner) => (planner.name.to_string(), std::borrow::Cow::Borrowed(planner.wasm)),
            PlannerSource::File(path) => {
                let bytes = std::fs::read(path).map_err(|source| LoadError::Read { path: path.clone(), source })?;
                (path.display().to_string(), std::borrow::Cow::Owned(bytes))
            }
        };
        let sha256 = sha256_hex(&bytes);
        let component = self.compile(&bytes, &sha256).map_err(|error| LoadError::NotAComponent {
            planner: label.clone(),
            source: error.into_boxed_dyn_error(),
        })?;
        let sandboxed = Sandboxed { record: PlannerRecord { name: label.clone(), version: String::new(), sha256 }, label };
        let instance_pre = self.linker.instantiate_pre(&component).map_err(sandboxed.link_error(world))?;
        Ok((sandboxed, instance_pre))
    }

    /// Drives `call` to its end, or gives up on it once the wall-time limit has passed: the
    /// epoch deadline stops a planner that computes, this stops one that waits in a host call.
    fn run_bounded<R>(&self, call: impl Future<Output = wasmtime::Result<R>>) -> Option<wasmtime::Result<R>> {
        self.executor.block_on(async { tokio::time::timeout(self.limits.timeout, call).await }).ok()
    }

    fn compile(&self, bytes: &[u8], sha256: &str) -> wasmtime::Result<Component> {
        match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, bytes, sha256),
            None => Component::new(&self.engine, bytes),
        }
    }
}

/// What every loaded planner has, whatever its world: how errors name it, and its record.
struct Sandboxed {
    label: String,
    record: PlannerRecord,
}

impl Sandboxed {
    fn link_error(&self, world: &'static str) -> impl Fn(wasmtime::Error) -> LoadError + use<> {
        let planner = self.label.clone();
        move |error| LoadError::Link { planner: planner.clone(), world, source: error.into_boxed_dyn_error() }
    }

    fn record_info(&mut self, info: Result<(String, String), CallError>) -> Result<(), LoadError> {
        let (name, version) = info.map_err(|source| LoadError::Info { planner: self.label.clone(), source })?;
        tracing::debug!(planner = %self.label, %name, %version, "loaded planner");
        self.record.name = name;
        self.record.version = version;
        Ok(())
    }

    /// A fresh store under the runtime's limits: nothing is shared between calls.
    fn new_store(&self, runtime: &Runtime) -> Store<GuestState> {
        let limits = runtime.limits();
        let mut store = Store::new(&runtime.engine, GuestState::new(&self.label, limits));
        store.limiter(|state| &mut state.limiter);
        store.set_fuel(limits.fuel).expect("fuel is enabled in the engine");
        store.set_epoch_deadline(runtime.ticker.ticks_for(limits.timeout));
        store.epoch_deadline_trap();
        store
    }

    /// Names the breach, if the call ended in one; `None` is a call the wall clock cut short.
    fn finish<R>(&self, runtime: &Runtime, store: &Store<GuestState>, outcome: Option<wasmtime::Result<R>>) -> Result<R, CallError> {
        store.data().finish_log();
        let limits = runtime.limits();
        let planner = self.label.clone();
        let error = match outcome {
            Some(Ok(value)) => return Ok(value),
            Some(Err(error)) => error,
            None => return Err(CallError::Timeout { planner, timeout: limits.timeout }),
        };
        if let Some(wanted) = store.data().limiter.refused_growth {
            return Err(CallError::Memory { planner, wanted, limit: limits.memory_bytes });
        }
        Err(match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => CallError::Fuel { planner, fuel: limits.fuel },
            Some(Trap::Interrupt) => CallError::Timeout { planner, timeout: limits.timeout },
            Some(Trap::StackOverflow) => CallError::StackOverflow { planner },
            Some(trap) => {
                tracing::debug!(planner = %planner, "planner trapped: {error:?}");
                CallError::Trap { planner, trap: trap.to_string(), stderr: store.data().stderr() }
            }
            None => CallError::Trap { planner, trap: printable(&format!("{error:#}")), stderr: store.data().stderr() },
        })
    }

    /// A planner's answer to `request`: the plan, checked against the request's mandate, or the
    /// planner's refusal as the caller sees it.
    fn answer(&self, runtime: &Runtime, request: &ScaleRequest, outcome: Result<bindings::Plan, PlanError>) -> Result<Plan, PlanFailure> {
        let limit = runtime.limits().max_text_bytes;
        match outcome {
            Ok(plan) => {
                let plan = plan.into();
                validate(&plan, request, runtime.limits())
                    .map_err(|violation| PlanFailure::Refused { planner: self.label.clone(), violation })?;
                Ok(plan)
            }
            Err(PlanError::InvalidRequest(invalid)) => Err(PlanFailure::InvalidRequest {
                planner: self.label.clone(),
                flag: flag_of(invalid.field),
                message: bounded(&invalid.message, limit),
            }),
            Err(PlanError::Unsupported(message)) => {
                Err(PlanFailure::Unsupported { planner: self.label.clone(), message: bounded(&message, limit) })
            }
        }
    }
}

/// A loaded `scale-planner` component, ready to be instantiated for each call.
pub struct ScalePlannerComponent {
    sandboxed: Sandboxed,
    pre: ScalePlannerPre<GuestState>,
}

/// `record` and `info`, alike in every world (whose generated bindings are types of their own).
macro_rules! planner_identity {
    ($component:ty) => {
        impl $component {
            /// Name, version and digest of the planner, for the plan's record.
            pub fn record(&self) -> &PlannerRecord {
                &self.sandboxed.record
            }

            /// Asks the planner its name and version, on a fresh instance: the cheapest whole call.
            pub fn info(&self, runtime: &Runtime) -> Result<(String, String), CallError> {
                let mut store = self.sandboxed.new_store(runtime);
                let outcome = runtime.run_bounded(async {
                    let bindings = self.pre.instantiate_async(&mut store).await?;
                    bindings.call_info(&mut store).await
                });
                let info = self.sandboxed.finish(runtime, &store, outcome)?;
                let limit = runtime.limits().max_text_bytes;
                Ok((bounded(&info.name, limit), bounded(&info.version, limit)))
            }
        }
    };
}

planner_identity!(ScalePlannerComponent);
planner_identity!(RollbackPlannerComponent);

impl ScalePlannerComponent {
    /// Plans `request` against `observed`, then checks the plan against the request.
    pub fn plan(&self, runtime: &Runtime, request: &ScaleRequest, observed: Option<&ObservedState>) -> Result<Plan, PlanFailure> {
        let wit_request = request.into();
        let wit_observed = observed.map(Into::into);
        let mut store = self.sandboxed.new_store(runtime);
        let outcome = runtime.run_bounded(async {
            let bindings = self.pre.instantiate_async(&mut store).await?;
            bindings.call_plan(&mut store, &wit_request, wit_observed.as_ref()).await
        });
        self.sandboxed.answer(runtime, request, self.sandboxed.finish(runtime, &store, outcome)?)
    }
}

/// A loaded `rollback-planner` component, ready to be instantiated for each call.
pub struct RollbackPlannerComponent {
    sandboxed: Sandboxed,
    pre: RollbackPlannerPre<GuestState>,
}

impl RollbackPlannerComponent {
    /// The actions that undo `executed` (made for `request`, with `before` the state it was made
    /// against) from the `current` state, checked against the same mandate as the plan itself:
    /// a rollback touches only what the plan's request named.
    pub fn plan_rollback(
        &self,
        runtime: &Runtime,
        request: &ScaleRequest,
        executed: &ExecutedPlan,
        current: &ObservedState,
    ) -> Result<Plan, PlanFailure> {
        let wit_executed = executed.into();
        let wit_current = current.into();
        let mut store = self.sandboxed.new_store(runtime);
        let outcome = runtime.run_bounded(async {
            let bindings = self.pre.instantiate_async(&mut store).await?;
            bindings.call_plan_rollback(&mut store, &wit_executed, &wit_current).await
        });
        self.sandboxed.answer(runtime, request, self.sandboxed.finish(runtime, &store, outcome)?)
    }
}

/// Text from a planner as the host shows it: control characters replaced, and cut to `limit`
/// bytes, so that a planner's name or message cannot flood a terminal or a plan.
fn bounded(text: &str, limit: usize) -> String {
    let mut text = printable(text);
    if text.len() > limit {
        let cut = (0..=limit).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// The command-line flag a part of the request comes from.
fn flag_of(field: RequestField) -> &'static str {
    match field {
        RequestField::Target => "--target",
        RequestField::Namespace => "--namespace",
        RequestField::Workload => "--workload",
        RequestField::Requests => "--req",
        RequestField::Limits => "--lim",
        RequestField::Hpa => "--hpa",
        RequestField::Observed => "--observed",
    }
}

/// Advances the engine's epoch on a thread of its own, for the wall-time limits.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("planhost-epoch".to_string())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("the operating system starts a thread");
        EpochTicker { stop }
    }

    /// Ticks in `timeout`, rounded up, at least one.
    fn ticks_for(&self, timeout: Duration) -> u64 {
        let ticks = timeout.as_nanos().div_ceil(EPOCH_TICK.as_nanos());
        u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
