//! `scale --apply`: the plan's branch, its two files, the draft pull request and its label.
//!
//! Every step first reads what is there and only then writes what is missing, so a rerun after
//! any failure finishes the job, a rerun with a changed plan updates the same branch and pull
//! request, and a rerun with the same plan (made at another time) writes nothing.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{GitHub, encode, encode_path};
use super::{ContentFile, EXECUTE_LABEL, GitHubError, Label, NEEDS_APPROVAL, PullRequest, ROLLBACK_LABEL, git_blob_sha};
use crate::plan::document::{ScalePlanDocument, sha256_hex};
use crate::plan::pull_request::{self, RecordedPlan};
use crate::plan::summary;

/// A plan to propose for review.
pub struct PlanForReview<'a> {
    /// The plan.
    pub document: &'a ScalePlanDocument,
    /// Its `plan.yaml`.
    pub plan_yaml: &'a str,
    /// Its `SUMMARY.md`.
    pub summary_md: &'a str,
}

/// The pull request a plan is reviewed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Its address on GitHub.
    pub url: String,
    /// Its number.
    pub number: u64,
    /// Whether this run committed new plan files (false: the branch already held this plan).
    pub committed: bool,
}

#[derive(Deserialize)]
struct Repository {
    default_branch: String,
    #[serde(default)]
    permissions: Option<RepositoryPermissions>,
}

#[derive(Deserialize)]
struct RepositoryPermissions {
    #[serde(default)]
    push: bool,
}

#[derive(Deserialize)]
struct GitRef {
    object: GitObject,
}

#[derive(Deserialize)]
struct GitObject {
    sha: String,
}

/// The folder of a target's plan in the repository.
pub fn plan_folder(target: &str) -> String {
    format!("ops/plans/infra-scale/{target}")
}

/// The prefix of every plan branch.
const BRANCH_PREFIX: &str = "planhost/infra-scale/";

/// The branch of a target's plan: one per target.
pub fn plan_branch(target: &str) -> String {
    format!("{BRANCH_PREFIX}{target}")
}

/// The plan file a plan branch proposes, if `branch` is one.
pub fn plan_path_of_branch(branch: &str) -> Option<String> {
    let target = branch.strip_prefix(BRANCH_PREFIX)?;
    crate::cli::flags::target(target).ok().map(|target| format!("{}/plan.yaml", plan_folder(&target)))
}

impl GitHub {
    /// Proposes `plan` in its target's pull request, creating or updating what is needed.
    pub async fn publish_plan(&self, plan: &PlanForReview<'_>) -> Result<Published, GitHubError> {
        let target = &plan.document.metadata.target;
        let repository: Repository = match self.find(&self.route(""), "reading the repository").await? {
            Some(repository) => repository,
            None => return Err(GitHubError::RepositoryNotFound { repository: self.repository() }),
        };
        // A token whose user cannot push would fail at the first write; say so before any.
        if repository.permissions.as_ref().is_some_and(|permissions| !permissions.push) {
            return Err(GitHubError::Permission {
                doing: "proposing the plan".to_string(),
                repository: self.repository(),
                permission: "contents:write".to_string(),
                message: "the token's user cannot push to the repository".to_string(),
            });
        }
        let branch = plan_branch(target);
        self.ensure_branch(&branch, &repository.default_branch).await?;

        let folder = plan_folder(target);
        let plan_path = format!("{folder}/plan.yaml");
        let summary_path = format!("{folder}/SUMMARY.md");
        let on_branch = self.read_file(&plan_path, &branch).await?;
        // The branch may hold this very plan, made at another time: then its file stays, and its
        // summary is the one of that file (written again only if a run stopped before it).
        let kept = on_branch.as_ref().and_then(|(_, text)| same_plan(text, plan.document).map(|document| (text, document)));
        let (plan_yaml, summary_md) = match kept {
            Some((text, document)) => {
                tracing::info!(%branch, "the branch already holds this plan");
                (text.clone(), summary::render(&document, &sha256_hex(text.as_bytes())))
            }
            None => (plan.plan_yaml.to_string(), plan.summary_md.to_string()),
        };
        let message = format!("planhost: plan infra-scale/{target} ({})", &sha256_hex(plan_yaml.as_bytes())[..12]);
        let plan_changed = self.write_file(&plan_path, &plan_yaml, on_branch.map(|(sha, _)| sha), &branch, &message).await?;
        let summary_on_branch = self.read_file(&summary_path, &branch).await?.map(|(sha, _)| sha);
        let summary_changed = self.write_file(&summary_path, &summary_md, summary_on_branch, &branch, &message).await?;
        let committed = plan_changed || summary_changed;

        let recorded = RecordedPlan { path: plan_path, sha256: sha256_hex(plan_yaml.as_bytes()) };
        let body = pull_request::description(&summary_md, &recorded);
        let title = pull_request::title(target, &plan.document.metadata.namespace);
        let pull = self.ensure_pull_request(&branch, &repository.default_branch, &title, &body).await?;
        if committed {
            // A new plan voids an approval given to the old one; the gate would refuse it
            // anyway, and a removed label lets the reviewer approve again by adding it.
            for label in [EXECUTE_LABEL, ROLLBACK_LABEL] {
                if pull.has_label(label) {
                    self.remove_label(pull.number, label).await?;
                }
            }
        }
        if !pull.has_label(NEEDS_APPROVAL) {
            self.add_label(pull.number, NEEDS_APPROVAL).await?;
        }
        Ok(Published { url: pull.html_url, number: pull.number, committed })
    }

    /// Creates `branch` from the head of `base` unless it exists.
    async fn ensure_branch(&self, branch: &str, base: &str) -> Result<(), GitHubError> {
        let route = self.route(&format!("/git/ref/{}", encode_path(&format!("heads/{branch}"))));
        let doing = format!("reading branch {branch}");
        if self.find::<GitRef>(&route, &doing).await?.is_some() {
            return Ok(());
        }
        let base_route = self.route(&format!("/git/ref/{}", encode_path(&format!("heads/{base}"))));
        let base_doing = format!("reading the default branch {base}");
        let Some(base_ref) = self.find::<GitRef>(&base_route, &base_doing).await? else {
            return Err(GitHubError::Refused { doing: base_doing, status: 404, message: "the default branch has no commit".to_string() });
        };
        let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": base_ref.object.sha });
        let create_doing = format!("creating branch {branch}");
        self.create_checked(
            &create_doing,
            async || self.call::<GitRef>(Method::POST, &self.route("/git/refs"), Some(&body), &create_doing).await,
            async || self.find::<GitRef>(&route, &doing).await,
        )
        .await?;
        tracing::info!(%branch, %base, "created the plan's branch");
        Ok(())
    }

    /// The blob sha and text of `path` on `reference`, if it exists.
    pub(super) async fn read_file(&self, path: &str, reference: &str) -> Result<Option<(String, String)>, GitHubError> {
        let route = self.route(&format!("/contents/{}?ref={}", encode_path(path), encode(reference)));
        let Some(file) = self.find::<ContentFile>(&route, &format!("reading {path} on {reference}")).await? else {
            return Ok(None);
        };
        let text = file.text(path, reference)?;
        Ok(Some((file.sha.clone(), text)))
    }

    /// Commits `text` as `path` on `branch` unless the file already holds it; `current` is the
    /// blob sha of the file there now. Returns whether a commit was made.
    async fn write_file(&self, path: &str, text: &str, current: Option<String>, branch: &str, message: &str) -> Result<bool, GitHubError> {
        let wanted = git_blob_sha(text);
        if current.as_deref() == Some(wanted.as_str()) {
            return Ok(false);
        }
        let content = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, text);
        let route = self.route(&format!("/contents/{}", encode_path(path)));
        let doing = format!("committing {path} on {branch}");
        let mut sha = current;
        for attempt in 1..=3 {
            let mut body = json!({ "message": message, "content": content, "branch": branch });
            if let Some(sha) = &sha {
                body["sha"] = json!(sha);
            }
            let error = match self.send(Method::PUT, &route, Some(&body), &doing).await {
                Ok(answer) if answer.status.is_success() => return Ok(true),
                Ok(answer) => self.refusal(&answer, &doing),
                Err(error) => error,
            };
            // 409 and 422: the file is not at the sha given (moved meanwhile, or made by an
            // attempt whose answer was lost).
            let conflict = matches!(error, GitHubError::Refused { status: 409 | 422, .. });
            if (!error.outcome_unknown() && !conflict) || attempt == 3 {
                return Err(error);
            }
            tracing::warn!(%path, "{error}; looking at what is there before trying again");
            match self.read_file(path, branch).await? {
                Some((blob, _)) if blob == wanted => return Ok(true),
                // Another run moved the file: the newest plan wins, so write over it.
                found => sha = found.map(|(blob, _)| blob),
            }
        }
        unreachable!("the loop returns by its third attempt")
    }

    /// The open pull request of `branch`, created as a draft if there is none, with `title` and
    /// `body` brought up to date.
    async fn ensure_pull_request(&self, branch: &str, base: &str, title: &str, body: &str) -> Result<PullRequest, GitHubError> {
        let list_route = self.route(&format!("/pulls?head={}&state=open&per_page=100", encode(&format!("{}:{branch}", self.owner()))));
        let list_doing = format!("looking for the pull request of {branch}");
        let look = async || Ok(self.call::<Vec<PullRequest>>(Method::GET, &list_route, None::<&()>, &list_doing).await?.into_iter().next());
        if let Some(pull) = look().await? {
            if pull.body.as_deref() != Some(body) {
                let route = self.route(&format!("/pulls/{}", pull.number));
                let doing = format!("updating pull request #{}", pull.number);
                let update = json!({ "title": title, "body": body });
                let updated: PullRequest = self.call(Method::PATCH, &route, Some(&update), &doing).await?;
                tracing::info!(number = updated.number, "updated the pull request's description");
                return Ok(PullRequest { labels: pull.labels, ..updated });
            }
            return Ok(pull);
        }
        let doing = format!("opening the pull request of {branch}");
        let open = async |draft: bool| {
            let create = json!({ "title": title, "head": branch, "base": base, "body": body, "draft": draft });
            self.create_checked(&doing, async || self.call::<PullRequest>(Method::POST, &self.route("/pulls"), Some(&create), &doing).await, &look)
                .await
        };
        let pull = match open(true).await {
            // GitHub Free has no drafts in private repositories; the label still holds the plan.
            Err(GitHubError::Refused { status: 422, message, .. }) if message.contains("Draft pull requests are not supported") => {
                tracing::warn!("{message} Opening a ready pull request instead; the {NEEDS_APPROVAL} label still holds the plan");
                open(false).await?
            }
            opened => opened?,
        };
        tracing::info!(number = pull.number, url = %pull.html_url, "opened a draft pull request");
        Ok(pull)
    }

    /// Adds `label` to pull request `number`.
    async fn add_label(&self, number: u64, label: &str) -> Result<(), GitHubError> {
        let route = self.route(&format!("/issues/{number}/labels"));
        let doing = format!("labelling pull request #{number} {label}");
        let body = json!({ "labels": [label] });
        let pull_route = self.route(&format!("/pulls/{number}"));
        self.create_checked(
            &doing,
            async || self.call::<Vec<Label>>(Method::POST, &route, Some(&body), &doing).await.map(|_| ()),
            async || Ok(self.call::<PullRequest>(Method::GET, &pull_route, None::<&()>, &doing).await?.has_label(label).then_some(())),
        )
        .await
    }

    /// Removes `label` from pull request `number`; already gone is fine.
    async fn remove_label(&self, number: u64, label: &str) -> Result<(), GitHubError> {
        let route = self.route(&format!("/issues/{number}/labels/{}", encode(label)));
        let doing = format!("removing label {label} from pull request #{number}");
        let answer = self.send(Method::DELETE, &route, None::<&()>, &doing).await?;
        if answer.status.is_success() || answer.status == http::StatusCode::NOT_FOUND {
            tracing::info!(number, label, "removed a label given to an earlier plan");
            return Ok(());
        }
        Err(self.refusal(&answer, &doing))
    }

    /// Runs `create`; when its outcome is unknown (no answer, a 5xx) or it reports a conflict
    /// (422: it may exist already), `look`s for what it may have made before trying again.
    pub(super) async fn create_checked<T>(
        &self,
        doing: &str,
        create: impl AsyncFn() -> Result<T, GitHubError>,
        look: impl AsyncFn() -> Result<Option<T>, GitHubError>,
    ) -> Result<T, GitHubError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match create().await {
                Ok(made) => return Ok(made),
                Err(error) => error,
            };
            let conflict = matches!(error, GitHubError::Refused { status: 422, .. });
            if !error.outcome_unknown() && !conflict {
                return Err(error);
            }
            tracing::warn!("{doing}: {error}; looking for what it may have made before trying again");
            if let Some(made) = look().await? {
                tracing::info!("{doing}: it had been made");
                return Ok(made);
            }
            if conflict || attempt == 3 {
                return Err(error);
            }
        }
    }
}

/// The plan on the branch, if it is `plan` made at another time.
fn same_plan(on_branch: &str, plan: &ScalePlanDocument) -> Option<ScalePlanDocument> {
    let existing = ScalePlanDocument::from_yaml(on_branch, "the plan on the branch").ok()?;
    let mut at_plans_time = existing.clone();
    at_plans_time.metadata.generated_at.clone_from(&plan.metadata.generated_at);
    (at_plans_time == *plan).then_some(existing)
}
