//! Git object ids computed as git computes them, so that the shas the double hands out are the
//! ones a real clone of the same content would have.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

/// A snapshot of a repository's files: path (slash-separated) to content.
pub(crate) type Files = BTreeMap<String, Vec<u8>>;

/// Who made a commit, and when (seconds since the Unix epoch, UTC).
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    pub name: String,
    pub email: String,
    pub time: u64,
}

fn object_id(kind: &str, body: &[u8]) -> [u8; 20] {
    let mut hasher = Sha1::new();
    hasher.update(format!("{kind} {}\0", body.len()).as_bytes());
    hasher.update(body);
    hasher.finalize().into()
}

fn hex(id: [u8; 20]) -> String {
    id.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The id of a blob holding `content`: what `git hash-object` prints.
pub(crate) fn blob_sha(content: &[u8]) -> String {
    hex(object_id("blob", content))
}

/// The id of the tree object for the folder `prefix` ("" for the root) of `files`, or `None`
/// where no file lies under it.
pub(crate) fn tree_sha(files: &Files, prefix: &str) -> Option<String> {
    tree_id(files, prefix).map(hex)
}

fn tree_id(files: &Files, prefix: &str) -> Option<[u8; 20]> {
    let base = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    // Git orders a tree's entries by name, comparing a folder's name as if it ended in '/'.
    let mut entries: BTreeMap<String, (&str, [u8; 20])> = BTreeMap::new();
    for (path, content) in files.range(base.clone()..) {
        let Some(rest) = path.strip_prefix(&base) else { break };
        match rest.split_once('/') {
            None => {
                entries.insert(rest.to_owned(), ("100644", object_id("blob", content)));
            }
            Some((folder, _)) => {
                if let std::collections::btree_map::Entry::Vacant(entry) = entries.entry(format!("{folder}/")) {
                    entry.insert(("40000", tree_id(files, &format!("{base}{folder}"))?));
                }
            }
        }
    }
    if entries.is_empty() {
        return None;
    }
    let mut body = Vec::new();
    for (key, (mode, id)) in entries {
        body.extend_from_slice(format!("{mode} {}\0", key.trim_end_matches('/')).as_bytes());
        body.extend_from_slice(&id);
    }
    Some(object_id("tree", &body))
}

/// The id of the commit object with this tree, parents, author, committer and message.
pub(crate) fn commit_sha(tree: &str, parents: &[String], author: &Signature, committer: &Signature, message: &str) -> String {
    let mut body = format!("tree {tree}\n");
    for parent in parents {
        body.push_str(&format!("parent {parent}\n"));
    }
    for (role, who) in [("author", author), ("committer", committer)] {
        body.push_str(&format!("{role} {} <{}> {} +0000\n", who.name, who.email, who.time));
    }
    body.push('\n');
    body.push_str(message);
    if !message.ends_with('\n') {
        body.push('\n');
    }
    hex(object_id("commit", body.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    fn git(folder: &Path, arguments: &[&str], environment: &[(&str, &str)]) -> String {
        let output = Command::new("git").current_dir(folder).args(arguments).envs(environment.iter().copied()).output().expect("git runs");
        assert!(output.status.success(), "git {arguments:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("git prints UTF-8").trim().to_owned()
    }

    #[test]
    fn trees_and_commits_have_the_ids_git_gives_them() {
        let files = Files::from([
            ("README.md".to_owned(), b"# infra\n".to_vec()),
            ("ops/plans/infra-scale/staging/plan.yaml".to_owned(), b"replicas: 6\n".to_vec()),
            ("ops/plans/infra-scale/staging/SUMMARY.md".to_owned(), b"Scale web\n".to_vec()),
            ("ops.txt".to_owned(), b"sorted before the ops folder\n".to_vec()),
        ]);
        let folder = std::env::temp_dir().join(format!("github-double-git-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        git(&folder, &["init", "--quiet"], &[]);
        for (path, content) in &files {
            let file = folder.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, content).unwrap();
        }
        git(&folder, &["add", "--all"], &[]);
        let tree = git(&folder, &["write-tree"], &[]);
        assert_eq!(tree_sha(&files, "").as_deref(), Some(tree.as_str()));
        let staging = git(&folder, &["rev-parse", &format!("{tree}:ops/plans/infra-scale/staging")], &[]);
        assert_eq!(tree_sha(&files, "ops/plans/infra-scale/staging").as_deref(), Some(staging.as_str()));

        let who = Signature { name: "planhost-bot".to_owned(), email: "planhost-bot@users.noreply.github.com".to_owned(), time: 1_767_225_601 };
        let identity = [
            ("GIT_AUTHOR_NAME", "planhost-bot"),
            ("GIT_AUTHOR_EMAIL", "planhost-bot@users.noreply.github.com"),
            ("GIT_AUTHOR_DATE", "1767225601 +0000"),
            ("GIT_COMMITTER_NAME", "planhost-bot"),
            ("GIT_COMMITTER_EMAIL", "planhost-bot@users.noreply.github.com"),
            ("GIT_COMMITTER_DATE", "1767225601 +0000"),
        ];
        let commit = git(&folder, &["commit-tree", &tree, "-m", "Add the staging plan"], &identity);
        std::fs::remove_dir_all(&folder).unwrap();
        assert_eq!(commit_sha(&tree, &[], &who, &who, "Add the staging plan"), commit);
    }
}
