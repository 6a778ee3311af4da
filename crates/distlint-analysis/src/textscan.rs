//! Token-level text prechecks: cheap necessary conditions a rule checks on its unit's *text*
//! before walking the unit's syntax tree.
//!
//! The literal prefilter ([`crate::engine::prefilter`]) decides on substrings, ASCII case-insensitively,
//! because it must hold for any text. Some rules need a shape the prefilter cannot say — `for`
//! followed by `{` (a loop with no condition), `_` followed by `=` (an assignment to the blank
//! identifier), `/` before a `2` — and whose parts alone are everywhere (`for`, `_`, `2`). These
//! helpers test such shapes on the text in one pass.
//!
//! # When a precheck is exact
//!
//! Only for a unit whose tree has no syntax error ([`tree_sitter::Node::has_error`] is false):
//! then every token of the tree is real text and tokens are separated only by whitespace and
//! comments. Error recovery can insert zero-width *missing* tokens (`ts_node_is_missing`) that
//! have no text, so a rule must skip its precheck on a unit with an error:
//!
//! ```ignore
//! if !node.has_error() && !textscan::word_followed_by(ctx.text(node), "for", b"{") {
//!     return; // no `for {` loop in this unit
//! }
//! ```
//!
//! Comments between two tokens are handled conservatively: a `/` where the next token was
//! expected (a comment may start there) counts as a match, as does a line break where the
//! previous token was expected (the line may end in a comment). Matches inside strings and
//! comments are accepted too. So each helper may say "maybe" where the tree has no such
//! shape (it then only costs the walk it would have cost anyway), never "no" where it has one.

/// Whether `b` can be part of an identifier or a number as written (`[A-Za-z0-9_]`); non-ASCII
/// bytes count too (identifiers may hold Unicode letters).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii()
}

/// Whether `text` contains `word` as a whole word (no identifier byte before or after it).
pub fn has_word(text: &str, word: &str) -> bool {
    occurrences(text, word, true).next().is_some()
}

/// Whether `text` contains `word` as a whole word (no identifier byte before or after it) such
/// that the first byte after it that is not ASCII whitespace is one of `next`, or `/` (a comment
/// may come first), or there is none (end of text). O(text).
pub fn word_followed_by(text: &str, word: &str, next: &[u8]) -> bool {
    occurrences(text, word, true).any(|end| after_space(text, end, next))
}

/// Whether `text` contains `token` (any bytes, e.g. `;`) such that the first byte after it that
/// is not ASCII whitespace is one of `next`, or `/`, or there is none. O(text).
pub fn followed_by(text: &str, token: &str, next: &[u8]) -> bool {
    occurrences(text, token, false).any(|end| after_space(text, end, next))
}

/// Whether `text` contains `word` as a whole word whose previous token, skipping ASCII spaces,
/// tabs and the bytes in `skip` on the same line, ends with one of `prev`, or `/` (the end of a
/// block comment), or is on an earlier line (that line may end in a comment), or is missing
/// (start of text). O(text).
pub fn word_preceded_by(text: &str, word: &str, prev: &[u8], skip: &[u8]) -> bool {
    let bytes = text.as_bytes();
    occurrences(text, word, true).any(|end| {
        let mut i = end - word.len();
        while i > 0 {
            let b = bytes[i - 1];
            if b == b'\n' || b == b'\r' {
                return true;
            }
            if b == b' ' || b == b'\t' || skip.contains(&b) {
                i -= 1;
                continue;
            }
            return prev.contains(&b) || b == b'/';
        }
        true
    })
}

/// End offsets of the occurrences of `needle` in `text` (whole words only when `whole`).
fn occurrences<'a>(
    text: &'a str,
    needle: &'a str,
    whole: bool,
) -> impl Iterator<Item = usize> + 'a {
    let bytes = text.as_bytes();
    text.match_indices(needle).filter_map(move |(start, m)| {
        let end = start + m.len();
        if whole
            && (start.checked_sub(1).is_some_and(|i| is_word_byte(bytes[i]))
                || bytes.get(end).is_some_and(|b| is_word_byte(*b)))
        {
            return None;
        }
        Some(end)
    })
}

/// Whether the first non-whitespace byte at or after `at` is in `next` or is `/`, or there is
/// none.
fn after_space(text: &str, at: usize, next: &[u8]) -> bool {
    match text.as_bytes()[at..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
    {
        None => true,
        Some(b) => next.contains(b) || *b == b'/',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_followed_by_needs_the_whole_word_and_the_next_token() {
        assert!(word_followed_by("x := 1\nfor {\n}", "for", b"{"));
        assert!(word_followed_by("for\t\n {", "for", b"{"));
        assert!(!word_followed_by("for i := 0; i < n; i++ {", "for", b"{"));
        assert!(!word_followed_by("format {", "for", b"{"));
        assert!(!word_followed_by("xfor {", "for", b"{"));
        // A comment may stand between the tokens; the end of the text is a "maybe".
        assert!(word_followed_by("for /* ever */ {", "for", b"{"));
        assert!(word_followed_by("for // ever\n{", "for", b"{"));
        assert!(word_followed_by("x for", "for", b"{"));
        assert!(word_followed_by("a, _ = f()", "_", b"=:"));
        assert!(word_followed_by("a, _ := f()", "_", b"=:"));
        assert!(!word_followed_by("for _, x := range xs", "_", b"=:"));
        assert!(!word_followed_by("a_ = f()", "_", b"=:"));
    }

    #[test]
    fn has_word_needs_word_boundaries() {
        assert!(has_word("'a: loop {", "loop"));
        assert!(!has_word("event_loop.run()", "loop"));
        assert!(!has_word("loops", "loop"));
    }

    #[test]
    fn followed_by_matches_any_bytes() {
        assert!(followed_by("for i := 0; ; i++ {", ";", b";"));
        assert!(followed_by("for ;; {", ";", b";"));
        assert!(!followed_by("for i := 0; i < 3; i++ {", ";", b";"));
    }

    #[test]
    fn word_preceded_by_looks_back_on_the_same_line() {
        let half = |t: &str| word_preceded_by(t, "2", b"/", b"(");
        assert!(half("n := len(peers) / 2"));
        assert!(half("n := len(peers)/(2)"));
        assert!(half("n := x / /* half */ 2"));
        assert!(half("n := x / // half\n\t2"));
        assert!(!half("n := x * 2"));
        assert!(!half("n := x / 12"));
        assert!(!half("v2 := 3"));
    }
}
