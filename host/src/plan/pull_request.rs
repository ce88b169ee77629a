//! The text of a plan's pull request: its title, its description (the summary, with the plan's
//! path and digest recorded where the label gate reads them), and the comments that report a run.

/// The description's first line records the plan the pull request proposes.
const RECORD_PREFIX: &str = "<!-- planhost:plan ";
/// GitHub refuses a description or comment over 65,536 characters; this leaves room for the
/// record and the note that says where the rest is.
const MAX_TEXT: usize = 60_000;

/// The plan a pull request proposes: where its file is, and the sha256 (hex) it had when it was
/// proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPlan {
    /// The file's path in the repository.
    pub path: String,
    /// Its sha256, hex.
    pub sha256: String,
}

/// The pull request's title.
pub fn title(target: &str, namespace: &str) -> String {
    format!("infra-scale: {target} ({namespace})")
}

/// The pull request's description: the record, then the summary (cut to fit GitHub's limit).
pub fn description(summary_md: &str, plan: &RecordedPlan) -> String {
    format!(
        "{RECORD_PREFIX}path={} sha256={} -->\n\n{}",
        plan.path,
        plan.sha256,
        fit(summary_md, "the summary is cut here; all of it is in SUMMARY.md on this branch")
    )
}

/// The plan a description records, if it records one well-formed.
pub fn recorded_plan(description: &str) -> Option<RecordedPlan> {
    let line = description.lines().find_map(|line| line.trim().strip_prefix(RECORD_PREFIX))?;
    let fields = line.strip_suffix("-->")?.trim();
    let (mut path, mut sha256) = (None, None);
    for field in fields.split_whitespace() {
        match field.split_once('=') {
            Some(("path", value)) => path = Some(value),
            Some(("sha256", value)) => sha256 = Some(value),
            _ => return None,
        }
    }
    let (path, sha256) = (path?, sha256?);
    let well_formed = sha256.len() == 64
        && sha256.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        && !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    well_formed.then(|| RecordedPlan { path: path.to_string(), sha256: sha256.to_string() })
}

/// How a gated run ended, for its comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every action was applied.
    Succeeded,
    /// The run stopped with an error.
    Failed,
    /// The gate refused; nothing was applied.
    Skipped,
}

/// A comment reporting a gated run: `command` (`execute`, `rollback`) at `commit`, its output
/// lines, and the error or refusal. `run_id` makes the comment findable if its creation's
/// answer is lost.
pub fn result_comment(command: &str, outcome: RunOutcome, commit: &str, output: &str, reason: Option<&str>, run_id: &str) -> String {
    let heading = match outcome {
        RunOutcome::Succeeded => "succeeded",
        RunOutcome::Failed => "failed",
        RunOutcome::Skipped => "skipped: nothing was applied",
    };
    let short = &commit[..commit.len().min(12)];
    let mut text = format!("### planhost {command}: {heading}\n\nPlan at commit `{short}`.\n");
    if !output.trim().is_empty() {
        text.push_str(&format!("\n```\n{}\n```\n", fit(output.trim_end(), "the output is cut here")));
    }
    if let Some(reason) = reason {
        let label = if outcome == RunOutcome::Skipped { "Why" } else { "Error" };
        text.push_str(&format!("\n**{label}:** {}\n", fit(reason, "cut here")));
    }
    text.push_str(&format!("\n{}\n", run_marker(run_id)));
    text
}

/// The hidden line that identifies one run's comment.
pub fn run_marker(run_id: &str) -> String {
    format!("<!-- planhost:run {run_id} -->")
}

/// `text`, cut on a line boundary to fit [`MAX_TEXT`] with `note` saying so.
fn fit(text: &str, note: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_string();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind('\n').unwrap_or(end);
    format!("{}\n\n… ({note})", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> RecordedPlan {
        RecordedPlan { path: "ops/plans/infra-scale/prod/plan.yaml".into(), sha256: "ab".repeat(32) }
    }

    #[test]
    fn the_description_records_the_plan_where_the_gate_reads_it() {
        let text = description("# Scale plan\n", &plan());
        assert_eq!(recorded_plan(&text), Some(plan()));
        assert!(text.ends_with("# Scale plan\n"));
    }

    #[test]
    fn a_malformed_or_escaping_record_is_no_record() {
        for line in [
            "<!-- planhost:plan path=a/plan.yaml sha256=abc -->",
            "<!-- planhost:plan path=../etc/plan.yaml sha256=abababababababababababababababababababababababababababababababab -->",
            "<!-- planhost:plan path=/plan.yaml sha256=abababababababababababababababababababababababababababababababab -->",
            "<!-- planhost:plan path=a/../b sha256=abababababababababababababababababababababababababababababababab -->",
            "<!-- planhost:plan sha256=abababababababababababababababababababababababababababababababab -->",
            "<!-- planhost:plan path=a extra=1 sha256=abababababababababababababababababababababababababababababababab -->",
            "no record at all",
        ] {
            assert_eq!(recorded_plan(line), None, "{line}");
        }
    }

    #[test]
    fn a_huge_summary_is_cut_to_fit_githubs_limit() {
        let summary = "| web | 2 → 3 |\n".repeat(10_000);
        let text = description(&summary, &plan());
        assert!(text.len() < 65_536);
        assert!(text.ends_with("all of it is in SUMMARY.md on this branch)"));
        assert_eq!(recorded_plan(&text), Some(plan()));
    }

    #[test]
    fn a_comment_carries_its_run_marker_and_reason() {
        let text = result_comment("execute", RunOutcome::Skipped, &"c".repeat(40), "", Some("stale label"), "run-1");
        assert!(text.contains("skipped: nothing was applied"));
        assert!(text.contains("**Why:** stale label"));
        assert!(text.contains(&run_marker("run-1")));
        assert!(text.contains("`cccccccccccc`"));
    }
}
