//! The state behind the double: one repository's commits, branches, pull requests, labels,
//! issue events and comments, and the logical clock that dates them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, UNIX_EPOCH};

use crate::git::{self, Files, Signature};

/// 2026-01-01T00:00:00Z: the logical clock's first tick.
const CLOCK_START: u64 = 1_767_225_600;

/// Who acts: the holder of the token, or a person in GitHub's web UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Actor {
    TokenUser,
    Reviewer,
}

impl Actor {
    pub(crate) fn login(self) -> &'static str {
        match self {
            Actor::TokenUser => crate::TOKEN_USER,
            Actor::Reviewer => crate::REVIEWER,
        }
    }

    pub(crate) fn id(self) -> u64 {
        match self {
            Actor::TokenUser => 1001,
            Actor::Reviewer => 1002,
        }
    }

    pub(crate) fn signature(self, time: u64) -> Signature {
        Signature { name: self.login().to_owned(), email: format!("{}@users.noreply.github.com", self.login()), time }
    }
}

/// A commit and the files it holds.
pub(crate) struct Commit {
    pub sha: String,
    pub tree_sha: String,
    pub files: Files,
    pub parents: Vec<String>,
    pub message: String,
    pub author: Signature,
    pub committer: Signature,
}

/// A pull request (its issue number is its number).
pub(crate) struct PullRequest {
    pub number: u64,
    pub id: u64,
    pub head_ref: String,
    /// The head branch's commit: it follows the branch while the branch exists.
    pub head_sha: String,
    pub base_ref: String,
    pub title: String,
    pub body: Option<String>,
    pub draft: bool,
    pub open: bool,
    pub labels: Vec<String>,
    pub author: Actor,
    pub created_at: u64,
    pub updated_at: u64,
    pub closed_at: Option<u64>,
}

/// A repository label.
pub(crate) struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
}

/// A label put on or taken off an issue.
pub(crate) struct IssueEvent {
    pub id: u64,
    pub issue: u64,
    pub labeled: bool,
    pub label: String,
    pub actor: Actor,
    pub at: u64,
}

/// A comment on an issue.
pub(crate) struct Comment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub actor: Actor,
    pub at: u64,
}

/// The repository the double serves.
pub(crate) struct Repository {
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    /// Where the double answers; the URLs in its bodies point there.
    pub api_url: String,
    commits: HashMap<String, Commit>,
    /// Full ref name (`refs/heads/main`) to commit sha.
    refs: BTreeMap<String, String>,
    pub pulls: Vec<PullRequest>,
    pub labels: Vec<Label>,
    pub events: Vec<IssueEvent>,
    pub comments: Vec<Comment>,
    /// Whether draft pull requests may be opened (GitHub Free refuses them in private
    /// repositories).
    pub drafts_supported: bool,
    /// Seconds after the clock's start.
    clock: u64,
    next_id: u64,
}

/// Seconds since the Unix epoch as GitHub writes times: `2026-01-01T00:00:00Z`.
pub(crate) fn timestamp(time: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(time)).to_string()
}

impl Repository {
    /// A repository whose default branch `main` has one commit holding `README.md`.
    pub(crate) fn new(owner: &str, name: &str, api_url: String) -> Repository {
        let mut repository = Repository {
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: "main".to_owned(),
            api_url,
            commits: HashMap::new(),
            refs: BTreeMap::new(),
            pulls: Vec::new(),
            labels: Vec::new(),
            events: Vec::new(),
            comments: Vec::new(),
            drafts_supported: true,
            clock: 0,
            next_id: 1,
        };
        let time = repository.now();
        let files = Files::from([("README.md".to_owned(), format!("# {name}\n").into_bytes())]);
        let initial = repository.store_commit(files, Vec::new(), "Initial commit", Actor::Reviewer.signature(time), Actor::Reviewer.signature(time));
        repository.refs.insert("refs/heads/main".to_owned(), initial);
        repository
    }

    /// The logical time now, in seconds since the Unix epoch.
    pub(crate) fn now(&self) -> u64 {
        CLOCK_START + self.clock
    }

    /// Moves the clock one second on (every change does, so changes are strictly ordered) and
    /// returns the new time.
    pub(crate) fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.now()
    }

    /// A fresh id for a new object of any kind.
    pub(crate) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(crate) fn commit(&self, sha: &str) -> Option<&Commit> {
        self.commits.get(sha)
    }

    /// The sha a full ref name (`refs/heads/main`) points to.
    pub(crate) fn reference(&self, full_name: &str) -> Option<&str> {
        self.refs.get(full_name).map(String::as_str)
    }

    /// The head commit of a branch.
    pub(crate) fn branch_head(&self, branch: &str) -> Option<&Commit> {
        self.reference(&format!("refs/heads/{branch}")).and_then(|sha| self.commit(sha))
    }

    /// The commit a `ref` argument names, as the contents API reads it: a commit sha, a full
    /// ref, `heads/…` / `tags/…`, or a branch name.
    pub(crate) fn resolve_commit(&self, name: &str) -> Option<&Commit> {
        self.commit(name)
            .or_else(|| self.reference(name).and_then(|sha| self.commit(sha)))
            .or_else(|| self.reference(&format!("refs/{name}")).and_then(|sha| self.commit(sha)))
            .or_else(|| self.branch_head(name))
    }

    /// Points a ref at a commit (creating the ref), and moves the pull requests whose head it
    /// is with it.
    pub(crate) fn set_reference(&mut self, full_name: &str, sha: &str) {
        self.refs.insert(full_name.to_owned(), sha.to_owned());
        let Some(branch) = full_name.strip_prefix("refs/heads/") else { return };
        let now = self.now();
        for pull in self.pulls.iter_mut().filter(|pull| pull.open && pull.head_ref == branch) {
            pull.head_sha = sha.to_owned();
            pull.updated_at = now;
        }
    }

    /// A new commit on `branch` (which must exist) setting `path` to `content`.
    pub(crate) fn commit_file(&mut self, branch: &str, path: &str, content: Vec<u8>, message: &str, author: Signature, committer: Signature) -> String {
        let parent = self.branch_head(branch).expect("the branch exists");
        let mut files = parent.files.clone();
        let parents = vec![parent.sha.clone()];
        files.insert(path.to_owned(), content);
        let sha = self.store_commit(files, parents, message, author, committer);
        self.set_reference(&format!("refs/heads/{branch}"), &sha);
        sha
    }

    fn store_commit(&mut self, files: Files, parents: Vec<String>, message: &str, author: Signature, committer: Signature) -> String {
        let tree_sha = git::tree_sha(&files, "").expect("a commit holds at least one file");
        let sha = git::commit_sha(&tree_sha, &parents, &author, &committer, message);
        let commit = Commit { sha: sha.clone(), tree_sha, files, parents, message: message.to_owned(), author, committer };
        self.commits.insert(sha.clone(), commit);
        sha
    }

    /// The commits reachable from `sha`, itself included.
    pub(crate) fn ancestry(&self, sha: &str) -> HashSet<&str> {
        let mut seen = HashSet::new();
        let mut pending = vec![sha];
        while let Some(sha) = pending.pop() {
            if let Some(commit) = self.commits.get(sha)
                && seen.insert(commit.sha.as_str())
            {
                pending.extend(commit.parents.iter().map(String::as_str));
            }
        }
        seen
    }

    pub(crate) fn pull(&self, number: u64) -> Option<&PullRequest> {
        self.pulls.iter().find(|pull| pull.number == number)
    }

    pub(crate) fn pull_mut(&mut self, number: u64) -> Option<&mut PullRequest> {
        self.pulls.iter_mut().find(|pull| pull.number == number)
    }

    /// The repository label called `name` (GitHub matches label names without regard to case),
    /// created with GitHub's default colour on first use.
    pub(crate) fn label(&mut self, name: &str) -> &Label {
        match self.labels.iter().position(|label| label.name.eq_ignore_ascii_case(name)) {
            Some(index) => &self.labels[index],
            None => {
                let id = self.next_id();
                self.labels.push(Label { id, name: name.to_owned(), color: "ededed".to_owned() });
                self.labels.last().expect("just pushed")
            }
        }
    }

    /// Puts a label on a pull request; a label it already has is left as it is, without an event.
    pub(crate) fn add_label(&mut self, number: u64, name: &str, actor: Actor) {
        let name = self.label(name).name.clone();
        let at = self.now();
        let pull = self.pull_mut(number).expect("the pull request exists");
        if pull.labels.contains(&name) {
            return;
        }
        pull.labels.push(name.clone());
        pull.updated_at = at;
        let id = self.next_id();
        self.events.push(IssueEvent { id, issue: number, labeled: true, label: name, actor, at });
    }

    /// Takes a label off a pull request; false where it did not have it.
    pub(crate) fn remove_label(&mut self, number: u64, name: &str, actor: Actor) -> bool {
        let at = self.now();
        let pull = self.pull_mut(number).expect("the pull request exists");
        let Some(index) = pull.labels.iter().position(|label| label.eq_ignore_ascii_case(name)) else {
            return false;
        };
        let label = pull.labels.remove(index);
        pull.updated_at = at;
        let id = self.next_id();
        self.events.push(IssueEvent { id, issue: number, labeled: false, label, actor, at });
        true
    }

    /// The label object for a name a pull request carries.
    pub(crate) fn label_named(&self, name: &str) -> &Label {
        self.labels.iter().find(|label| label.name == name).expect("a label in use exists")
    }
}
