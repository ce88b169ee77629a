//! The GitHub double against itself: what it accepts, refuses, remembers and plays.

mod support;

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use planhost_github_double::{Fault, FaultKind, GitHub, REVIEWER, TOKEN_USER};
use rstest::rstest;
use serde_json::{Value, json};
use support::{Reply, send, send_raw};

const BRANCH: &str = "planhost/infra-scale/staging";
const PLAN: &str = "ops/plans/infra-scale/staging/plan.yaml";

fn start() -> GitHub {
    GitHub::start("acme", "infra")
}

/// Creates the plan branch from main and commits the plan file on it.
fn branch_with_plan(github: &GitHub, content: &str) -> Reply {
    let main = github.head_sha("main").expect("main exists");
    let created = send(github, "POST", "/repos/acme/infra/git/refs", Some(json!({ "ref": format!("refs/heads/{BRANCH}"), "sha": main })));
    assert_eq!(created.status, 201, "{}", created.body);
    let put = send(
        github,
        "PUT",
        &format!("/repos/acme/infra/contents/{PLAN}"),
        Some(json!({ "message": "Add the staging plan", "content": STANDARD.encode(content), "branch": BRANCH })),
    );
    assert_eq!(put.status, 201, "{}", put.body);
    put
}

fn open_draft(github: &GitHub) -> Reply {
    send(
        github,
        "POST",
        "/repos/acme/infra/pulls",
        Some(json!({ "title": "infra-scale: staging", "head": BRANCH, "base": "main", "body": "The plan.", "draft": true })),
    )
}

/// Drops the double, which must panic because of its violations; returns the panic message.
fn drop_panics(github: GitHub) -> String {
    let panic = catch_unwind(AssertUnwindSafe(|| drop(github))).expect_err("a double with violations panics when dropped");
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[rstest]
#[case::body_missing_head("POST", "/repos/acme/infra/pulls", Some(r#"{"title":"t","base":"main"}"#), "\"head\" is a required property")]
#[case::draft_is_not_a_boolean("POST", "/repos/acme/infra/pulls", Some(r#"{"title":"t","head":"b","base":"main","draft":"yes"}"#), "draft")]
#[case::undeclared_query_parameter("GET", "/repos/acme/infra/pulls?status=open", None, "query parameter status is not described")]
#[case::query_parameter_outside_its_enum("GET", "/repos/acme/infra/pulls?state=merged", None, "parameter state")]
#[case::path_parameter_not_a_number("GET", "/repos/acme/infra/pulls/first", None, "parameter pull_number")]
#[case::unknown_route("GET", "/repos/acme/infra/branches/main", None, "no operation of GitHub's description matches")]
#[case::method_not_described("DELETE", "/repos/acme/infra/pulls/1", None, "no operation of GitHub's description matches")]
#[case::required_body_missing("POST", "/repos/acme/infra/issues/1/comments", None, "the request body is required")]
#[case::body_where_none_is_described("GET", "/repos/acme/infra", Some(r#"{"x":1}"#), "describes no request body")]
#[case::body_not_json("POST", "/repos/acme/infra/git/refs", Some("ref=refs/heads/x"), "the body is not JSON")]
fn a_request_outside_the_description_is_a_violation(
    #[case] method: &str,
    #[case] path: &str,
    #[case] body: Option<&str>,
    #[case] expected: &str,
) {
    let github = start();
    let headers = [("User-Agent", "tests".to_owned()), ("Authorization", format!("token {}", github.token()))];
    let reply = send_raw(&github, method, path, &headers, body);
    assert!(reply.status >= 400, "answered {}", reply.status);
    let violations = github.violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].contains(expected), "{violations:#?}");
    let asserted = catch_unwind(AssertUnwindSafe(|| github.assert_no_violations()));
    assert!(asserted.is_err(), "assert_no_violations passes over a violation");
    assert!(drop_panics(github).contains(expected));
}

#[test]
fn an_enterprise_double_serves_under_api_v3_and_nowhere_else() {
    let github = GitHub::start_enterprise("acme", "infra");
    assert!(github.api_url().ends_with("/api/v3"), "{}", github.api_url());
    let repository = send(&github, "GET", "/api/v3/repos/acme/infra", None);
    assert_eq!(repository.status, 200, "{}", repository.body);
    assert!(repository.body["url"].as_str().unwrap().starts_with(&github.api_url()), "{}", repository.body);
    github.assert_no_violations();

    let outside = send(&github, "GET", "/repos/acme/infra", None);
    assert_eq!(outside.status, 404);
    assert!(drop_panics(github).contains("GET /repos/acme/infra: not under the API's path /api/v3"));
}

#[test]
fn a_request_without_user_agent_is_refused_and_a_violation() {
    let github = start();
    let reply = send_raw(&github, "GET", "/repos/acme/infra", &[("Authorization", format!("Bearer {}", github.token()))], None);
    assert_eq!(reply.status, 403);
    assert!(reply.body["message"].as_str().unwrap().contains("User-Agent"));
    assert!(drop_panics(github).contains("no User-Agent header"));
}

#[test]
fn a_missing_or_wrong_token_is_401_and_no_violation() {
    let github = start();
    let anonymous = send_raw(&github, "GET", "/repos/acme/infra", &[("User-Agent", "tests".to_owned())], None);
    assert_eq!(anonymous.status, 401);
    let wrong = send_raw(&github, "GET", "/repos/acme/infra", &[("User-Agent", "tests".to_owned()), ("Authorization", "Bearer nope".to_owned())], None);
    assert_eq!((wrong.status, wrong.body["message"].as_str()), (401, Some("Bad credentials")));
    github.assert_no_violations();
}

#[test]
fn branch_file_draft_pull_request_labels_and_comments_round_trip() {
    let github = start();
    let main = github.head_sha("main").unwrap();

    let repository = send(&github, "GET", "/repos/acme/infra", None);
    assert_eq!((repository.status, repository.body["default_branch"].as_str()), (200, Some("main")));
    let main_ref = send(&github, "GET", "/repos/acme/infra/git/ref/heads/main", None);
    assert_eq!(main_ref.body["object"]["sha"], main.as_str());
    assert_eq!(send(&github, "GET", &format!("/repos/acme/infra/git/ref/heads/{BRANCH}"), None).status, 404);

    let put = branch_with_plan(&github, "replicas: 6\n");
    let branch_ref = send(&github, "GET", &format!("/repos/acme/infra/git/ref/heads/{BRANCH}"), None);
    let head = github.head_sha(BRANCH).unwrap();
    assert_eq!(branch_ref.body["ref"], format!("refs/heads/{BRANCH}"));
    assert_eq!(branch_ref.body["object"]["sha"], head.as_str());
    assert_eq!(put.body["commit"]["sha"], head.as_str());
    assert_eq!(github.commit_count(BRANCH), 2);
    assert_eq!(github.commit_count("main"), 1);
    assert_eq!(github.file(BRANCH, PLAN).as_deref(), Some("replicas: 6\n"));
    assert_eq!(github.file("main", PLAN), None);

    let commit = send(&github, "GET", &format!("/repos/acme/infra/git/commits/{head}"), None);
    assert_eq!(commit.body["parents"][0]["sha"], main.as_str());
    assert_eq!(commit.body["committer"]["date"], "2026-01-01T00:00:02Z");

    let content = send(&github, "GET", &format!("/repos/acme/infra/contents/{PLAN}?ref={BRANCH}"), None);
    let encoded = content.body["content"].as_str().unwrap();
    assert_eq!(STANDARD.decode(encoded.replace('\n', "")).unwrap(), b"replicas: 6\n");
    let folder = send(&github, "GET", &format!("/repos/acme/infra/contents/ops/plans?ref={BRANCH}"), None);
    assert_eq!(folder.body[0]["type"], "dir");

    let created = open_draft(&github);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["draft"], true);
    assert_eq!(created.body["head"]["sha"], head.as_str());
    assert_eq!(created.header("location"), created.body["url"].as_str());
    let number = created.body["number"].as_u64().unwrap();

    let labels = send(&github, "POST", &format!("/repos/acme/infra/issues/{number}/labels"), Some(json!({ "labels": ["needs-approval"] })));
    assert_eq!(labels.body[0]["name"], "needs-approval");
    let listed = send(&github, "GET", &format!("/repos/acme/infra/pulls?state=open&head=acme:{BRANCH}&base=main&per_page=100&page=1"), None);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["labels"][0]["name"], "needs-approval");
    let elsewhere = send(&github, "GET", "/repos/acme/infra/pulls?head=acme:other", None);
    assert_eq!(elsewhere.body, json!([]));

    let comment = send(&github, "POST", &format!("/repos/acme/infra/issues/{number}/comments"), Some(json!({ "body": "Plan digest: abc" })));
    assert_eq!(comment.status, 201);
    let comments = send(&github, "GET", &format!("/repos/acme/infra/issues/{number}/comments?per_page=100"), None);
    assert_eq!(comments.body[0]["body"], "Plan digest: abc");

    let updated = send(&github, "PATCH", &format!("/repos/acme/infra/pulls/{number}"), Some(json!({ "title": "infra-scale: staging (rerun)", "body": "New plan." })));
    assert_eq!(updated.body["title"], "infra-scale: staging (rerun)");
    let removed = send(&github, "DELETE", &format!("/repos/acme/infra/issues/{number}/labels/needs-approval"), None);
    assert_eq!(removed.body, json!([]));
    let events = send(&github, "GET", &format!("/repos/acme/infra/issues/{number}/events?per_page=100"), None);
    let kinds: Vec<&Value> = events.body.as_array().unwrap().iter().map(|event| &event["event"]).collect();
    assert_eq!(kinds, ["labeled", "unlabeled"]);
    assert_eq!(events.body[0]["actor"]["login"], TOKEN_USER);

    let moved = send(&github, "PATCH", &format!("/repos/acme/infra/git/refs/heads/{BRANCH}"), Some(json!({ "sha": main, "force": true })));
    assert_eq!(moved.body["object"]["sha"], main.as_str());
    assert_eq!(github.pulls()[0].head_sha, main);

    let pull = send(&github, "GET", &format!("/repos/acme/infra/pulls/{number}"), None);
    assert_eq!(pull.body["head"]["sha"], main.as_str());
    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1);
    let pull = &pulls[0];
    assert_eq!((pull.number, pull.head_ref.as_str(), pull.base_ref.as_str()), (1, BRANCH, "main"));
    assert_eq!((pull.title.as_str(), pull.body.as_deref(), pull.draft, pull.state.as_str()), ("infra-scale: staging (rerun)", Some("New plan."), true, "open"));
    assert!(pull.labels.is_empty());
    assert_eq!(pull.html_url, "https://github.com/acme/infra/pull/1");
    assert_eq!(github.comments(1), ["Plan digest: abc"]);
    github.assert_no_violations();
    let operations: Vec<Option<String>> = github.requests().into_iter().map(|request| request.operation_id).collect();
    assert!(operations.contains(&Some("issues/list-events".to_owned())));
}

#[test]
fn what_github_refuses_it_refuses_as_github_does() {
    let github = start();
    let main = github.head_sha("main").unwrap();
    branch_with_plan(&github, "replicas: 6\n");

    let again = send(&github, "POST", "/repos/acme/infra/git/refs", Some(json!({ "ref": format!("refs/heads/{BRANCH}"), "sha": main })));
    assert_eq!((again.status, again.body["message"].as_str()), (422, Some("Reference already exists")));

    let path = format!("/repos/acme/infra/contents/{PLAN}");
    let without_sha = send(&github, "PUT", &path, Some(json!({ "message": "m", "content": STANDARD.encode("x"), "branch": BRANCH })));
    assert_eq!(without_sha.status, 422);
    assert!(without_sha.body["message"].as_str().unwrap().contains("\"sha\" wasn't supplied"));
    let stale = send(&github, "PUT", &path, Some(json!({ "message": "m", "content": STANDARD.encode("x"), "branch": BRANCH, "sha": main })));
    assert_eq!(stale.status, 409);
    let current = github.file(BRANCH, PLAN).unwrap();
    let sha = send(&github, "GET", &format!("{path}?ref={BRANCH}"), None).body["sha"].as_str().unwrap().to_owned();
    let update = send(&github, "PUT", &path, Some(json!({ "message": "m", "content": STANDARD.encode("replicas: 8\n"), "branch": BRANCH, "sha": sha })));
    assert_eq!(update.status, 200, "{current} {}", update.body);

    assert_eq!(open_draft(&github).status, 201);
    let duplicate = open_draft(&github);
    assert_eq!(duplicate.status, 422);
    assert_eq!(duplicate.body["errors"][0]["message"], format!("A pull request already exists for acme:{BRANCH}."));
    let missing = send(&github, "GET", "/repos/acme/infra/pulls/7", None);
    assert_eq!((missing.status, missing.body["message"].as_str()), (404, Some("Not Found")));
    assert_eq!(send(&github, "GET", "/repos/acme/elsewhere", None).status, 404);
    github.assert_no_violations();
}

#[test]
fn each_fault_fires_the_configured_number_of_times_then_stops() {
    let github = start();
    branch_with_plan(&github, "replicas: 6\n");
    let list = |github: &GitHub| send(github, "GET", "/repos/acme/infra/pulls", None);

    github.inject(Fault { operation: "pulls/list", kind: FaultKind::ServerError, times: 2 });
    let statuses: Vec<u16> = (0..3).map(|_| list(&github).status).collect();
    assert_eq!(statuses, [500, 500, 200]);

    github.inject(Fault { operation: "pulls/list", kind: FaultKind::RateLimited { retry_after_secs: 7 }, times: 1 });
    let limited = list(&github);
    assert_eq!((limited.status, limited.header("retry-after"), limited.header("x-ratelimit-remaining")), (429, Some("7"), Some("0")));
    assert_eq!(list(&github).status, 200);

    github.inject(Fault { operation: "pulls/list", kind: FaultKind::SecondaryRateLimit { retry_after_secs: 60 }, times: 1 });
    let secondary = list(&github);
    assert_eq!((secondary.status, secondary.header("retry-after")), (403, Some("60")));
    assert!(secondary.body["message"].as_str().unwrap().contains("secondary rate limit"));
    assert_eq!(list(&github).status, 200);

    github.inject(Fault { operation: "pulls/create", kind: FaultKind::ServerErrorAfterApplying, times: 1 });
    assert_eq!(open_draft(&github).status, 500);
    assert_eq!(github.pulls().len(), 1, "the create was applied although its answer was lost");
    assert_eq!(open_draft(&github).status, 422, "a retry finds the pull request it made");

    for reply in [&limited, &secondary] {
        assert!(reply.header("x-ratelimit-limit").is_some() && reply.header("x-ratelimit-resource") == Some("core"));
    }
    github.assert_no_violations();
}

#[test]
fn a_file_s_blob_sha_is_what_git_hash_object_computes() {
    let github = start();
    let content = "replicas: 6\nresources:\n  cpu: 500m\n";
    let put = branch_with_plan(&github, content);
    let mut git = Command::new("git").args(["hash-object", "--stdin"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("git runs");
    git.stdin.take().unwrap().write_all(content.as_bytes()).unwrap();
    let output = git.wait_with_output().unwrap();
    let expected = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert_eq!(put.body["content"]["sha"], expected.as_str());
    let got = send(&github, "GET", &format!("/repos/acme/infra/contents/{PLAN}?ref={BRANCH}"), None);
    assert_eq!(got.body["sha"], expected.as_str());
    github.assert_no_violations();
}

#[test]
fn contents_come_as_base64_broken_every_60_characters() {
    let github = start();
    let content = "x".repeat(100);
    branch_with_plan(&github, &content);
    let got = send(&github, "GET", &format!("/repos/acme/infra/contents/{PLAN}?ref={BRANCH}"), None);
    let encoded = got.body["content"].as_str().unwrap();
    let lines: Vec<usize> = encoded.split_terminator('\n').map(str::len).collect();
    assert_eq!(lines, [60, 60, 16]);
    assert!(encoded.ends_with('\n'));
}

#[test]
fn a_token_without_the_permission_gets_403_naming_what_is_accepted() {
    let github = start();
    branch_with_plan(&github, "replicas: 6\n");
    assert_eq!(open_draft(&github).status, 201);
    github.set_token_permissions(&[("contents", "read"), ("pull_requests", "read")]);

    let put = send(&github, "PUT", &format!("/repos/acme/infra/contents/{PLAN}"), Some(json!({ "message": "m", "content": "eA==", "branch": BRANCH })));
    assert_eq!(put.status, 403);
    assert_eq!(put.body["message"], "Resource not accessible by personal access token");
    assert_eq!(put.header("x-accepted-github-permissions"), Some("contents=write"));
    let label = send(&github, "POST", "/repos/acme/infra/issues/1/labels", Some(json!({ "labels": ["x"] })));
    assert_eq!((label.status, label.header("x-accepted-github-permissions")), (403, Some("issues=write; pull_requests=write")));
    assert_eq!(send(&github, "GET", "/repos/acme/infra/pulls/1", None).status, 200);

    github.set_token_permissions(&[("pull_requests", "write")]);
    assert_eq!(send(&github, "POST", "/repos/acme/infra/issues/1/labels", Some(json!({ "labels": ["x"] }))).status, 200);
    github.assert_no_violations();
}

#[test]
fn reviewers_and_pushes_in_the_web_ui_show_through_the_api_in_order() {
    let github = start();
    branch_with_plan(&github, "replicas: 6\n");
    let created = open_draft(&github);
    let created_at = created.body["created_at"].as_str().unwrap().to_owned();

    github.label_as_reviewer(1, "execute-plan");
    let pushed = github.push_as_user(BRANCH, PLAN, "replicas: 9\n");
    github.unlabel_as_reviewer(1, "execute-plan");

    assert_eq!(github.pulls()[0].head_sha, pushed);
    assert_eq!(github.head_sha(BRANCH).as_deref(), Some(pushed.as_str()));
    assert_eq!(github.file(BRANCH, PLAN).as_deref(), Some("replicas: 9\n"));
    assert_eq!(github.commit_count(BRANCH), 3);
    let pull = send(&github, "GET", "/repos/acme/infra/pulls/1", None);
    assert_eq!(pull.body["head"]["sha"], pushed.as_str());

    let events = send(&github, "GET", "/repos/acme/infra/issues/1/events", None).body;
    assert_eq!(events[0]["event"], "labeled");
    assert_eq!(events[0]["label"]["name"], "execute-plan");
    assert_eq!(events[0]["actor"]["login"], REVIEWER);
    assert_eq!(events[1]["event"], "unlabeled");
    let commit = send(&github, "GET", &format!("/repos/acme/infra/git/commits/{pushed}"), None).body;
    let labeled_at = events[0]["created_at"].as_str().unwrap();
    let pushed_at = commit["committer"]["date"].as_str().unwrap();
    let unlabeled_at = events[1]["created_at"].as_str().unwrap();
    assert!(created_at.as_str() < labeled_at && labeled_at < pushed_at && pushed_at < unlabeled_at);
    github.assert_no_violations();
}

#[test]
fn lists_are_paginated_with_a_link_header() {
    let github = start();
    branch_with_plan(&github, "replicas: 6\n");
    open_draft(&github);
    for label in ["a", "b", "c"] {
        github.label_as_reviewer(1, label);
    }
    let first = send(&github, "GET", "/repos/acme/infra/issues/1/events?per_page=2", None);
    assert_eq!(first.body.as_array().unwrap().len(), 2);
    let link = first.header("link").expect("a first page of two links on");
    assert!(link.contains("page=2>; rel=\"next\""), "{link}");
    let second = send(&github, "GET", "/repos/acme/infra/issues/1/events?per_page=2&page=2", None);
    assert_eq!(second.body[0]["label"]["name"], "c");
    github.assert_no_violations();
}
