//! The pull-request flow end to end: `scale --apply`, the label gates of `execute --pr` and
//! `rollback --execute --pr`, result comments and GitHub's faults, against the GitHub double
//! (every request checked against GitHub's own OpenAPI description) and, where a plan is
//! released, the real test control plane.

mod support;

use std::process::Output;

use planhost_github_double::{Fault, FaultKind, GitHub, Pull};
use rstest::rstest;
use sha2::Digest as _;
use support::{Sandbox, TestNamespace, test_kubeconfig, workload_manifest};

const BRANCH: &str = "planhost/infra-scale/staging";
const PLAN_PATH: &str = "ops/plans/infra-scale/staging/plan.yaml";
const SUMMARY_PATH: &str = "ops/plans/infra-scale/staging/SUMMARY.md";

/// The staging request, offline (no cluster), with `web`'s replicas.
fn staging(web_replicas: u32) -> Vec<String> {
    [
        "scale",
        "--target=staging",
        "--namespace=assistant-staging",
        &format!("--workload=Deployment:web:{web_replicas}"),
        "--workload=Deployment:api:2",
        "--hpa=min:2,max:6,cpu:70",
        "--req=web:cpu=300m,mem=512Mi",
        "--lim=web:cpu=700m,mem=1Gi",
        "--offline",
        "--apply",
    ]
    .map(str::to_string)
    .to_vec()
}

/// `planhost` in `sandbox`, pointed at `github`.
fn planhost(sandbox: &Sandbox, github: &GitHub) -> assert_cmd::Command {
    let mut command = sandbox.planhost();
    command
        .env("GH_OWNER", "acme")
        .env("GH_REPO", "infra")
        .env("GITHUB_TOKEN", github.token())
        .env("GITHUB_API_URL", github.api_url())
        .env("PLANHOST_GITHUB_TIMEOUT", "10s");
    command
}

fn run(command: &mut assert_cmd::Command) -> Output {
    command.output().expect("planhost runs")
}

fn lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_string).collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeded(output: &Output) {
    assert!(output.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", output.status.code(), String::from_utf8_lossy(&output.stdout), stderr(output));
}

/// The reason a gated run printed before its final `skipped`; a run that did not skip fails.
fn skipped(output: &Output) -> String {
    let printed = lines(output);
    let [reason, status] = printed.as_slice() else { panic!("expected skip_reason= and skipped, got {printed:?}") };
    assert_eq!(status, "skipped");
    reason.strip_prefix("skip_reason=").unwrap_or_else(|| panic!("not a skip_reason= line: {reason}")).to_string()
}

fn only_pull(github: &GitHub) -> Pull {
    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:#?}");
    pulls.into_iter().next().expect("one pull request")
}

fn sha256(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The local plan file an apply wrote (its `plan_yaml=` line).
fn local_plan(sandbox: &Sandbox, output: &Output) -> String {
    let line = lines(output).into_iter().find_map(|line| line.strip_prefix("plan_yaml=").map(str::to_string)).expect("a plan_yaml line");
    std::fs::read_to_string(sandbox.path().join(line)).expect("the local plan")
}

/// Requests that change something on GitHub.
fn writes(github: &GitHub) -> Vec<String> {
    github
        .requests()
        .into_iter()
        .filter(|request| request.method != "GET")
        .map(|request| format!("{} {} {}", request.method, request.path_and_query, request.status))
        .collect()
}

#[test]
fn first_apply_commits_the_plan_opens_a_draft_pull_request_and_asks_for_approval() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let main_commits = github.commit_count("main");
    let output = run(planhost(&sandbox, &github).args(staging(2)));
    succeeded(&output);

    let pull = only_pull(&github);
    let printed = lines(&output);
    assert_eq!(printed[printed.len() - 2..], [format!("outputs_uri={}", pull.html_url), "awaiting_approval".to_string()]);
    assert_eq!(pull.head_ref, BRANCH);
    assert_eq!(pull.base_ref, "main");
    assert!(pull.draft, "the pull request must be a draft");
    assert_eq!(pull.state, "open");
    assert_eq!(pull.labels, ["needs-approval"]);
    assert_eq!(pull.title, "infra-scale: staging (assistant-staging)");

    let plan = local_plan(&sandbox, &output);
    assert_eq!(github.file(BRANCH, PLAN_PATH).as_deref(), Some(plan.as_str()));
    let summary = github.file(BRANCH, SUMMARY_PATH).expect("SUMMARY.md on the branch");
    assert!(summary.starts_with("# Scale plan: `staging` in namespace `assistant-staging`"), "{summary}");
    let body = pull.body.expect("a description");
    assert!(body.starts_with(&format!("<!-- planhost:plan path={PLAN_PATH} sha256={} -->", sha256(&plan))), "{body}");
    assert!(body.ends_with(&summary), "the description is the summary");
    assert_eq!(github.commit_count(BRANCH), main_commits + 2, "one commit per file");
    assert_eq!(pull.head_sha, github.head_sha(BRANCH).expect("the branch"));
    github.assert_no_violations();
}

#[test]
fn a_rerun_with_a_changed_plan_updates_the_same_branch_and_pull_request_and_voids_the_approval() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    succeeded(&run(planhost(&sandbox, &github).args(staging(2))));
    let first = only_pull(&github);
    github.label_as_reviewer(first.number, "execute-plan");

    let output = run(planhost(&sandbox, &github).args(staging(3)));
    succeeded(&output);
    let second = only_pull(&github);
    assert_eq!(second.number, first.number, "the same pull request");
    assert_eq!(lines(&output).iter().rev().nth(1), Some(&format!("outputs_uri={}", first.html_url)));
    assert_ne!(second.head_sha, first.head_sha, "a new commit");
    let plan = local_plan(&sandbox, &output);
    assert!(plan.contains("replicas: 3"));
    assert_eq!(github.file(BRANCH, PLAN_PATH).as_deref(), Some(plan.as_str()));
    assert!(second.body.expect("a description").contains(&sha256(&plan)), "the description records the new plan");
    assert_eq!(second.labels, ["needs-approval"], "the approval of the old plan is removed");
    github.assert_no_violations();
}

#[test]
fn a_rerun_with_the_same_plan_made_later_changes_nothing() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    succeeded(&run(planhost(&sandbox, &github).args(staging(2))));
    let before = only_pull(&github);
    let writes_before = writes(&github);

    // Another second: plan.yaml's time differs, the plan does not.
    let output = run(planhost(&sandbox, &github).args(staging(2)).env("SOURCE_DATE_EPOCH", "1764003600"));
    succeeded(&output);
    assert_eq!(lines(&output).last().map(String::as_str), Some("awaiting_approval"));
    assert_eq!(writes(&github), writes_before, "the rerun wrote to GitHub");
    assert_eq!(only_pull(&github), before);
    github.assert_no_violations();
}

#[test]
fn a_repository_without_drafts_gets_a_ready_pull_request_that_still_awaits_approval() {
    let github = GitHub::start("acme", "infra");
    github.refuse_draft_pull_requests();
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)));
    succeeded(&output);
    assert!(stderr(&output).contains("Draft pull requests are not supported in this repository"), "{}", stderr(&output));
    let pull = only_pull(&github);
    assert!(!pull.draft);
    assert_eq!(pull.labels, ["needs-approval"]);
    assert_eq!(lines(&output).last().map(String::as_str), Some("awaiting_approval"));
    github.assert_no_violations();
}

#[test]
fn a_rerun_with_the_same_plan_repairs_a_summary_that_is_not_the_plans() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    succeeded(&run(planhost(&sandbox, &github).args(staging(2))));
    let summary = github.file(BRANCH, SUMMARY_PATH).expect("SUMMARY.md");
    let plan = github.file(BRANCH, PLAN_PATH).expect("plan.yaml");
    github.push_as_user(BRANCH, SUMMARY_PATH, "not the summary\n");

    succeeded(&run(planhost(&sandbox, &github).args(staging(2)).env("SOURCE_DATE_EPOCH", "1764003600")));
    assert_eq!(github.file(BRANCH, SUMMARY_PATH), Some(summary), "the summary of the plan on the branch is back");
    assert_eq!(github.file(BRANCH, PLAN_PATH), Some(plan), "the plan made earlier is kept");
    github.assert_no_violations();
}

#[rstest]
#[case::owner("GH_OWNER")]
#[case::repo("GH_REPO")]
#[case::token("GITHUB_TOKEN")]
fn a_missing_variable_is_named_and_nothing_is_planned_or_sent(#[case] variable: &str) {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)).env_remove(variable));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("{variable} is not set")), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert_eq!(sandbox.files(), Vec::<String>::new(), "nothing may be written");
    assert!(github.requests().is_empty(), "nothing may be sent");
}

#[test]
fn a_token_github_refuses_is_bad_input() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)).env("GITHUB_TOKEN", "ghp_not_the_token"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("GitHub refused GITHUB_TOKEN"), "{}", stderr(&output));
    assert!(github.pulls().is_empty());
}

#[rstest]
#[case::contents(&[("contents", "read"), ("pull_requests", "write"), ("issues", "write")], "contents:write")]
#[case::pull_requests(&[("contents", "write"), ("pull_requests", "read"), ("issues", "write")], "pull-requests:write")]
fn a_missing_token_permission_is_named_and_a_rerun_with_it_finishes(#[case] grants: &[(&str, &str)], #[case] permission: &str) {
    let github = GitHub::start("acme", "infra");
    github.set_token_permissions(grants);
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("the token lacks the {permission} permission on acme/infra")), "{}", stderr(&output));
    assert!(github.pulls().is_empty(), "no pull request without the permission");

    github.set_token_permissions(&[("contents", "write"), ("pull_requests", "write"), ("issues", "write")]);
    succeeded(&run(planhost(&sandbox, &github).args(staging(2))));
    assert_eq!(only_pull(&github).labels, ["needs-approval"]);
    github.assert_no_violations();
}

#[rstest]
#[case::lost_answer_to_the_branch("git/create-ref", FaultKind::ServerErrorAfterApplying, 500)]
#[case::lost_answer_to_a_file("repos/create-or-update-file-contents", FaultKind::ServerErrorAfterApplying, 500)]
#[case::lost_answer_to_the_pull_request("pulls/create", FaultKind::ServerErrorAfterApplying, 500)]
#[case::pull_request_not_made("pulls/create", FaultKind::ServerError, 500)]
#[case::lost_answer_to_the_label("issues/add-labels", FaultKind::ServerErrorAfterApplying, 500)]
#[case::flaky_read("repos/get", FaultKind::ServerError, 500)]
#[case::rate_limited("issues/add-labels", FaultKind::RateLimited { retry_after_secs: 1 }, 429)]
#[case::secondary_rate_limit("pulls/create", FaultKind::SecondaryRateLimit { retry_after_secs: 1 }, 403)]
fn apply_survives_githubs_faults_without_making_anything_twice(#[case] operation: &'static str, #[case] kind: FaultKind, #[case] status: u16) {
    let github = GitHub::start("acme", "infra");
    github.inject(Fault { operation, kind, times: 1 });
    let main_commits = github.commit_count("main");
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)));
    succeeded(&output);
    let hit: Vec<_> = github.requests().into_iter().filter(|request| request.operation_id.as_deref() == Some(operation)).collect();
    assert_eq!(hit.first().map(|request| request.status), Some(status), "the fault fired: {hit:#?}");
    let pull = only_pull(&github);
    assert_eq!(pull.labels, ["needs-approval"]);
    assert_eq!(github.commit_count(BRANCH), main_commits + 2, "no file committed twice");
    assert_eq!(github.file(BRANCH, PLAN_PATH).as_deref(), Some(local_plan(&sandbox, &output).as_str()));
    assert_eq!(lines(&output).last().map(String::as_str), Some("awaiting_approval"));
    github.assert_no_violations();
}

#[test]
fn a_server_error_that_outlasts_the_retries_is_exit_4_and_a_rerun_finishes() {
    let github = GitHub::start("acme", "infra");
    // One request and three retries, all answered 500.
    github.inject(Fault { operation: "pulls/list", kind: FaultKind::ServerError, times: 4 });
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("GitHub answered 500"), "{}", stderr(&output));
    assert!(stderr(&output).contains("the plan is written to"), "{}", stderr(&output));
    let lists = github.requests().into_iter().filter(|request| request.operation_id.as_deref() == Some("pulls/list")).count();
    assert_eq!(lists, 4, "one request and three retries");
    assert!(github.pulls().is_empty());

    let rerun = run(planhost(&sandbox, &github).args(staging(2)));
    succeeded(&rerun);
    assert_eq!(only_pull(&github).labels, ["needs-approval"]);
    github.assert_no_violations();
}

#[test]
fn a_github_that_never_answers_is_given_up_on_after_the_timeout_and_the_retries() {
    // Accepts connections and reads, never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let output = run(planhost(&sandbox, &github).args(staging(2)).env("GITHUB_API_URL", format!("http://{address}")).env("PLANHOST_GITHUB_TIMEOUT", "1s"));
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("reading the repository: no answer from GitHub"), "{}", stderr(&output));
    assert!(stderr(&output).contains("retries_left=0"), "three retries were made: {}", stderr(&output));
    assert!(github.requests().is_empty(), "nothing reached the real double");
}

#[test]
fn plain_http_needs_no_ca_bundle_and_https_without_one_says_so() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    // rustls-native-certs reads SSL_CERT_FILE and SSL_CERT_DIR instead of the system's store.
    let empty_bundle = sandbox.path().join("empty-ca-bundle.pem");
    std::fs::write(&empty_bundle, "").expect("an empty file");
    let empty_dir = sandbox.path().join("empty-ca-dir");
    std::fs::create_dir(&empty_dir).expect("an empty folder");
    let without_roots = |command: &mut assert_cmd::Command| {
        command.env("SSL_CERT_FILE", &empty_bundle).env("SSL_CERT_DIR", &empty_dir);
        run(command)
    };
    succeeded(&without_roots(planhost(&sandbox, &github).args(staging(2))));
    assert_eq!(only_pull(&github).labels, ["needs-approval"]);

    let output = without_roots(planhost(&sandbox, &github).args(staging(2)).env("GITHUB_API_URL", "https://github.invalid"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot set up TLS for GitHub"), "{}", stderr(&output));
    assert!(stderr(&output).contains("install the CA certificates"), "{}", stderr(&output));
    github.assert_no_violations();
}

#[test]
fn github_enterprise_is_reached_under_its_api_path() {
    let github = GitHub::start_enterprise("acme", "infra");
    let sandbox = Sandbox::new();
    succeeded(&run(planhost(&sandbox, &github).args(staging(2))));
    let output = run(planhost(&sandbox, &github).args(staging(3)));
    succeeded(&output);
    let pull = only_pull(&github);
    assert_eq!(lines(&output).iter().rev().nth(1), Some(&format!("outputs_uri={}", pull.html_url)));
    assert!(github.file(BRANCH, PLAN_PATH).expect("plan.yaml").contains("replicas: 3"));

    // The gate reads events, files and comments, and posts, all under the same path.
    github.label_as_reviewer(pull.number, "execute-plan");
    github.push_as_user(BRANCH, "ops/plans/infra-scale/staging/NOTES.md", "a late change\n");
    let reason = skipped(&gated(&sandbox, &github, &["execute"], pull.number));
    assert!(reason.contains("a push after approval voids it"), "{reason}");
    assert_eq!(github.comments(pull.number).len(), 1);
    github.unlabel_as_reviewer(pull.number, "execute-plan");
    github.label_as_reviewer(pull.number, "execute-plan");
    let output = gated(&sandbox, &github, &["execute"], pull.number);
    assert_eq!(output.status.code(), Some(2), "the gate opened, then the nowhere kubeconfig stopped it: {}", stderr(&output));
    github.assert_no_violations();
}

/// Applies the staging plan and returns its pull request's number.
fn proposed(sandbox: &Sandbox, github: &GitHub) -> u64 {
    succeeded(&run(planhost(sandbox, github).args(staging(2))));
    only_pull(github).number
}

/// `execute --pr N` with a kubeconfig that leads nowhere: a gate that wrongly opened would
/// fail on it instead of printing `skipped`.
fn gated(sandbox: &Sandbox, github: &GitHub, command: &[&str], number: u64) -> Output {
    run(planhost(sandbox, github).args(command).arg(format!("--pr={number}")).arg("--kubeconfig=/nonexistent/kubeconfig"))
}

#[rstest]
#[case::execute(&["execute"], "execute-plan")]
#[case::rollback(&["rollback", "--execute"], "rollback-plan")]
fn without_its_label_a_pull_request_is_skipped_and_nothing_is_posted(#[case] command: &[&str], #[case] label: &str) {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    let output = gated(&sandbox, &github, command, number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains(&format!("does not carry the {label} label")), "{reason}");
    assert!(stderr(&output).contains(&reason), "the reason is logged too: {}", stderr(&output));
    assert!(github.comments(number).is_empty(), "nobody asked for a run: no comment");
    github.assert_no_violations();
}

#[test]
fn a_push_after_the_label_voids_the_approval() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    github.label_as_reviewer(number, "execute-plan");
    github.push_as_user(BRANCH, "ops/plans/infra-scale/staging/NOTES.md", "a late change\n");
    let output = gated(&sandbox, &github, &["execute"], number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains("a push after approval voids it"), "{reason}");
    assert!(stderr(&output).contains(&reason), "the reason is logged too: {}", stderr(&output));
    let comments = github.comments(number);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].contains("planhost execute: skipped"), "{}", comments[0]);
    assert!(comments[0].contains("a push after approval voids it"), "{}", comments[0]);

    // Labelled again after the push, the gate opens (and then the nowhere kubeconfig stops it).
    github.unlabel_as_reviewer(number, "execute-plan");
    github.label_as_reviewer(number, "execute-plan");
    let output = gated(&sandbox, &github, &["execute"], number);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("/nonexistent/kubeconfig"), "{}", stderr(&output));
    let comments = github.comments(number);
    assert_eq!(comments.len(), 2, "the failed run is reported too: {comments:#?}");
    assert!(comments[1].contains("planhost execute: failed"), "{}", comments[1]);
    github.assert_no_violations();
}

#[test]
fn a_plan_file_changed_outside_planhost_is_refused_even_when_labelled_after() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    let plan = github.file(BRANCH, PLAN_PATH).expect("the plan");
    github.push_as_user(BRANCH, PLAN_PATH, &plan.replace("replicas: 2", "replicas: 40"));
    github.label_as_reviewer(number, "execute-plan");
    let output = gated(&sandbox, &github, &["execute"], number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains("the file was changed outside planhost"), "{reason}");
    assert!(stderr(&output).contains(&reason), "the reason is logged too: {}", stderr(&output));
    let comments = github.comments(number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains(&format!("the pull request recorded sha256:{}", sha256(&plan))), "{}", comments[0]);
    github.assert_no_violations();
}

#[test]
fn a_closed_pull_request_is_skipped_even_with_its_label() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    github.label_as_reviewer(number, "execute-plan");
    github.close_as_user(number);
    let output = gated(&sandbox, &github, &["execute"], number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains(&format!("pull request #{number} is closed")), "{reason}");
    assert!(stderr(&output).contains(&reason), "the reason is logged too: {}", stderr(&output));
    github.assert_no_violations();
}

#[test]
fn a_description_without_planhosts_record_is_skipped_and_the_reason_posted() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    github.edit_description_as_user(number, "Looks good to me, shipping it.");
    github.label_as_reviewer(number, "execute-plan");
    let output = gated(&sandbox, &github, &["execute"], number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains("records no plan in its description"), "{reason}");
    assert!(stderr(&output).contains(&reason), "the reason is logged too: {}", stderr(&output));
    let comments = github.comments(number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("records no plan in its description"), "{}", comments[0]);
    github.assert_no_violations();
}

#[test]
fn a_description_edited_to_point_at_another_file_is_refused() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let number = proposed(&sandbox, &github);
    github.label_as_reviewer(number, "execute-plan");
    // After approval, without a push: the record now names another file of the head commit,
    // with that file's true digest.
    let readme = github.file(BRANCH, "README.md").expect("README.md from main");
    let body = only_pull(&github).body.expect("a description");
    let edited = body.replacen(&format!("path={PLAN_PATH} sha256="), "path=README.md sha256=", 1);
    let recorded = edited.lines().next().expect("a record line").to_string();
    let digest = recorded.split("sha256=").nth(1).expect("a digest").trim_end_matches(" -->").to_string();
    github.edit_description_as_user(number, &edited.replacen(&digest, &sha256(&readme), 1));
    let output = gated(&sandbox, &github, &["execute"], number);
    succeeded(&output);
    let reason = skipped(&output);
    assert!(reason.contains(&format!("the description records the plan file README.md, but the plan of branch {BRANCH} is {PLAN_PATH}")), "{reason}");
    github.assert_no_violations();
}

#[test]
fn a_pull_request_that_does_not_exist_is_bad_input() {
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let output = gated(&sandbox, &github, &["execute"], 99);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("acme/infra has no pull request #99"), "{}", stderr(&output));
    github.assert_no_violations();
}

#[test]
fn an_approved_plan_is_applied_from_the_pull_request_then_rolled_back_and_both_are_reported() {
    let namespace = TestNamespace::new("github");
    namespace.apply(&workload_manifest("Deployment", "web", 2, "{}"));
    let github = GitHub::start("acme", "infra");
    let sandbox = Sandbox::new();
    let ns = namespace.name.as_str();
    let request = ["scale", "--target=staging", &format!("--namespace={ns}"), "--workload=Deployment:web:5", "--apply"];
    succeeded(&run(planhost(&sandbox, &github).args(request).env("KUBECONFIG", test_kubeconfig())));
    let number = only_pull(&github).number;

    github.label_as_reviewer(number, "execute-plan");
    // A lost answer to the result comment must not post it twice.
    github.inject(Fault { operation: "issues/create-comment", kind: FaultKind::ServerErrorAfterApplying, times: 1 });
    let kubeconfig = format!("--kubeconfig={}", test_kubeconfig().display());
    let output = run(planhost(&sandbox, &github).args(["execute", &format!("--pr={number}"), &kubeconfig, "--force-conflicts"]));
    succeeded(&output);
    assert_eq!(lines(&output), [format!("applied: kubectl -n {ns} scale deployment/web --replicas=5"), "succeeded".to_string()]);
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 5);
    let comments = github.comments(number);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].contains("planhost execute: succeeded"), "{}", comments[0]);
    assert!(comments[0].contains(&format!("applied: kubectl -n {ns} scale deployment/web --replicas=5")), "{}", comments[0]);
    let head = only_pull(&github).head_sha;
    let record = sandbox.path().join(format!(".artifacts/pull-requests/{number}/{}", &head[..12]));
    assert!(std::fs::read_dir(&record).expect("the plan's local folder").any(|entry| entry.expect("an entry").file_name().to_string_lossy().starts_with("execution-")));

    github.label_as_reviewer(number, "rollback-plan");
    let output = run(planhost(&sandbox, &github).args(["rollback", "--execute", &format!("--pr={number}"), &kubeconfig, "--force-conflicts"]));
    succeeded(&output);
    assert_eq!(lines(&output), [format!("applied: kubectl -n {ns} scale deployment/web --replicas=2"), "succeeded".to_string()]);
    assert_eq!(namespace.get("deployment/web")["spec"]["replicas"], 2);
    let comments = github.comments(number);
    assert_eq!(comments.len(), 2, "{comments:#?}");
    assert!(comments[1].contains("planhost rollback: succeeded"), "{}", comments[1]);
    github.assert_no_violations();
}
