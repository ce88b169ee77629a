//! What a fine-grained personal access token may do, and what each operation needs of it.

use std::collections::BTreeMap;

/// A permission's level; writing implies reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Read,
    Write,
}

impl Level {
    fn parse(text: &str) -> Level {
        match text {
            "read" => Level::Read,
            "write" => Level::Write,
            other => panic!("a token permission is read or write, not {other}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
        }
    }
}

/// The permissions one operation accepts: any one of the alternatives is enough.
fn accepted(operation: &str) -> &'static [(&'static str, Level)] {
    match operation {
        "repos/get" => &[("metadata", Level::Read)],
        "git/get-ref" | "git/get-commit" | "repos/get-content" => &[("contents", Level::Read)],
        "git/create-ref" | "git/update-ref" | "repos/create-or-update-file-contents" => &[("contents", Level::Write)],
        "pulls/list" | "pulls/get" => &[("pull_requests", Level::Read)],
        "pulls/create" | "pulls/update" => &[("pull_requests", Level::Write)],
        // Labels, events and comments of an issue that is a pull request.
        "issues/list-events" | "issues/list-comments" => &[("issues", Level::Read), ("pull_requests", Level::Read)],
        "issues/add-labels" | "issues/remove-label" | "issues/create-comment" => {
            &[("issues", Level::Write), ("pull_requests", Level::Write)]
        }
        other => panic!("no permission is known for {other}"),
    }
}

/// The grants of the double's one token.
pub(crate) struct TokenPermissions {
    grants: BTreeMap<String, Level>,
}

impl TokenPermissions {
    /// A token that may write everything the double serves.
    pub(crate) fn all_write() -> TokenPermissions {
        TokenPermissions::from_grants(&[("contents", "write"), ("pull_requests", "write"), ("issues", "write")])
    }

    /// A fine-grained token with exactly these grants (and metadata read, which every
    /// fine-grained token has).
    pub(crate) fn from_grants(grants: &[(&str, &str)]) -> TokenPermissions {
        let mut levels = BTreeMap::from([("metadata".to_owned(), Level::Read)]);
        for (permission, level) in grants {
            levels.insert((*permission).to_owned(), Level::parse(level));
        }
        TokenPermissions { grants: levels }
    }

    /// `None` where the token may call `operation`; otherwise the value of GitHub's
    /// `x-accepted-github-permissions` header, which names what would have been enough.
    pub(crate) fn refusal(&self, operation: &str) -> Option<String> {
        let alternatives = accepted(operation);
        let allowed = alternatives
            .iter()
            .any(|(permission, needed)| self.grants.get(*permission).is_some_and(|granted| granted >= needed));
        (!allowed).then(|| {
            alternatives
                .iter()
                .map(|(permission, level)| format!("{permission}={}", level.name()))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}
