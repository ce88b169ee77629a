//! A stateful, in-process stand-in for the part of GitHub's REST API that planhost uses.
//!
//! Every request it receives is checked against GitHub's own published OpenAPI description
//! (an extract of `@octokit/openapi`, embedded; `scripts/github-openapi-extract` regenerates
//! it), and so is every answer it gives, so the double cannot drift into fiction. A request the
//! description does not allow is recorded as a violation, and a [`GitHub`] dropped with
//! violations fails the test that made them.
//!
//! The server runs on its own thread with its own runtime, so synchronous tests can point the
//! `planhost` binary at [`GitHub::api_url`] with [`GitHub::token`].

mod bodies;
mod description;
mod dialect;
mod git;
mod operations;
mod permissions;
mod repository;
mod server;

use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use description::Description;
use permissions::TokenPermissions;
use repository::{Actor, Repository};
use server::{Server, Shared};

/// The login of the user the double's token belongs to: what the API acts as.
pub const TOKEN_USER: &str = "planhost-bot";

/// The login of the person whose web-UI actions the double plays ([`GitHub::label_as_reviewer`],
/// [`GitHub::push_as_user`]).
pub const REVIEWER: &str = "reviewer";

/// A running GitHub double serving one repository; it stops when dropped.
pub struct GitHub {
    shared: Arc<Mutex<Shared>>,
    api_url: String,
    // Dropped before the violations are reported, so the server has stopped by then.
    server: Option<Server>,
}

/// A failure the double plays instead of (or after) doing an operation's work.
#[derive(Clone, Debug)]
pub struct Fault {
    /// The operation it hits, by operationId (`pulls/create`).
    pub operation: &'static str,
    /// What happens.
    pub kind: FaultKind,
    /// On how many of the operation's next requests it fires.
    pub times: u32,
}

/// The failures GitHub is known for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 500, nothing done.
    ServerError,
    /// The work is done, then 500 is answered: a create whose answer was lost.
    ServerErrorAfterApplying,
    /// 429 with `retry-after` and the rate limit spent.
    RateLimited {
        /// The `retry-after` header, in seconds.
        retry_after_secs: u64,
    },
    /// 403 with `retry-after` and GitHub's secondary-rate-limit message.
    SecondaryRateLimit {
        /// The `retry-after` header, in seconds.
        retry_after_secs: u64,
    },
}

/// One request the double received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path and, where there was one, the query: `/repos/o/r/pulls?state=open`.
    pub path_and_query: String,
    /// The operation of the description it matched, if any.
    pub operation_id: Option<String>,
    /// The status the double answered.
    pub status: u16,
}

/// A pull request as the double holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pull {
    /// Its number (shared with issues).
    pub number: u64,
    /// The head branch.
    pub head_ref: String,
    /// The head branch's commit: it follows the branch.
    pub head_sha: String,
    /// The base branch.
    pub base_ref: String,
    /// The title.
    pub title: String,
    /// The description, where one was given.
    pub body: Option<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// `open` or `closed`.
    pub state: String,
    /// The names of its labels, in the order they were put on.
    pub labels: Vec<String>,
    /// Its web address.
    pub html_url: String,
}

impl GitHub {
    /// Starts a double serving `owner/repo`, whose default branch `main` has one commit holding
    /// `README.md`.
    pub fn start(owner: &str, repo: &str) -> GitHub {
        GitHub::start_under(owner, repo, "")
    }

    /// Starts a double that serves the API under `/api/v3`, as GitHub Enterprise Server does; a
    /// request outside that path is a violation.
    pub fn start_enterprise(owner: &str, repo: &str) -> GitHub {
        GitHub::start_under(owner, repo, "/api/v3")
    }

    fn start_under(owner: &str, repo: &str, base_path: &str) -> GitHub {
        // Compiled before the first request, so a broken extract fails here and not as a 500.
        Description::get();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
        let address = listener.local_addr().expect("a bound listener has an address");
        let api_url = format!("http://{address}{base_path}");
        let token = format!("github_pat_planhost_double_{}", address.port());
        let shared = Arc::new(Mutex::new(Shared::new(Repository::new(owner, repo, api_url.clone()), base_path.to_owned(), token)));
        let server = Server::spawn(listener, Arc::clone(&shared));
        GitHub { shared, api_url, server: Some(server) }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where the API answers, `http://127.0.0.1:PORT` (with `/api/v3` for an Enterprise double):
    /// what `GITHUB_API_URL` is set to.
    pub fn api_url(&self) -> String {
        self.api_url.clone()
    }

    /// The one token the double accepts (`Authorization: Bearer …` or `token …`).
    pub fn token(&self) -> String {
        self.shared().token.clone()
    }

    /// Makes the token a fine-grained one with exactly these grants, such as
    /// `&[("contents", "write"), ("pull_requests", "write")]` (metadata read is always there).
    /// Until called, the token may write contents, pull requests and issues.
    pub fn set_token_permissions(&self, grants: &[(&str, &str)]) {
        self.shared().permissions = TokenPermissions::from_grants(grants);
    }

    /// Queues a fault; it fires on the next `times` requests of its operation (after the ones
    /// queued before it for that operation). An operation the double does not serve panics.
    pub fn inject(&self, fault: Fault) {
        Description::get().operation(fault.operation);
        if fault.times > 0 {
            self.shared().faults.push(fault);
        }
    }

    /// Requests the description does not allow, and answers of the double that broke it.
    pub fn violations(&self) -> Vec<String> {
        self.shared().violations.clone()
    }

    /// Panics, listing them, where there are violations.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        if !violations.is_empty() {
            panic!("{}", describe_violations(&violations));
        }
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared().requests.clone()
    }

    /// The commit a branch points to.
    pub fn head_sha(&self, branch: &str) -> Option<String> {
        self.shared().repository.branch_head(branch).map(|commit| commit.sha.clone())
    }

    /// How many commits are reachable from the branch's head (0 for no such branch).
    pub fn commit_count(&self, branch: &str) -> usize {
        let shared = self.shared();
        shared.repository.branch_head(branch).map_or(0, |commit| shared.repository.ancestry(&commit.sha).len())
    }

    /// A file's content on a branch (as text, invalid UTF-8 replaced).
    pub fn file(&self, branch: &str, path: &str) -> Option<String> {
        let shared = self.shared();
        let content = shared.repository.branch_head(branch)?.files.get(path)?;
        Some(String::from_utf8_lossy(content).into_owned())
    }

    /// Every pull request, in the order they were opened.
    pub fn pulls(&self) -> Vec<Pull> {
        let shared = self.shared();
        let repository = &shared.repository;
        repository
            .pulls
            .iter()
            .map(|pull| Pull {
                number: pull.number,
                head_ref: pull.head_ref.clone(),
                head_sha: pull.head_sha.clone(),
                base_ref: pull.base_ref.clone(),
                title: pull.title.clone(),
                body: pull.body.clone(),
                draft: pull.draft,
                state: if pull.open { "open" } else { "closed" }.to_owned(),
                labels: pull.labels.clone(),
                html_url: format!("https://github.com/{}/{}/pull/{}", repository.owner, repository.name, pull.number),
            })
            .collect()
    }

    /// The bodies of the comments on an issue or pull request, oldest first.
    pub fn comments(&self, number: u64) -> Vec<String> {
        let shared = self.shared();
        shared.repository.comments.iter().filter(|comment| comment.issue == number).map(|comment| comment.body.clone()).collect()
    }

    /// A reviewer puts a label on a pull request in the web UI: the label (created on first
    /// use) and a `labeled` event, one logical second later than anything before.
    pub fn label_as_reviewer(&self, number: u64, label: &str) {
        let mut shared = self.shared();
        assert!(shared.repository.pull(number).is_some(), "the GitHub double has no pull request #{number}");
        shared.repository.tick();
        shared.repository.add_label(number, label, Actor::Reviewer);
    }

    /// A reviewer takes a label off a pull request in the web UI: an `unlabeled` event.
    pub fn unlabel_as_reviewer(&self, number: u64, label: &str) {
        let mut shared = self.shared();
        assert!(shared.repository.pull(number).is_some(), "the GitHub double has no pull request #{number}");
        shared.repository.tick();
        assert!(shared.repository.remove_label(number, label, Actor::Reviewer), "pull request #{number} has no label {label}");
    }

    /// The repository refuses draft pull requests, as GitHub Free does for private repositories.
    pub fn refuse_draft_pull_requests(&self) {
        self.shared().repository.drafts_supported = false;
    }

    /// A person edits a pull request's description in the web UI.
    pub fn edit_description_as_user(&self, number: u64, body: &str) {
        let mut shared = self.shared();
        let time = shared.repository.tick();
        let pull = shared.repository.pull_mut(number).unwrap_or_else(|| panic!("the GitHub double has no pull request #{number}"));
        pull.body = Some(body.to_owned());
        pull.updated_at = time;
    }

    /// A person closes a pull request in the web UI.
    pub fn close_as_user(&self, number: u64) {
        let mut shared = self.shared();
        let time = shared.repository.tick();
        let pull = shared.repository.pull_mut(number).unwrap_or_else(|| panic!("the GitHub double has no pull request #{number}"));
        pull.open = false;
        pull.closed_at = Some(time);
        pull.updated_at = time;
    }

    /// A person pushes a commit to `branch` that sets `path` to `content` (the head of a pull
    /// request from that branch moves with it); returns the new commit's sha.
    pub fn push_as_user(&self, branch: &str, path: &str, content: &str) -> String {
        let mut shared = self.shared();
        assert!(shared.repository.branch_head(branch).is_some(), "the GitHub double has no branch {branch}");
        let time = shared.repository.tick();
        let signature = Actor::Reviewer.signature(time);
        shared.repository.commit_file(branch, path, content.as_bytes().to_vec(), &format!("Update {path}"), signature.clone(), signature)
    }
}

fn describe_violations(violations: &[String]) -> String {
    format!(
        "the GitHub double saw {} violation(s) of GitHub's OpenAPI description:\n  - {}",
        violations.len(),
        violations.join("\n  - ")
    )
}

impl Drop for GitHub {
    fn drop(&mut self) {
        drop(self.server.take());
        let violations = self.violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("{}", describe_violations(&violations));
        }
    }
}
