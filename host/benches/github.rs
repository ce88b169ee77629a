//! What proposing a plan on GitHub costs, against the GitHub double on loopback.
//!
//! - `publish/first`: `publish_plan` for a target GitHub has never seen: the repository read,
//!   a new branch, both files committed, a draft pull request opened and labelled.
//! - `publish/changed`: a rerun whose plan differs from the branch's: two new commits and the
//!   description refreshed.
//! - `publish/identical`: a rerun with the plan the branch already holds: reads only.
//!
//! Every request crosses loopback to the double, which checks it and its own answer against
//! GitHub's OpenAPI description, so the figures count round trips more than planhost's own work;
//! the request counts each case makes are printed once before it is measured. On GitHub itself a
//! round trip is tens of milliseconds, so `identical / first` is the saving a no-op rerun gives.
//!
//! Run with `cargo bench -p planhost --bench github`; `cargo test -p planhost --bench github`
//! runs each benchmark once as a smoke test.

use std::hint::black_box;
use std::process::Command;

use criterion::{BatchSize, Criterion};
use planhost::effects::github::{GitHub, GitHubConfig, PlanForReview};
use planhost::plan::document::{ScalePlanDocument, sha256_hex};
use planhost::plan::summary;
use planhost_github_double::GitHub as GitHubDouble;

/// A plan and the two files proposed for it.
#[derive(Clone)]
struct Proposal {
    document: ScalePlanDocument,
    plan_yaml: String,
    summary_md: String,
}

impl Proposal {
    fn new(document: ScalePlanDocument) -> Proposal {
        let plan_yaml = document.to_yaml();
        let summary_md = summary::render(&document, &sha256_hex(plan_yaml.as_bytes()));
        Proposal { document, plan_yaml, summary_md }
    }

    /// The same plan for another target.
    fn for_target(&self, target: String) -> Proposal {
        let mut document = self.document.clone();
        document.metadata.target = target;
        Proposal::new(document)
    }

    fn for_review(&self) -> PlanForReview<'_> {
        PlanForReview { document: &self.document, plan_yaml: &self.plan_yaml, summary_md: &self.summary_md }
    }
}

/// A dry-run plan for `staging` made by the binary with the shipped planner, `web` at
/// `replicas`.
fn staging_plan(replicas: u32) -> Proposal {
    let workdir = tempfile::tempdir().expect("a temporary directory");
    let output = Command::new(env!("CARGO_BIN_EXE_planhost"))
        .current_dir(workdir.path())
        .env("SOURCE_DATE_EPOCH", "1764000000")
        .env("PLANHOST_CACHE_DIR", workdir.path().join("cache"))
        .args(["scale", "--target=staging", "--namespace=assistant-staging", "--workload=Deployment:api:2", "--hpa=min:2,max:6,cpu:70", "--offline"])
        .arg(format!("--workload=Deployment:web:{replicas}"))
        .output()
        .expect("planhost runs");
    assert!(output.status.success(), "the dry run failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout.lines().find_map(|line| line.strip_prefix("plan_yaml=")).expect("a plan_yaml= line");
    let text = std::fs::read_to_string(workdir.path().join(path)).expect("the plan file");
    Proposal::new(ScalePlanDocument::from_yaml(&text, path).expect("the binary's plan reads back"))
}

fn client(double: &GitHubDouble) -> GitHub {
    GitHub::new(GitHubConfig {
        owner: "acme".to_string(),
        repo: "infra".to_string(),
        api_url: double.api_url(),
        token: double.token(),
        timeout: std::time::Duration::from_secs(10),
        retries: 3,
        max_rate_limit_wait: std::time::Duration::from_secs(1),
    })
    .expect("a client for the double")
}

/// Runs `proposal` through `publish_plan` and returns how many requests (and of them writes) it
/// sent.
fn publish_counted(runtime: &tokio::runtime::Runtime, github: &GitHub, double: &GitHubDouble, proposal: &Proposal) -> (usize, usize) {
    let before = double.requests().len();
    runtime.block_on(github.publish_plan(&proposal.for_review())).expect("publish");
    let sent = &double.requests()[before..];
    (sent.len(), sent.iter().filter(|request| request.method != "GET").count())
}

fn publish(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let double = GitHubDouble::start("acme", "infra");
    // octocrab spawns its request queue onto the runtime it is built in.
    let github = runtime.block_on(async { client(&double) });
    let (two, three) = (staging_plan(2), staging_plan(3));

    let (first, first_writes) = publish_counted(&runtime, &github, &double, &two);
    let (changed, changed_writes) = publish_counted(&runtime, &github, &double, &three);
    let (identical, identical_writes) = publish_counted(&runtime, &github, &double, &three);
    assert_eq!(identical_writes, 0, "an identical rerun must write nothing");
    eprintln!(
        "requests (writes): first {first} ({first_writes}), changed {changed} ({changed_writes}), identical {identical} ({identical_writes})"
    );

    let mut group = criterion.benchmark_group("publish");
    let mut fresh_target = 0_u32;
    group.bench_function("first", |bencher| {
        bencher.iter_batched(
            || {
                fresh_target += 1;
                two.for_target(format!("bench-{fresh_target}"))
            },
            |proposal| runtime.block_on(github.publish_plan(&proposal.for_review())).expect("publish"),
            BatchSize::SmallInput,
        );
    });
    // Each changed rerun gets a branch of its own holding the other plan, so the double's
    // history walks (a pull request's commit count) stay as short as a real branch's.
    group.bench_function("changed", |bencher| {
        bencher.iter_batched(
            || {
                fresh_target += 1;
                let target = format!("bench-{fresh_target}");
                runtime.block_on(github.publish_plan(&two.for_target(target.clone()).for_review())).expect("publish");
                three.for_target(target)
            },
            |proposal| runtime.block_on(github.publish_plan(&proposal.for_review())).expect("publish"),
            BatchSize::SmallInput,
        );
    });
    // `staging` holds `three` since the counted runs above: proposing it again is a no-op.
    group.bench_function("identical", |bencher| {
        bencher.iter(|| runtime.block_on(github.publish_plan(black_box(&three.for_review()))).expect("publish"));
    });
    group.finish();
    double.assert_no_violations();
}

fn main() {
    // What criterion_group! and criterion_main! expand to, without the undocumented `pub fn` the
    // workspace's missing_docs lint flags.
    let mut criterion = Criterion::default().configure_from_args();
    publish(&mut criterion);
    criterion.final_summary();
}
