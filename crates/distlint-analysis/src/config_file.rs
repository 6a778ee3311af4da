//! `distlint.toml` configuration files: discovery, parsing, validation with precise errors.
//! (In progress; see issue 7.)

/// The candidate closest to `word` by Jaro-Winkler similarity (≥ 0.8), for "did you mean"
/// suggestions in error messages.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
