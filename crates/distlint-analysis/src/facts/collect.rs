//! The collection walks: one per language, handing each node to the collector of its fact kind
//! (written next to that kind's reads, in `rust_*.rs` / `go_*.rs`). Only the kinds asked for are
//! collected; a walk that needs no function body skips them.

use tree_sitter::Node;

use super::{FactKinds, FileFacts};
use crate::syntax::Walk;

impl FileFacts {
    pub(super) fn collect_rust(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        if !kinds.subset_of(FactKinds::RUST_SHALLOW) {
            self.collect_rust_full(source, node, kinds);
        }
        if !want(FactKinds::RUST_SHALLOW) {
            return;
        }
        // Statics and aliases outside function bodies (the walk skips them, so it is cheap).
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "static_item" | "const_item" if want(FactKinds::STATICS) => {
                    self.collect_static(source, n)
                }
                "type_item" if want(FactKinds::TYPE_ALIASES) => self.collect_type_alias(source, n),
                "function_item" => walk.skip_subtree(),
                _ => {}
            }
        }
    }

    /// The Rust facts found by a walk of every node of `node` (everything but the shallow
    /// kinds), for the kinds in `kinds`.
    fn collect_rust_full(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        let comparisons =
            FactKinds(FactKinds::COMPARED_FIELDS.0 | FactKinds::STRICT_CALL_COMPARISONS.0);
        // Fields (anywhere, but not nested in another field's subtree) and strict comparisons:
        // one full walk.
        let mut fields_until = 0;
        for n in Walk::new(node) {
            match n.kind() {
                "field_declaration"
                    if want(FactKinds::FIELD_TYPES) && n.start_byte() >= fields_until =>
                {
                    self.collect_field_type(source, n);
                    fields_until = n.end_byte();
                }
                "field_expression" if want(FactKinds::REQUEST_TIMEOUTS) => {
                    self.collect_request_timeout(source, n)
                }
                "attribute_item" if want(FactKinds::SERDE_DENY) && !self.serde_deny => {
                    self.collect_serde_attribute(source, n)
                }
                "struct_item" if want(FactKinds::SEQUENCE_FIELDS) => {
                    self.collect_sequence_fields(source, n)
                }
                "generic_type" if want(FactKinds::WIRE_DECODES) => {
                    self.collect_wire_extractor(source, n)
                }
                "impl_item" if want(FactKinds::QUEUE_CHECKS) => self.collect_impl_parts(source, n),
                "call_expression" if want(FactKinds::WIRE_DECODES) => {
                    self.collect_wire_call(source, n)
                }
                "binary_expression" if want(comparisons) => {
                    self.collect_comparison(source, n, want)
                }
                _ => {}
            }
        }
    }

    pub(super) fn collect_go(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        let assignments = FactKinds(FactKinds::ASSIGNED_SELECTORS.0 | FactKinds::LIST_HOLDERS.0);
        let calls = FactKinds(FactKinds::BUFFERED_CHANNELS.0 | FactKinds::LIFECYCLE_CALLS.0);
        // Only file-level kinds asked for: nothing inside a function or method body can be one
        // (a `const` there is not file-level, Go has no nested function declarations).
        let shallow = kinds.subset_of(FactKinds::GO_SHALLOW);
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "function_declaration" | "method_declaration" if shallow => {
                    if n.kind() == "function_declaration" && want(FactKinds::MAIN) && !self.has_main
                    {
                        self.collect_main(source, n);
                    }
                    walk.skip_subtree();
                }
                "function_declaration" if want(FactKinds::MAIN) && !self.has_main => {
                    self.collect_main(source, n)
                }
                "assignment_statement" | "short_var_declaration" if want(assignments) => {
                    self.collect_assignment(source, n, want)
                }
                "field_declaration" if want(FactKinds::LIST_HOLDERS) => {
                    self.collect_list_field(source, n)
                }
                "call_expression" if want(calls) => self.collect_go_call(source, n, want),
                "const_spec" if want(FactKinds::CONSTS) => self.collect_const(source, n),
                _ => {}
            }
        }
    }
}
