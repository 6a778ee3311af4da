//! Every rule's metadata in one list: the registered rules ([`crate::rules::all`]) followed by the
//! engine's pseudo-rules about suppression comments ([`crate::suppress::PSEUDO_RULES`]), which
//! are produced by the engine rather than by a [`crate::rule::Rule`] check. `distlint rules`,
//! `distlint explain`, configuration validation and report formats (SARIF `tool.driver.rules`)
//! all read this list.

use crate::rule::RuleMeta;
use crate::suppress;

/// Every rule's metadata: registered rules first (registry order), then the pseudo-rules.
pub fn all_metas() -> Vec<&'static RuleMeta> {
    crate::rules::all()
        .iter()
        .map(|r| r.meta())
        .chain(suppress::PSEUDO_RULES.iter().copied())
        .collect()
}

/// The metadata of the rule or pseudo-rule with `id`.
pub fn meta_by_id(id: &str) -> Option<&'static RuleMeta> {
    all_metas().into_iter().find(|m| m.id == id)
}

/// Whether `id` names an engine pseudo-rule (it applies to both languages).
pub fn is_pseudo_rule(id: &str) -> bool {
    suppress::PSEUDO_RULES.iter().any(|m| m.id == id)
}

/// The language column for listings: `rust`, `go`, or `any` for pseudo-rules.
pub fn language_label(meta: &RuleMeta) -> &'static str {
    if is_pseudo_rule(meta.id) {
        "any"
    } else {
        meta.language.name()
    }
}

/// [`RuleMeta::markdown`], with the language line corrected for pseudo-rules (which
/// [`RuleMeta`] can only tag with one language).
pub fn markdown(meta: &RuleMeta) -> String {
    let md = meta.markdown();
    if is_pseudo_rule(meta.id) {
        md.replacen(
            &format!("language: {}", meta.language.name()),
            "language: rust and go",
            1,
        )
    } else {
        md
    }
}
