//! Rust comparison facts: callee names compared strictly (`x > a.quorum()`,
//! [`FactKinds::STRICT_CALL_COMPARISONS`]) and field names compared between two records
//! (`a.updated_at > b.updated_at`, [`FactKinds::COMPARED_FIELDS`]).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::text;

/// Characters that can occur in a Rust identifier as written (`r#type` included): anything but
/// whitespace and ASCII punctuation other than `_` and `#`. A callee name is a suffix of the run
/// of these characters before `()` exactly when the text ends with `name()`.
fn is_ident_char(c: char) -> bool {
    !c.is_whitespace() && (!c.is_ascii_punctuation() || c == '_' || c == '#')
}

impl FileFacts {
    /// A `binary_expression`: the kinds of `want` it belongs to.
    pub(super) fn collect_comparison(
        &mut self,
        source: &str,
        n: Node<'_>,
        want: impl Fn(FactKinds) -> bool,
    ) {
        let op = n.child_by_field_name("operator").map(|o| text(source, o));
        if want(FactKinds::COMPARED_FIELDS) && matches!(op, Some("<" | "<=" | ">" | ">=")) {
            if let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) {
                if l.kind() == "field_expression" && r.kind() == "field_expression" {
                    let lf = l.child_by_field_name("field").map(|f| text(source, f));
                    let rf = r.child_by_field_name("field").map(|f| text(source, f));
                    if let (Some(a), Some(b)) = (lf, rf) {
                        if a == b {
                            self.compared_fields.insert(a.to_string());
                        }
                    }
                }
            }
        }
        let side = match op {
            _ if !want(FactKinds::STRICT_CALL_COMPARISONS) => None,
            Some(">") => n.child_by_field_name("right"),
            Some("<") => n.child_by_field_name("left"),
            _ => None,
        };
        if let Some(s) = side {
            if let Some(callee) = text(source, s).strip_suffix("()") {
                let start = callee
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| is_ident_char(*c))
                    .last()
                    .map_or(callee.len(), |(i, _)| i);
                self.strict_call_comparisons
                    .insert(callee[start..].to_string());
            }
        }
    }
}

impl<'a> FactsView<'a> {
    /// Rust: whether some `x > ….name()` / `….name() < x` comparison appears in the file (the
    /// text of the compared side ends with `name()`). Marks
    /// [`FactKinds::STRICT_CALL_COMPARISONS`].
    pub fn strictly_compared_call(&self, name: &str) -> bool {
        self.read(FactKinds::STRICT_CALL_COMPARISONS)
            .strict_call_comparisons
            .iter()
            .any(|s| s.ends_with(name))
    }

    /// Rust: whether some `a.field OP b.field` comparison (`<`, `<=`, `>`, `>=`; the same field
    /// name on both sides) appears in the file. Marks [`FactKinds::COMPARED_FIELDS`].
    pub fn field_compared(&self, field: &str) -> bool {
        self.read(FactKinds::COMPARED_FIELDS)
            .compared_fields
            .contains(field)
    }
}
