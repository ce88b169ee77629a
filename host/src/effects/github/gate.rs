//! The label gates of `execute --pr` and `rollback --execute --pr`, read through the API at the
//! moment of execution, and the comments that report a run.
//!
//! A plan is released only when its pull request is open and carries the label, the label was
//! added after the head commit (a push after approval voids it), and the plan file at that
//! commit still has the digest the pull request recorded when it was proposed. The plan is read
//! at the head commit the checks were made against, never at the branch's name, so a push
//! racing the run cannot change what is applied.

use std::time::SystemTime;

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::GitHub;
use super::{GitHubError, Label, PullRequest};
use crate::plan::document::sha256_hex;
use crate::plan::pull_request::{self, RecordedPlan};

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The plan may run.
    Approved(Approval),
    /// The plan may not run, for `reason`.
    Refused {
        /// Why, in words for the person who labelled the pull request.
        reason: String,
        /// Whether someone asked for the run (the label is on), so that the refusal should be
        /// reported on the pull request too.
        asked: bool,
        /// The head commit, when the pull request exists.
        head: String,
    },
}

/// A plan released by its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The pull request.
    pub number: u64,
    /// The head commit the checks were made against.
    pub head: String,
    /// The plan file's path in the repository.
    pub plan_path: String,
    /// The plan file's text at `head`, whose digest matched the record.
    pub plan_yaml: String,
}

#[derive(Deserialize)]
struct IssueEvent {
    event: String,
    created_at: String,
    #[serde(default)]
    label: Option<Label>,
}

#[derive(Deserialize)]
struct GitCommit {
    committer: GitActor,
}

#[derive(Deserialize)]
struct GitActor {
    date: String,
}

#[derive(Deserialize)]
struct Comment {
    html_url: String,
    #[serde(default)]
    body: Option<String>,
}

/// Events are read a page of this many at a time.
const PAGE: usize = 100;
/// No pull request of planhost's has this many pages of events; reading stops there.
const MAX_PAGES: usize = 50;

impl GitHub {
    /// Whether pull request `number` releases its plan through `label`.
    pub async fn check_gate(&self, number: u64, label: &str) -> Result<Gate, GitHubError> {
        let doing = format!("reading pull request #{number}");
        let Some(pull) = self.find::<PullRequest>(&self.route(&format!("/pulls/{number}")), &doing).await? else {
            return Err(GitHubError::PullRequestNotFound { repository: self.repository(), number });
        };
        let head = pull.head.sha.clone();
        let refuse = |asked: bool, reason: String| Ok(Gate::Refused { reason, asked, head: head.clone() });
        if pull.state != "open" {
            return refuse(false, format!("pull request #{number} is {}", pull.state));
        }
        if !pull.has_label(label) {
            return refuse(false, format!("pull request #{number} does not carry the {label} label"));
        }
        let Some(recorded) = pull.body.as_deref().and_then(pull_request::recorded_plan) else {
            return refuse(true, format!("pull request #{number} records no plan in its description: it was not opened by `planhost scale --apply`, or its first line was edited"));
        };
        let Some(labelled_at) = self.last_labelled(number, label).await? else {
            return refuse(true, format!("GitHub has no record of when the {label} label was added to pull request #{number}"));
        };
        let commit_doing = format!("reading the head commit {head}");
        let commit: GitCommit = self.call(Method::GET, &self.route(&format!("/git/commits/{head}")), None::<&()>, &commit_doing).await?;
        let committed_at = time(&commit.committer.date, &commit_doing)?;
        if labelled_at <= committed_at {
            return refuse(
                true,
                format!(
                    "the {label} label was added at {}, not after the head commit {} ({}): a push after approval voids it; \
                     review the new commit, then remove the label and add it again",
                    commit_time(labelled_at),
                    &head[..head.len().min(12)],
                    commit.committer.date
                ),
            );
        }
        // The description may be edited after approval without a push; it must not be able to
        // point the gate at another file of the head commit (another target's plan).
        let Some(expected) = super::publish::plan_path_of_branch(&pull.head.branch) else {
            return refuse(true, format!("pull request #{number} comes from branch {}, which is not a planhost plan branch", pull.head.branch));
        };
        if recorded.path != expected {
            return refuse(true, format!("the description records the plan file {}, but the plan of branch {} is {expected}", recorded.path, pull.head.branch));
        }
        let RecordedPlan { path, sha256 } = recorded;
        let Some((_, plan_yaml)) = self.read_file(&path, &head).await? else {
            return refuse(true, format!("the plan file {path} that the pull request records is not in its head commit {head}"));
        };
        let digest = sha256_hex(plan_yaml.as_bytes());
        if digest != sha256 {
            return refuse(
                true,
                format!(
                    "the plan file {path} at the head commit has digest sha256:{digest}, but the pull request recorded sha256:{sha256} \
                     when it was proposed: the file was changed outside planhost; rerun `planhost scale --apply`"
                ),
            );
        }
        Ok(Gate::Approved(Approval { number, head, plan_path: path, plan_yaml }))
    }

    /// When `label` was last added to issue or pull request `number`.
    async fn last_labelled(&self, number: u64, label: &str) -> Result<Option<SystemTime>, GitHubError> {
        let doing = format!("reading the events of pull request #{number}");
        let mut last = None;
        for page in 1..=MAX_PAGES {
            let route = self.route(&format!("/issues/{number}/events?per_page={PAGE}&page={page}"));
            let events: Vec<IssueEvent> = self.call(Method::GET, &route, None::<&()>, &doing).await?;
            for event in &events {
                if event.event == "labeled" && event.label.as_ref().is_some_and(|named| named.name == label) {
                    last = Some(time(&event.created_at, &doing)?);
                }
            }
            if events.len() < PAGE {
                break;
            }
        }
        Ok(last)
    }

    /// The text of `path` at `commit`, which must exist.
    pub async fn file_at(&self, path: &str, commit: &str) -> Result<String, GitHubError> {
        match self.read_file(path, commit).await? {
            Some((_, text)) => Ok(text),
            None => Err(GitHubError::File { path: path.to_string(), commit: commit.to_string(), reason: "there is no such file".to_string() }),
        }
    }

    /// Posts `body`, which carries `run_id`'s marker, on pull request `number`; returns the
    /// comment's address. A lost answer is resolved by looking for the marker.
    pub async fn post_comment(&self, number: u64, body: &str, run_id: &str) -> Result<String, GitHubError> {
        let route = self.route(&format!("/issues/{number}/comments"));
        let doing = format!("commenting on pull request #{number}");
        let marker = pull_request::run_marker(run_id);
        let create = json!({ "body": body });
        let comment = self
            .create_checked(
                &doing,
                async || self.call::<Comment>(Method::POST, &route, Some(&create), &doing).await,
                async || {
                    // Every page is read: filtering by time would trust this machine's clock.
                    for page in 1..=MAX_PAGES {
                        let list = format!("{route}?per_page={PAGE}&page={page}");
                        let comments: Vec<Comment> = self.call(Method::GET, &list, None::<&()>, &doing).await?;
                        let last_page = comments.len() < PAGE;
                        if let Some(found) = comments.into_iter().find(|comment| comment.body.as_deref().is_some_and(|text| text.contains(&marker))) {
                            return Ok(Some(found));
                        }
                        if last_page {
                            break;
                        }
                    }
                    Ok(None)
                },
            )
            .await?;
        Ok(comment.html_url)
    }
}

/// The plan folder's path of `file`, a name a rollback hint gives, beside `plan_path`.
pub fn beside(plan_path: &str, file: &str) -> String {
    match plan_path.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{file}"),
        None => file.to_string(),
    }
}

fn time(text: &str, doing: &str) -> Result<SystemTime, GitHubError> {
    humantime::parse_rfc3339_weak(text)
        .map_err(|error| GitHubError::Malformed { doing: doing.to_string(), reason: format!("the time {text:?} is not RFC 3339: {error}") })
}

fn commit_time(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
