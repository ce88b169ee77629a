//! The `--pr` side of `execute` and `rollback`: the label gate, the plan read from the pull
//! request's head into a local folder, and the comment that reports the run.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::GitHubArgs;
use crate::effects::github::{Approval, Gate, GitHubConfig, GitHubError, beside};
use crate::plan::pull_request::{RunOutcome, result_comment};

use super::{ExitStatus, Transcript};

/// Why a gated run could not start or report.
#[derive(Debug, thiserror::Error)]
pub enum GatedError {
    /// GitHub could not be read or written.
    #[error("--pr {number}")]
    GitHub {
        /// The pull request.
        number: u64,
        /// Why.
        #[source]
        source: GitHubError,
    },
    /// The run finished, but its result could not be posted.
    #[error("the run finished as printed, but its result could not be posted on pull request #{number}")]
    Report {
        /// The pull request.
        number: u64,
        /// Why.
        #[source]
        source: GitHubError,
    },
    /// The plan read from the pull request could not be written locally.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Standard output is gone.
    #[error("cannot write to standard output")]
    Output(#[source] std::io::Error),
}

impl GatedError {
    /// The documented exit status for this error.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            GatedError::GitHub { source, .. } | GatedError::Report { source, .. } if source.is_config() => ExitStatus::BadInput,
            GatedError::GitHub { .. } | GatedError::Report { .. } => ExitStatus::GitHubFailed,
            GatedError::Write { .. } | GatedError::Output(_) => ExitStatus::Failure,
        }
    }
}

/// A plan the gate released, copied into a local folder.
pub struct Released {
    /// What the gate checked.
    pub approval: Approval,
    /// The local copy of the plan file; its folder takes the execution record and the files
    /// fetched beside it.
    pub plan: PathBuf,
}

/// Runs `work` (`command`, for the comment) on the plan that pull request `number` releases
/// through `label`, and posts how it ended; a refused gate prints `skipped` and runs nothing.
pub fn run_released<E>(
    args: &GitHubArgs,
    number: u64,
    label: &str,
    command: &str,
    out: &mut dyn Write,
    work: impl FnOnce(&GitHubConfig, &Released, &mut dyn Write) -> Result<(), E>,
) -> Result<(), E>
where
    E: std::error::Error + From<GatedError> + 'static,
{
    let config = super::github_config(args).map_err(|source| GatedError::GitHub { number, source })?;
    let Some(released) = release(&config, number, label, command, out)? else {
        return Ok(());
    };
    let mut transcript = Transcript::new(out);
    let outcome = work(&config, &released, &mut transcript);
    report(&config, &released, command, &transcript.text(), outcome.as_ref().err().map(|error| error as &dyn std::error::Error))?;
    outcome
}

/// Checks pull request `number`'s gate for `label`. Released: the plan is copied to
/// `.artifacts/pull-requests/<number>/<commit>/plan.yaml`. Refused: the reason is logged,
/// posted on the pull request when someone asked for the run, printed as `skip_reason=…` then
/// `skipped`, and `None` comes back.
fn release(config: &GitHubConfig, number: u64, label: &str, command: &str, out: &mut dyn Write) -> Result<Option<Released>, GatedError> {
    let github_error = |source| GatedError::GitHub { number, source };
    let gate = super::with_github(config, async |github| github.check_gate(number, label).await).map_err(github_error)?;
    let approval = match gate {
        Gate::Approved(approval) => approval,
        Gate::Refused { reason, asked, head } => {
            tracing::warn!(pr = number, "skipped: {reason}");
            if asked {
                let run_id = super::run_id(&head);
                let comment = result_comment(command, RunOutcome::Skipped, &head, "", Some(&reason), &run_id);
                super::with_github(config, async |github| github.post_comment(number, &comment, &run_id).await)
                    .map_err(|source| GatedError::Report { number, source })?;
            }
            // One line, whatever the reason holds: a contract line ends at its newline.
            let one_line = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            writeln!(out, "skip_reason={one_line}\nskipped").map_err(GatedError::Output)?;
            return Ok(None);
        }
    };
    tracing::info!(pr = number, head = %approval.head, plan = %approval.plan_path, "released by the {label} label");
    let folder = Path::new(".artifacts").join("pull-requests").join(number.to_string()).join(&approval.head[..approval.head.len().min(12)]);
    let plan = folder.join("plan.yaml");
    write(&plan, &approval.plan_yaml)?;
    Ok(Some(Released { approval, plan }))
}

/// Copies `files`, named beside the plan in the repository, from the released commit into the
/// plan's local folder. Each name must already have been checked to be a plain file name.
pub fn fetch_beside(config: &GitHubConfig, released: &Released, files: &[String]) -> Result<(), GatedError> {
    let number = released.approval.number;
    let texts = super::with_github(config, async |github| {
        let mut texts = Vec::new();
        for file in files {
            texts.push(github.file_at(&beside(&released.approval.plan_path, file), &released.approval.head).await?);
        }
        Ok(texts)
    })
    .map_err(|source| GatedError::GitHub { number, source })?;
    let folder = released.plan.parent().unwrap_or(Path::new("."));
    for (file, text) in files.iter().zip(texts) {
        write(&folder.join(file), &text)?;
    }
    Ok(())
}

/// Posts how the run of `command` on `released` ended: `output` is what it printed, `failure`
/// its error. A failed post after a failed run is logged, so that the run's own error is the one
/// reported.
fn report(config: &GitHubConfig, released: &Released, command: &str, output: &str, failure: Option<&dyn std::error::Error>) -> Result<(), GatedError> {
    let number = released.approval.number;
    let head = &released.approval.head;
    let run_id = super::run_id(head);
    let (outcome, reason) = match failure {
        None => (RunOutcome::Succeeded, None),
        Some(error) => (RunOutcome::Failed, Some(super::error_chain(error))),
    };
    let comment = result_comment(command, outcome, head, output, reason.as_deref(), &run_id);
    match super::with_github(config, async |github| github.post_comment(number, &comment, &run_id).await) {
        Ok(url) => {
            tracing::info!(pr = number, "posted the result: {url}");
            Ok(())
        }
        Err(source) if failure.is_some() => {
            tracing::error!(pr = number, "the result could not be posted: {}", super::error_chain(&source));
            Ok(())
        }
        Err(source) => Err(GatedError::Report { number, source }),
    }
}

fn write(path: &Path, text: &str) -> Result<(), GatedError> {
    let failed = |source| GatedError::Write { path: path.to_path_buf(), source };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}
