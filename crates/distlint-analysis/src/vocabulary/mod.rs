//! The words and API names the rules and facts match code against: data, not code. Each
//! constant says what it is matched against and how (whole words of a name, prefixes,
//! substrings of lower-cased code, last path segments, full paths resolved through the imports).
//! A list two rules share is one constant here; lists that differ stay separate, named for how
//! they differ (`BROKER_CRATES_BUT_AMQPRS`). Changing a list changes what the rules using it
//! report.
//!
//! [`rust`] holds the Rust lists, [`go`] the Go lists; the few lists both languages' rules use
//! live here.

pub mod go;
pub mod rust;

/// Words that make a name a quorum or majority (`quorum`, `majority`): a lower-cased substring of
/// the name for `quorum-math`, a whole word of it for `quorum-math-go`.
pub const QUORUM_WORDS: &[&str] = &["quorum", "majority"];

#[cfg(test)]
mod tests;
