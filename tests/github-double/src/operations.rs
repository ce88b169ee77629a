//! What each operation does to the repository and answers, as GitHub does it.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::bodies::{self, first_item, recorded};
use crate::description::{Description, Operation};
use crate::repository::{Actor, Comment, PullRequest, Repository};

/// A request the description allows, matched to its operation.
pub(crate) struct Call<'a> {
    pub operation: &'a Operation,
    /// The request's path, as sent.
    pub request_path: &'a str,
    /// The path parameters, decoded.
    pub parameters: &'a BTreeMap<String, String>,
    pub query: &'a [(String, String)],
    pub body: Option<&'a Value>,
}

/// What the double answers.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn ok(status: u16, body: Value) -> Answer {
        Answer { status, body: Some(body), headers: Vec::new() }
    }

    /// GitHub's basic error.
    pub(crate) fn error(status: u16, message: &str, operation: &Operation) -> Answer {
        Answer::ok(status, bodies::basic_error(message, &operation.documentation_url, status))
    }

    fn not_found(operation: &Operation) -> Answer {
        Answer::error(404, "Not Found", operation)
    }

    /// GitHub's 404 for a path no operation serves.
    pub(crate) fn unrouted() -> Answer {
        Answer::ok(404, bodies::basic_error("Not Found", "https://docs.github.com/rest", 404))
    }

    fn validation_failed(errors: Value, operation: &Operation) -> Answer {
        Answer::ok(422, bodies::validation_failed(errors, &operation.documentation_url))
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Answer {
        self.headers.push((name, value));
        self
    }
}

impl Call<'_> {
    fn path(&self, name: &str) -> &str {
        &self.parameters[name]
    }

    fn number(&self, name: &str) -> u64 {
        self.path(name).parse().expect("the description checked the number")
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    fn field(&self, name: &str) -> Option<&Value> {
        self.body.and_then(|body| body.get(name))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(Value::as_str)
    }

    fn example(&self, status: u16, name: &str) -> Value {
        Description::get().example(&self.operation.id, status, name)
    }
}

/// Carries out `call` on `repository`. A change moves the clock on first, so everything it
/// dates is later than all before it.
pub(crate) fn answer(call: &Call, repository: &mut Repository) -> Answer {
    if call.operation.method != "GET" {
        repository.tick();
    }
    match call.operation.id.as_str() {
        "repos/get" => Answer::ok(200, bodies::full_repository(repository)),
        "git/get-ref" => get_ref(call, repository),
        "git/create-ref" => create_ref(call, repository),
        "git/update-ref" => update_ref(call, repository),
        "git/get-commit" => get_commit(call, repository),
        "repos/get-content" => get_content(call, repository),
        "repos/create-or-update-file-contents" => put_content(call, repository),
        "pulls/list" => list_pulls(call, repository),
        "pulls/create" => create_pull(call, repository),
        "pulls/get" => get_pull(call, repository),
        "pulls/update" => update_pull(call, repository),
        "issues/add-labels" => add_labels(call, repository),
        "issues/remove-label" => remove_label(call, repository),
        "issues/list-events" => list_events(call, repository),
        "issues/list-comments" => list_comments(call, repository),
        "issues/create-comment" => create_comment(call, repository),
        other => panic!("the double does not serve {other}"),
    }
}

fn get_ref(call: &Call, repository: &Repository) -> Answer {
    let full_name = format!("refs/{}", call.path("ref"));
    match repository.reference(&full_name) {
        Some(sha) => Answer::ok(200, bodies::git_ref(repository, call.example(200, "default"), &full_name, sha)),
        None => Answer::not_found(call.operation),
    }
}

fn create_ref(call: &Call, repository: &mut Repository) -> Answer {
    let full_name = call.text("ref").expect("the description requires ref");
    let sha = call.text("sha").expect("the description requires sha");
    // GitHub's rule, from the description: it starts with 'refs' and has at least two slashes.
    if !full_name.starts_with("refs/") || full_name.matches('/').count() < 2 {
        return Answer::error(422, "Reference name is not valid", call.operation);
    }
    if repository.reference(full_name).is_some() {
        return Answer::error(422, "Reference already exists", call.operation);
    }
    if repository.commit(sha).is_none() {
        return Answer::error(422, "Object does not exist", call.operation);
    }
    repository.set_reference(full_name, sha);
    let location = format!("{}/repos/{}/{}/git/{full_name}", repository.api_url, repository.owner, repository.name);
    Answer::ok(201, bodies::git_ref(repository, recorded::create_ref(), full_name, sha)).with_header("location", location)
}

fn update_ref(call: &Call, repository: &mut Repository) -> Answer {
    let full_name = format!("refs/{}", call.path("ref"));
    let sha = call.text("sha").expect("the description requires sha");
    let force = call.field("force").and_then(Value::as_bool).unwrap_or(false);
    let Some(current) = repository.reference(&full_name).map(str::to_owned) else {
        return Answer::error(422, "Reference does not exist", call.operation);
    };
    if repository.commit(sha).is_none() {
        return Answer::error(422, "Object does not exist", call.operation);
    }
    if !force && !repository.ancestry(sha).contains(current.as_str()) {
        return Answer::error(422, "Update is not a fast forward", call.operation);
    }
    repository.set_reference(&full_name, sha);
    Answer::ok(200, bodies::git_ref(repository, call.example(200, "default"), &full_name, sha))
}

fn get_commit(call: &Call, repository: &Repository) -> Answer {
    match repository.commit(call.path("commit_sha")) {
        Some(commit) => Answer::ok(200, bodies::git_commit(repository, call.example(200, "default"), commit)),
        None => Answer::not_found(call.operation),
    }
}

fn get_content(call: &Call, repository: &Repository) -> Answer {
    let reference = call.query("ref").unwrap_or(&repository.default_branch);
    let Some(commit) = repository.resolve_commit(reference) else {
        return Answer::error(404, &format!("No commit found for the ref {reference}"), call.operation);
    };
    let path = call.path("path").trim_end_matches('/');
    if let Some(content) = commit.files.get(path) {
        return Answer::ok(200, bodies::content_file(repository, path, content, reference));
    }
    let listing = bodies::content_directory(repository, commit, path, reference);
    if listing.as_array().is_some_and(|entries| !entries.is_empty()) {
        Answer::ok(200, listing)
    } else {
        Answer::not_found(call.operation)
    }
}

fn put_content(call: &Call, repository: &mut Repository) -> Answer {
    let path = call.path("path").trim_end_matches('/').to_owned();
    let branch = call.text("branch").unwrap_or(&repository.default_branch).to_owned();
    let message = call.text("message").expect("the description requires message");
    let Ok(content) = STANDARD.decode(call.text("content").expect("the description requires content")) else {
        return Answer::error(422, "content is not valid Base64", call.operation);
    };
    let Some(head) = repository.branch_head(&branch) else {
        return Answer::error(404, &format!("Branch {branch} not found"), call.operation);
    };
    let existing = head.files.get(&path).map(|content| crate::git::blob_sha(content));
    match (&existing, call.text("sha")) {
        (Some(_), None) => return Answer::error(422, "Invalid request.\n\n\"sha\" wasn't supplied.", call.operation),
        (Some(current), Some(given)) if current != given => {
            return Answer::error(409, &format!("{path} does not match {given}"), call.operation);
        }
        (None, Some(given)) => return Answer::error(409, &format!("{path} does not match {given}"), call.operation),
        _ => {}
    }
    let now = repository.now();
    let signature = |field: &str| {
        call.field(field).map(|who| crate::git::Signature {
            name: who["name"].as_str().unwrap_or_default().to_owned(),
            email: who["email"].as_str().unwrap_or_default().to_owned(),
            time: now,
        })
    };
    let committer = signature("committer").unwrap_or_else(|| Actor::TokenUser.signature(now));
    let author = signature("author").unwrap_or_else(|| committer.clone());
    let sha = repository.commit_file(&branch, &path, content, message, author, committer);
    let commit = repository.commit(&sha).expect("just committed");
    if existing.is_some() {
        Answer::ok(200, bodies::file_commit(repository, call.example(200, "example-for-updating-a-file"), commit, &path, &branch))
    } else {
        Answer::ok(201, bodies::file_commit(repository, recorded::create_file(), commit, &path, &branch))
    }
}

/// The branch a `head` names: `owner:branch`, or a branch of this repository.
fn head_branch<'h>(repository: &Repository, head: &'h str) -> Option<&'h str> {
    match head.split_once(':') {
        Some((owner, branch)) => owner.eq_ignore_ascii_case(&repository.owner).then_some(branch),
        None => Some(head),
    }
}

/// One page of `items`, and GitHub's `Link` header for the others.
fn page<T>(call: &Call, repository: &Repository, items: &[T]) -> (std::ops::Range<usize>, Option<String>) {
    let per_page = call.query("per_page").and_then(|text| text.parse::<usize>().ok()).unwrap_or(30).clamp(1, 100);
    let page = call.query("page").and_then(|text| text.parse::<usize>().ok()).unwrap_or(1).max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let start = ((page - 1) * per_page).min(items.len());
    let range = start..(start + per_page).min(items.len());
    let link_to = |target: usize, relation: &str| {
        let mut query: Vec<(String, String)> = call.query.iter().filter(|(name, _)| name != "page").cloned().collect();
        query.push(("page".to_owned(), target.to_string()));
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
        format!("<{}{}?{query}>; rel=\"{relation}\"", repository.api_url, call.request_path)
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link_to(page - 1, "prev"));
    }
    if page < last {
        links.push(link_to(page + 1, "next"));
        links.push(link_to(last, "last"));
    }
    if page > 1 {
        links.push(link_to(1, "first"));
    }
    (range, (!links.is_empty()).then(|| links.join(", ")))
}

fn paginated(call: &Call, repository: &Repository, items: Vec<Value>) -> Answer {
    let (range, link) = page(call, repository, &items);
    let answer = Answer::ok(200, Value::Array(items[range].to_vec()));
    match link {
        Some(link) => answer.with_header("link", link),
        None => answer,
    }
}

fn list_pulls(call: &Call, repository: &Repository) -> Answer {
    let state = call.query("state").unwrap_or("open");
    // GitHub filters by head only for `owner:branch`; a bare branch name is ignored and every
    // pull request comes back (a known pitfall: hub4j/github-api#538, PyGithub#1566).
    let head = call.query("head").and_then(|head| head.split_once(':'));
    let template = first_item(call.example(200, "default"));
    let mut pulls: Vec<&PullRequest> = repository
        .pulls
        .iter()
        .filter(|pull| match state {
            "open" => pull.open,
            "closed" => !pull.open,
            _ => true,
        })
        .filter(|pull| {
            head.is_none_or(|(owner, branch)| owner.eq_ignore_ascii_case(&repository.owner) && pull.head_ref == branch)
        })
        .filter(|pull| call.query("base").is_none_or(|base| pull.base_ref == base))
        .collect();
    // Newest first, GitHub's default order.
    pulls.sort_by_key(|pull| std::cmp::Reverse(pull.number));
    let items = pulls.into_iter().map(|pull| bodies::pull(repository, template.clone(), pull, false)).collect();
    paginated(call, repository, items)
}

fn create_pull(call: &Call, repository: &mut Repository) -> Answer {
    let head = call.text("head").expect("the description requires head");
    let base = call.text("base").expect("the description requires base");
    let invalid = |field: &str| json!([{ "resource": "PullRequest", "field": field, "code": "invalid" }]);
    let Some(title) = call.text("title") else {
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "field": "title", "code": "missing_field" }]), call.operation);
    };
    let Some(head_ref) = head_branch(repository, head).filter(|branch| repository.branch_head(branch).is_some()) else {
        return Answer::validation_failed(invalid("head"), call.operation);
    };
    let Some(base_commit) = repository.branch_head(base) else {
        return Answer::validation_failed(invalid("base"), call.operation);
    };
    let head_sha = repository.branch_head(head_ref).expect("checked above").sha.clone();
    if repository.ancestry(&base_commit.sha).contains(head_sha.as_str()) {
        let message = format!("No commits between {base} and {head_ref}");
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "code": "custom", "message": message }]), call.operation);
    }
    if repository.pulls.iter().any(|pull| pull.open && pull.head_ref == head_ref && pull.base_ref == base) {
        let message = format!("A pull request already exists for {}:{head_ref}.", repository.owner);
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "code": "custom", "message": message }]), call.operation);
    }
    let draft = call.field("draft").and_then(Value::as_bool).unwrap_or(false);
    if draft && !repository.drafts_supported {
        let message = "Draft pull requests are not supported in this repository.";
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "code": "custom", "message": message }]), call.operation);
    }
    let now = repository.now();
    let pull = PullRequest {
        number: repository.pulls.len() as u64 + 1,
        id: repository.next_id(),
        head_ref: head_ref.to_owned(),
        head_sha,
        base_ref: base.to_owned(),
        title: title.to_owned(),
        body: call.text("body").map(str::to_owned),
        draft,
        open: true,
        labels: Vec::new(),
        author: Actor::TokenUser,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let body = bodies::pull(repository, call.example(201, "default"), &pull, true);
    let location = body["url"].as_str().expect("a pull request has a url").to_owned();
    repository.pulls.push(pull);
    Answer::ok(201, body).with_header("location", location)
}

fn get_pull(call: &Call, repository: &Repository) -> Answer {
    match repository.pull(call.number("pull_number")) {
        Some(pull) => Answer::ok(200, bodies::pull(repository, call.example(200, "default"), pull, true)),
        None => Answer::not_found(call.operation),
    }
}

fn update_pull(call: &Call, repository: &mut Repository) -> Answer {
    let number = call.number("pull_number");
    let now = repository.now();
    let Some(pull) = repository.pull(number) else {
        return Answer::not_found(call.operation);
    };
    let base = call.text("base").unwrap_or(&pull.base_ref).to_owned();
    if repository.branch_head(&base).is_none() {
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "field": "base", "code": "invalid" }]), call.operation);
    }
    let reopening = call.text("state") == Some("open") && !pull.open;
    let head_ref = pull.head_ref.clone();
    if reopening && repository.pulls.iter().any(|other| other.open && other.head_ref == head_ref && other.base_ref == base) {
        let message = format!("A pull request already exists for {}:{head_ref}.", repository.owner);
        return Answer::validation_failed(json!([{ "resource": "PullRequest", "code": "custom", "message": message }]), call.operation);
    }
    let pull = repository.pull_mut(number).expect("found above");
    if let Some(title) = call.text("title") {
        pull.title = title.to_owned();
    }
    if let Some(body) = call.text("body") {
        pull.body = Some(body.to_owned());
    }
    if let Some(state) = call.text("state") {
        pull.open = state == "open";
        pull.closed_at = (!pull.open).then_some(now);
    }
    pull.base_ref = base;
    pull.updated_at = now;
    let pull = repository.pull(number).expect("found above");
    Answer::ok(200, bodies::pull(repository, call.example(200, "default"), pull, true))
}

/// The label names in `issues/add-labels`' body: strings or `{name}` objects.
fn label_names(body: Option<&Value>) -> Vec<String> {
    body.and_then(|body| body.get("labels"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|label| label.as_str().or_else(|| label["name"].as_str()))
        .map(str::to_owned)
        .collect()
}

fn add_labels(call: &Call, repository: &mut Repository) -> Answer {
    let number = call.number("issue_number");
    if repository.pull(number).is_none() {
        return Answer::not_found(call.operation);
    }
    for name in label_names(call.body) {
        repository.add_label(number, &name, Actor::TokenUser);
    }
    let template = first_item(recorded::add_labels());
    let pull = repository.pull(number).expect("checked above");
    Answer::ok(200, bodies::labels(repository, &template, pull))
}

fn remove_label(call: &Call, repository: &mut Repository) -> Answer {
    let number = call.number("issue_number");
    if repository.pull(number).is_none() {
        return Answer::not_found(call.operation);
    }
    if !repository.remove_label(number, call.path("name"), Actor::TokenUser) {
        return Answer::error(404, "Label does not exist", call.operation);
    }
    let template = first_item(call.example(200, "default"));
    let pull = repository.pull(number).expect("checked above");
    Answer::ok(200, bodies::labels(repository, &template, pull))
}

fn list_events(call: &Call, repository: &Repository) -> Answer {
    let number = call.number("issue_number");
    if repository.pull(number).is_none() {
        return Answer::not_found(call.operation);
    }
    let template = first_item(call.example(200, "default"));
    let events = repository
        .events
        .iter()
        .filter(|event| event.issue == number)
        .map(|event| bodies::issue_event(repository, template.clone(), event))
        .collect();
    paginated(call, repository, events)
}

fn list_comments(call: &Call, repository: &Repository) -> Answer {
    let number = call.number("issue_number");
    if repository.pull(number).is_none() {
        return Answer::not_found(call.operation);
    }
    let since = call.query("since").and_then(|since| humantime::parse_rfc3339(since).ok());
    let template = first_item(call.example(200, "default"));
    let comments = repository
        .comments
        .iter()
        .filter(|comment| comment.issue == number)
        .filter(|comment| since.is_none_or(|since| std::time::UNIX_EPOCH + std::time::Duration::from_secs(comment.at) >= since))
        .map(|comment| bodies::comment(repository, template.clone(), comment))
        .collect();
    paginated(call, repository, comments)
}

fn create_comment(call: &Call, repository: &mut Repository) -> Answer {
    let number = call.number("issue_number");
    if repository.pull(number).is_none() {
        return Answer::not_found(call.operation);
    }
    let comment = Comment {
        id: repository.next_id(),
        issue: number,
        body: call.text("body").expect("the description requires body").to_owned(),
        actor: Actor::TokenUser,
        at: repository.now(),
    };
    let body = bodies::comment(repository, call.example(201, "default"), &comment);
    let location = body["url"].as_str().expect("a comment has a url").to_owned();
    repository.comments.push(comment);
    Answer::ok(201, body).with_header("location", location)
}
