//! What distlint does with hostile input: files too large, binary files, invalid UTF-8, and
//! parses that exceed their time budget. Every decision is explicit ([`InputDecision`]) and
//! carries a reason a user can read, so the CLI and the server can log it instead of hanging,
//! crashing, or silently skipping a file.

use std::borrow::Cow;
use std::time::Duration;

/// Resource limits for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputLimits {
    /// Largest source analysed, in bytes. Larger files are skipped (the server still tracks their
    /// text so later edits stay in sync). Default 16 MiB: a 5 MB generated file is analysed.
    pub max_file_bytes: usize,
    /// Wall-clock budget for one parse, in milliseconds. A parse that runs longer is cancelled and
    /// the document is treated as skipped for that version. Default 10 000 ms.
    pub parse_budget_ms: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 16 * 1024 * 1024,
            parse_budget_ms: 10_000,
        }
    }
}

impl InputLimits {
    /// The parse budget as a [`Duration`].
    pub fn parse_budget(&self) -> Duration {
        Duration::from_millis(self.parse_budget_ms)
    }
}

/// Why a document is not analysed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SkipReason {
    /// The source is larger than [`InputLimits::max_file_bytes`].
    TooLarge {
        /// Size of the source in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The file holds a NUL byte within its first 8 KiB: it is binary, whatever its extension.
    Binary {
        /// Byte offset of the first NUL.
        nul_at: usize,
    },
    /// Parsing did not finish within [`InputLimits::parse_budget_ms`].
    ParseBudgetExceeded {
        /// The budget in milliseconds.
        budget_ms: u64,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge { bytes, limit } => write!(
                f,
                "skipped: file is {bytes} bytes, over the {limit}-byte limit (raise `max-file-bytes` to analyse it)"
            ),
            SkipReason::Binary { nul_at } => write!(f, "skipped: binary file (NUL byte at offset {nul_at})"),
            SkipReason::ParseBudgetExceeded { budget_ms } => {
                write!(f, "skipped: parsing took longer than the {budget_ms} ms budget")
            }
        }
    }
}

/// An analysis unit (a top-level item, or an item inside an `impl`/`trait`/`mod` body) that was
/// not analysed because its syntax tree nests deeper than [`crate::Config::max_nesting_depth`]:
/// the file is *analysed partially*. Every other unit of the file is analysed as usual.
///
/// tree-sitter parses such input without trouble, but looking upward from a node
/// (`Node::parent`) costs O(depth), so rules would take time quadratic in the depth (minutes at
/// 20,000 levels). The decision is a function of the unit's text and its position in the tree,
/// so a full and an incremental analysis of the same text make the same decisions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TooDeep {
    /// Byte range of the unit in the analysed text.
    pub range: std::ops::Range<usize>,
    /// 0-based line of the unit's first byte.
    pub line: u32,
    /// Depth of the unit's deepest node, in syntax-tree levels counted from the file's root
    /// node (every node counts, named or not: a Rust block inside a block adds 2 levels).
    pub depth: usize,
    /// The limit in force, in the same levels.
    pub limit: usize,
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "analysed partially: the item at line {} nests {} levels deep, over the limit of {} (not analysed; raise `max-nesting-depth` to analyse it)",
            self.line + 1,
            self.depth,
            self.limit
        )
    }
}

/// The decision for a file's bytes, made before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputDecision {
    /// Valid UTF-8 within limits: analysed as is.
    Analyse,
    /// Analysed after replacing `invalid_sequences` invalid UTF-8 sequences with U+FFFD; lines and
    /// character columns of the rest of the file are unchanged.
    AnalyseLossy {
        /// Number of invalid sequences replaced.
        invalid_sequences: usize,
    },
    /// Not analysed.
    Skip(SkipReason),
}

/// Decides what to do with a file's bytes and returns the text to analyse (borrowed when valid).
///
/// Order of checks: size (cheap, before touching the content), binary (NUL in the first 8 KiB,
/// as git does), UTF-8 validity.
pub fn classify<'a>(
    bytes: &'a [u8],
    limits: &InputLimits,
) -> (Option<Cow<'a, str>>, InputDecision) {
    if bytes.len() > limits.max_file_bytes {
        return (
            None,
            InputDecision::Skip(SkipReason::TooLarge {
                bytes: bytes.len(),
                limit: limits.max_file_bytes,
            }),
        );
    }
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(nul_at) = head.iter().position(|&b| b == 0) {
        return (None, InputDecision::Skip(SkipReason::Binary { nul_at }));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Some(Cow::Borrowed(s)), InputDecision::Analyse),
        Err(_) => {
            let invalid_sequences = bytes
                .utf8_chunks()
                .filter(|c| !c.invalid().is_empty())
                .count();
            (
                Some(String::from_utf8_lossy(bytes)),
                InputDecision::AnalyseLossy { invalid_sequences },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_for_hostile_bytes() {
        let limits = InputLimits {
            max_file_bytes: 16,
            parse_budget_ms: 1000,
        };
        assert_eq!(classify(b"fn main() {}", &limits).1, InputDecision::Analyse);
        assert!(matches!(
            classify(&[b'a'; 17], &limits).1,
            InputDecision::Skip(SkipReason::TooLarge {
                bytes: 17,
                limit: 16
            })
        ));
        assert_eq!(
            classify(b"fn\0main", &limits).1,
            InputDecision::Skip(SkipReason::Binary { nul_at: 2 })
        );
        let (text, d) = classify(b"// \xff\xfe x\n", &limits);
        assert_eq!(
            d,
            InputDecision::AnalyseLossy {
                invalid_sequences: 2
            }
        );
        assert_eq!(
            text.unwrap().lines().next().unwrap().chars().count(),
            "// ?? x".chars().count()
        );
    }
}
