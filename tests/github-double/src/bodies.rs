//! The JSON bodies of GitHub's objects as the double answers them: each starts from the body
//! the description documents (or GitHub sent, in `@octokit/fixtures`) and has its stateful fields
//! set from the repository.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use crate::description::Description;
use crate::git;
use crate::repository::{Actor, Comment, Commit, IssueEvent, Label, PullRequest, Repository, timestamp};

/// Bodies GitHub really sent, recorded by `@octokit/fixtures`.
pub(crate) mod recorded {
    use serde_json::Value;

    fn parse(body: &str) -> Value {
        serde_json::from_str(body).expect("a recorded body is JSON")
    }

    /// `git/create-ref` 201.
    pub(crate) fn create_ref() -> Value {
        parse(include_str!("../fixtures/git-create-ref.json"))
    }

    /// `repos/create-or-update-file-contents` 201.
    pub(crate) fn create_file() -> Value {
        parse(include_str!("../fixtures/repos-create-or-update-file-contents.json"))
    }

    /// `issues/add-labels` 200.
    pub(crate) fn add_labels() -> Value {
        parse(include_str!("../fixtures/issues-add-labels.json"))
    }
}

/// Characters escaped in one segment of a URL path.
const SEGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'/').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

/// `text` escaped for use as one URL path segment.
pub(crate) fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A slash-separated path with each segment escaped.
fn path_segments(path: &str) -> String {
    path.split('/').map(segment).collect::<Vec<_>>().join("/")
}

fn example(operation: &str, status: u16, name: &str) -> Value {
    Description::get().example(operation, status, name)
}

/// The example's first item, for bodies that are lists.
pub(crate) fn first_item(list: Value) -> Value {
    match list {
        Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => panic!("a list example has no first item: {other}"),
    }
}

/// `template` with each of `fields`' top-level members set.
fn with(mut template: Value, fields: Value) -> Value {
    let (Value::Object(target), Value::Object(fields)) = (&mut template, fields) else {
        panic!("templates and their fields are objects");
    };
    target.extend(fields);
    template
}

/// Every string in `value` with `from` replaced by `to`: moves a documented example's URLs and
/// names onto the double's host, repository or user.
fn replaced(value: Value, from: &str, to: &str) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace(from, to)),
        Value::Array(items) => Value::Array(items.into_iter().map(|item| replaced(item, from, to)).collect()),
        Value::Object(members) => Value::Object(members.into_iter().map(|(key, item)| (key, replaced(item, from, to))).collect()),
        other => other,
    }
}

fn node_id(kind: &str, id: u64) -> String {
    STANDARD.encode(format!("{kind}{id}"))
}

/// The repository's API base: `{api_url}/repos/{owner}/{repo}`.
fn api(repository: &Repository) -> String {
    format!("{}/repos/{}/{}", repository.api_url, repository.owner, repository.name)
}

/// The repository's web address (on github.com, as GitHub's `html_url`s are).
fn web(repository: &Repository) -> String {
    format!("https://github.com/{}/{}", repository.owner, repository.name)
}

/// A documented example rebased onto the double's host and repository.
fn rebased(repository: &Repository, template: Value, example_repository: &str) -> Value {
    let full_name = format!("{}/{}", repository.owner, repository.name);
    let template = replaced(template, "https://api.github.com", &repository.api_url);
    replaced(template, example_repository, &full_name)
}

/// A user object for `login`.
fn user(repository: &Repository, login: &str, id: u64) -> Value {
    let template = example("pulls/get", 200, "default")["user"].clone();
    let template = replaced(replaced(template, "https://api.github.com", &repository.api_url), "octocat", login);
    with(template, json!({ "login": login, "id": id, "node_id": node_id("U_", id), "type": "User", "site_admin": false }))
}

fn actor(repository: &Repository, actor: Actor) -> Value {
    user(repository, actor.login(), actor.id())
}

fn owner(repository: &Repository) -> Value {
    user(repository, &repository.owner, 1000)
}

/// The fields every repository object has, from the repository.
fn repository_fields(repository: &Repository) -> Value {
    json!({
        "id": 1,
        "node_id": node_id("R_", 1),
        "name": repository.name,
        "full_name": format!("{}/{}", repository.owner, repository.name),
        "owner": owner(repository),
        "private": true,
        "visibility": "private",
        "fork": false,
        "html_url": web(repository),
        "url": api(repository),
        "default_branch": repository.default_branch,
    })
}

/// `repos/get`'s full repository.
pub(crate) fn full_repository(repository: &Repository) -> Value {
    let mut template = rebased(repository, example("repos/get", 200, "default-response"), "octocat/Hello-World");
    let members = template.as_object_mut().expect("a repository is an object");
    // The documented example is of a fork; this repository is none, and GitHub leaves `parent`
    // and `source` out for those. (The example's `source` and the example itself also lack
    // `language`, which the full-repository schema requires.)
    members.remove("parent");
    members.remove("source");
    members.remove("template_repository");
    // `permissions` is the role of the token's user (a collaborator with write access), not the
    // token's grants: GitHub reports the role even for a fine-grained token that may not write.
    let role = json!({ "admin": false, "maintain": false, "push": true, "triage": true, "pull": true });
    let stateful = json!({ "language": null, "open_issues_count": open_pulls(repository), "open_issues": open_pulls(repository), "permissions": role });
    with(template, with(repository_fields(repository), stateful))
}

fn open_pulls(repository: &Repository) -> usize {
    repository.pulls.iter().filter(|pull| pull.open).count()
}

/// A label object.
pub(crate) fn label(repository: &Repository, template: Value, label: &Label) -> Value {
    with(
        template,
        json!({
            "id": label.id,
            "node_id": node_id("LA_", label.id),
            "url": format!("{}/labels/{}", api(repository), segment(&label.name)),
            "name": label.name,
            "color": label.color,
            "description": null,
            "default": false,
        }),
    )
}

/// The labels a pull request carries, each from `template`.
pub(crate) fn labels(repository: &Repository, template: &Value, pull: &PullRequest) -> Value {
    pull.labels.iter().map(|name| label(repository, template.clone(), repository.label_named(name))).collect()
}

/// One side (head or base) of a pull request.
fn pull_side(repository: &Repository, template: Value, branch: &str, sha: &str) -> Value {
    let repo_template = rebased(repository, template["repo"].clone(), "octocat/Hello-World");
    with(
        template,
        json!({
            "label": format!("{}:{branch}", repository.owner),
            "ref": branch,
            "sha": sha,
            "user": owner(repository),
            "repo": with(repo_template, repository_fields(repository)),
        }),
    )
}

/// A pull request: the full object (`pulls/get`, `pulls/create`, `pulls/update`) when `full`,
/// else the simple one of `pulls/list`.
pub(crate) fn pull(repository: &Repository, template: Value, pull: &PullRequest, full: bool) -> Value {
    let api = api(repository);
    let html = format!("{}/pull/{}", web(repository), pull.number);
    let number = pull.number;
    let base_sha = repository.branch_head(&pull.base_ref).map_or_else(String::new, |commit| commit.sha.clone());
    let label_template = template["labels"][0].clone();
    let head = pull_side(repository, template["head"].clone(), &pull.head_ref, &pull.head_sha);
    let base = pull_side(repository, template["base"].clone(), &pull.base_ref, &base_sha);
    let mut pull_labels = labels(repository, &label_template, pull);
    if !full {
        // The description's pull-request-simple has a label's `description` as a plain string,
        // where its label and pull-request schemas (and GitHub's answers) allow null: an empty
        // description keeps the simple pull request inside its schema.
        for label in pull_labels.as_array_mut().into_iter().flatten() {
            if label["description"].is_null() {
                label["description"] = json!("");
            }
        }
    }
    let link = |href: String| json!({ "href": href });
    let links = json!({
            "self": link(format!("{api}/pulls/{number}")),
            "html": link(html.clone()),
            "issue": link(format!("{api}/issues/{number}")),
            "comments": link(format!("{api}/issues/{number}/comments")),
            "review_comments": link(format!("{api}/pulls/{number}/comments")),
            "review_comment": link(format!("{api}/pulls/comments{{/number}}")),
            "commits": link(format!("{api}/pulls/{number}/commits")),
            "statuses": link(format!("{api}/statuses/{}", pull.head_sha)),
    });
    let body = with(
        template,
        json!({
            "id": pull.id,
            "node_id": node_id("PR_", pull.id),
            "number": number,
            "state": if pull.open { "open" } else { "closed" },
            "locked": false,
            "active_lock_reason": null,
            "title": pull.title,
            "body": pull.body,
            "draft": pull.draft,
            "user": actor(repository, pull.author),
            "author_association": "MEMBER",
            "labels": pull_labels,
            "milestone": null,
            "assignee": null,
            "assignees": [],
            "requested_reviewers": [],
            // Empty, which also keeps out the documented example's team, whose missing `type`
            // breaks the description's own team schema.
            "requested_teams": [],
            "created_at": timestamp(pull.created_at),
            "updated_at": timestamp(pull.updated_at),
            "closed_at": pull.closed_at.map(timestamp),
            "merged_at": null,
            "merge_commit_sha": null,
            "auto_merge": null,
            "url": format!("{api}/pulls/{number}"),
            "html_url": html,
            "diff_url": format!("{html}.diff"),
            "patch_url": format!("{html}.patch"),
            "issue_url": format!("{api}/issues/{number}"),
            "commits_url": format!("{api}/pulls/{number}/commits"),
            "review_comments_url": format!("{api}/pulls/{number}/comments"),
            "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
            "comments_url": format!("{api}/issues/{number}/comments"),
            "statuses_url": format!("{api}/statuses/{}", pull.head_sha),
            "head": head,
            "base": base,
            "_links": links,
        }),
    );
    if !full {
        return body;
    }
    let changes = Changes::between(repository, &base_sha, &pull.head_sha);
    with(
        body,
        json!({
            "merged": false,
            "merged_by": null,
            "mergeable": true,
            "rebaseable": true,
            "mergeable_state": if pull.draft { "draft" } else { "clean" },
            "maintainer_can_modify": false,
            "comments": repository.comments.iter().filter(|comment| comment.issue == number).count(),
            "review_comments": 0,
            "commits": changes.commits,
            "additions": changes.additions,
            "deletions": changes.deletions,
            "changed_files": changes.changed_files,
        }),
    )
}

/// What a pull request's head adds to its base.
struct Changes {
    commits: usize,
    changed_files: usize,
    additions: usize,
    deletions: usize,
}

impl Changes {
    fn between(repository: &Repository, base: &str, head: &str) -> Changes {
        let on_base = repository.ancestry(base);
        let commits = repository.ancestry(head).difference(&on_base).count();
        let (Some(base), Some(head)) = (repository.commit(base), repository.commit(head)) else {
            return Changes { commits, changed_files: 0, additions: 0, deletions: 0 };
        };
        let lines = |content: Option<&Vec<u8>>| content.map_or(0, |bytes| bytes.split(|&byte| byte == b'\n').filter(|line| !line.is_empty()).count());
        let mut changes = Changes { commits, changed_files: 0, additions: 0, deletions: 0 };
        let paths: std::collections::BTreeSet<&String> = base.files.keys().chain(head.files.keys()).collect();
        for path in paths {
            let (before, after) = (base.files.get(path), head.files.get(path));
            if before != after {
                // Whole files count as rewritten: the double keeps no line diff.
                changes.changed_files += 1;
                changes.additions += lines(after);
                changes.deletions += lines(before);
            }
        }
        changes
    }
}

/// A `labeled` or `unlabeled` issue event.
pub(crate) fn issue_event(repository: &Repository, template: Value, event: &IssueEvent) -> Value {
    let color = repository.labels.iter().find(|label| label.name == event.label).map_or("ededed", |label| label.color.as_str());
    with(
        template,
        json!({
            "id": event.id,
            "node_id": node_id("LE_", event.id),
            "url": format!("{}/issues/events/{}", api(repository), event.id),
            "actor": actor(repository, event.actor),
            "event": if event.labeled { "labeled" } else { "unlabeled" },
            "commit_id": null,
            "commit_url": null,
            "created_at": timestamp(event.at),
            "label": { "name": event.label, "color": color },
            "performed_via_github_app": null,
        }),
    )
}

/// An issue comment.
pub(crate) fn comment(repository: &Repository, template: Value, comment: &Comment) -> Value {
    let api = api(repository);
    with(
        template,
        json!({
            "id": comment.id,
            "node_id": node_id("IC_", comment.id),
            "url": format!("{api}/issues/comments/{}", comment.id),
            "html_url": format!("{}/pull/{}#issuecomment-{}", web(repository), comment.issue, comment.id),
            "issue_url": format!("{api}/issues/{}", comment.issue),
            "body": comment.body,
            "user": actor(repository, comment.actor),
            "created_at": timestamp(comment.at),
            "updated_at": timestamp(comment.at),
            "author_association": "MEMBER",
        }),
    )
}

/// A git reference.
pub(crate) fn git_ref(repository: &Repository, template: Value, full_name: &str, sha: &str) -> Value {
    let api = api(repository);
    with(
        template,
        json!({
            "ref": full_name,
            "node_id": node_id("REF_", 0) + &STANDARD.encode(full_name),
            "url": format!("{api}/git/{}", path_segments(full_name)),
            "object": { "type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}") },
        }),
    )
}

fn person(signature: &git::Signature) -> Value {
    json!({ "name": signature.name, "email": signature.email, "date": timestamp(signature.time) })
}

/// The fields a commit has both in `git/get-commit` and in the contents API's answers.
fn commit_fields(repository: &Repository, commit: &Commit) -> Value {
    let api = api(repository);
    json!({
        "sha": commit.sha,
        "node_id": node_id("C_", 0) + &commit.sha,
        "url": format!("{api}/git/commits/{}", commit.sha),
        "html_url": format!("{}/commit/{}", web(repository), commit.sha),
        "author": person(&commit.author),
        "committer": person(&commit.committer),
        "message": commit.message,
        "tree": { "sha": commit.tree_sha, "url": format!("{api}/git/trees/{}", commit.tree_sha) },
        "parents": commit.parents.iter().map(|parent| json!({
            "sha": parent,
            "url": format!("{api}/git/commits/{parent}"),
            "html_url": format!("{}/commit/{parent}", web(repository)),
        })).collect::<Vec<_>>(),
        "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null },
    })
}

/// A git commit (`git/get-commit`).
pub(crate) fn git_commit(repository: &Repository, template: Value, commit: &Commit) -> Value {
    with(template, commit_fields(repository, commit))
}

/// The links every contents entry carries, for `path` (a file, or a folder when `folder`) at `reference`.
fn content_entry_fields(repository: &Repository, path: &str, sha: &str, size: usize, folder: bool, reference: &str) -> Value {
    let api = api(repository);
    let escaped = path_segments(path);
    let url = format!("{api}/contents/{escaped}?ref={}", segment(reference));
    let (git_url, html_url) = if folder {
        (format!("{api}/git/trees/{sha}"), format!("{}/tree/{}/{escaped}", web(repository), segment(reference)))
    } else {
        (format!("{api}/git/blobs/{sha}"), format!("{}/blob/{}/{escaped}", web(repository), segment(reference)))
    };
    let download_url = (!folder).then(|| format!("https://raw.githubusercontent.com/{}/{}/{}/{escaped}", repository.owner, repository.name, segment(reference)));
    json!({
        "type": if folder { "dir" } else { "file" },
        "name": path.rsplit('/').next().unwrap_or(path),
        "path": path,
        "sha": sha,
        "size": size,
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": download_url,
        "_links": { "self": url, "git": git_url, "html": html_url },
    })
}

/// Base64 as GitHub's contents API writes it: a line break after every 60 characters.
fn wrapped_base64(content: &[u8]) -> String {
    let encoded = STANDARD.encode(content);
    let mut wrapped = String::with_capacity(encoded.len() + encoded.len() / 60 + 1);
    for line in encoded.as_bytes().chunks(60) {
        wrapped.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        wrapped.push('\n');
    }
    wrapped
}

/// A file's contents (`repos/get-content` on a file).
pub(crate) fn content_file(repository: &Repository, path: &str, content: &[u8], reference: &str) -> Value {
    let template = example("repos/get-content", 200, "response-if-content-is-a-file");
    let fields = content_entry_fields(repository, path, &git::blob_sha(content), content.len(), false, reference);
    with(with(template, fields), json!({ "encoding": "base64", "content": wrapped_base64(content) }))
}

/// A folder's listing (`repos/get-content` on a folder).
pub(crate) fn content_directory(repository: &Repository, commit: &Commit, folder: &str, reference: &str) -> Value {
    let template = first_item(example("repos/get-content", 200, "response-if-content-is-a-directory"));
    let prefix = if folder.is_empty() { String::new() } else { format!("{folder}/") };
    let mut entries: Vec<Value> = Vec::new();
    let mut seen_folders = std::collections::BTreeSet::new();
    for (path, content) in commit.files.range(prefix.clone()..) {
        let Some(rest) = path.strip_prefix(&prefix) else { break };
        let entry = match rest.split_once('/') {
            None => content_entry_fields(repository, path, &git::blob_sha(content), content.len(), false, reference),
            Some((name, _)) => {
                if !seen_folders.insert(name) {
                    continue;
                }
                let sub = format!("{prefix}{name}");
                let sha = git::tree_sha(&commit.files, &sub).expect("a folder with files has a tree");
                content_entry_fields(repository, &sub, &sha, 0, true, reference)
            }
        };
        entries.push(with(template.clone(), entry));
    }
    Value::Array(entries)
}

/// The answer to writing a file (`repos/create-or-update-file-contents`).
pub(crate) fn file_commit(repository: &Repository, template: Value, commit: &Commit, path: &str, branch: &str) -> Value {
    let content = &commit.files[path];
    let entry = content_entry_fields(repository, path, &git::blob_sha(content), content.len(), false, branch);
    let file = with(template["content"].clone(), entry);
    let commit = with(template["commit"].clone(), commit_fields(repository, commit));
    with(template, json!({ "content": file, "commit": commit }))
}

/// GitHub's error body.
pub(crate) fn basic_error(message: &str, documentation_url: &str, status: u16) -> Value {
    json!({ "message": message, "documentation_url": documentation_url, "status": status.to_string() })
}

/// GitHub's 422 body, listing what failed.
pub(crate) fn validation_failed(errors: Value, documentation_url: &str) -> Value {
    json!({ "message": "Validation Failed", "errors": errors, "documentation_url": documentation_url, "status": "422" })
}
