//! Writing a plan's artifacts: `plan.yaml` and `SUMMARY.md`, both or neither.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The files of one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifacts {
    /// The folder holding both files.
    pub dir: PathBuf,
    /// `plan.yaml`.
    pub plan_yaml: PathBuf,
    /// `SUMMARY.md`.
    pub summary_md: PathBuf,
}

/// Why the artifacts could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the plan artifacts to {dir}")]
pub struct ArtifactsError {
    /// The folder.
    pub dir: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

/// Writes `plan_yaml` and `summary_md` into `dir` (created if missing). Each file appears whole
/// (written beside, then renamed), and neither is renamed into place before both are written.
pub fn write(dir: &Path, plan_yaml: &str, summary_md: &str) -> Result<Artifacts, ArtifactsError> {
    let error = |source| ArtifactsError { dir: dir.to_path_buf(), source };
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(error)?;
    let artifacts = Artifacts { dir: dir.to_path_buf(), plan_yaml: dir.join("plan.yaml"), summary_md: dir.join("SUMMARY.md") };
    let staged = stage(dir, plan_yaml).and_then(|plan| Ok((plan, stage(dir, summary_md)?)));
    let outcome = staged.and_then(|(plan, summary)| {
        plan.persist(&artifacts.plan_yaml).map_err(|failure| failure.error)?;
        summary.persist(&artifacts.summary_md).map_err(|failure| failure.error)?;
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(artifacts),
        Err(source) => {
            if created {
                let _ = std::fs::remove_dir_all(dir);
            }
            Err(error(source))
        }
    }
}

fn stage(dir: &Path, text: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new().prefix(".partial-").tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    Ok(file)
}
