//! The on-disk cache of compiled components, so that a planner is compiled once per machine.
//!
//! An entry is native code, loaded without further checks; so the cache lives in a directory
//! only this user can write, entries are written whole or not at all (rename), and each is keyed
//! by the component's sha256 and the engine's compatibility hash.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

/// Why the cache directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The directory cannot be created or inspected.
    #[error("cannot use the compile cache directory {path}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Someone else could plant native code in it.
    #[error(
        "the compile cache directory {path} can be written by other users or belongs to another user; \
         fix its permissions (chmod 700) or choose another with --cache-dir"
    )]
    Unsafe {
        /// The directory.
        path: PathBuf,
    },
}

/// A directory of precompiled components.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// Opens (and creates, private to this user) the cache at `dir`.
    pub fn open(dir: &Path) -> Result<Self, CacheError> {
        let io_error = |source| CacheError::Io { path: dir.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(io_error)?;
        check_private(dir)?;
        Ok(CompileCache { dir: dir.to_path_buf() })
    }

    /// The default place: `$XDG_CACHE_HOME/planhost`, else `$HOME/.cache/planhost`.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").filter(|home| !home.is_empty()).map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("planhost"))
    }

    /// The component for `bytes` (whose digest is `sha256`): from the cache, or compiled and
    /// stored. A cache that cannot be read or written only costs a compilation.
    pub fn load_or_compile(&self, engine: &Engine, bytes: &[u8], sha256: &str) -> wasmtime::Result<Component> {
        let entry = self.entry_path(engine, sha256);
        if entry.is_file() {
            match deserialize(engine, &entry) {
                Ok(component) => {
                    tracing::debug!(path = %entry.display(), "loaded compiled component from cache");
                    return Ok(component);
                }
                Err(error) => tracing::warn!(path = %entry.display(), %error, "ignoring unusable cache entry"),
            }
        }
        let component = Component::new(engine, bytes)?;
        match component.serialize() {
            Ok(compiled) => {
                if let Err(error) = write_whole(&entry, &compiled) {
                    tracing::warn!(path = %entry.display(), %error, "could not store compiled component");
                }
            }
            Err(error) => tracing::warn!(%error, "could not serialise compiled component"),
        }
        Ok(component)
    }

    fn entry_path(&self, engine: &Engine, sha256: &str) -> PathBuf {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        self.dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
    }
}

/// Loads native code produced by [`Component::serialize`] on this machine.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: the file was written whole (rename) by this program, under a directory that only
    // this user can write (`check_private`), keyed by content digest and engine compatibility;
    // wasmtime checks the engine configuration again and refuses a mismatch.
    unsafe { Component::deserialize_file(engine, path) }
}

fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut partial = tempfile::NamedTempFile::new_in(path.parent().unwrap_or(Path::new(".")))?;
    partial.write_all(bytes)?;
    partial.as_file().sync_all()?;
    partial.persist(path).map(drop).map_err(|error| error.error)
}

#[cfg(unix)]
fn check_private(dir: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(dir).map_err(|source| CacheError::Io { path: dir.to_path_buf(), source })?;
    // The owner of /proc/self is this process's user.
    let mine = std::fs::metadata("/proc/self").map_or(true, |me| me.uid() == metadata.uid());
    if metadata.mode() & 0o022 != 0 || !mine {
        return Err(CacheError::Unsafe { path: dir.to_path_buf() });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_dir: &Path) -> Result<(), CacheError> {
    Ok(())
}
