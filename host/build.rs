//! Builds the planners that ship with planhost into components and embeds them in the binary.

#[path = "build/components.rs"]
mod components;

use std::path::{Path, PathBuf};

/// The shipped planners: package name, and the environment variable that carries its path.
const SHIPPED: &[(&str, &str)] = &[("k8s-scale", "PLANHOST_K8S_SCALE_WASM"), ("rollback", "PLANHOST_ROLLBACK_WASM")];

fn main() {
    // Without the host feature there is no runtime to embed the planners in.
    if std::env::var_os("CARGO_FEATURE_HOST").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("the host crate sits inside the workspace");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <target>/<profile>/build/<crate>-<hash>/out: guests go beside the profiles.
    let target_dir = out_dir.ancestors().nth(4).unwrap_or(&out_dir).join("guest-components");

    watch(&workspace.join("wit"));
    watch(&workspace.join("Cargo.lock"));
    watch(&manifest_dir.join("build"));
    for (package, _) in SHIPPED {
        watch(&workspace.join("planners").join(package));
    }

    let packages: Vec<&str> = SHIPPED.iter().map(|(package, _)| *package).collect();
    let built = components::build_components(workspace, &target_dir, &packages).unwrap_or_else(|error| panic!("{error}"));
    for ((package, variable), path) in SHIPPED.iter().zip(built) {
        let embedded = out_dir.join(format!("{package}.wasm"));
        std::fs::copy(&path, &embedded)
            .unwrap_or_else(|error| panic!("copying {} to {}: {error}", path.display(), embedded.display()));
        println!("cargo:rustc-env={variable}={}", embedded.display());
    }
}

fn watch(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}
