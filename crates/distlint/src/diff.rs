//! Diff mode (`check --diff [BASE]`): which lines changed relative to the merge-base of BASE and
//! HEAD, plus uncommitted work. Git runs as a child process with an argument vector (never a
//! shell), in the working directory.
//!
//! - BASE defaults to the repository's default branch: `origin/HEAD` (what `git clone` sets),
//!   else a local `main`, else `master`.
//! - Changed lines are the `+` side of `git diff --unified=0 <merge-base>`, which compares the
//!   merge-base with the **working tree**, so committed, staged and unstaged edits all count.
//!   Untracked files (not ignored) count as entirely changed. Deletion-only hunks change no line
//!   that still exists and select nothing.
//! - A finding is kept when any line of its span (1-based, start through end) is a changed line.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Changed lines per file.
#[derive(Debug, Default, Clone)]
pub struct ChangedLines {
    /// Canonical absolute path → changed 1-based line ranges; `None` = the whole file (untracked).
    files: HashMap<PathBuf, Option<Vec<RangeInclusive<u32>>>>,
    /// The merge-base commit the diff was taken against.
    pub merge_base: String,
    /// The base as resolved (e.g. `origin/main`).
    pub base: String,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn git_ok(dir: &Path, args: &[&str]) -> Option<String> {
    git(dir, args).ok().map(|s| s.trim().to_string())
}

/// The default branch to compare with: `origin/HEAD`'s target, else `main`, else `master`.
pub fn default_base(dir: &Path) -> Result<String, String> {
    if let Some(r) = git_ok(
        dir,
        &[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ],
    ) {
        if !r.is_empty() {
            return Ok(r);
        }
    }
    for b in ["main", "master"] {
        if git_ok(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{b}"),
            ],
        )
        .is_some()
        {
            return Ok(b.to_string());
        }
    }
    Err(
        "cannot find the default branch (no origin/HEAD, main or master); pass it: --diff=BASE"
            .into(),
    )
}

impl ChangedLines {
    /// Computes the changed lines of the repository containing `dir` relative to the merge-base
    /// of `base` (empty: [`default_base`]) and HEAD.
    pub fn compute(dir: &Path, base: &str) -> Result<Self, String> {
        let top = git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("--diff needs a git repository: {e}"))?;
        let top = PathBuf::from(top.trim());
        let base = if base.is_empty() {
            default_base(dir)?
        } else {
            base.to_string()
        };
        let merge_base = git(dir, &["merge-base", &base, "HEAD"])
            .map_err(|e| format!("cannot find the merge-base of `{base}` and HEAD: {e}"))?
            .trim()
            .to_string();
        let diff = git(
            &top,
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--unified=0",
                "--find-renames",
                &merge_base,
                "--",
            ],
        )?;
        let mut files = parse_unified_zero(&diff)
            .into_iter()
            .map(|(p, r)| (canonical(&top.join(p)), Some(r)))
            .collect::<HashMap<_, _>>();
        let untracked = git(
            &top,
            &[
                "-c",
                "core.quotePath=false",
                "ls-files",
                "--others",
                "--exclude-standard",
                "-z",
            ],
        )?;
        for p in untracked.split('\0').filter(|s| !s.is_empty()) {
            files.insert(canonical(&top.join(p)), None);
        }
        Ok(Self {
            files,
            merge_base,
            base,
        })
    }

    /// Whether `file` (relative to the working directory or absolute) has any changed line.
    pub fn contains_file(&self, file: &Path) -> bool {
        self.files.contains_key(&canonical(file))
    }

    /// Whether any of the 1-based lines `first..=last` of `file` changed.
    pub fn touches(&self, file: &Path, first: u32, last: u32) -> bool {
        match self.files.get(&canonical(file)) {
            None => false,
            Some(None) => true,
            Some(Some(ranges)) => ranges
                .iter()
                .any(|r| *r.start() <= last && first <= *r.end()),
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Parses `git diff --unified=0` output into (path relative to the repository root, changed
/// 1-based line ranges on the new side). Deleted files and deletion-only hunks yield nothing.
pub fn parse_unified_zero(diff: &str) -> Vec<(String, Vec<RangeInclusive<u32>>)> {
    let mut out: Vec<(String, Vec<RangeInclusive<u32>>)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in diff.lines() {
        if let Some(rest) = line.strip_prefix("+++ ") {
            current = None;
            let path = unquote(rest);
            if path == "/dev/null" {
                continue;
            }
            let path = path.strip_prefix("b/").unwrap_or(&path).to_string();
            out.push((path, Vec::new()));
            current = Some(out.len() - 1);
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            let Some(i) = current else { continue };
            // @@ -a[,b] +c[,d] @@
            let Some(plus) = rest.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut it = plus[1..].splitn(2, ',');
            let start: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            if count > 0 && start > 0 {
                out[i].1.push(start..=start + count - 1);
            }
        }
    }
    out.retain(|(_, r)| !r.is_empty());
    out
}

/// Git quotes paths with unusual characters as C strings (`"a\tb"`); undo the common escapes.
fn unquote(s: &str) -> String {
    let s = s.trim_end_matches('\t');
    let Some(inner) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'"') => bytes.push(b'"'),
            Some(b'\\') => bytes.push(b'\\'),
            Some(d @ b'0'..=b'7') => {
                let mut v = (d - b'0') as u32;
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        v = v * 8 + (n - b'0') as u32;
                        chars.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hunks_new_files_deletions_and_quoted_paths() {
        let d = "diff --git a/src/a.rs b/src/a.rs\nindex 1..2 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -3 +3 @@ fn x\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,3 +22,0 @@\n-e\ndiff --git a/gone.rs b/gone.rs\n--- a/gone.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n--- /dev/null\n+++ \"b/sp ace/\\303\\251.go\"\n@@ -0,0 +1,4 @@\n+p\n";
        let got = parse_unified_zero(d);
        assert_eq!(
            got,
            vec![
                ("src/a.rs".to_string(), vec![3..=3, 11..=12]),
                ("sp ace/é.go".to_string(), vec![1..=4]),
            ]
        );
    }
}
