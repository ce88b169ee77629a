//! GitHub: the pull request a plan is reviewed in, the label gates that release it, and the
//! comments that report what happened. Everything goes through octocrab; see [`retry`] for what
//! is sent again and what never is.

mod client;
mod gate;
mod publish;
mod retry;

use serde::Deserialize;

pub use client::{GitHub, GitHubConfig};
pub use gate::{Approval, Gate, beside};
pub use publish::{PlanForReview, Published};

/// The label `scale --apply` puts on a new plan's pull request.
pub const NEEDS_APPROVAL: &str = "needs-approval";
/// The label that releases a plan to `execute --pr`.
pub const EXECUTE_LABEL: &str = "execute-plan";
/// The label that releases a rollback to `rollback --execute --pr`.
pub const ROLLBACK_LABEL: &str = "rollback-plan";

/// Why a GitHub operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    /// An environment variable is missing or unusable.
    #[error("{variable} {problem}: the GitHub steps need GH_OWNER, GH_REPO and GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise)")]
    Variable {
        /// The variable.
        variable: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// `GITHUB_API_URL` is not an address.
    #[error("GITHUB_API_URL {url:?}: {reason}")]
    ApiUrl {
        /// The value.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The async executor could not start.
    #[error("cannot start the async executor for GitHub")]
    Runtime {
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The TLS roots of this machine could not be loaded.
    #[error("cannot set up TLS for GitHub: {0}")]
    Tls(String),
    /// GitHub refused the token.
    #[error("GitHub refused GITHUB_TOKEN ({message}): set it to a valid token")]
    BadCredentials {
        /// GitHub's message.
        message: String,
    },
    /// The repository does not exist, or the token cannot see it.
    #[error("the repository {repository} does not exist or the token cannot see it: check GH_OWNER and GH_REPO, and grant the token access to it")]
    RepositoryNotFound {
        /// `owner/repo`.
        repository: String,
    },
    /// The pull request does not exist.
    #[error("--pr {number}: {repository} has no pull request #{number}")]
    PullRequestNotFound {
        /// `owner/repo`.
        repository: String,
        /// The number given.
        number: u64,
    },
    /// The token lacks a permission.
    #[error("{doing}: the token lacks the {permission} permission on {repository} (GitHub: {message}); grant it in the token's settings and run again")]
    Permission {
        /// What planhost was doing.
        doing: String,
        /// `owner/repo`.
        repository: String,
        /// The permission, as GitHub's settings name it (`contents:write`).
        permission: String,
        /// GitHub's message.
        message: String,
    },
    /// GitHub's rate limit asks for a longer wait than planhost makes.
    #[error("{doing}: GitHub's rate limit asks to wait {seconds} s; run again after that")]
    RateLimited {
        /// What planhost was doing.
        doing: String,
        /// The wait asked for.
        seconds: u64,
    },
    /// GitHub answered with an error status.
    #[error("{doing}: GitHub answered {status}: {message}")]
    Refused {
        /// What planhost was doing.
        doing: String,
        /// The HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// No answer (connection, TLS, timeout).
    #[error("{doing}: no answer from GitHub")]
    Transport {
        /// What planhost was doing.
        doing: String,
        /// What the client said.
        #[source]
        source: octocrab::Error,
    },
    /// A path planhost built is not a valid URI path.
    #[error("{doing}: {route:?} is not a valid request path")]
    Path {
        /// What planhost was doing.
        doing: String,
        /// The path.
        route: String,
    },
    /// An answer is not what GitHub's API describes.
    #[error("{doing}: GitHub's answer is not what its API describes")]
    Decode {
        /// What planhost was doing.
        doing: String,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
    /// An answer has the described shape but a value that cannot be.
    #[error("{doing}: GitHub's answer is not what its API describes: {reason}")]
    Malformed {
        /// What planhost was doing.
        doing: String,
        /// What is wrong.
        reason: String,
    },
    /// A file on GitHub is not what planhost wrote.
    #[error("{path} at {commit}: {reason}")]
    File {
        /// The file.
        path: String,
        /// The commit read.
        commit: String,
        /// What is wrong.
        reason: String,
    },
}

impl GitHubError {
    /// Whether the fix is in planhost's input (variables, token, flags) rather than GitHub's
    /// state or the network.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            GitHubError::Variable { .. }
                | GitHubError::ApiUrl { .. }
                | GitHubError::BadCredentials { .. }
                | GitHubError::RepositoryNotFound { .. }
                | GitHubError::PullRequestNotFound { .. }
                | GitHubError::Permission { .. }
                | GitHubError::File { .. }
                | GitHubError::Tls(_)
        )
    }

    /// Whether the request may have taken effect although no success came back.
    fn outcome_unknown(&self) -> bool {
        match self {
            GitHubError::Transport { .. } => true,
            GitHubError::Refused { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The fields planhost reads of a pull request.
#[derive(Debug, Clone, Deserialize)]
struct PullRequest {
    number: u64,
    html_url: String,
    state: String,
    #[serde(default)]
    body: Option<String>,
    head: PullHead,
    #[serde(default)]
    labels: Vec<Label>,
}

impl PullRequest {
    fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|label| label.name == name)
    }
}

#[derive(Debug, Clone, Deserialize)]
struct PullHead {
    sha: String,
    #[serde(rename = "ref")]
    branch: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Label {
    name: String,
}

/// A file read through the contents API.
#[derive(Debug, Deserialize)]
struct ContentFile {
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

impl ContentFile {
    /// The text of the file; GitHub sends base64 broken into lines.
    fn text(&self, path: &str, commit: &str) -> Result<String, GitHubError> {
        let refused = |reason: String| GitHubError::File { path: path.to_string(), commit: commit.to_string(), reason };
        if self.kind != "file" {
            return Err(refused(format!("it is a {}, not a file", self.kind)));
        }
        let (Some(content), Some("base64")) = (&self.content, self.encoding.as_deref()) else {
            return Err(refused("GitHub sent no content (a file over 1 MB is not served inline)".to_string()));
        };
        let packed: String = content.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, packed).map_err(|error| refused(format!("its content is not base64: {error}")))?;
        String::from_utf8(bytes).map_err(|_| refused("it is not UTF-8 text".to_string()))
    }
}

/// The git blob id of `text`: what GitHub reports as a file's `sha`, so an unchanged file is
/// recognised without downloading it.
pub fn git_blob_sha(text: &str) -> String {
    use sha1::Digest as _;
    let mut hasher = sha1::Sha1::new();
    hasher.update(format!("blob {}\0", text.len()).as_bytes());
    hasher.update(text.as_bytes());
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(git_blob_sha("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(git_blob_sha(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn decodes_contents_as_github_sends_them() {
        let file = ContentFile { kind: "file".into(), sha: String::new(), content: Some("aGVs\nbG8K\n".into()), encoding: Some("base64".into()) };
        assert_eq!(file.text("a", "b").expect("decodes"), "hello\n");
        let dir = ContentFile { kind: "dir".into(), sha: String::new(), content: None, encoding: None };
        assert!(dir.text("a", "b").unwrap_err().to_string().contains("not a file"));
    }
}
