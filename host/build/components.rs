//! Builds guest crates of this workspace into WebAssembly components with a nested `cargo`.
//!
//! Shared by the host's build script (the shipped planners, embedded in the binary) and the
//! end-to-end tests (the example and hostile guests, built once per test run).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target every guest is built for.
pub const GUEST_TARGET: &str = "wasm32-wasip2";

/// Builds `packages` of the workspace at `workspace` into `target_dir` with the `wasm` profile
/// and returns the path of each component, in the order given.
///
/// A separate target directory keeps the nested `cargo` off the lock of the build that runs it.
pub fn build_components(workspace: &Path, target_dir: &Path, packages: &[&str]) -> Result<Vec<PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--locked", "--quiet", "--profile", "wasm", "--target", GUEST_TARGET])
        .arg("--target-dir")
        .arg(target_dir)
        // Flags meant for the outer build (a fuzzer's sanitizers, say) are not for the guests.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    for package in packages {
        command.args(["--package", package]);
    }
    let output = command.output().map_err(|error| format!("could not run cargo: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains(GUEST_TARGET) {
            format!("\nIs the target installed? Run `rustup target add {GUEST_TARGET}`.")
        } else {
            String::new()
        };
        return Err(format!("building the guest components {packages:?} failed:\n{stderr}{hint}"));
    }
    Ok(packages
        .iter()
        .map(|package| {
            target_dir
                .join(GUEST_TARGET)
                .join("wasm")
                .join(format!("{}.wasm", package.replace('-', "_")))
        })
        .collect())
}
