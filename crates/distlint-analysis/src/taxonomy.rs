//! The finding categories (`taxonomy.toml`), embedded. This is the product's own copy of
//! `../shared/taxonomy.toml`; a test checks the two match when the shared file is present.
//! Slugs are a public contract: added, never renamed.

use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded taxonomy file, verbatim.
pub const TAXONOMY_TOML: &str = include_str!("../taxonomy.toml");

/// One category.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Category {
    /// Stable slug, e.g. `unbounded-queue`.
    pub slug: String,
    /// Human title.
    pub title: String,
    /// Default severity for rules in it (`blocker|major|minor|nit`).
    pub severity: String,
    /// `data-loss | silent-corruption | consistency | availability | operability`.
    pub impact: String,
    /// What a static check can look for.
    pub signals: String,
}

#[derive(Deserialize)]
struct File {
    category: Vec<Category>,
}

/// All categories, parsed once.
pub fn categories() -> &'static [Category] {
    static CATS: OnceLock<Vec<Category>> = OnceLock::new();
    CATS.get_or_init(|| {
        toml::from_str::<File>(TAXONOMY_TOML)
            .expect("embedded taxonomy.toml parses")
            .category
    })
}

/// The category with `slug`, if any.
pub fn category(slug: &str) -> Option<&'static Category> {
    categories().iter().find(|c| c.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_copy_matches_shared_taxonomy_when_present() {
        let shared =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/taxonomy.toml");
        match std::fs::read_to_string(&shared) {
            Ok(text) => {
                let theirs: File = toml::from_str(&text).expect("shared taxonomy parses");
                let ours = categories();
                for c in &theirs.category {
                    assert!(ours.contains(c), "category {} differs from ../shared/taxonomy.toml; copy it into crates/distlint-analysis/taxonomy.toml", c.slug);
                }
                assert_eq!(
                    ours.len(),
                    theirs.category.len(),
                    "category count differs from ../shared/taxonomy.toml"
                );
            }
            Err(_) => {
                eprintln!("../shared/taxonomy.toml not present; checked the embedded copy only")
            }
        }
        assert!(category("unbounded-queue").is_some());
    }

    #[test]
    fn every_rule_declares_a_known_category_and_unique_id() {
        let mut ids = std::collections::HashSet::new();
        for rule in crate::rules::all() {
            let m = rule.meta();
            assert!(
                category(m.category).is_some(),
                "rule {} has unknown category {}",
                m.id,
                m.category
            );
            assert!(ids.insert(m.id), "duplicate rule id {}", m.id);
            assert!(
                m.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "id {} is not kebab-case",
                m.id
            );
            for (name, s) in [
                ("what", m.docs.what),
                ("why", m.docs.why),
                ("known_problems", m.docs.known_problems),
                ("example", m.docs.example),
                ("use_instead", m.docs.use_instead),
            ] {
                assert!(
                    !s.trim().is_empty(),
                    "rule {} has empty docs section {name}",
                    m.id
                );
            }
        }
    }
}
